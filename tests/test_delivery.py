"""Delivering the reports under a protected default branch: each `delivery` mode of
campaign-sync.yml end to end (apply --commit against the fake GitHub, whose repository
`acme/campaigns` is a bare git repository on disk that the work tree clones), and a failed
delivery that the next run delivers with nothing lost."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub
from testing.git import git, isolate_git

from campaign_sync.commands.apply import run_apply
from campaign_sync.delivery import PENDING_BRANCH, PENDING_REF, DeliveryFailed
from campaign_sync.errors import ConfigError
from campaign_sync.ledger import read_ledger
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
APP = "acme-campaign-sync[bot]"
REPO = "acme/campaigns"

CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical and high code scanning alerts.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical, high]
  membership: rolling
"""


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git as on a fresh machine, and the Actions variable that names the repository."""
    isolate_git(monkeypatch, tmp_path)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.delenv("FAKE_GITHUB_PUSHER", raising=False)
    monkeypatch.delenv("CAMPAIGN_SYNC_DELIVERY_TOKEN", raising=False)


class Org:
    """The fake GitHub, the campaigns repository (a bare origin it serves) and one clone."""

    def __init__(self, tmp_path: Path, fake: FakeGitHub, delivery: str) -> None:
        self.fake = fake
        self.origin = tmp_path / "campaigns.git"
        git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(self.origin))
        seed = tmp_path / "seed"
        git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
        (seed / "campaigns").mkdir()
        (seed / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
        config = "organizations: [acme]\nlimits: {write-interval: 0}\n" + delivery
        (seed / "campaign-sync.yml").write_text(config, encoding="utf-8")
        git(seed, "add", ".")
        git(seed, "commit", "--quiet", "-m", "Campaigns")
        git(seed, "push", "--quiet", self.origin.as_uri(), "main")
        acme = fake.state.org("acme")
        assert acme is not None
        fake.state.add_repo(acme, "campaigns")
        fake.attach_git(REPO, self.origin)
        # The ruleset of the setup guide: pull requests required on main.
        fake.protect_branch(REPO, "main")
        self.app = fake.add_token(user=APP, kind="installation")
        self.work = self.clone("work")

    def clone(self, name: str) -> Path:
        git(self.origin.parent, "clone", "--quiet", self.origin.as_uri(), name)
        return self.origin.parent / name

    def apply(self, work: Path | None = None, *, day: int = 0, **options: Any) -> tuple[int, str]:
        out = io.StringIO()
        transport = transport_for(self.fake, self.app)
        code = run_apply(
            work or self.work,
            [GitHubSource(transport_for(self.fake, self.app), "acme")],
            transport,
            out=out,
            err=io.StringIO(),
            now=NOW + timedelta(days=day),
            commit=True,
            **options,
        )
        return code, out.getvalue()

    def show(self, revision: str, path: str) -> str:
        return git(self.origin, "show", f"{revision}:{path}")

    def history_rows(self, revision: str) -> list[str]:
        return self.show(revision, "reports/crit/history.csv").splitlines()[1:]

    def churn(self) -> None:
        """Some alerts get fixed between runs: the ledger changes."""
        self.fake.churn(0.3, seed=7)


@pytest.fixture
def make_org(tmp_path: Path, fake_github_factory: Any) -> Any:
    def make(delivery: str = "") -> Org:
        return Org(tmp_path, fake_github_factory(repos=3, alerts=60, seed=21), delivery)

    return make


# ---- push ----------------------------------------------------------------------------------


def test_push_to_a_protected_branch_fails_keeps_the_commit_and_the_next_run_delivers_both(
    make_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org()
    main_before = git(org.origin, "rev-parse", "main").strip()
    with pytest.raises(DeliveryFailed) as failed:
        org.apply()
    message = str(failed.value)
    assert "GH013" in message or "refused the push" in message
    assert f"kept on the local ref {PENDING_REF} and the branch {PENDING_BRANCH}" in message
    assert "the next `campaign-sync apply --commit` delivers it" in message
    assert git(org.origin, "rev-parse", "main").strip() == main_before  # main untouched
    first_day = org.history_rows(PENDING_BRANCH)
    assert len(first_day) == 1

    # The CI runner is gone: the next run is a fresh clone, a day later, after churn, and
    # the App is now on the ruleset's bypass list.
    org.fake.protect_branch(REPO, "main", bypass=[APP])
    monkeypatch.setenv("FAKE_GITHUB_PUSHER", APP)
    org.churn()
    fresh = org.clone("fresh")
    code, out = org.apply(fresh, day=1)
    assert code == 0, out
    assert "recovered the undelivered reports of an earlier run" in out
    assert "pushed to origin/main" in out
    rows = org.history_rows("main")
    assert [r.split(",")[0] for r in rows] == ["2026-11-28", "2026-11-29"]  # both runs
    assert rows[0] == first_day[0]
    # The ledger joined dates of the first run survive (not re-joined on day two).
    ledger = org.show("main", "reports/crit/ledger.tsv")
    assert "2026-11-28" in ledger
    # Delivered: the pending branch and ref are gone.
    assert git(org.origin, "branch", "--list", PENDING_BRANCH).strip() == ""
    assert git(fresh, "for-each-ref", PENDING_REF).strip() == ""


def test_a_pending_branch_that_changes_more_than_reports_is_refused(
    make_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org()
    other = org.clone("other")
    (other / "campaigns" / "crit.yml").write_text(CAMPAIGN.replace("rolling", "snapshot"))
    (other / "reports").mkdir()
    (other / "reports" / "forged.md").write_text("forged\n")
    git(other, "add", ".")
    git(other, "commit", "--quiet", "-m", "forged")
    git(other, "push", "--quiet", "origin", f"HEAD:refs/heads/{PENDING_BRANCH}")
    monkeypatch.setenv("FAKE_GITHUB_PUSHER", APP)
    org.fake.protect_branch(REPO, "main", bypass=[APP])
    outside = r"changes files outside reports/ \(campaigns/crit.yml"
    with pytest.raises(DeliveryFailed, match=outside):
        org.apply()
    assert org.fake.snapshot()["writes"] == 0  # refused before any GitHub write


# ---- branch --------------------------------------------------------------------------------


def test_branch_mode_commits_to_its_own_branch_and_reads_the_ledger_back_from_it(
    make_org: Any,
) -> None:
    org = make_org("delivery: {mode: branch, branch: reports}\n")
    main_before = git(org.origin, "rev-parse", "main").strip()
    code, out = org.apply()
    assert code == 0, out
    assert "pushed to reports" in out
    assert git(org.origin, "rev-parse", "main").strip() == main_before
    files = git(org.origin, "diff", "--name-only", "main", "reports").split()
    assert files
    assert all(f.startswith("reports/") for f in files)

    org.churn()
    code, out = org.apply(org.clone("fresh"), day=1)  # a fresh CI checkout of main
    assert code == 0, out
    assert git(org.origin, "rev-list", "--count", "main..reports").strip() == "2"
    assert [r.split(",")[0] for r in org.history_rows("reports")] == ["2026-11-28", "2026-11-29"]
    # The second run found the issues the first one recorded on the branch: no duplicates.
    acme = org.fake.state.org("acme")
    assert acme is not None
    open_issues = [r.name for r in acme.repos.values() for i in r.issues if i.state == "open"]
    assert open_issues
    assert len(open_issues) == len(set(open_issues))
    assert git(org.origin, "rev-parse", "main").strip() == main_before


def test_branch_mode_refuses_the_default_branch_and_no_push(make_org: Any) -> None:
    org = make_org("delivery: {mode: branch, branch: main}\n")
    with pytest.raises(ConfigError, match="the branch apply runs on"):
        org.apply()
    org2_config = org.work / "campaign-sync.yml"
    org2_config.write_text(org2_config.read_text().replace("branch: main", "branch: r"))
    with pytest.raises(ConfigError, match="--no-push"):
        org.apply(push=False)


# ---- pull-request ----------------------------------------------------------------------------


def test_pull_request_mode_opens_one_pull_request_and_reuses_it(make_org: Any) -> None:
    org = make_org("delivery: {mode: pull-request, auto-merge: true}\n")
    org.fake.allow_auto_merge(REPO)
    code, out = org.apply()
    assert code == 0, out
    pulls = org.fake.pulls(REPO)
    assert len(pulls) == 1
    pull = pulls[0]
    assert pull["head"]["ref"] == "campaign-sync/reports"
    assert pull["base"]["ref"] == "main"
    assert pull["user"]["login"] == APP
    assert pull["auto_merge"]["enabled_by"]["login"] == APP
    assert f"pull request #{pull['number']} opened" in out
    assert "auto-merge on" in out

    org.churn()
    code, out = org.apply(org.clone("fresh"), day=1)
    assert code == 0, out
    assert f"pull request #{pull['number']} updated" in out
    assert len(org.fake.pulls(REPO)) == 1  # the same one, two commits now
    assert org.fake.pulls(REPO)[0]["commits"] == 2
    rows = org.history_rows("campaign-sync/reports")
    assert [r.split(",")[0] for r in rows] == ["2026-11-28", "2026-11-29"]


def test_a_pull_request_refused_is_opened_by_the_next_run_with_both_runs_reports(
    make_org: Any,
) -> None:
    org = make_org("delivery: {mode: pull-request}\n")
    org.fake.remove_permission(org.app, "pull_requests")
    with pytest.raises(DeliveryFailed) as failed:
        org.apply()
    message = str(failed.value)
    assert "the reports are on the branch campaign-sync/reports" in message
    assert "Pull requests: Read and write" in message
    assert "opens the pull request" in message
    assert org.fake.pulls(REPO) == []

    org.fake.grant_permission(org.app, "pull_requests")
    org.churn()
    code, out = org.apply(org.clone("fresh"), day=1)
    assert code == 0, out
    assert len(org.fake.pulls(REPO)) == 1
    rows = org.history_rows("campaign-sync/reports")
    assert [r.split(",")[0] for r in rows] == ["2026-11-28", "2026-11-29"]


def test_a_delivery_token_of_a_second_app_opens_the_pull_request(
    make_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The App that writes issues everywhere holds no Contents or Pull requests permission;
    a second App, on the campaigns repository only, opens the pull request."""
    org = make_org("delivery: {mode: pull-request}\n")
    org.fake.remove_permission(org.app, "pull_requests")
    org.fake.remove_permission(org.app, "contents")
    reports_app = org.fake.add_token(
        user="acme-campaign-sync-reports[bot]",
        kind="installation",
        permissions={"contents": "write", "pull_requests": "write", "metadata": "read"},
    )
    monkeypatch.setenv("CAMPAIGN_SYNC_DELIVERY_TOKEN", reports_app)
    code, out = org.apply()
    assert code == 0, out
    (pull,) = org.fake.pulls(REPO)
    assert pull["user"]["login"] == "acme-campaign-sync-reports[bot]"


