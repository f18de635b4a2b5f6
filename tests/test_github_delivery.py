"""The GitHub side of the delivery (github/delivery.py) against the fake over real HTTP:
pull requests found before opened, auto-merge and its refusals, API commits and theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub
from testing.git import git

from campaign_sync.github.delivery import (
    DeliveryApiError,
    create_commit_on_branch,
    enable_auto_merge,
    ensure_pull_request,
    find_open_pull_request,
)

REPO = "acme/campaigns"


@pytest.fixture
def fake(tmp_path: Path, fake_github_factory: Any, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """acme/campaigns with `main` and a `reports` branch one commit ahead."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{variable}_NAME", "Hu Man")
        monkeypatch.setenv(f"GIT_{variable}_EMAIL", "human@example.com")
    fake: FakeGitHub = fake_github_factory(repos=1, alerts=1, seed=3)
    bare = tmp_path / "campaigns.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
    (seed / "README.md").write_text("campaigns\n")
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "one")
    git(seed, "push", "--quiet", bare.as_uri(), "main")
    (seed / "reports").mkdir()
    (seed / "reports" / "README.md").write_text("reports\n")
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "reports")
    git(seed, "push", "--quiet", bare.as_uri(), "HEAD:refs/heads/reports")
    acme = fake.state.org("acme")
    assert acme is not None
    fake.state.add_repo(acme, "campaigns")
    fake.attach_git(REPO, bare)
    return fake


def test_a_pull_request_is_opened_once_and_found_after(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    assert find_open_pull_request(transport, REPO, "reports", "main") is None
    first = ensure_pull_request(transport, REPO, "reports", "main", title="t", body="b")
    again = ensure_pull_request(transport, REPO, "reports", "main", title="t", body="b")
    assert first.created
    assert not again.created
    assert again.number == first.number
    assert len(fake.pulls(REPO)) == 1


def test_github_s_refusals_of_a_pull_request_say_what_to_do(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    with pytest.raises(DeliveryApiError, match="GitHub answered 422: Validation Failed"):
        ensure_pull_request(transport, REPO, "missing", "main", title="t", body="b")
    with pytest.raises(DeliveryApiError, match="No commits between reports and main"):
        ensure_pull_request(transport, REPO, "main", "reports", title="t", body="b")
    reader = fake.add_token(permissions={"pull_requests": "read", "metadata": "read"})
    with pytest.raises(DeliveryApiError, match="Pull requests: Read and write"):
        ensure_pull_request(
            transport_for(fake, reader), REPO, "reports", "main", title="t", body=""
        )


def test_auto_merge_needs_the_setting_and_something_to_wait_for(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    pull = ensure_pull_request(transport, REPO, "reports", "main", title="t", body="b")
    with pytest.raises(DeliveryApiError, match="Allow auto-merge"):
        enable_auto_merge(transport, pull)
    fake.allow_auto_merge(REPO)
    assert enable_auto_merge(transport, pull) == "clean"  # no ruleset: mergeable now
    fake.protect_branch(REPO, "main")  # a ruleset requiring a pull request (and its review)
    assert enable_auto_merge(transport, pull) == "enabled"
    (shown,) = fake.pulls(REPO)
    assert shown["auto_merge"]["merge_method"] == "merge"


def test_an_api_commit_without_contents_write_says_which_permission(fake: FakeGitHub) -> None:
    token = fake.add_token(permissions={"contents": "read", "metadata": "read"})
    head = git(Path(fake.state.require_repo(REPO).git_dir or "."), "rev-parse", "main").strip()
    with pytest.raises(DeliveryApiError, match="Contents: Read and write"):
        create_commit_on_branch(
            transport_for(fake, token),
            REPO,
            "main",
            expected_head=head,
            headline="h",
            body="",
            additions={"reports/x": b"x"},
            deletions=[],
        )


def test_an_api_commit_deletes_and_adds_and_refuses_a_missing_path(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    bare = Path(fake.state.require_repo(REPO).git_dir or ".")
    head = git(bare, "rev-parse", "reports").strip()
    oid = create_commit_on_branch(
        transport,
        REPO,
        "reports",
        expected_head=head,
        headline="swap",
        body="the body",
        additions={"reports/new.md": b"new\n"},
        deletions=["reports/README.md"],
    )
    assert git(bare, "ls-tree", "-r", "--name-only", oid).split() == [
        "README.md",
        "reports/new.md",
    ]
    assert git(bare, "log", "-1", "--format=%B", oid) == "swap\n\nthe body\n\n"
    with pytest.raises(DeliveryApiError, match="does not exist"):
        create_commit_on_branch(
            transport,
            REPO,
            "reports",
            expected_head=oid,
            headline="again",
            body="",
            additions={},
            deletions=["reports/README.md"],
        )
