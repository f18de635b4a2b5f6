"""What an earlier run could not deliver: found (the reports branch, the pending ref and
branch), taken only when it changes nothing but the reports folder, merged into the
working tree before the plan, kept when a delivery fails, and cleared once delivered."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from campaign_sync.delivery.plumbing import (
    commit_tree,
    is_ancestor,
    rev_of,
    tree_of,
    tree_with_reports,
)
from campaign_sync.delivery.values import (
    PENDING_BRANCH,
    PENDING_REF,
    Delivery,
    DeliveryFailed,
)
from campaign_sync.gitcommit import (
    NETWORK_TIMEOUT_SECONDS,
    GitTarget,
    Identity,
    commit_message,
    committed_ledgers,
    redact,
)
from campaign_sync.gitcommit.commit import _changed_campaigns
from campaign_sync.gitcommit.git import _check, _git
from campaign_sync.model import CampaignLedger


def recover(
    target: GitTarget, pathspec: str, commit: str, identity: Identity, where: str
) -> str | None:
    """Merge the reports folder of ``commit`` into the working tree, unless it has nothing
    the working tree lacks. A note for the terminal, or None."""
    top = target.toplevel
    head = _check(_git(top, "rev-parse", "HEAD"), "git rev-parse").strip()
    if is_ancestor(top, commit, head):
        return None
    ours = tree_with_reports(top, head, pathspec)
    if tree_of(top, commit, pathspec) == tree_of(top, ours, pathspec):
        return None
    base = _git(top, "merge-base", head, commit)
    if base.returncode != 0:
        raise DeliveryFailed(
            f"{where} shares no history with {target.branch}: campaign-sync did not take its "
            f"reports. Delete it if it is not campaign-sync's (`git push {target.remote} "
            f"--delete {where.removeprefix('branch ')}`)"
        )
    changed = _check(
        _git(top, "diff", "--name-only", "--no-renames", "-z", base.stdout.strip(), commit),
        "git diff",
    )
    outside = sorted(p for p in changed.split("\0") if p and not p.startswith(pathspec + "/"))
    if outside:
        more = f" and {len(outside) - 5} more" if len(outside) > 5 else ""
        shown = ", ".join(outside[:5]) + more
        raise DeliveryFailed(
            f"{where} ({commit[:12]}) changes files outside {pathspec}/ ({shown}): "
            "campaign-sync takes from it only commits of reports. Nothing was written; "
            "remove that branch or those commits, then run again"
        )
    working = commit_tree(top, ours, [head], "working tree\n", identity)
    merged = _git(top, "merge-tree", "--write-tree", "--no-messages", working, commit)
    if merged.returncode != 0:
        raise DeliveryFailed(
            f"the reports on {where} ({commit[:12]}) conflict with those of {target.branch}, "
            "probably a hand edit of a generated report. Nothing was written and nothing is "
            f"lost. Resolve it by hand: `git merge {commit[:12]}` (keeping one side of "
            f"{pathspec}/), push, and run again"
        )
    tree = merged.stdout.split()[0]
    _check(
        _git(top, "restore", f"--source={tree}", "--worktree", "--", pathspec),
        "git restore",
    )
    subject = _git(top, "log", "-1", "--format=%s", commit).stdout.strip()
    return (
        f"recovered the undelivered reports of an earlier run from {where} "
        f"({commit[:12]}: {subject}); this run delivers them too"
    )


def keep_pending(
    delivery: Delivery, commit: str, error: Exception, *, also: str = ""
) -> DeliveryFailed:
    """Keep ``commit`` where the next run looks, and say so."""
    target = delivery.target
    top = target.toplevel
    _check(_git(top, "update-ref", PENDING_REF, commit), "git update-ref")
    places = [f"the local ref {PENDING_REF}"]
    if target.remote is not None:
        pushed = _git(
            top,
            "push",
            "--porcelain",
            "--no-verify",
            "--force",
            target.remote,
            f"{commit}:refs/heads/{PENDING_BRANCH}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        )
        if pushed.returncode == 0:
            places.append(f"the branch {PENDING_BRANCH} of {redact(target.remote)}")
        else:
            places.append(
                f"not the branch {PENDING_BRANCH} of {redact(target.remote)}, which refused it "
                "too (in CI this checkout ends with the job: rerun it once the cause is fixed)"
            )
    return DeliveryFailed(
        f"could not deliver the reports: {redact(str(error))}.{also} Nothing is lost: this "
        f"run's reports commit {commit[:12]} is kept on {' and '.join(places)}, and the next "
        "`campaign-sync apply --commit` delivers it before its own"
    )


def clear_pending(delivery: Delivery) -> None:
    """A delivered run: the pending commits it carried are delivered too."""
    target = delivery.target
    top = target.toplevel
    if rev_of(top, PENDING_REF) is not None:
        _git(top, "update-ref", "-d", PENDING_REF)
    if delivery.pending_tip is not None and target.remote is not None:
        # Only the tip this run recovered: a newer one (another run's) stays.
        _git(
            top,
            "push",
            "--porcelain",
            "--no-verify",
            f"--force-with-lease=refs/heads/{PENDING_BRANCH}:{delivery.pending_tip}",
            target.remote,
            f":refs/heads/{PENDING_BRANCH}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        )


def message_for(
    target: GitTarget,
    reports: Path,
    current: Mapping[str, CampaignLedger],
    revision: str,
    run_url: str | None,
) -> Callable[[Collection[str]], str]:
    def message_for(changed: Collection[str]) -> str:
        before = committed_ledgers(target, reports, changed, revision)
        return commit_message(before, current, changed, run_url=run_url)

    return message_for


def campaigns_between(top: Path, old: str, new: str, pathspec: str) -> set[str]:
    names = _check(
        _git(top, "diff", "--name-only", "-z", "--no-renames", old, new, "--", pathspec),
        "git diff",
    )
    return _changed_campaigns([p for p in names.split("\0") if p], pathspec)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stdout + result.stderr).strip().splitlines()
    return redact(lines[-1].strip()) if lines else "refused"


def combined_message(top: Path, old: str, new: str) -> str:
    """One commit's message as it is; several: the newest, then the others' subjects."""
    count = int(_check(_git(top, "rev-list", "--count", f"{old}..{new}"), "git rev-list").strip())
    message = _check(_git(top, "log", "-1", "--format=%B", new), "git log").strip()
    if count > 1:
        older = _check(_git(top, "log", "--format=- %s", f"{old}..{new}~1"), "git log").strip()
        message += f"\n\nAlso delivers {count - 1} earlier undelivered commit(s):\n{older}"
    return message + "\n"