@pytest.mark.parametrize("squash", [False, True])
def test_after_the_pull_request_is_merged_the_branch_starts_again_from_main(
    make_org: Any, squash: bool
) -> None:
    org = make_org("delivery: {mode: pull-request}\n")
    org.apply()
    (pull,) = org.fake.pulls(REPO)
    org.fake.merge_pull(REPO, pull["number"], squash=squash)  # a reviewer approves and merges
    org.churn()
    code, out = org.apply(org.clone("fresh"), day=1)
    assert code == 0, out
    # A new pull request with only the new run's commit, on top of main.
    assert git(org.origin, "rev-list", "--count", "main..campaign-sync/reports").strip() == "1"
    assert git(org.origin, "merge-base", "--is-ancestor", "main", "campaign-sync/reports") == ""
    opened = [p for p in org.fake.pulls(REPO) if p["state"] == "open"]
    assert len(opened) == 1
    assert opened[0]["number"] != pull["number"]
    assert opened[0]["changed_files"] > 0
    rows = org.history_rows("campaign-sync/reports")
    assert [r.split(",")[0] for r in rows] == ["2026-11-28", "2026-11-29"]


# ---- api -----------------------------------------------------------------------------------


def test_api_mode_commits_as_the_app_through_graphql_and_the_clone_follows(
    make_org: Any,
) -> None:
    org = make_org("delivery: {mode: api}\n")
    with pytest.raises(DeliveryFailed, match="bypass list"):
        org.apply()  # the ruleset applies to API commits too
    pending = git(org.work, "rev-parse", PENDING_REF).strip()

    org.fake.protect_branch(REPO, "main", bypass=[APP])
    code, out = org.apply(day=1)
    assert code == 0, out
    assert "through GitHub's API" in out
    head = git(org.origin, "rev-parse", "main").strip()
    author, committer = git(org.origin, "log", "-1", "--format=%an|%cn", "main").strip().split("|")
    assert (author, committer) == (APP, "GitHub")
    # Both runs' reports, in one API commit on top of main's campaigns commit.
    assert git(org.origin, "rev-list", "--count", "main").strip() == "2"
    assert [r.split(",")[0] for r in org.history_rows("main")] == ["2026-11-28", "2026-11-29"]
    # The local branch took GitHub's commit: nothing left ahead, nothing pending.
    assert git(org.work, "rev-parse", "HEAD").strip() == head
    assert git(org.work, "status", "--porcelain") == ""
    assert git(org.work, "for-each-ref", PENDING_REF).strip() == ""
    assert pending != head
    # The same clone runs again the next day: GitHub's commit is not taken for a stranger's.
    org.churn()
    code, out = org.apply(day=2)
    assert code == 0, out
    assert git(org.origin, "rev-list", "--count", "main").strip() == "3"


