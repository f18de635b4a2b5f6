"""Links to GitHub: the web address of an API URL, and no link from a name GitHub forbids."""

from __future__ import annotations

import pytest

from campaign_sync.reports.links import (
    GITHUB,
    issue_url,
    native_campaign_url,
    repository_url,
    web_url,
)


@pytest.mark.parametrize(
    ("api_url", "web"),
    [
        (None, GITHUB),
        ("", GITHUB),
        ("https://api.github.com", GITHUB),
        ("https://api.github.com/", GITHUB),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com"),
        ("https://api.octo.ghe.com", "https://octo.ghe.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("ftp://ghe.example.com/api/v3", GITHUB),
        ("https://user@ghe.example.com/api/v3", GITHUB),
        ("https://ghe.example.com](https://evil.example)/api/v3", GITHUB),
        ("https://[::1/api", GITHUB),
    ],
)
def test_web_url(api_url: str | None, web: str) -> None:
    assert web_url(api_url) == web


def test_links_from_valid_names() -> None:
    assert repository_url(GITHUB, "acme/web.site_2") == "https://github.com/acme/web.site_2"
    assert issue_url(GITHUB, "acme/web", 12) == "https://github.com/acme/web/issues/12"
    assert (
        native_campaign_url(GITHUB, "acme", 7)
        == "https://github.com/orgs/acme/security/campaigns/7"
    )


@pytest.mark.parametrize(
    "repository",
    ["acme", "acme/", "/web", "acme/web/x", "acme/..", "./web", "acme/we b", "acme/we)b", "a/b<c"],
)
def test_no_link_from_a_name_github_forbids(repository: str) -> None:
    assert repository_url(GITHUB, repository) is None
    assert issue_url(GITHUB, repository, 1) is None


def test_no_link_from_a_bad_organization_or_number() -> None:
    assert native_campaign_url(GITHUB, None, 7) is None
    assert native_campaign_url(GITHUB, "evil](x)", 7) is None
    assert native_campaign_url(GITHUB, "-acme", 7) is None
    assert native_campaign_url(GITHUB, "acme", 0) is None
    assert issue_url(GITHUB, "acme/web", 0) is None
