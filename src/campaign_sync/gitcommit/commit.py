"""The reports commit itself: only the reports folder, only when a report changed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection
from pathlib import Path

from campaign_sync.errors import ConfigError
from campaign_sync.files import write_if_changed
from campaign_sync.gitcommit.git import (
    _check,
    _git,
)
from campaign_sync.gitcommit.values import (
    GitTarget,
    Identity,
)
from campaign_sync.ledger import MEMBERS_FILE, STATE_FILE, read_ledger
from campaign_sync.model import CampaignLedger


def _reports_pathspec(target: GitTarget, reports: Path) -> str:
    top = target.toplevel.resolve()
    folder = reports.resolve()
    if folder == top or top not in folder.parents:
        raise ConfigError(
            f"the reports folder {reports} must be a folder inside the repository {top}, "
            "not the repository itself: --commit commits only that folder"
        )
    return folder.relative_to(top).as_posix()


def _changed_campaigns(paths: list[str], pathspec: str) -> set[str]:
    campaigns = set()
    for path in paths:
        parts = Path(path).relative_to(pathspec).parts
        if len(parts) > 1:  # reports/<campaign>/...; files directly in reports/ are the index
            campaigns.add(parts[0])
    return campaigns


def commit_reports(
    target: GitTarget,
    reports: Path,
    message_for: Callable[[Collection[str]], str],
    identity: Identity,
) -> tuple[str, str] | None:
    """Commit every change under ``reports`` and nothing else; return (sha, message), or
    None when no report file changed. ``message_for`` gets the campaigns whose files did."""
    pathspec = _reports_pathspec(target, reports)
    top = target.toplevel
    if not reports.is_dir() and not _check(_git(top, "ls-files", "--", pathspec), "git ls-files"):
        return None  # no reports written, none tracked: `git add` would call that an error
    _check(_git(top, "add", "--all", "--", pathspec), "git add")
    staged = _check(
        _git(top, "diff", "--cached", "--name-only", "-z", "HEAD", "--", pathspec), "git diff"
    )
    paths = [p for p in staged.split("\0") if p]
    if not paths:
        return None
    message = message_for(_changed_campaigns(paths, pathspec))
    _check(
        _git(
            top,
            # The bot's commit is not signed with whatever key the user configured, and
            # commit hooks (formatters, validators) must not alter generated reports.
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--no-verify",
            "--quiet",
            "--cleanup=whitespace",
            "--file=-",
            "--only",
            "--",
            pathspec,
            env=identity.env(),
            stdin=message,
        ),
        "git commit",
    )
    sha = _check(_git(top, "rev-parse", "HEAD"), "git rev-parse").strip()
    return sha, message


def committed_ledgers(
    target: GitTarget, reports: Path, campaigns: Collection[str], revision: str = "HEAD"
) -> dict[str, CampaignLedger]:
    """The campaigns' ledgers as the branch's last commit (or ``revision``) has them (empty
    where it has none): what a commit message must count from, whatever uncommitted runs
    wrote since."""
    pathspec = _reports_pathspec(target, reports)
    found: dict[str, CampaignLedger] = {}
    with tempfile.TemporaryDirectory(prefix="campaign-sync-head-") as scratch:
        folder = Path(scratch)
        for campaign in campaigns:
            for name in (MEMBERS_FILE, STATE_FILE):
                shown = _git(target.toplevel, "show", f"{revision}:{pathspec}/{campaign}/{name}")
                if shown.returncode == 0:
                    write_if_changed(folder / campaign / name, shown.stdout, root=folder)
            found[campaign] = read_ledger(folder, campaign)
    return found