def test_api_mode_retries_when_main_moved_between_fetch_and_commit(
    make_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org("delivery: {mode: api}\n")
    org.fake.protect_branch(REPO, "main", bypass=[APP, "Hu Man"])
    from campaign_sync.delivery import api_commit as module
    from campaign_sync.delivery import run as runner

    real = module.api.create_commit_on_branch
    calls = []

    def racing(*args: Any, **kwargs: Any) -> str:
        if not calls:  # someone merges a campaign change just before our first commit
            other = org.clone("other")
            (other / "campaigns" / "more.yml").write_text(CAMPAIGN.replace("active", "draft"))
            git(other, "add", ".")
            git(other, "commit", "--quiet", "-m", "Another campaign")
            monkeypatch.setenv("FAKE_GITHUB_PUSHER", "Hu Man")
            git(other, "push", "--quiet", "origin", "main")
        calls.append(kwargs["expected_head"])
        return real(*args, **kwargs)

    monkeypatch.setattr(module.api, "create_commit_on_branch", racing)
    monkeypatch.setattr(runner.time, "sleep", lambda seconds: None)
    code, out = org.apply()
    assert code == 0, out
    assert len(calls) == 2
    assert calls[0] != calls[1]  # the second attempt was computed against the moved main
    assert "after 2 attempts" in out
    assert git(org.origin, "show", "main:campaigns/more.yml")  # nothing overwritten


def test_the_fake_refuses_a_stale_expected_head_as_github_does(make_org: Any) -> None:
    org = make_org()
    org.fake.protect_branch(REPO, "main", protected=False)
    from campaign_sync.github.delivery import StaleHead, create_commit_on_branch

    transport = transport_for(org.fake, org.app)
    head = git(org.origin, "rev-parse", "main").strip()
    oid = create_commit_on_branch(
        transport,
        REPO,
        "main",
        expected_head=head,
        headline="one",
        body="",
        additions={"reports/a.txt": b"a\n"},
        deletions=[],
    )
    assert git(org.origin, "rev-parse", "main").strip() == oid
    with pytest.raises(StaleHead, match="Expected branch to point to"):
        create_commit_on_branch(
            transport,
            REPO,
            "main",
            expected_head=head,  # stale now
            headline="two",
            body="",
            additions={"reports/b.txt": b"b\n"},
            deletions=[],
        )
    assert git(org.origin, "rev-parse", "main").strip() == oid


def test_read_ledger_sees_the_recovered_reports(make_org: Any) -> None:
    """What the plan reads after a recovery is the earlier run's ledger."""
    org = make_org()
    with pytest.raises(DeliveryFailed):
        org.apply()
    fresh = org.clone("fresh")
    from campaign_sync.delivery import preflight
    from campaign_sync.gitcommit import DEFAULT_IDENTITY, Identity

    delivery = preflight(
        fresh,
        push=True,
        identity=Identity.parse(DEFAULT_IDENTITY),
        today=NOW.date(),
        environ={"GITHUB_REPOSITORY": REPO},
    )
    assert delivery.notes
    assert read_ledger(fresh / "reports", "crit").members


# ---- what others control ------------------------------------------------------------------


def test_a_hostile_commit_subject_on_the_reports_branch_mentions_nobody_in_the_pull_request(
    make_org: Any,
) -> None:
    org = make_org("delivery: {mode: pull-request}\n")
    org.fake.remove_permission(org.app, "pull_requests")
    with pytest.raises(DeliveryFailed):
        org.apply()  # the branch is pushed, the pull request refused
    # Someone who can push branches adds a reports-only commit with a loud subject.
    other = org.clone("other")
    git(other, "fetch", "--quiet", "origin", "campaign-sync/reports")
    git(other, "checkout", "--quiet", "FETCH_HEAD")
    (other / "reports" / "note.md").write_text("hi\n")
    git(other, "add", ".")
    git(other, "commit", "--quiet", "-m", "@acme/everyone see #1 https://evil.example")
    git(other, "push", "--quiet", "origin", "HEAD:refs/heads/campaign-sync/reports")
    org.fake.grant_permission(org.app, "pull_requests")
    code, out = org.apply(org.clone("fresh"), day=1)
    assert code == 0, out
    (pull,) = org.fake.pulls(REPO)
    body = pull["body"]
    assert "@acme/everyone" not in body
    assert "#1 " not in body
    assert "https://evil" not in body


@pytest.mark.parametrize(
    ("branch", "ok"),
    [
        ("campaign-sync/reports", True),
        ("reports", True),
        ("-reports", False),  # would read as a git option
        (".hidden", False),
        ("a..b", False),
        ("a//b", False),
        ("x.lock", False),
        ("campaign-sync/pending", False),  # kept for undelivered commits
        ("a b", False),
    ],
)
def test_the_schema_accepts_only_plain_branch_names(branch: str, ok: bool) -> None:
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).parents[1] / "schemas" / "config.schema.json").read_text())
    config = {"organizations": ["acme"], "delivery": {"mode": "branch", "branch": branch}}
    assert Draft202012Validator(schema).is_valid(config) is ok


