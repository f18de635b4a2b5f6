"""The two GraphQL mutations campaign-sync sends, executed for real by graphql-core:
``createCommitOnBranch`` and ``enablePullRequestAutoMerge`` (GitHub's names, argument
types and nullability; see ``@octokit/graphql-schema``).

``createCommitOnBranch`` (https://docs.github.com/graphql/reference/mutations#createcommitonbranch):

- "This mutation creates a commit whose parent is the HEAD of the provided branch and also
  updates that branch to point to the new commit"; ``expectedHeadOid`` is "The git commit
  oid expected at the head of the branch prior to the commit": another head answers 200
  with ``data.createCommitOnBranch: null`` and ``{"type": "STALE_DATA", "message":
  "Expected branch to point to \\"<oid>\\" but it did not.  Pull and try again."}``.
- "A commit created by a successful execution of this mutation will be authored by the
  owner of the credential which authenticates the API request. The committer will be
  identical to that of commits authored using the web interface" (GitHub's web-flow);
  "Commits made using this mutation are automatically signed by GitHub". The fake cannot
  sign: it writes the author and committer GitHub would, unsigned.
- It needs the *Contents* write permission, and a ruleset on the branch applies as it does
  to a push: an actor not on its bypass list is refused. Recorded answers (third parties'):
  classic branch protection gives ``"type": "BRANCH_PROTECTION_RULE_VIOLATION"`` with
  "Changes must be made through a pull request"; a ruleset gives another type
  (Thinkmill/keystatic#1598), not recorded. The fake answers git's GH013 wording with
  ``UNPROCESSABLE``; the client reads the wording, not the type.

``enablePullRequestAutoMerge``
(https://docs.github.com/graphql/reference/mutations#enablepullrequestautomerge): refused
with "Pull request Auto merge is not allowed for this repository" unless the repository
allows auto-merge, and with "Pull request Pull request is in clean status" when nothing
(no ruleset on the base branch) is left to wait for: GitHub then has nothing to schedule.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, build_schema, graphql_sync

from . import git_backend
from .auth import can_see_org, has_permission
from .routes_pulls import find_pull
from .routing import Ctx

SDL = """
scalar GitObjectID
scalar Base64String
scalar URI

enum PullRequestMergeMethod { MERGE SQUASH REBASE }

input CommittableBranch { id: ID repositoryNameWithOwner: String branchName: String }
input CommitMessage { headline: String! body: String }
input FileAddition { path: String! contents: Base64String! }
input FileDeletion { path: String! }
input FileChanges { deletions: [FileDeletion!] additions: [FileAddition!] }
input CreateCommitOnBranchInput {
  clientMutationId: String branch: CommittableBranch! fileChanges: FileChanges
  message: CommitMessage! expectedHeadOid: GitObjectID!
}
input EnablePullRequestAutoMergeInput {
  clientMutationId: String pullRequestId: ID! commitHeadline: String commitBody: String
  mergeMethod: PullRequestMergeMethod authorEmail: String expectedHeadOid: GitObjectID
}

type Commit { oid: GitObjectID! url: URI! }
type CreateCommitOnBranchPayload { clientMutationId: String commit: Commit }
type PullRequest { id: ID! number: Int! }
type EnablePullRequestAutoMergePayload { clientMutationId: String pullRequest: PullRequest }

