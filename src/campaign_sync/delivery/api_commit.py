"""The ``api`` mode: the commit's file changes sent to GitHub's ``createCommitOnBranch``
as the App (signed by GitHub), against the remote tip it was computed on."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from campaign_sync.delivery.pending import (
    clear_pending,
    combined_message,
    keep_pending,
    message_for,
)
from campaign_sync.delivery.plumbing import (
    fetch_ref,
    head_of,
    is_ancestor,
    reset_to,
)
from campaign_sync.delivery.values import (
    FETCHED_REF,
    Delivered,
    Delivery,
)
from campaign_sync.errors import ConfigError, GitHubError
from campaign_sync.gitcommit import CommitResult, GitError, Identity, commit_reports
from campaign_sync.gitcommit.commit import _reports_pathspec
from campaign_sync.gitcommit.git import _check, _git, git_environment
from campaign_sync.gitcommit.push import _fetch_and_rebase
from campaign_sync.github import delivery as api
from campaign_sync.github.transport import Transport
from campaign_sync.model import CampaignLedger


def deliver_api(
    delivery: Delivery,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    identity: Identity,
    transport: Transport | None,
    run_url: str | None,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> Delivered:
    target = delivery.target
    pathspec = _reports_pathspec(target, reports)
    made = commit_reports(
        target, reports, message_for(target, reports, current, "HEAD", run_url), identity
    )
    if target.remote is None:  # --no-push: the next run sends it
        result = CommitResult(made[0] if made else None, made[1] if made else "")
        return Delivered((result.describe(target),), result.commit)
    if transport is None or delivery.repository is None:
        raise ConfigError("`delivery: api` needs GitHub credentials")
    repository = delivery.repository
    try:
        return send_api(
            delivery, pathspec, transport, repository, identity, attempts, backoff, sleep
        )
    except (GitError, GitHubError) as error:
        # Whatever failed, the commits stay on the local branch (a failed rebase aborts).
        raise keep_pending(delivery, head_of(target), error) from error


def send_api(
    delivery: Delivery,
    pathspec: str,
    transport: Transport,
    repository: str,
    identity: Identity,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> Delivered:
    """Send the local commits the remote lacks as one API commit; retried when the branch
    moved meanwhile (fetched, rebased, sent again)."""
    target = delivery.target
    top = target.toplevel
    branch = target.upstream_branch
    for attempt in range(1, attempts + 1):
        upstream = fetch_ref(target, branch, f"{FETCHED_REF}/upstream")
        moved = not is_ancestor(top, upstream, head_of(target))
        if moved and not _fetch_and_rebase(target, identity):
            clear_pending(delivery)
            return Delivered((f"{target.upstream} already has these reports: nothing to send",))
        local = head_of(target)
        changes = file_changes(top, upstream, local, pathspec)
        if changes is None:
            reset_to(target, upstream, local)
            clear_pending(delivery)
            return Delivered(("reports unchanged: nothing to commit",))
        additions, deletions = changes
        message = combined_message(top, upstream, local)
        headline, _, body = message.partition("\n")
        try:
            oid = api.create_commit_on_branch(
                transport,
                repository,
                branch,
                expected_head=upstream,
                headline=headline,
                body=body.strip("\n"),
                additions=additions,
                deletions=deletions,
            )
        except api.StaleHead:
            if attempt == attempts:
                raise
            sleep(backoff * 2 ** (attempt - 1))
            continue
        if fetch_ref(target, branch, f"{FETCHED_REF}/upstream") == oid:
            # The fetch updated the remote-tracking branch too (git's opportunistic update),
            # so the next run does not take GitHub's commit for someone else's.
            reset_to(target, oid, local)
        clear_pending(delivery)
        retries = f" after {attempt} attempts" if attempt > 1 else ""
        return Delivered(
            (
                f"committed {oid[:12]} on {branch} through GitHub's API ({headline}), signed "
                f"by GitHub{retries}",
            ),
            oid,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def file_changes(
    top: Path, old: str, new: str, pathspec: str
) -> tuple[dict[str, bytes], list[str]] | None:
    """The reports' changes from ``old`` to ``new`` (None: none). Anything else changed is
    refused: the API commit sends only reports."""
    listed = _check(
        _git(top, "diff", "--name-status", "--no-renames", "-z", old, new), "git diff"
    ).split("\0")
    entries = [e for e in listed if e]
    additions: dict[str, bytes] = {}
    deletions: list[str] = []
    for status, path in zip(entries[0::2], entries[1::2], strict=True):
        if not path.startswith(pathspec + "/"):
            raise GitError(
                f"the local commits not yet on the remote change {path}, outside {pathspec}/: "
                "`delivery: api` sends only reports. Push or drop those commits first"
            )
        if status == "D":
            deletions.append(path)
        else:
            additions[path] = blob_of(top, f"{new}:{path}")
    if not additions and not deletions:
        return None
    return additions, deletions


def blob_of(top: Path, spec: str) -> bytes:
    done = subprocess.run(
        ["git", "cat-file", "blob", spec],
        cwd=top,
        capture_output=True,
        check=False,
        env=git_environment(),
    )
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()
        raise GitError(f"git cat-file {spec} failed: {detail}")
    return done.stdout
