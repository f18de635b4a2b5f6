"""The end state of a world, as values that compare: what the fake GitHub holds and what the
campaigns repository's history holds.

Captured from the fake's store directly (not through the API, which faults would disturb):
every issue of every repository (title, body, state and reason, labels, assignees, author,
comments with their authors, in order), the native security campaigns (with their alerts),
the Copilot Autofix requests. From git: the origin's tree at the end of every cycle, and
every commit's message checked against its own diff (``history``).

**Normalized, and only this**, because two worlds cannot agree on it:

- the fake's URL (``http://127.0.0.1:PORT``): each world's fake listens on its own port,
  and the config's ``api-url`` puts it into reports;
- with ``renumber``: issue numbers. GitHub numbers issues in the order they are created.
  Under faults a create that fails is retried after creates that did not fail, so two
  campaigns' issues in one repository can swap numbers: not a defect (nobody relies on
  which number GitHub gives). Each tracking issue is then named by its marker
  (campaign and repository) instead, wherever its number appears (the ledger's
  ``issues``, links in reports). The crash suite does not renumber: a killed and re-run
  apply creates in the same order as a clean one, so numbers must match there.

Timestamps need no normalization: campaign-sync's ``now`` is the scenario's, alerts change
at the scenario's instants on the fake's simulated clock, and timestamps the fake alone
keeps (an issue's ``updated_at``, a comment's id) are not captured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from campaign_sync.issue_markers import find_marker
from testing.fake_github import FakeGitHub

from .scenario import ORG

PLACEHOLDER_URL = "http://fake-github.invalid"


@dataclass(frozen=True, slots=True)
class Issue:
    key: str  # "campaign repository" from the marker, or "#N repository" without one
    number: int
    title: str
    body: str
    state: str
    state_reason: str | None
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    author: str
    comments: tuple[tuple[str, str], ...]  # (author, body), oldest first


@dataclass(frozen=True, slots=True)
class NativeCampaign:
    name: str
    description: str
    state: str
    ends_at: int
    contact_link: str | None
    managers: tuple[str, ...]
    team_managers: tuple[str, ...]
    alerts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FakeState:
    issues: tuple[Issue, ...]
    campaigns: tuple[NativeCampaign, ...]
    autofixes: tuple[str, ...]


@dataclass(slots=True)
class Normalizer:
    url: str
    renumber: bool
    # repository -> issue number -> the issue's marker key
    numbers: dict[str, dict[int, str]] = field(default_factory=dict)

    def text(self, text: str) -> str:
        text = text.replace(self.url, PLACEHOLDER_URL)
        if not self.renumber:
            return text
        text = _ISSUE_LINK.sub(self._link, text)
        # The link's text names the number too: [#3](.../issues/3).
        return _NUMBERED_LINK.sub(r"[#<\g<key>>](\g<target>)", text)

    def _link(self, match: re.Match[str]) -> str:
        repository, number = match.group("repo"), int(match.group("number"))
        key = self.numbers.get(repository, {}).get(number)
        return f"{repository}/issues/<{key}>" if key else match.group(0)

    def file(self, path: str, text: str) -> str:
        text = self.text(text)
        if self.renumber and path.endswith("/ledger.json"):
            document = json.loads(text)
            for repository, issue in (document.get("issues") or {}).items():
                key = self.numbers.get(repository, {}).get(issue.get("number"))
                if key:
                    issue["number"] = f"<{key}>"
            text = json.dumps(document, indent=2, sort_keys=True) + "\n"
        return text


_ISSUE_LINK = re.compile(r"(?P<repo>[A-Za-z0-9._-]+/[A-Za-z0-9._-]+)/issues/(?P<number>[0-9]+)")
_NUMBERED_LINK = re.compile(r"\[#[0-9]+\]\((?P<target>[^)\s]*/issues/<(?P<key>[^>]+)>)\)")


def capture_fake(fake: FakeGitHub, normalizer: Normalizer) -> FakeState:
    """Every issue, native campaign and autofix request of the scenario's organization."""
    issues: list[Issue] = []
    campaigns: list[NativeCampaign] = []
    autofixes: list[str] = []
    with fake.state.lock:
        org = fake.state.org(ORG)
        assert org is not None
        for repo in sorted(org.repos.values(), key=lambda r: r.full_name):
            for issue in repo.issues:
                marker = find_marker(issue.body or "")
                key = f"{marker[0]} {marker[1]}" if marker else f"#{issue.number} {repo.full_name}"
                normalizer.numbers.setdefault(repo.full_name, {})[issue.number] = key
            for number in sorted(repo.autofixes):
                autofixes.append(f"{repo.full_name}#{number}")
        for repo in sorted(org.repos.values(), key=lambda r: r.full_name):
            for issue in repo.issues:
                key = normalizer.numbers[repo.full_name][issue.number]
                issues.append(
                    Issue(
                        key=key,
                        number=0 if normalizer.renumber else issue.number,
                        title=normalizer.text(issue.title),
                        body=normalizer.text(issue.body or ""),
                        state=issue.state,
                        state_reason=issue.state_reason,
                        labels=tuple(sorted(label.name for label in issue.labels)),
                        assignees=tuple(sorted(user.login for user in issue.assignees)),
                        author=issue.user.login,
                        comments=tuple(
                            (c.user.login, normalizer.text(c.body)) for c in issue.comments
                        ),
                    )
                )
        for campaign in org.campaigns.values():
            campaigns.append(
                NativeCampaign(
                    name=campaign.name,
                    description=campaign.description,
                    state=campaign.state,
                    ends_at=campaign.ends_at,
                    contact_link=campaign.contact_link,
                    managers=tuple(sorted(u.login for u in campaign.managers)),
                    team_managers=tuple(sorted(t.slug for t in campaign.team_managers)),
                    alerts=tuple(sorted(f"{a.repo.full_name}#{a.number}" for a in campaign.alerts)),
                )
            )
    return FakeState(
        tuple(sorted(issues, key=lambda i: (i.key, i.number))),
        tuple(sorted(campaigns, key=lambda c: (c.name, c.state, c.alerts))),
        tuple(autofixes),
    )


