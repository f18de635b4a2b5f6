"""What happens in a reconcile scenario, day by day: the campaigns a security team keeps, the
changes people merge to them, and what developers do to alerts between two runs.

Everything is a function of the scenario's seed and the cycle number, never of the run:
the clean run and the run under faults (or crashes) see the very same days.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from testing.fake_github import FakeGitHub

ORG = "acme"
# Day 0 of every scenario; a cycle is one day (the daily reconcile).
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def instant(cycle: int) -> datetime:
    return START + timedelta(days=cycle)


def git_date(cycle: int, minute: int = 0) -> str:
    return (instant(cycle) + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def config_file(api_url: str) -> str:
    return f"organizations: [{ORG}]\napi-url: {api_url}\n"


_CRITICAL_CODE = """\
name: Critical code scanning
description: |
  Fix every critical code scanning alert. Ask in the discussion if a fix is unclear.{review}
managers: [mona, "@acme/appsec"]
contact: https://github.com/orgs/acme/discussions/1
ends: 2026-06-30
state: active
select:
  alerts: [code-scanning]
  severity: [critical]
  membership: rolling
sla: {{critical: 3}}
tracking:
  labels: [security]
  assignees: [mona]
  mention: ["@acme/appsec"]
github:
  native-campaign: {native}
  autofix: true
"""
_DEPENDENCIES = """\
name: Critical and high dependencies
description: Upgrade dependencies with critical or high advisories.
managers: ["@acme/platform"]
contact: https://github.com/orgs/acme/discussions/2
ends: {ends}
state: {state}
select:
  alerts: [dependabot]
  severity: [critical, high]
  membership: snapshot
sla: {{critical: 7, high: 14}}
tracking:
  labels: [security, dependencies]
"""
_SECRETS = """\
name: Leaked secrets
description: Revoke every leaked secret, then close the alert.
managers: ["@acme/appsec"]
contact: mailto:appsec@acme.example
ends: 2026-12-31
state: {state}
select:
  alerts: [secret-scanning]
  membership: rolling
tracking:
  labels: [security, leaked-secret]
"""
_SQLI = """\
name: SQL injection
description: {description}
managers: [octocat]
contact: https://github.com/orgs/acme/discussions/4
ends: 2026-09-30
state: active
select:
  alerts: [code-scanning]
  cwe: [89]
  membership: snapshot
sla: {{critical: 7, high: 30, medium: 60}}
tracking:
  labels: [security, sqli]
  mention: ["@acme/payments"]
