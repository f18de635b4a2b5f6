"""`campaign-sync history ALERT_ID|CAMPAIGN`: what git's history says, for auditors.

- An alert id (``TYPE:OWNER/REPO:NUMBER``, or a SARIF finding's id): every campaign it was
  a member of, when it joined (commit, date), each change of its state after (commit,
  date) and how it was closed (reason, who, comment) where the ledger recorded it.
- A campaign id: each commit that changed its campaign file (date, author, subject) with
  the pull request that merged it when git can tell, and its member count over time.

From git alone (``gitlog.py``): the branch's history of the reports folder and of the
campaign file, in a fixed number of processes; no network, no token, nothing written.
The folders are those HEAD's ``campaign-sync.yml`` names (``reports:``, ``campaigns:``).

Exit codes: 0 found; 1 not found, or no history to read (not a git repository, no commits
yet); 64 (usage) when the argument is neither an alert id nor a campaign id.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from campaign_sync.audit import (
    AlertHistory,
    CampaignHistory,
    MemberCount,
    ScopeChange,
    Sighting,
    alert_history,
    change_kind,
    count_changes,
    count_members,
    find_member,
    pull_request,
)
from campaign_sync.config.loader import is_relative_folder
from campaign_sync.config.repo_config import CONFIG_FILENAMES
from campaign_sync.config.yaml_loader import DocumentError, decode_text, load_yaml
from campaign_sync.errors import UsageProblem
from campaign_sync.gitlog import (
    Objects,
    Repository,
    brought_by,
    changes,
    open_repository,
    parents,
)
from campaign_sync.ledger import MEMBERS_FILE
from campaign_sync.model import ALERT_TYPES, Member
from campaign_sync.render import history as render

EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
FORMATS = ("text", "json")

_CAMPAIGN_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
_ALERT_ID = re.compile(
    rf"(?:{'|'.join(ALERT_TYPES)}):[A-Za-z0-9._-]{{1,100}}/[A-Za-z0-9._-]{{1,100}}:[!-~]{{1,200}}"
)


def _folders(repository: Repository, objects: Objects) -> tuple[str, str]:
    """The reports and campaigns folders, from the top of the repository, as HEAD's config
    names them (the defaults when it names none, or cannot be read)."""
    reports, campaigns = "reports", "campaigns"
    for name in CONFIG_FILENAMES:
        raw = objects.read(f"HEAD:{repository.prefix}{name}")
        if raw is None:
            continue
        try:
            data = load_yaml(decode_text(raw, name), name).data
        except DocumentError:
            break  # `validate` reports a broken config; the defaults are the best guess
        if isinstance(data, dict):
            folder = data.get("reports")
            reports = folder if isinstance(folder, str) and is_relative_folder(folder) else reports
            folder = data.get("campaigns")
            campaigns = (
                folder if isinstance(folder, str) and is_relative_folder(folder) else campaigns
            )
        break
    return (
        repository.prefix + reports.strip("/").removeprefix("./"),
        repository.prefix + campaigns.strip("/").removeprefix("./"),
    )


def _alert(repository: Repository, objects: Objects, reports: str, alert_id: str) -> AlertHistory:
    ledger = re.compile(re.escape(reports) + r"/([^/]+)/" + re.escape(MEMBERS_FILE))
    seen: dict[str | None, Member | None] = {None: None}
    sightings: list[Sighting] = []
    for change in changes(repository, [reports + "/"], first_parent=True):
        match = ledger.fullmatch(change.path)
        if match is None or not _CAMPAIGN_ID.fullmatch(match.group(1)):
            continue
        if change.blob not in seen:  # a version two campaigns share is read once
            data = objects.read(change.blob) if change.blob is not None else None
            seen[change.blob] = find_member(data, alert_id) if data is not None else None
        sightings.append(
            Sighting(match.group(1), change.commit.sha, change.commit.date, seen[change.blob])
        )
    return AlertHistory(alert_id, alert_history(sightings), versions=len(sightings))


def _campaign(
    repository: Repository, objects: Objects, reports: str, campaigns: str, campaign: str
) -> CampaignHistory:
    files = [f"{campaigns}/{campaign}.yml", f"{campaigns}/{campaign}.yaml"]
    edits = changes(repository, files, first_parent=False)
    scope: list[ScopeChange] = []
    if edits:
        head, graph = parents(repository)
        bringers = brought_by(head, graph)
        for edit in edits:
            text = objects.commit_text(edit.commit.sha)
            bringer = bringers.get(edit.commit.sha)
            merged = objects.commit_text(bringer) if bringer is not None else text
            scope.append(
                ScopeChange(
                    commit=edit.commit.sha,
                    date=edit.commit.date,
                    path=edit.path,
                    change=change_kind(edit.status),
                    author=text.author,
                    author_email=text.author_email,
                    author_date=text.author_date,
                    subject=text.subject,
                    pull_request=pull_request(
                        edit.commit.sha,
                        bringer,
                        bringer_parents=len(graph.get(bringer, ())) if bringer else 0,
                        bringer_subject=merged.subject,
                        bringer_date=merged.committer_date,
                    ),
                )
            )
    counts = []
    ledger = f"{reports}/{campaign}/{MEMBERS_FILE}"
    for version in changes(repository, [ledger], first_parent=True):
        data = objects.read(version.blob) if version.blob is not None else None
        members = count_members(data) if data is not None else 0
        counts.append(MemberCount(version.commit.sha, version.commit.date, members))
    return CampaignHistory(campaign, tuple(scope), count_changes(counts))


def run_history(root: Path, target: str, *, output_format: str, out: TextIO, err: TextIO) -> int:
    is_alert = _ALERT_ID.fullmatch(target) is not None
    if not is_alert and not _CAMPAIGN_ID.fullmatch(target):
        raise UsageProblem(
            f"{target[:200]!r} is neither an alert id (TYPE:OWNER/REPO:NUMBER, TYPE one of "
            f"{', '.join(ALERT_TYPES)}) nor a campaign id (its file name without .yml)"
        )
    repository = open_repository(root)
    if repository.shallow:
        err.write(
            "note: this clone is shallow: commits older than the ones fetched are not in "
            "the answer; run `git fetch --unshallow` first for the whole history\n"
        )
    with Objects(repository) as objects:
        reports, campaigns = _folders(repository, objects)
        if is_alert:
            found = _alert(repository, objects, reports, target)
            if not found.campaigns:
                err.write(
                    f"{target} was never a member of a campaign: none of the "
                    f"{found.versions} versions of the ledgers under {reports}/ in this "
                    "branch's history has it (an alert id is TYPE:OWNER/REPO:NUMBER, "
                    "matched whole)\n"
                )
                return EXIT_NOT_FOUND
            out.write(
                render.alert_json(found)
                if output_format == "json"
                else render.alert_text(found, reports)
            )
            return EXIT_FOUND
        history = _campaign(repository, objects, reports, campaigns, target)
    if not history.changes and not history.members:
        err.write(
            f"no campaign {target} in this branch's history: no commit changed "
            f"{campaigns}/{target}.yml or {reports}/{target}/{MEMBERS_FILE}\n"
        )
        return EXIT_NOT_FOUND
    files = f"{campaigns}/{target}.yml"
    ledger = f"{reports}/{target}/{MEMBERS_FILE}"
    out.write(
        render.campaign_json(history)
        if output_format == "json"
        else render.campaign_text(history, files, ledger)
    )
    return EXIT_FOUND