def normalize_files(files: Mapping[str, str], normalizer: Normalizer) -> dict[str, str]:
    return {path: normalizer.file(path, text) for path, text in sorted(files.items())}


def differences(name: str, clean: Any, other: Any, limit: int = 20) -> list[str]:
    """Where two captured values differ, as short readable lines (at most ``limit``)."""
    found: list[str] = []
    _diff(name, clean, other, found, limit)
    return found


def _diff(path: str, a: Any, b: Any, found: list[str], limit: int) -> None:
    if len(found) >= limit or a == b:
        return
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(a.keys() | b.keys(), key=str):
            if key not in a or key not in b:
                found.append(f"{path}[{key!r}]: {'only in the other' if key in b else 'missing'}")
            else:
                _diff(f"{path}[{key!r}]", a[key], b[key], found, limit)
        return
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        for name in a.__dataclass_fields__:
            _diff(f"{path}.{name}", getattr(a, name), getattr(b, name), found, limit)
        return
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        if len(a) != len(b):
            found.append(f"{path}: {len(a)} items, the other {len(b)}")
            if all(hasattr(x, "key") for x in (*a, *b)):
                keys_a, keys_b = [x.key for x in a], [x.key for x in b]
                found.append(f"{path}: keys {_short(keys_a)} vs {_short(keys_b)}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(f"{path}[{i}]", x, y, found, limit)
        return
    if isinstance(a, str) and isinstance(b, str):
        # The first line that differs says more than the first 160 characters.
        lines_a, lines_b = a.splitlines(), b.splitlines()
        for number, (x, y) in enumerate(zip(lines_a, lines_b, strict=False), start=1):
            if x != y:
                found.append(f"{path} line {number}: {_short(x)} != {_short(y)}")
                return
        found.append(f"{path}: {len(lines_a)} lines, the other {len(lines_b)}")
        return
    found.append(f"{path}: {_short(a)} != {_short(b)}")


def _short(value: Any, width: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
