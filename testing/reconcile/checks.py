"""Invariants of a world, each returning what violates it (an empty list: it holds).

- ``duplicates``: two tracking issues with one marker, one comment posted twice in a row
  on an issue (the same text again after another event, e.g. closed once more after a
  reopen, is a new comment), two native campaigns of one name;
- ``lost_transitions``: an alert's state on GitHub that the campaign's ledger, or the task
  list of its tracking issue, does not show; a tracking issue open with no open alert, or
  closed with one; a ledger naming an issue the fake does not have;
- ``commit_mismatches``: a bot commit whose message does not say what its diff did;
- ``leaks``: the token anywhere it must not be.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from campaign_sync.gitcommit import DEFAULT_IDENTITY, commit_message
from campaign_sync.issue_markers import extract_section
from campaign_sync.ledger import read_ledger
from campaign_sync.model import CampaignLedger
from testing.fake_github import FakeGitHub

from .runner import Run
from .scenario import ORG
from .state import FakeState
from .workspace import Commit

_LABELS = {
    "code-scanning": "Code scanning alert",
    "dependabot": "Dependabot alert",
    "secret-scanning": "Secret scanning alert",
}
_ITEM = re.compile(
    r"^- \[(?P<box>[ x])\] (?P<strike>~~)?\[?(?P<label>[A-Za-z ]+ alert) #(?P<n>\d+)"
)


def duplicates(state: FakeState) -> list[str]:
    found: list[str] = []
    keys = Counter(issue.key for issue in state.issues if not issue.key.startswith("#"))
    found += [f"{n} tracking issues for {key}" for key, n in sorted(keys.items()) if n > 1]
    for issue in state.issues:
        found += [
            f"comment posted twice in a row on {issue.key}: {body[:60]!r}"
            for previous, (_, body) in itertools.pairwise(issue.comments)
            if previous[1] == body
        ]
    names = Counter(campaign.name for campaign in state.campaigns)
    found += [f"{n} native campaigns named {name!r}" for name, n in sorted(names.items()) if n > 1]
    return found


def _fake_alerts(fake: FakeGitHub) -> dict[str, tuple[str, str | None, bool]]:
    """alert id -> (state as campaign-sync records it, kind in a task list, repo archived)."""
    found: dict[str, tuple[str, str | None, bool]] = {}
    with fake.state.lock:
        org = fake.state.org(ORG)
        assert org is not None
        for kind in _LABELS:
            for alert in fake.state.org_alerts(org, kind):
                state = "dismissed" if alert.state == "auto_dismissed" else alert.state
                if state == "resolved":
                    box = "fixed" if alert.resolution in (None, "revoked") else "dismissed"
                else:
                    box = state
                key = f"{kind}:{alert.repo.full_name}:{alert.number}"
                found[key] = (state, box, alert.repo.archived)
    return found


def active_campaigns(root: Path) -> list[str]:
    ids = []
    for path in sorted((root / "campaigns").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("state") == "active":
            ids.append(path.stem)
    return ids


def lost_transitions(fake: FakeGitHub, root: Path) -> list[str]:
    """Every alert state change reflected in the ledger and the tracking issue task list."""
    alerts = _fake_alerts(fake)
    found: list[str] = []
    issues = _issues(fake)
    for campaign in active_campaigns(root):
        ledger = read_ledger(root / "reports", campaign)
        tracked = ledger.issue_map()
        for member in ledger.members:
            state, box, archived = alerts[member.alert_id]
            if archived:
                continue  # frozen: the ledger keeps the last state it knew, on purpose
            if member.state != state:
                found.append(
                    f"{campaign}: {member.alert_id} is {state} on GitHub, "
                    f"{member.state} in the ledger"
                )
            issue = tracked.get(member.repository)
            if issue is None:
                if state == "open":
                    found.append(f"{campaign}: {member.alert_id} is open with no tracking issue")
                continue
            body = issues.get((member.repository, issue.number), (None, ""))[1]
            shown = _task_list(body, campaign, member.repository)
            kind, _, number = member.alert_id.split(":", 2)
            seen = shown.get((_LABELS[kind], int(number)))
            if seen is None and not shown.get(("more", 0)):
                found.append(f"{campaign}: {member.alert_id} not in the task list of its issue")
            elif seen is not None and seen != box:
                found.append(f"{campaign}: {member.alert_id} is {box} but shown as {seen}")
        found += _issue_states(campaign, ledger, alerts, issues)
    return found


def _issue_states(
    campaign: str,
    ledger: CampaignLedger,
    alerts: Mapping[str, tuple[str, str | None, bool]],
    issues: Mapping[tuple[str, int], tuple[str, str]],
) -> list[str]:
    found = []
    open_repos = {m.repository for m in ledger.members if alerts[m.alert_id][0] == "open"}
    for issue in ledger.issues:
        on_fake = issues.get((issue.repository, issue.number))
        if on_fake is None:
            found.append(f"{campaign}: the ledger names {issue.repository}#{issue.number}, gone")
            continue
        if on_fake[0] != issue.state:
            found.append(
                f"{campaign}: {issue.repository}#{issue.number} is {on_fake[0]}, "
                f"the ledger says {issue.state}"
            )
        wanted = "open" if issue.repository in open_repos else "closed"
        if on_fake[0] != wanted and not any(
            alerts[m.alert_id][2] for m in ledger.members if m.repository == issue.repository
        ):
            found.append(
                f"{campaign}: {issue.repository}#{issue.number} is {on_fake[0]}, "
                f"its alerts say {wanted}"
            )
    return found


def _issues(fake: FakeGitHub) -> dict[tuple[str, int], tuple[str, str]]:
    with fake.state.lock:
        org = fake.state.org(ORG)
        assert org is not None
        return {
            (repo.full_name, issue.number): (issue.state, issue.body or "")
            for repo in org.repos.values()
            for issue in repo.issues
        }


def _task_list(body: str, campaign: str, repository: str) -> dict[tuple[str, int], str]:
    """(label, number) -> open | fixed | dismissed, for each item of the tool's section."""
    section = extract_section(body, campaign, repository) or ""
    shown: dict[tuple[str, int], str] = {}
    for line in section.splitlines():
        match = _ITEM.match(line)
        if match is not None:
            kind = "open" if match["box"] == " " else "dismissed" if match["strike"] else "fixed"
            shown[(match["label"], int(match["n"]))] = kind
        elif line.startswith("and ") and " more alert" in line:
            shown[("more", 0)] = "summarized"
    return shown


