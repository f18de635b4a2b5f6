"""The GitHub side of delivering the reports commit: a pull request, its auto-merge, and a
commit made through the API.

- ``ensure_pull_request``: the one open pull request from the reports branch to the
  default branch, found (``GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH``) before one
  is opened (``POST /repos/{owner}/{repo}/pulls``), so every run reuses it.
- ``enable_auto_merge``: GraphQL ``enablePullRequestAutoMerge``, GitHub merging the pull
  request once its required reviews and checks pass.
- ``create_commit_on_branch``: GraphQL ``createCommitOnBranch``. GitHub's schema: "Commits
  made using this mutation are automatically signed by GitHub if supported and will be
  marked as verified in the user interface", and "A commit created by a successful
  execution of this mutation will be authored by the owner of the credential": the App.
  ``expectedHeadOid`` makes it a compare-and-swap: a branch that moved answers
  ``STALE_DATA`` (``StaleHead`` here), and nothing is written.

Values travel as JSON bodies and GraphQL variables, never spliced into a query.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.graphql import graphql_url
from campaign_sync.github.transport import Transport

_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


class DeliveryApiError(GitHubError):
    """GitHub refused a pull request, an auto-merge or an API commit; says what to do."""


class StaleHead(DeliveryApiError):
    """``createCommitOnBranch``: the branch no longer points at ``expectedHeadOid``."""


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    node_id: str
    html_url: str
    auto_merge: bool  # GitHub already has auto-merge on for it
    created: bool = False  # opened by this call (else found open)


CREATE_COMMIT = """
mutation($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}
"""

ENABLE_AUTO_MERGE = """
mutation($input: EnablePullRequestAutoMergeInput!) {
  enablePullRequestAutoMerge(input: $input) { pullRequest { number } }
}
"""

_PERMISSION_HINT = {
    "contents": (
        "The App (or token) needs the repository permission Contents: Read and write on the "
        "campaigns repository"
    ),
    "pull_requests": (
        "The App (or token) needs the repository permission Pull requests: Read and write on "
        "the campaigns repository (and Contents: Read and write to push the branch)"
    ),
}


def repository_path(repository: str) -> str:
    if not _REPOSITORY.fullmatch(repository) or ".." in repository:
        raise DeliveryApiError(f"{repository!r} is not a repository name of the form owner/name")
    return f"/repos/{repository}"


# -- pull requests ------------------------------------------------------------------------


def _pull(item: Any, *, created: bool = False) -> PullRequest:
    if not isinstance(item, Mapping) or not isinstance(item.get("number"), int):
        raise DeliveryApiError("GitHub answered a pull request request without a pull request")
    return PullRequest(
        number=item["number"],
        node_id=str(item.get("node_id") or ""),
        html_url=str(item.get("html_url") or ""),
        auto_merge=item.get("auto_merge") is not None,
        created=created,
    )


def find_open_pull_request(
    transport: Transport, repository: str, branch: str, base: str
) -> PullRequest | None:
    """The open pull request from ``branch`` of the same repository into ``base``."""
    owner = repository.partition("/")[0]
    params = {"head": f"{owner}:{branch}", "base": base, "state": "open", "per_page": 10}
    try:
        response = transport.get(f"{repository_path(repository)}/pulls", params)
    except RequestFailed as error:
        raise DeliveryApiError(
            f"listing the open pull requests of {repository}: {_explain(error, 'pull_requests')}"
        ) from error
    items = response.data if isinstance(response.data, list) else []
    found = [_pull(item) for item in items if isinstance(item, Mapping)]
    return min(found, key=lambda p: p.number) if found else None


def ensure_pull_request(
    transport: Transport, repository: str, branch: str, base: str, *, title: str, body: str
) -> PullRequest:
    """Find the open pull request from ``branch`` into ``base``, or open it."""
    existing = find_open_pull_request(transport, repository, branch, base)
    if existing is not None:
        return existing
    payload = {
        "title": title,
        "head": branch,
        "base": base,
        "body": body,
        "maintainer_can_modify": False,
    }
    try:
        response = transport.request("POST", f"{repository_path(repository)}/pulls", body=payload)
    except RequestFailed as error:
        if error.status == 422 and "already exists" in _details(error.data):
            # Opened by a run at the same moment: GitHub keeps one per head and base.
            again = find_open_pull_request(transport, repository, branch, base)
            if again is not None:
                return again
        raise DeliveryApiError(
            f"opening the pull request from {branch} into {base} of {repository}: "
            f"{_explain(error, 'pull_requests')}"
        ) from error
    return _pull(response.data, created=True)


def enable_auto_merge(transport: Transport, pull: PullRequest, *, method: str = "MERGE") -> str:
    """Turn on the pull request's auto-merge. Returns ``enabled``, or ``clean`` when GitHub
    refuses because nothing is left to wait for (no required review or check): the
    pull request can be merged now, and GitHub will not schedule it."""
    data = _mutation(
        transport,
        ENABLE_AUTO_MERGE,
        {"pullRequestId": pull.node_id, "mergeMethod": method},
        f"turning on auto-merge for pull request #{pull.number}",
        clean_ok=True,
    )
    return "clean" if data is None else "enabled"


# -- commits through the API ----------------------------------------------------------------


def create_commit_on_branch(
    transport: Transport,
    repository: str,
    branch: str,
    *,
    expected_head: str,
    headline: str,
    body: str,
    additions: Mapping[str, bytes],
    deletions: Sequence[str],
) -> str:
    """Commit these file changes on top of ``expected_head`` of ``branch``; the new
    commit's oid. Raises StaleHead when the branch moved."""
    repository_path(repository)
    file_changes: dict[str, Any] = {}
    if additions:
        file_changes["additions"] = [
            {"path": path, "contents": base64.b64encode(content).decode("ascii")}
            for path, content in sorted(additions.items())
        ]
    if deletions:
        file_changes["deletions"] = [{"path": path} for path in sorted(deletions)]
    message: dict[str, str] = {"headline": headline}
    if body:
        message["body"] = body
    data = _mutation(
        transport,
        CREATE_COMMIT,
        {
            "branch": {"repositoryNameWithOwner": repository, "branchName": branch},
            "expectedHeadOid": expected_head,
            "message": message,
            "fileChanges": file_changes,
        },
        f"committing the reports to {branch} of {repository} through the API",
    )
    payload = data.get("createCommitOnBranch") if data is not None else None
    commit = payload.get("commit") if isinstance(payload, Mapping) else None
    oid = commit.get("oid") if isinstance(commit, Mapping) else None
    if not isinstance(oid, str) or not re.fullmatch(r"[0-9a-f]{40}", oid):
        raise DeliveryApiError(
            f"committing the reports to {branch} of {repository}: GitHub answered without "
            "the new commit"
        )
    return oid


