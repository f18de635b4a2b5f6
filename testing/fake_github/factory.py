"""Creating alerts: numbering per repository and type, global ids, org-wide lists."""

from __future__ import annotations

from typing import Any

from .catalog import Catalog
from .model import (
    Advisory,
    CodeScanningAlert,
    DependabotAlert,
    Repo,
    Rule,
    SecretScanningAlert,
    SecretType,
)
from .store import State, apply_state


def add_code_alert(
    state: State, repo: Repo, rule: Rule, created: int, path: str, line: int = 1, column: int = 1
) -> CodeScanningAlert:
    alert = CodeScanningAlert(
        state.next_id("alert"),
        repo,
        len(repo.code_alerts) + 1,
        rule,
        created,
        created,
        "open",
        path,
        line,
        column,
    )
    repo.code_alerts.append(alert)
    repo.org.code_alerts.append(alert)
    return alert


def add_dependabot_alert(
    state: State,
    repo: Repo,
    advisory: Advisory,
    created: int,
    manifest_path: str,
    scope: str | None = "runtime",
    relationship: str | None = "direct",
) -> DependabotAlert:
    alert = DependabotAlert(
        state.next_id("alert"),
        repo,
        len(repo.dependabot_alerts) + 1,
        advisory,
        manifest_path,
        scope,
        relationship,
        created,
        created,
        "open",
    )
    repo.dependabot_alerts.append(alert)
    repo.org.dependabot_alerts.append(alert)
    return alert


def add_secret_alert(
    state: State,
    repo: Repo,
    secret_type: SecretType,
    created: int,
    path: str,
    line: int = 1,
    validity: str = "unknown",
) -> SecretScanningAlert:
    alert = SecretScanningAlert(
        state.next_id("alert"),
        repo,
        len(repo.secret_alerts) + 1,
        secret_type,
        created,
        created,
        "open",
        validity,
        path,
        line,
    )
    repo.secret_alerts.append(alert)
    repo.org.secret_alerts.append(alert)
    return alert


def add_alert_at_runtime(
    state: State, catalog: Catalog, full_name: str, kind: str, **fields: Any
) -> int:
    """Add one alert now; returns its number. Fields name catalog entries and details.

    code-scanning: ``rule`` (id, default py/sql-injection), ``path``, ``line``;
    dependabot: ``ghsa_id`` or ``package`` + ``ecosystem``, ``manifest_path``, ``severity``;
    secret-scanning: ``secret_type``, ``path``, ``line``, ``validity``.
    Any kind: ``state`` (+ ``reason``) and ``created`` (epoch seconds, default now).
    """
    with state.lock:
        repo = state.require_repo(full_name)
        now = state.now()
        created = int(fields.get("created", now))
        alert: CodeScanningAlert | DependabotAlert | SecretScanningAlert
        if kind == "code-scanning":
            rule = catalog.rules_by_id[fields.get("rule", "py/sql-injection")]
            alert = add_code_alert(
                state,
                repo,
                rule,
                created,
                fields.get("path", "src/app/db/queries.py"),
                int(fields.get("line", 10)),
                int(fields.get("column", 5)),
            )
        elif kind == "dependabot":
            advisory = _advisory(catalog, fields)
            alert = add_dependabot_alert(
                state,
                repo,
                advisory,
                created,
                fields.get("manifest_path", "requirements.txt"),
                fields.get("scope", "runtime"),
                fields.get("relationship", "direct"),
            )
        elif kind == "secret-scanning":
            stype = catalog.secret_types_by_slug[
                fields.get("secret_type", "github_personal_access_token")
            ]
            alert = add_secret_alert(
                state,
                repo,
                stype,
                created,
                fields.get("path", "config/settings.py"),
                int(fields.get("line", 3)),
                fields.get("validity", "active"),
            )
        else:
            raise ValueError(f"unknown alert kind {kind!r}")
        if fields.get("state", "open") != "open":
            apply_state(alert, fields["state"], max(now, created), reason=fields.get("reason"))
        alert.updated = max(alert.updated, created)
        state.alerts_changed()
        return alert.number


def _advisory(catalog: Catalog, fields: dict[str, Any]) -> Advisory:
    if "ghsa_id" in fields:
        return catalog.advisories_by_id[fields["ghsa_id"]]
    ecosystem = fields.get("ecosystem", "pip")
    candidates = catalog.advisories[ecosystem]
    if "package" in fields:
        candidates = [a for a in candidates if a.package == fields["package"]] or candidates
    if "severity" in fields:
        candidates = [a for a in candidates if a.severity == fields["severity"]] or candidates
    return candidates[0]
