"""Repositories: an organization's, every page, and one by name, as values (with topics,
custom properties and whether archived)."""

from __future__ import annotations

from collections.abc import Iterator

from campaign_sync.github.listing import PER_PAGE, page_items
from campaign_sync.github.transport import Transport
from campaign_sync.model import Repository
from campaign_sync.sources import github_json


def list_repositories(transport: Transport, org: str) -> Iterator[Repository]:
    """Every repository of the organization, with topics, custom properties and archived."""
    path = f"/orgs/{org}/repos"
    for response in transport.paginate(path, {"per_page": PER_PAGE}):
        for item in page_items(response, path):
            yield github_json.repository(item)


def get_repository(transport: Transport, full_name: str) -> Repository:
    return github_json.repository(transport.get(f"/repos/{full_name}").data)
