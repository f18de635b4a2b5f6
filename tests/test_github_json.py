"""The normalizers, on GitHub's own examples from its OpenAPI description."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testing.contract import description

from campaign_sync.sources import github_json
from campaign_sync.sources.github_json import ShapeError


@cache
def example(name: str) -> Any:
    """GitHub's own example, from its official description (``npm ci`` installs it)."""
    if description.rest_package() is None:
        pytest.skip(f"GitHub's official description is not installed: {description.INSTALL_HINT}")
    spec = description.rest_description()
    return json.loads(json.dumps(spec["components"]["examples"][name]["value"]))


def test_code_scanning_org_example() -> None:
    item = example("code-scanning-organization-alert-items")[0]
    alert = github_json.code_scanning_alert(item)
    full_name = item["repository"]["full_name"]
    assert alert.id == f"code-scanning:{full_name}:{item['number']}"
    assert alert.type == "code-scanning"
    assert alert.repository == full_name
    assert alert.repository_id == item["repository"]["id"]
    assert alert.state == item["state"]
    assert alert.rule_id == item["rule"]["id"]
    assert alert.tool == item["tool"]["name"]
    location = item["most_recent_instance"]["location"]
    assert (alert.path, alert.start_line) == (location["path"], location["start_line"])
    assert alert.html_url == item["html_url"]


def test_code_scanning_repo_example_needs_the_repository() -> None:
    item = example("code-scanning-alert-items")[0]
    with pytest.raises(ShapeError):
        github_json.code_scanning_alert(item)
    alert = github_json.code_scanning_alert(item, "octocat/hello-world")
    assert alert.id == f"code-scanning:octocat/hello-world:{item['number']}"


def test_dependabot_org_example() -> None:
    for item in example("dependabot-alerts-for-organization"):
        alert = github_json.dependabot_alert(item)
        vulnerability = item["security_vulnerability"]
        assert alert.type == "dependabot"
        assert alert.package == item["dependency"]["package"]["name"]
        assert alert.ecosystem == item["dependency"]["package"]["ecosystem"]
        assert alert.manifest == item["dependency"]["manifest_path"]
        assert alert.severity == vulnerability["severity"]
        assert alert.fix_available is (vulnerability["first_patched_version"] is not None)
        assert alert.rule_id == item["security_advisory"]["ghsa_id"]
        expected_cwes = sorted(
            int(c["cwe_id"].split("-")[1]) for c in item["security_advisory"]["cwes"]
        )
        assert list(alert.cwes) == expected_cwes


def test_secret_scanning_example_never_keeps_the_secret() -> None:
    for item in example("organization-secret-scanning-alert-list"):
        alert = github_json.secret_scanning_alert(item)
        assert alert.type == "secret-scanning"
        assert alert.secret_type == item["secret_type"]
        if item.get("secret"):
            assert item["secret"] not in repr(alert)


def test_auto_dismissed_dependabot_is_dismissed_with_reason() -> None:
    item = dict(example("dependabot-alerts-for-organization")[0], state="auto_dismissed")
    alert = github_json.dependabot_alert(item)
    assert (alert.state, alert.state_reason) == ("dismissed", "auto_dismissed")


def test_revoked_secret_is_fixed_other_resolutions_dismissed() -> None:
    base = dict(example("organization-secret-scanning-alert-list")[0], state="resolved")
    base["resolved_at"] = "2026-01-02T03:04:05Z"
    revoked = github_json.secret_scanning_alert(dict(base, resolution="revoked"))
    assert (revoked.fixed_at, revoked.dismissed_at) == ("2026-01-02T03:04:05Z", None)
    false_positive = github_json.secret_scanning_alert(dict(base, resolution="false_positive"))
    assert (false_positive.fixed_at, false_positive.dismissed_at) == (None, base["resolved_at"])


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["security", "external/cwe/cwe-089"], (89,)),
        (["external/cwe/cwe-079", "external/cwe/cwe-116", "external/cwe/cwe-079"], (79, 116)),
        (["cwe/cwe-22"], (22,)),
        (["correctness", "external/cwe/cwe-x"], ()),
        (None, ()),
    ],
)
def test_cwes_from_tags(tags: list[str] | None, expected: tuple[int, ...]) -> None:
    assert github_json.cwes_from_tags(tags) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("code-scanning-organization-alert-items", "code-scanning"),
        ("dependabot-alerts-for-organization", "dependabot"),
        ("organization-secret-scanning-alert-list", "secret-scanning"),
        ("code-scanning-alert-items", "code-scanning"),
        ("secret-scanning-alert-list", "secret-scanning"),
    ],
)
def test_detect_type(name: str, expected: str) -> None:
    assert github_json.detect_type(example(name)[0]) == expected


def test_repository_from_org_listing() -> None:
    item = dict(example("minimal-repository-items")[0])
    item["custom_properties"] = {"tier": "1", "teams": ["a", "b"], "unset": None}
    repository = github_json.repository(item)
    assert repository.full_name == item["full_name"]
    assert repository.topics == tuple(sorted(item.get("topics") or ()))
    assert repository.properties == (("teams", ("a", "b")), ("tier", ("1",)))


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False), (None, True)])
def test_repository_has_issues_defaults_to_on(value: bool | None, expected: bool) -> None:
    """GitHub's schema: ``has_issues`` "Whether issues are enabled.", default true."""
    item = dict(example("minimal-repository-items")[0])
    item.pop("has_issues", None)
    if value is not None:
        item["has_issues"] = value
    assert github_json.repository(item).has_issues is expected


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


_ALERT_KEYS = st.sampled_from(
    [
        "number",
        "state",
        "rule",
        "tool",
        "repository",
        "most_recent_instance",
        "security_advisory",
        "dependency",
        "secret_type",
        "updated_at",
    ]
)


_EXAMPLES = [
    "code-scanning-organization-alert-items",
    "dependabot-alerts-for-organization",
    "organization-secret-scanning-alert-list",
]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=300)
@given(
    st.sampled_from(_EXAMPLES),
    st.dictionaries(_ALERT_KEYS | st.text(max_size=10), _json, max_size=4),
)
def test_normalizers_raise_only_shape_errors(name: str, changes: dict[str, Any]) -> None:
    # Start from a real alert and break some of its fields, so the normalizers get past
    # their first checks and meet the odd values deep inside.
    data = {**example(name)[0], **changes}
    for normalize in github_json.NORMALIZERS.values():
        try:
            normalize(data, "o/r")
        except ShapeError:
            pass
        except (AttributeError, TypeError) as exc:  # pragma: no cover - reported as a bug
            pytest.fail(f"{normalize.__name__} crashed on {data!r}: {exc!r}")
