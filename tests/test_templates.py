"""Built-in templates: each validates, selects what its summary says, and merges as documented."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from campaign_sync.config.loader import ValidationResult, validate_paths
from campaign_sync.config.templates import (
    TEMPLATE_SECTIONS,
    apply_template,
    builtin_templates,
    merge,
)
from campaign_sync.model import ALERT_TYPES, Campaign, Sla

TODAY = date(2026, 11, 28)

CODE = "code-scanning"
SECRET = "secret-scanning"
DEPENDABOT = "dependabot"

# 2024 CWE Top 25 (MITRE), in rank order.
CWE_TOP_25_2024 = (
    79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77,
    287, 269, 502, 200, 863, 918, 119, 476, 798, 190, 400, 306,
)  # fmt: skip

# What each template's summary promises, written out by hand. An empty tuple (or None for
# fix_available) means "not filtered by this". Every built-in template needs an entry here.
EXPECTED: dict[str, dict[str, Any]] = {
    "actions-workflows": {
        "alerts": (CODE,),
        "cwe": (),
        "severity": ("critical", "high"),
        "secret_validity": (),
        "fix_available": None,
        "rules": ("actions/*",),
        "tools": ("CodeQL",),
    },
    "critical-high-code-scanning": {
        "alerts": (CODE,),
        "cwe": (),
        "severity": ("critical", "high"),
        "secret_validity": (),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
    "cwe-top-25": {
        "alerts": (CODE, DEPENDABOT),
        "cwe": CWE_TOP_25_2024,
        "severity": (),
        "secret_validity": (),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
    "dependabot-critical-patched": {
        "alerts": (DEPENDABOT,),
        "cwe": (),
        "severity": ("critical",),
        "secret_validity": (),
        "fix_available": True,
        "rules": (),
        "tools": (),
    },
    "dependabot-high-patched": {
        "alerts": (DEPENDABOT,),
        "cwe": (),
        "severity": ("critical", "high"),
        "secret_validity": (),
        "fix_available": True,
        "rules": (),
        "tools": (),
    },
    "hardcoded-credentials": {
        # CWE filters only code scanning; secret scanning alerts have no CWE, so all of them.
        "alerts": (CODE, SECRET),
        "cwe": (798,),
        "severity": (),
        "secret_validity": (),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
    "leaked-secrets-valid": {
        "alerts": (SECRET,),
        "cwe": (),
        "severity": (),
        "secret_validity": ("active",),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
    "path-traversal": {
        "alerts": (CODE,),
        "cwe": (22, 23, 36),
        "severity": (),
        "secret_validity": (),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
    "sql-injection": {
        "alerts": (CODE,),
        "cwe": (89,),
        "severity": (),
        "secret_validity": (),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
    "xss": {
        "alerts": (CODE,),
        "cwe": (79,),
        "severity": (),
        "secret_validity": (),
        "fix_available": None,
        "rules": (),
        "tools": (),
    },
}

TEMPLATE_NAMES = sorted(builtin_templates())


def _campaign_text(select: str, extra: str = "") -> str:
    return (
        "name: Test campaign\n"
        "description: A campaign for the tests.\n"
        "managers: [mona]\n"
        "contact: https://github.com/orgs/acme/discussions/1\n"
        "ends: 2027-01-31\n"
        "state: active\n"
        f"select:\n{select}{extra}"
    )


def _validate(tmp_path: Path, text: str, campaign_id: str = "test") -> ValidationResult:
    folder = tmp_path / "campaigns"
    folder.mkdir(exist_ok=True)
    path = folder / f"{campaign_id}.yml"
    path.write_text(text, encoding="utf-8")
    return validate_paths([path], today=TODAY, cwd=tmp_path)


def _only_campaign(result: ValidationResult) -> Campaign:
    assert result.problems == ()
    assert len(result.campaigns) == 1
    return result.campaigns[0]


def test_expected_table_covers_every_template() -> None:
    # A new template needs an entry in EXPECTED; a removed one needs its entry removed.
    assert set(EXPECTED) == set(builtin_templates())


def test_builtin_templates_are_sorted_by_name() -> None:
    assert list(builtin_templates()) == TEMPLATE_NAMES
    assert all(t.name == name for name, t in builtin_templates().items())


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_template_metadata(name: str) -> None:
    template = builtin_templates()[name]
    assert template.summary.strip()
    assert "\n" not in template.summary
    assert template.title.strip()
    assert template.description.strip()
    assert set(template.fragment) <= set(TEMPLATE_SECTIONS)
    assert "select" in template.fragment
    # A template names its own alerts; the campaign names the template.
    assert "template" not in template.fragment["select"]


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_minimal_campaign_naming_the_template_validates(tmp_path: Path, name: str) -> None:
    result = _validate(tmp_path, _campaign_text(f"  template: {name}\n"))
    campaign = _only_campaign(result)
    assert result.ok
    assert campaign.id == "test"
    assert campaign.select.template == name


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_effective_selection_matches_the_summary(tmp_path: Path, name: str) -> None:
    selection = _only_campaign(_validate(tmp_path, _campaign_text(f"  template: {name}\n"))).select
    expected = EXPECTED[name]
    actual = {key: getattr(selection, key) for key in expected}
    assert actual == expected
    # No template narrows by these: the campaign file does.
    assert selection.secret_types == ()
    assert selection.ecosystems == ()
    assert selection.packages == ()
    assert selection.repositories.include == ()
    assert selection.paths.include == ()
    assert selection.membership == "snapshot"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_summary_names_the_selected_alert_types_and_cwes(name: str) -> None:
    summary = builtin_templates()[name].summary.lower()
    expected = EXPECTED[name]
    mentions = {
        CODE: "code scanning" in summary or "codeql" in summary,
        SECRET: "secret" in summary,
        DEPENDABOT: "dependabot" in summary,
    }
    assert {t for t in ALERT_TYPES if mentions[t]} == set(expected["alerts"])
    cited = {int(n) for n in re.findall(r"cwe-(\d+)", summary)}
    assert cited <= set(expected["cwe"])
    if "any severity" in summary:
        assert expected["severity"] == ()


def test_cwe_top_25_lists_25_distinct_ids() -> None:
    cwe = builtin_templates()["cwe-top-25"].fragment["select"]["cwe"]
    assert len(cwe) == len(set(cwe)) == 25


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_sla_and_tracking_come_from_the_template(tmp_path: Path, name: str) -> None:
    template = builtin_templates()[name]
    campaign = _only_campaign(_validate(tmp_path, _campaign_text(f"  template: {name}\n")))
    assert campaign.sla == Sla.from_data(template.fragment.get("sla", {}))
    assert campaign.tracking.labels == tuple(template.fragment["tracking"]["labels"])
    assert campaign.tracking.issues == "per-repository"


def test_leaked_secrets_template_has_no_sla(tmp_path: Path) -> None:
    # Secret scanning alerts have no severity, so the template sets no SLA.
    text = _campaign_text("  template: leaked-secrets-valid\n")
    assert _only_campaign(_validate(tmp_path, text)).sla == Sla()


def test_campaign_list_replaces_the_template_list(tmp_path: Path) -> None:
    text = _campaign_text("  template: sql-injection\n  severity: [critical]\n  cwe: [564]\n")
    selection = _only_campaign(_validate(tmp_path, text)).select
    assert selection.severity == ("critical",)
    assert selection.cwe == (564,)  # replaced, not (89, 564)
    assert selection.alerts == (CODE,)  # untouched keys still come from the template


def test_campaign_alerts_replace_the_template_alerts(tmp_path: Path) -> None:
    text = _campaign_text("  template: hardcoded-credentials\n  alerts: [secret-scanning]\n")
    selection = _only_campaign(_validate(tmp_path, text)).select
    assert selection.alerts == (SECRET,)
    assert selection.cwe == (798,)


def test_false_in_the_campaign_overrides_true_in_the_template(tmp_path: Path) -> None:
    text = _campaign_text("  template: dependabot-critical-patched\n  fix-available: false\n")
    selection = _only_campaign(_validate(tmp_path, text)).select
    assert selection.fix_available is False
    assert selection.severity == ("critical",)


def test_sla_mapping_merges_key_by_key(tmp_path: Path) -> None:
    text = _campaign_text("  template: sql-injection\n", "sla: {critical: 3}\n")
    campaign = _only_campaign(_validate(tmp_path, text))
    assert campaign.sla == Sla(critical=3, high=30, medium=90, low=180)


def test_tracking_mapping_merges_key_by_key(tmp_path: Path) -> None:
    text = _campaign_text(
        "  template: sql-injection\n",
        'tracking:\n  mention: ["@acme/payments"]\n  issues: "off"\n',
    )
    tracking = _only_campaign(_validate(tmp_path, text)).tracking
    assert tracking.labels == ("security", "sql-injection")  # from the template
    assert tracking.mention == ("@acme/payments",)  # from the campaign
    assert tracking.issues == "off"


def test_tracking_labels_in_the_campaign_replace_the_template_labels(tmp_path: Path) -> None:
    text = _campaign_text("  template: xss\n", "tracking:\n  labels: [frontend]\n")
    assert _only_campaign(_validate(tmp_path, text)).tracking.labels == ("frontend",)


def test_select_mapping_merges_with_campaign_only_keys(tmp_path: Path) -> None:
    text = _campaign_text(
        "  template: sql-injection\n"
        '  repositories: {include: ["acme/*"]}\n'
        '  paths: {exclude: ["**/test/**"]}\n'
        "  membership: rolling\n"
    )
    selection = _only_campaign(_validate(tmp_path, text)).select
    assert selection.cwe == (89,)
    assert selection.repositories.include == ("acme/*",)
    assert selection.paths.exclude == ("**/test/**",)
    assert selection.membership == "rolling"


def test_github_section_is_the_campaigns_own(tmp_path: Path) -> None:
    text = _campaign_text("  template: sql-injection\n", "github: {autofix: true}\n")
    github = _only_campaign(_validate(tmp_path, text)).github
    assert github.autofix is True
    assert github.native_campaign is False


def test_overriding_does_not_change_the_cached_template(tmp_path: Path) -> None:
    before = copy.deepcopy(builtin_templates()["sql-injection"].fragment)
    text = _campaign_text(
        "  template: sql-injection\n  severity: [low]\n",
        "sla: {critical: 1}\ntracking: {labels: [x]}\n",
    )
    _only_campaign(_validate(tmp_path, text))
    assert builtin_templates()["sql-injection"].fragment == before


def test_merge_mappings_merge_and_everything_else_replaces() -> None:
    base: dict[str, Any] = {"a": {"x": 1, "y": [1, 2]}, "b": [1], "c": "keep"}
    override: dict[str, Any] = {"a": {"y": [3], "z": 2}, "b": [], "d": None}
    assert merge(base, override) == {
        "a": {"x": 1, "y": [3], "z": 2},
        "b": [],
        "c": "keep",
        "d": None,
    }
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": [1], "c": "keep"}


def test_merge_a_mapping_replaces_a_scalar_and_vice_versa() -> None:
    assert merge({"a": 1}, {"a": {"x": 1}}) == {"a": {"x": 1}}
    assert merge({"a": {"x": 1}}, {"a": 1}) == {"a": 1}


def test_apply_template_puts_the_template_underneath() -> None:
    template = builtin_templates()["xss"]
    data = {"name": "n", "select": {"template": "xss", "severity": ["high"]}}
    merged = apply_template(data, template)
    assert merged["name"] == "n"
    assert merged["select"] == {
        "alerts": [CODE],
        "cwe": [79],
        "template": "xss",
        "severity": ["high"],
    }
    assert merged["sla"] == {"critical": 7, "high": 30, "medium": 90, "low": 180}
    assert merged["tracking"] == {"labels": ["security", "xss"]}