"""


def initial_files(api_url: str, *, native: bool = True) -> dict[str, str]:
    """The campaigns repository on day 0 (``native``: critical-code has a native mirror)."""
    return {
        "campaign-sync.yml": config_file(api_url),
        "campaigns/critical-code.yml": _critical_code(native, review=0),
        # Due on day 2: the "due date passed" comment goes out on day 3.
        "campaigns/dependencies.yml": _DEPENDENCIES.format(
            ends=(instant(2)).date().isoformat(), state="active"
        ),
        "campaigns/secrets.yml": _SECRETS.format(state="active"),
    }


def _critical_code(native: bool, review: int) -> str:
    note = f" Reviewed {review} times." if review else ""
    return _CRITICAL_CODE.format(native=str(native).lower(), review=note)


def edits(cycle: int, *, native: bool = True) -> tuple[str, dict[str, str | None]] | None:
    """A pull request merged before the reconcile of ``cycle``: (message, files).

    Days 2, 4 and 6 add a campaign, close one, and reword one. In long runs, every tenth
    day rewords critical-code (every issue and the native campaign updated), and the
    secrets campaign is closed on days 15, 35, ... and active again on days 25, 45, ...
    (its issues closed, then reopened).
    """
    if cycle == 2:
        description = "Fix SQL injection with parameterized queries."
        return "Campaign: SQL injection", {
            "campaigns/sqli.yml": _SQLI.format(description=description)
        }
    if cycle == 4:
        dependencies = _DEPENDENCIES.format(ends=instant(2).date().isoformat(), state="closed")
        return "Close the dependencies campaign", {"campaigns/dependencies.yml": dependencies}
    if cycle == 6:
        # A new description changes every tracking issue of the campaign at once.
        description = "Fix SQL injection with parameterized queries or the ORM."
        return "SQL injection: clearer advice", {
            "campaigns/sqli.yml": _SQLI.format(description=description)
        }
    if cycle >= 10 and cycle % 10 == 0:
        return f"Critical code scanning: review {cycle // 10}", {
            "campaigns/critical-code.yml": _critical_code(native, review=cycle // 10)
        }
    if cycle % 20 == 15:
        return "Pause the secrets campaign", {
            "campaigns/secrets.yml": _SECRETS.format(state="closed")
        }
    if cycle >= 25 and cycle % 20 == 5:
        return "Resume the secrets campaign", {
            "campaigns/secrets.yml": _SECRETS.format(state="active")
        }
    return None


@dataclass(frozen=True, slots=True)
class Scenario:
    """The organization and how much changes each day."""

    repos: int = 4
    alerts: int = 120
    seed: int = 7
    fixes: int = 3
    dismissals: int = 1
    reopens: int = 1
    new: int = 2
    native: bool = True  # critical-code mirrored into a native GitHub campaign

    @classmethod
    def sized(cls, *, repos: int, alerts: int, seed: int, churn: int = 1) -> Scenario:
        """An organization of this size; ``churn`` times the default daily changes."""
        return cls(
            repos=repos,
            alerts=alerts,
            seed=seed,
            fixes=3 * churn,
            dismissals=churn,
            reopens=churn,
            new=2 * churn,
        )


@dataclass(frozen=True, slots=True)
class AlertChange:
    repository: str
    kind: str
    number: int
    state: str  # open | fixed | dismissed | resolved | new
    reason: str | None = None


_CLOSED = {"fixed", "dismissed", "resolved", "auto_dismissed"}


def _alerts(fake: FakeGitHub) -> list[tuple[str, str, int, str, bool]]:
    """(repository, kind, number, state, in a campaign's selection) of every alert of the
    writable repositories, sorted."""
    names = set(fake.repo_names(archived=False, complete=True))
    found = []
    with fake.state.lock:
        org = fake.state.org(ORG)
        assert org is not None
        for kind in ("code-scanning", "dependabot", "secret-scanning"):
            for alert in fake.state.org_alerts(org, kind):
                if alert.repo.full_name in names:
                    found.append(
                        (alert.repo.full_name, kind, alert.number, alert.state, _selected(alert))
                    )
    return sorted(found)


def _selected(alert: object) -> bool:
    """Whether one of the scenario's campaigns selects the alert (most changes hit those:
    a change no campaign sees tests nothing)."""
    rule = getattr(alert, "rule", None)
    if rule is not None:
        return rule.security_severity_level == "critical" or "external/cwe/cwe-089" in rule.tags
    advisory = getattr(alert, "advisory", None)
    if advisory is not None:
        return bool(advisory.severity in ("critical", "high"))
    return True  # secret scanning: every alert


def _pick(
    rng: random.Random, alerts: list[tuple[str, str, int, str, bool]], count: int
) -> list[tuple[str, str, int, str, bool]]:
    """``count`` alerts, four in five of them (when there are enough) selected ones."""
    selected = [a for a in alerts if a[4]]
    others = [a for a in alerts if not a[4]]
    wanted = min(len(selected), count - count // 5)
    chosen = rng.sample(selected, wanted)
    return chosen + rng.sample(others, min(len(others), count - wanted))


def _closing(kind: str, rng: random.Random, dismiss: bool) -> tuple[str, str | None]:
    if kind == "secret-scanning":
        return "resolved", ("false_positive" if dismiss else "revoked")
    if not dismiss:
        return "fixed", None
    return "dismissed", ("false positive" if kind == "code-scanning" else "tolerable_risk")


def change_alerts(fake: FakeGitHub, scenario: Scenario, cycle: int) -> list[AlertChange]:
    """What developers did since yesterday: some alerts fixed, some dismissed, some open
    again (regressions), some new. Seeded by the scenario and the day."""
    rng = random.Random(scenario.seed * 100_003 + cycle)
    alerts = _alerts(fake)
    open_ = [a for a in alerts if a[3] == "open"]
    closed = [a for a in alerts if a[3] in _CLOSED]
    changes: list[AlertChange] = []
    picked = _pick(rng, open_, scenario.fixes + scenario.dismissals)
    for i, (repository, kind, number, _, _) in enumerate(picked):
        state, reason = _closing(kind, rng, dismiss=i >= scenario.fixes)
        changes.append(AlertChange(repository, kind, number, state, reason))
    for repository, kind, number, _, _ in _pick(rng, closed, scenario.reopens):
        changes.append(AlertChange(repository, kind, number, "open"))
    for change in changes:
        fake.set_alert_state(
            change.repository, change.kind, change.number, change.state, reason=change.reason
        )
    repositories = sorted({a[0] for a in alerts})
    for _ in range(scenario.new):
        repository = rng.choice(repositories)
        kind = rng.choice(("code-scanning", "dependabot", "secret-scanning"))
        fields = _new_alert_fields(fake, kind, rng)
        number = fake.add_alert(repository, kind, **fields)
        changes.append(AlertChange(repository, kind, number, "new"))
    return changes


def _new_alert_fields(fake: FakeGitHub, kind: str, rng: random.Random) -> Mapping[str, object]:
    if kind == "code-scanning":
        rules = sorted(
            rule_id
            for rule_id, rule in fake.catalog.rules_by_id.items()
            if rule.security_severity_level == "critical"
        )
        return {"rule": rng.choice(rules), "path": f"src/module_{rng.randrange(100)}.py"}
    if kind == "dependabot":
        advisories = sorted(
            advisory.ghsa_id
            for advisories in fake.catalog.advisories.values()
            for advisory in advisories
            if advisory.severity in ("critical", "high")
        )
        return {"ghsa_id": rng.choice(advisories)}
    return {"validity": "active", "path": f"deploy/config_{rng.randrange(100)}.env"}