# -- internals ------------------------------------------------------------------------------


def _mutation(
    transport: Transport,
    query: str,
    variables: Mapping[str, Any],
    what: str,
    *,
    clean_ok: bool = False,
) -> Mapping[str, Any] | None:
    """POST one mutation: a write (spaced, counted, never repeated blindly)."""
    try:
        body = {"query": query, "variables": {"input": dict(variables)}}
        response = transport.request("POST", graphql_url(transport.api_url), body=body)
    except RequestFailed as error:
        raise DeliveryApiError(f"{what}: {_explain(error, 'contents')}") from error
    except GitHubError as error:
        raise DeliveryApiError(f"{what}: {error}") from error
    payload = response.data
    if not isinstance(payload, Mapping):
        raise DeliveryApiError(f"{what}: GitHub answered {response.status} without JSON")
    errors = [e for e in payload.get("errors") or () if isinstance(e, Mapping)]
    if errors:
        first = errors[0]
        kind = str(first.get("type") or "")
        text = str(first.get("message") or "error")
        if kind == "STALE_DATA":
            raise StaleHead(f"{what}: the branch moved ({text})")
        if clean_ok and "clean status" in text:
            return None
        hint = ""
        if kind == "FORBIDDEN" or "not accessible" in text:
            needed = "contents" if "createCommitOnBranch" in query else "pull_requests"
            hint = ". " + _PERMISSION_HINT[needed]
        elif (
            kind == "BRANCH_PROTECTION_RULE_VIOLATION"
            or "rule violation" in text.lower()
            or "through a pull request" in text
        ):
            hint = (
                ". A ruleset protects the branch: add the App to the ruleset's bypass list "
                "(bypass mode Always), or use `delivery: pull-request`"
            )
        elif "auto merge is not allowed" in text.lower():
            hint = ". Turn on Settings → General → Allow auto-merge, or set `auto-merge: false`"
        raise DeliveryApiError(f"{what}: {text}{hint}")
    data = payload.get("data")
    if not isinstance(data, Mapping):
        raise DeliveryApiError(f"{what}: GitHub answered without data")
    return data


def _details(data: Any) -> str:
    if not isinstance(data, Mapping):
        return ""
    parts = [str(data.get("message") or "")]
    for entry in data.get("errors") or ():
        if isinstance(entry, Mapping):
            parts.append(str(entry.get("message") or entry.get("code") or ""))
    return "; ".join(p for p in parts if p)


def _explain(error: RequestFailed, permission: str) -> str:
    detail = _details(error.data) or "error"
    if error.status == 401:
        return "GitHub rejected the credentials (401 Bad credentials)"
    if error.status == 403:
        accepted = error.headers.get("x-accepted-github-permissions", "")
        wants = f" (GitHub wants: {accepted})" if accepted else ""
        return f"GitHub refused (403 {detail}){wants}. {_PERMISSION_HINT[permission]}"
    if error.status == 404:
        return "not found (404): the repository does not exist, or the App is not installed on it"
    return f"GitHub answered {error.status}: {detail}"