def test_api_mode_sends_only_reports(make_org: Any) -> None:
    org = make_org("delivery: {mode: api}\n")
    org.fake.protect_branch(REPO, "main", bypass=[APP])
    # A bot-authored local commit outside reports/ (say, an earlier hand-made one).
    (org.work / "campaigns" / "crit.yml").write_text(CAMPAIGN.replace("rolling", "snapshot"))
    bot = "campaign-sync[bot]"
    git(
        org.work,
        "-c",
        f"user.name={bot}",
        "-c",
        f"user.email={bot}@users.noreply.github.com",
        "commit",
        "--quiet",
        "--author",
        f"{bot} <{bot}@users.noreply.github.com>",
        "-am",
        "not a report",
    )
    main_before = git(org.origin, "rev-parse", "main").strip()
    with pytest.raises(DeliveryFailed, match="sends only reports"):
        org.apply()
    assert git(org.origin, "rev-parse", "main").strip() == main_before


# ---- the command line ----------------------------------------------------------------------


def test_the_cli_says_the_delivery_failed_exits_1_and_the_summary_says_it_too(
    make_org: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from campaign_sync.cli import main

    org = make_org()
    summary = org.work.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GH_TOKEN", org.app)
    monkeypatch.chdir(org.work)
    assert main(["apply", "--commit", "--api-url", org.fake.url, "--source", "github:acme"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: could not deliver the reports: ")
    assert "Traceback" not in err
    assert "Nothing is lost" in err
    assert "The reports were not delivered." in summary.read_text()


def test_api_mode_with_no_push_commits_locally_and_the_next_run_sends_it(make_org: Any) -> None:
    org = make_org("delivery: {mode: api}\n")
    org.fake.protect_branch(REPO, "main", bypass=[APP])
    main_before = git(org.origin, "rev-parse", "main").strip()
    code, out = org.apply(push=False)
    assert code == 0, out
    assert "not pushed" in out
    assert git(org.origin, "rev-parse", "main").strip() == main_before
    org.churn()
    code, out = org.apply(day=1)
    assert code == 0, out
    assert "through GitHub's API" in out
    assert "Also delivers 1 earlier undelivered commit" in git(org.origin, "log", "-1", "main")
    assert [r.split(",")[0] for r in org.history_rows("main")] == ["2026-11-28", "2026-11-29"]
