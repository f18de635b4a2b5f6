"""Pushing the reports commit: rebased on what others pushed meanwhile, retried with
backoff, refused conflicts said plainly."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from campaign_sync.gitcommit.commit import (
    commit_reports,
    committed_ledgers,
)
from campaign_sync.gitcommit.git import (
    _check,
    _git,
    _operation_in_progress,
)
from campaign_sync.gitcommit.message import (
    commit_message,
)
from campaign_sync.gitcommit.values import (
    BACKOFF_SECONDS,
    NETWORK_TIMEOUT_SECONDS,
    PUSH_ATTEMPTS,
    CommitResult,
    GitError,
    GitTarget,
    Identity,
    NoUpstream,
    PushRejected,
    RebaseConflict,
    redact,
)
from campaign_sync.model import CampaignLedger


def _ahead_of_upstream(target: GitTarget) -> bool:
    counted = _git(target.toplevel, "rev-list", "--count", "@{upstream}..HEAD")
    # Without a remote-tracking ref we cannot tell: pushing costs one round trip.
    return counted.returncode != 0 or counted.stdout.strip() != "0"


def _upstream_of(target: GitTarget) -> tuple[str, str]:
    if target.remote is None or target.merge is None:
        raise NoUpstream(f"branch {target.branch} has no upstream to push to")
    return target.remote, target.merge


def _push_once(target: GitTarget) -> bool:
    """Push; True when it landed, False when rejected because the branch moved."""
    remote, merge = _upstream_of(target)
    result = _git(
        target.toplevel,
        "push",
        "--porcelain",
        "--no-verify",
        remote,
        f"HEAD:{merge}",
        timeout=NETWORK_TIMEOUT_SECONDS,
    )
    if result.returncode == 0:
        return True
    for line in result.stdout.splitlines():
        flag, _, rest = line.partition("\t")
        if flag != "!":
            continue
        summary = rest.partition("\t")[2]
        if summary.startswith("[rejected]"):  # fetch first, non-fast-forward, stale info
            return False
        raise PushRejected(
            f"{target.upstream} refused the push: {redact(summary)}. Branch protection may "
            "require pull requests or signed commits: let the token or App that runs "
            "campaign-sync bypass it for this branch, or push the reports to another branch"
        )
    detail = redact((result.stderr or result.stdout).strip())
    raise GitError(
        f"could not push to {target.upstream}: {detail}. The token needs permission to write "
        "the repository's contents (`permissions: contents: write` in the workflow)"
    )


def _fetch_and_rebase(target: GitTarget, identity: Identity) -> bool:
    """Rebase the local commits onto the remote's branch; False when nothing is left to
    push (the remote already had the same changes, so the rebase dropped them)."""
    remote, merge = _upstream_of(target)
    top = target.toplevel
    local = _check(_git(top, "rev-parse", "--short=12", "HEAD"), "git rev-parse").strip()
    _check(
        _git(
            top,
            "fetch",
            "--no-tags",
            "--no-recurse-submodules",
            remote,
            merge,
            timeout=NETWORK_TIMEOUT_SECONDS,
        ),
        f"git fetch {target.upstream}",
    )
    upstream = _check(_git(top, "rev-parse", "FETCH_HEAD"), "git rev-parse").strip()
    if _check(_git(top, "status", "--porcelain", "--untracked-files=no"), "git status").strip():
        raise PushRejected(
            f"{target.upstream} has new commits, and the working tree has other uncommitted "
            "changes, so campaign-sync did not rebase over them. Nothing is lost: the reports "
            f"commit {local} stays on the local branch {target.branch}. To publish it: "
            f"`git stash && git pull --rebase && git push && git stash pop`"
        )
    rebase = _git(
        top,
        # A user's rebase settings must not stash their work or move their other branches.
        "-c",
        "rebase.autoStash=false",
        "-c",
        "rebase.updateRefs=false",
        "-c",
        "commit.gpgsign=false",
        "rebase",
        "--no-verify",
        upstream,
        env=identity.env(),
    )
    if rebase.returncode == 0:
        return _check(_git(top, "rev-parse", "HEAD"), "git rev-parse").strip() != upstream
    if _operation_in_progress(top) is None:  # it never started (e.g. an untracked file)
        raise GitError(
            f"could not rebase the reports commit {local} onto {target.upstream}: "
            f"{redact(rebase.stderr.strip())}. Nothing is lost: it stays on the local branch "
            f"{target.branch}"
        )
    conflicts = _git(top, "diff", "--name-only", "--diff-filter=U", "-z").stdout.split("\0")
    _check(_git(top, "rebase", "--abort"), "git rebase --abort")
    files = ", ".join(sorted(p for p in conflicts if p)) or "the reports"
    branch = target.upstream_branch
    raise RebaseConflict(
        f"could not push the reports: {target.upstream} has new commits that change the same "
        f"lines as this run ({files}). The rebase was aborted and nothing is lost: this run's "
        f"commit {local} stays on the local branch {target.branch}. Reports are generated, so "
        "such a change is usually a hand edit (two reconciles cannot overlap in the workflow's "
        "concurrency group). To keep this run's reports over it: "
        f"`git pull --rebase -X theirs {remote} {branch} && git push`. To drop them "
        f"instead: `git reset --keep {remote}/{branch}` and run `campaign-sync apply "
        "--commit` again (it finds its tracking issues again; no duplicates). In CI, rerun the "
        "workflow after reverting the hand edit"
    )


def push_with_retries(
    target: GitTarget,
    identity: Identity,
    *,
    attempts: int = PUSH_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, bool]:
    """Push; on a rejection fetch, rebase and try again, up to ``attempts`` pushes in all.

    Returns the number of pushes made and whether the local commits landed (False: the
    remote already had the same changes, and the rebase left nothing to push).
    """
    for attempt in range(1, attempts + 1):
        if _push_once(target):
            return attempt, True
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
            if not _fetch_and_rebase(target, identity):
                return attempt, False
    local = _check(_git(target.toplevel, "rev-parse", "--short=12", "HEAD"), "git rev-parse")
    raise PushRejected(
        f"{target.upstream} rejected the push {attempts} times: the branch kept moving while "
        "campaign-sync rebased onto it (another job pushing to it?). Nothing is lost: the "
        f"reports commit {local.strip()} stays on the local branch {target.branch}; run "
        "`git pull --rebase && git push`, or rerun the workflow"
    )


def commit_and_push(
    target: GitTarget,
    reports: Path,
    previous: Mapping[str, CampaignLedger] | None,
    current: Mapping[str, CampaignLedger],
    *,
    identity: Identity,
    run_url: str | None = None,
    attempts: int = PUSH_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> CommitResult:
    """Commit the reports (if any changed) and push the branch (if ``target`` has an
    upstream and there is anything to push). ``previous`` None: the message counts from
    the ledgers of the last commit."""

    def message_for(changed: Collection[str]) -> str:
        before = previous if previous is not None else committed_ledgers(target, reports, changed)
        return commit_message(before, current, changed, run_url=run_url)

    made = commit_reports(target, reports, message_for, identity)
    sha, message = made if made is not None else (None, "")
    if target.remote is None or (made is None and not _ahead_of_upstream(target)):
        return CommitResult(sha, message)
    pushes, landed = push_with_retries(
        target, identity, attempts=attempts, backoff=backoff, sleep=sleep
    )
    if not landed:  # someone pushed the very same reports first: our commit is redundant
        return CommitResult(None, message, push_attempts=pushes, already_upstream=True)
    if sha is not None:  # a rebase gave it a new id
        sha = _check(_git(target.toplevel, "rev-parse", "HEAD"), "git rev-parse").strip()
    return CommitResult(sha, message, pushed=True, push_attempts=pushes)