def _ledgers(files: Mapping[str, str]) -> dict[str, CampaignLedger]:
    with tempfile.TemporaryDirectory() as temporary:
        reports = Path(temporary) / "reports"
        campaigns = set()
        for path, text in files.items():
            if path.startswith("reports/") and path.count("/") == 2:
                target = Path(temporary) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                campaigns.add(path.split("/")[1])
        return {c: read_ledger(reports, c) for c in sorted(campaigns)}


def commit_mismatches(history: list[Commit]) -> list[str]:
    """Bot commits whose message is not what the message of their own diff would be."""
    found = []
    for parent, commit in itertools.pairwise(history):
        if commit.author != DEFAULT_IDENTITY:
            continue
        changed = {
            path.split("/")[1]
            for path in parent.files.keys() | commit.files.keys()
            if path.startswith("reports/")
            and path.count("/") >= 2
            and parent.files.get(path) != commit.files.get(path)
        }
        expected = commit_message(_ledgers(parent.files), _ledgers(commit.files), changed)
        if commit.message.strip() != expected.strip():
            found.append(
                f"commit {commit.message.splitlines()[0]!r}: its diff says "
                f"{expected.splitlines()[0]!r}"
            )
    return found


def leaks(
    token: str, runs: Iterable[Run], history: Iterable[Commit], state: FakeState, fake: FakeGitHub
) -> list[str]:
    """Places the token (or its secret part) appears: outputs, commits, GitHub, requests."""
    needles = (token, token[4:])
    places: list[tuple[str, str]] = []
    places += [(f"run {i} output", run.output) for i, run in enumerate(runs)]
    for commit in history:
        places.append((f"commit {commit.message[:40]!r}", commit.message))
        places += [(f"file {path}", text) for path, text in commit.files.items()]
    for issue in state.issues:
        places.append((f"issue {issue.key}", issue.title + issue.body))
        places += [(f"comment on {issue.key}", body) for _, body in issue.comments]
    places += [("request path", str(entry["path"])) for entry in fake.requests()]
    return sorted({where for where, text in places if any(n in text for n in needles)})
