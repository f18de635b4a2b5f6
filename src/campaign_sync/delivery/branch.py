"""The ``branch`` and ``pull-request`` modes: the reports committed on a branch of their
own, pushed, and proposed to the default branch in one reused pull request."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from campaign_sync.delivery.pending import (
    campaigns_between,
    clear_pending,
    keep_pending,
    last_line,
    message_for,
)
from campaign_sync.delivery.plumbing import (
    commit_tree,
    head_of,
    is_ancestor,
    tree_of,
    tree_with_reports,
)
from campaign_sync.delivery.values import (
    PULL_TITLE,
    Delivered,
    Delivery,
    DeliveryFailed,
)
from campaign_sync.errors import ConfigError, GitHubError
from campaign_sync.gitcommit import NETWORK_TIMEOUT_SECONDS, GitError, Identity, redact
from campaign_sync.gitcommit.commit import _reports_pathspec
from campaign_sync.gitcommit.git import _check, _git
from campaign_sync.github import delivery as api
from campaign_sync.github.transport import Transport
from campaign_sync.model import CampaignLedger
from campaign_sync.untrusted.markdown import escape_inline


def deliver_to_branch(
    delivery: Delivery,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    identity: Identity,
    transport: Transport | None,
    run_url: str | None,
) -> Delivered:
    config, target = delivery.config, delivery.target
    top = target.toplevel
    pathspec = _reports_pathspec(target, reports)
    head = head_of(target)
    tip = delivery.branch_tip
    parent = tip
    if parent is None or (
        config.mode == "pull-request" and reports_merged(top, tip or head, head, pathspec)
    ):
        # A new branch, or its reports merged: start again from the default branch, so the
        # pull request shows only what is new.
        parent = head
    tree = tree_with_reports(top, parent, pathspec)
    lines: list[str] = []
    commit = None
    if tree != _check(_git(top, "rev-parse", f"{parent}^{{tree}}"), "git rev-parse").strip():
        campaigns = campaigns_between(top, parent, tree, pathspec)
        message = message_for(target, reports, current, parent, run_url)(campaigns)
        commit = commit_tree(top, tree, [parent], message, identity)
        lease = f"--force-with-lease=refs/heads/{config.branch}:{tip or ''}"
        pushed = _git(
            top,
            "push",
            "--porcelain",
            "--no-verify",
            lease,
            target.remote or "",
            f"{commit}:refs/heads/{config.branch}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        )
        if pushed.returncode != 0:
            remote = redact(target.remote or "")
            why = last_line(pushed)
            refused = GitError(f"{remote} refused the push to {config.branch}: {why}")
            raise keep_pending(delivery, commit, refused)
        subject = message.split("\n", 1)[0]
        lines.append(f"committed {commit[:12]} ({subject}), pushed to {config.branch}")
        tip = commit
    else:
        lines.append(f"reports unchanged: {config.branch} already has them")
    pull = None
    proposed = config.mode == "pull-request" and tip is not None
    if proposed and tip is not None and not reports_merged(top, tip, head, pathspec):
        pull, more = propose(delivery, transport, tip, pushed=commit is not None)
        lines.extend(more)
    clear_pending(delivery)
    return Delivered(tuple(lines), commit, pull)


def reports_merged(top: Path, tip: str, head: str, pathspec: str) -> bool:
    """The default branch has the branch's reports (merged, or squashed)."""
    return is_ancestor(top, tip, head) or tree_of(top, tip, pathspec) == tree_of(
        top, head, pathspec
    )


def propose(
    delivery: Delivery, transport: Transport | None, tip: str, *, pushed: bool
) -> tuple[api.PullRequest, list[str]]:
    config, target = delivery.config, delivery.target
    if transport is None or delivery.repository is None:
        raise ConfigError("`delivery: pull-request` needs GitHub credentials")
    # Commit subjects of a branch others can push to: escaped, no mention reaches anyone.
    listed = _git(target.toplevel, "log", "--format=%s", f"{head_of(target)}..{tip}").stdout
    subjects = "\n".join(f"- {escape_inline(line)}" for line in listed.splitlines()[:50])
    body = (
        "The reports and the alert ledger written by `campaign-sync apply --commit`, "
        f"from the branch `{config.branch}`. Every run adds its commit here until this pull "
        "request is merged; merging it records them on "
        f"`{target.upstream_branch}`.\n\n{subjects}\n"
    )
    base = target.upstream_branch
    try:
        pull = api.ensure_pull_request(
            transport, delivery.repository, config.branch, base, title=PULL_TITLE, body=body
        )
    except GitHubError as error:
        raise DeliveryFailed(
            f"the reports are on the branch {config.branch} ({tip[:12]}), but {error}. "
            "Nothing is lost: the next `campaign-sync apply --commit` starts from that branch "
            "and opens the pull request"
        ) from error
    verb = "opened" if pull.created else "updated" if pushed else "open"
    lines = [f"pull request #{pull.number} {verb}: {pull.html_url}"]
    if config.auto_merge and not pull.auto_merge:
        try:
            state = api.enable_auto_merge(transport, pull)
        except GitHubError as error:
            raise DeliveryFailed(
                f"pull request #{pull.number} ({pull.html_url}) holds the reports, but {error}. "
                "It stays open for a person to merge"
            ) from error
        if state == "enabled":
            lines.append(
                f"auto-merge on: GitHub merges #{pull.number} once its reviews and checks pass"
            )
        else:
            lines.append(
                f"note: #{pull.number} can be merged now (nothing on {base} requires a review "
                "or a check), so GitHub has nothing to auto-merge it after: merge it, or "
                "require a review or check on the branch"
            )
    return pull, lines