type Query { unused: String }
type Mutation {
  createCommitOnBranch(input: CreateCommitOnBranchInput!): CreateCommitOnBranchPayload
  enablePullRequestAutoMerge(input: EnablePullRequestAutoMergeInput!):
    EnablePullRequestAutoMergePayload
}
"""

_FORBIDDEN = "Resource not accessible by integration"


def _error(message: str, kind: str) -> GraphQLError:
    return GraphQLError(message, extensions={"type": kind})


def _ctx(info: GraphQLResolveInfo) -> Ctx:
    ctx: Ctx = info.context
    return ctx


def _create_commit(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
    ctx = _ctx(info)
    token = ctx.token
    if token is None or not has_permission(token, "contents", "write"):
        raise _error(_FORBIDDEN, "FORBIDDEN")
    branch_input = input["branch"]
    name_with_owner = branch_input.get("repositoryNameWithOwner")
    branch = (branch_input.get("branchName") or "").removeprefix("refs/heads/")
    if not name_with_owner or not branch:
        needed = "Either id or repositoryNameWithOwner and branchName must be given"
        raise _error(needed, "UNPROCESSABLE")
    repo = ctx.state.repo(name_with_owner)
    if repo is None or not can_see_org(token, repo.org.login):
        missing = f"Could not resolve to a Repository with the name '{name_with_owner}'."
        raise _error(missing, "NOT_FOUND")
    bypass = repo.rules.get(branch)
    if bypass is not None and token.user.login not in bypass:
        raise _error(
            "Repository rule violations found\n\nChanges must be made through a pull request.\n",
            "UNPROCESSABLE",
        )
    changes = input.get("fileChanges") or {}
    additions: dict[str, bytes] = {}
    for entry in changes.get("additions") or ():
        try:
            additions[entry["path"]] = base64.b64decode(entry["contents"], validate=True)
        except (binascii.Error, ValueError):
            raise _error(f"Invalid base64 contents for {entry['path']}", "UNPROCESSABLE") from None
    deletions = [entry["path"] for entry in changes.get("deletions") or ()]
    message = input["message"]
    text = message["headline"] + (f"\n\n{message['body']}" if message.get("body") else "") + "\n"
    with ctx.state.lock:
        try:
            oid = git_backend.commit_on_branch(
                repo,
                branch,
                expected=input["expectedHeadOid"],
                message=text,
                author=token.user,
                additions=additions,
                deletions=deletions,
                when=ctx.state.now(),
            )
        except git_backend.GitBackendError as error:
            raise _error(str(error), error.kind) from None
    url = f"{ctx.state.renderer.html}/{repo.full_name}/commit/{oid}"
    return {"clientMutationId": input.get("clientMutationId"), "commit": {"oid": oid, "url": url}}


def _enable_auto_merge(_root: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
    ctx = _ctx(info)
    token = ctx.token
    if token is None or not has_permission(token, "pull_requests", "write"):
        raise _error(_FORBIDDEN, "FORBIDDEN")
    pull = find_pull(list(ctx.state.repos_by_id.values()), input["pullRequestId"])
    if pull is None or not can_see_org(token, pull.issue.repo.org.login):
        raise _error(
            f"Could not resolve to a node with the global id of '{input['pullRequestId']}'",
            "NOT_FOUND",
        )
    repo = pull.issue.repo
    if not repo.allow_auto_merge:
        raise _error("Pull request Auto merge is not allowed for this repository", "UNPROCESSABLE")
    if pull.base not in repo.rules:
        raise _error("Pull request Pull request is in clean status", "UNPROCESSABLE")
    with ctx.state.lock:
        pull.auto_merge_by = token.user
        pull.auto_merge_method = str(input.get("mergeMethod") or "MERGE").lower()
    return {"clientMutationId": input.get("clientMutationId"), "pullRequest": pull}


def _pull_field(pull: Any, info: GraphQLResolveInfo) -> Any:
    from .render_common import node_id

    return node_id("PullRequest", pull.id) if info.field_name == "id" else pull.number


def _build() -> Any:
    schema = build_schema(SDL)
    mutation = schema.mutation_type
    assert mutation is not None
    mutation.fields["createCommitOnBranch"].resolve = _create_commit
    mutation.fields["enablePullRequestAutoMerge"].resolve = _enable_auto_merge
    for field in schema.get_type("PullRequest").fields.values():  # type: ignore[union-attr]
        field.resolve = _pull_field
    return schema


SCHEMA = _build()


def execute(ctx: Ctx, query: str, variables: dict[str, Any] | None) -> Any:
    """graphql-core's ExecutionResult for one mutation document."""
    return graphql_sync(SCHEMA, query, variable_values=variables, context_value=ctx)
