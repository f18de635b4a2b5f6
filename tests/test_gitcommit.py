"""Committing the reports back: real git repositories on disk (a bare origin, clones of it)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from testing.clients import transport_for
from testing.fake_github import FakeGitHub
from testing.git import git, isolate_git

from campaign_sync.cli import cli, main
from campaign_sync.commands.apply import run_apply
from campaign_sync.errors import ConfigError
from campaign_sync.gitcommit import (
    DEFAULT_IDENTITY,
    CommitResult,
    DetachedHead,
    GitError,
    GitTarget,
    Identity,
    NotARepository,
    NoUpstream,
    PushRejected,
    RebaseConflict,
    commit_and_push,
    commit_message,
    find_target,
    redact,
    run_url_from_env,
)
from campaign_sync.ledger import write_ledger
from campaign_sync.model import CampaignLedger, Member
from campaign_sync.sources.github import GitHubSource

T0 = "2026-11-01T06:00:00Z"
T1 = "2026-11-28T06:00:00Z"
BOT = Identity.parse(DEFAULT_IDENTITY)


def member(number: int, state: str = "open", repo: str = "acme/web") -> Member:
    return Member(f"code-scanning:{repo}:{number}", state, T0, T0)  # type: ignore[arg-type]


def ledger(campaign: str, *members: Member) -> CampaignLedger:
    return CampaignLedger(campaign=campaign, members=tuple(sorted(members)))


# ---- the message ---------------------------------------------------------------------


def test_one_campaign_is_one_line_with_what_changed_and_what_is_left() -> None:
    before = ledger("sql-injection", member(1), member(2), member(3), member(4, "fixed"))
    after = ledger(
        "sql-injection",
        member(1, "fixed"),
        member(2, "fixed"),
        member(3),
        member(4, "fixed"),
        member(5),
    )
    message = commit_message({"sql-injection": before}, {"sql-injection": after}, {"sql-injection"})
    assert message == "sql-injection: 2 fixed, 1 new, 2 of 5 open\n"


def test_every_kind_of_change_is_counted_in_a_fixed_order() -> None:
    before = ledger(
        "leaks", member(1), member(2), member(3), member(4, "fixed"), member(5), member(6)
    )
    after = ledger(
        "leaks",
        member(1, "resolved"),
        member(2, "dismissed"),
        member(3, "fixed"),
        member(4),  # reopened
        member(7),
    )
    message = commit_message({"leaks": before}, {"leaks": after}, ["leaks"])
    assert message == (
        "leaks: 1 fixed, 1 resolved, 1 dismissed, 1 reopened, 1 new, 2 left, 2 of 5 open\n"
    )


def test_several_campaigns_get_a_short_subject_then_one_line_each() -> None:
    previous = {"xss": ledger("xss", member(1)), "sqli": ledger("sqli", member(1), member(2))}
    current = {
        "xss": ledger("xss", member(1, "fixed"), member(2), member(3)),
        "sqli": ledger("sqli", member(1, "fixed"), member(2, "fixed")),
    }
    message = commit_message(previous, current, {"xss", "sqli"}, run_url="https://x/runs/7")
    assert message == (
        "2 campaigns: 3 fixed, 2 new\n"
        "\n"
        "sqli: 2 fixed, 0 of 2 open\n"
        "xss: 1 fixed, 2 new, 2 of 3 open\n"
        "\n"
        "Run: https://x/runs/7\n"
    )


def test_unchanged_members_still_say_how_much_is_open() -> None:
    same = ledger("xss", member(1), member(2, "fixed"))
    # Files changed (a tracking issue number, the report's days left) but no alert did;
    # a campaign this run did not apply keeps its previous ledger.
    assert commit_message({"xss": same}, {"xss": same}, {"xss"}) == "xss: 1 of 2 open\n"
    assert commit_message({"xss": same}, {}, {"xss"}) == "xss: 1 of 2 open\n"
    assert commit_message({}, {}, {"gone"}) == "gone: reports updated\n"
    assert commit_message({}, {}, set()) == "reports: index updated\n"
    assert commit_message({"a": same, "b": same}, {}, {"a", "b"}).startswith(
        "2 campaigns: reports updated\n"
    )


def test_run_url_comes_from_the_actions_environment() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/campaigns",
        "GITHUB_RUN_ID": "42",
    }
    assert run_url_from_env(env) == "https://github.com/acme/campaigns/actions/runs/42"
    assert run_url_from_env({"GITHUB_RUN_ID": "42"}) is None


def test_credentials_are_redacted() -> None:
    text = (
        "fatal: unable to access 'https://x-access-token:ghs_abcdefghijklmnop1234@github.com/a/b'"
    )
    assert redact(text) == "fatal: unable to access 'https://***@github.com/a/b'"
    assert redact("token ghp_0123456789abcdefABCDEF here") == "token *** here"
    assert redact("origin/main") == "origin/main"


def test_identity_defaults_to_the_bot_and_can_be_configured() -> None:
    assert Identity.from_env({}) == Identity(
        "campaign-sync[bot]", "campaign-sync[bot]@users.noreply.github.com"
    )
    actions = "github-actions[bot] <41898299+github-actions[bot]@users.noreply.github.com>"
    assert Identity.from_env({"CAMPAIGN_SYNC_COMMIT_AUTHOR": actions}) == Identity(
        "github-actions[bot]", "41898299+github-actions[bot]@users.noreply.github.com"
    )
    with pytest.raises(ConfigError, match="CAMPAIGN_SYNC_COMMIT_AUTHOR must look like"):
        Identity.from_env({"CAMPAIGN_SYNC_COMMIT_AUTHOR": "just-a-name"})


# ---- real repositories ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


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


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare origin holding a campaigns repository with one applied campaign."""
    return make_origin(tmp_path, applied=True)


def make_origin(tmp_path: Path, *, applied: bool) -> Path:
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
    (seed / "campaigns").mkdir()
    (seed / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    (seed / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    if applied:
        write_ledger(seed / "reports", ledger("crit", member(1), member(2)))
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "Campaigns")
    git(seed, "push", "--quiet", bare.as_uri(), "main")
    return bare


def clone(origin: Path, name: str, *, shallow: bool = False) -> Path:
    path = origin.parent / name
    git(
        origin.parent,
        "clone",
        "--quiet",
        *(["--depth=1"] if shallow else []),
        origin.as_uri(),
        name,
    )
    return path


def target_of(work: Path, *, push: bool = True) -> GitTarget:
    return find_target(work, push=push, identity=BOT)


def fix_first(work: Path) -> tuple[dict[str, CampaignLedger], dict[str, CampaignLedger]]:
    """What an apply does to the ledger: alert 1 fixed, alert 3 new."""
    before = {"crit": ledger("crit", member(1), member(2))}
    after = {"crit": ledger("crit", member(1, "fixed"), member(2), member(3))}
    write_ledger(work / "reports", after["crit"])
    return before, after


def commit(work: Path, before: Any, after: Any, **options: Any) -> CommitResult:
    options.setdefault("sleep", lambda seconds: None)
    return commit_and_push(
        options.pop("target", None) or target_of(work),
        work / "reports",
        before,
        after,
        identity=BOT,
        **options,
    )


def files_of(repo: Path, commit: str) -> list[str]:
    return git(repo, "show", "--format=", "--name-only", commit).split()


def test_commits_only_reports_as_the_bot_and_leaves_other_changes_alone(
    origin: Path,
) -> None:
    work = clone(origin, "work")
    before, after = fix_first(work)
    (work / "reports" / "README.md").write_text("# Campaigns\n", encoding="utf-8")
    campaign = work / "campaigns" / "crit.yml"
    campaign.write_text(CAMPAIGN + "# staged by a human\n", encoding="utf-8")
    git(work, "add", "campaigns/crit.yml")
    campaign.write_text(CAMPAIGN + "# staged by a human\n# and edited again\n", encoding="utf-8")
    (work / "notes.txt").write_text("untracked\n", encoding="utf-8")

    result = commit(work, before, after)

    assert result.commit is not None
    assert result.pushed
    assert result.push_attempts == 1
    assert result.message == "crit: 1 fixed, 1 new, 2 of 3 open\n"
    assert files_of(work, "HEAD") == ["reports/README.md", "reports/crit/ledger.tsv"]
    assert git(work, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B") == (
        f"{DEFAULT_IDENTITY}|{DEFAULT_IDENTITY}|crit: 1 fixed, 1 new, 2 of 3 open\n\n"
    )
    # The human's staged change is still staged, their later edit still in the tree.
    assert git(work, "diff", "--cached", "--name-only").split() == ["campaigns/crit.yml"]
    assert "and edited again" in campaign.read_text(encoding="utf-8")
    assert "staged by a human" in git(work, "diff", "--cached")
    assert "and edited again" not in git(work, "diff", "--cached")
    assert (work / "notes.txt").exists()
    assert git(origin, "rev-parse", "main").strip() == result.commit
    assert "committed" in result.describe(target_of(work))


def test_a_second_run_with_nothing_changed_makes_no_commit(origin: Path) -> None:
    work = clone(origin, "work")
    before, after = fix_first(work)
    first = commit(work, before, after)
    write_ledger(work / "reports", after["crit"])  # the same ledger, written again
    second = commit(work, after, after)
    assert second == CommitResult(None)
    assert git(work, "rev-parse", "HEAD").strip() == first.commit
    assert git(origin, "rev-list", "--count", "main").strip() == "2"
    assert second.describe(target_of(work)) == "reports unchanged: nothing to commit"


@pytest.mark.parametrize("shallow", [False, True], ids=["full", "shallow-like-actions"])
def test_a_concurrent_push_is_fetched_and_rebased_over(origin: Path, shallow: bool) -> None:
    work = clone(origin, "work", shallow=shallow)
    other = clone(origin, "other")
    (other / "campaigns" / "xss.yml").write_text(CAMPAIGN, encoding="utf-8")
    git(other, "add", "campaigns/xss.yml")
    git(other, "commit", "--quiet", "-m", "Add the xss campaign")
    git(other, "push", "--quiet")
    theirs = git(other, "rev-parse", "HEAD").strip()
    sleeps: list[float] = []
    before, after = fix_first(work)

    result = commit(work, before, after, sleep=sleeps.append)

    assert result.pushed
    assert result.push_attempts == 2
    assert sleeps == [1.0]
    assert git(origin, "rev-parse", "main").strip() == result.commit
    assert git(origin, "rev-parse", "main^").strip() == theirs
    assert files_of(origin, "main") == ["reports/crit/ledger.tsv"]
    assert (work / "campaigns" / "xss.yml").exists()  # the branch now has their change
    assert "after 2 attempts" in result.describe(target_of(work))


def test_a_conflicting_change_fails_clearly_and_loses_nothing(origin: Path) -> None:
    work = clone(origin, "work")
    other = clone(origin, "other")
    edited = other / "reports" / "crit" / "ledger.tsv"
    # Alert 1 dismissed by hand, where this run records it fixed: the same line differs.
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\topen\t", "\tdismissed\t", 1), encoding="utf-8")
    git(other, "commit", "--quiet", "-am", "A hand edit of the ledger")
    git(other, "push", "--quiet")
    theirs = git(other, "rev-parse", "HEAD").strip()
    before, after = fix_first(work)
    ours = (work / "reports" / "crit" / "ledger.tsv").read_text(encoding="utf-8")

    with pytest.raises(RebaseConflict) as raised:
        commit(work, before, after)

    message = str(raised.value)
    assert "reports/crit/ledger.tsv" in message
    assert "nothing is lost" in message
    assert "git pull --rebase -X theirs origin main && git push" in message
    local = git(work, "log", "-1", "--format=%H %s").split(" ", 1)
    assert local[1] == "crit: 1 fixed, 1 new, 2 of 3 open\n"
    assert local[0][:12] in message
    assert files_of(work, "HEAD") == ["reports/crit/ledger.tsv"]
    assert git(work, "status", "--porcelain") == ""  # rebase aborted, tree as committed
    assert not (work / ".git" / "rebase-merge").exists()
    assert (work / "reports" / "crit" / "ledger.tsv").read_text(encoding="utf-8") == ours
    assert git(origin, "rev-parse", "main").strip() == theirs  # the remote is untouched

    # The recovery the message gives keeps this run's reports.
    git(work, "pull", "--quiet", "--rebase", "-X", "theirs", "origin", "main")
    git(work, "push", "--quiet")
    assert git(origin, "show", "main:reports/crit/ledger.tsv") == ours


def test_retries_are_bounded(origin: Path, tmp_path: Path) -> None:
    # Fetches come from origin, pushes go to a mirror that is always one commit ahead:
    # every push is rejected as out of date, however often we rebase.
    ahead = tmp_path / "ahead.git"
    git(tmp_path, "clone", "--quiet", "--bare", origin.as_uri(), str(ahead))
    other = clone(ahead, "other")
    git(other, "commit", "--quiet", "--allow-empty", "-m", "Always ahead")
    git(other, "push", "--quiet")
    work = clone(origin, "work")
    git(work, "remote", "set-url", "--push", "origin", ahead.as_uri())
    sleeps: list[float] = []
    before, after = fix_first(work)

    with pytest.raises(PushRejected) as raised:
        commit(work, before, after, sleep=sleeps.append)

    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert "rejected the push 5 times" in str(raised.value)
    assert "nothing is lost" in str(raised.value).lower()
    assert git(work, "log", "-1", "--format=%s").startswith("crit: 1 fixed")
    assert git(origin, "rev-list", "--count", "main").strip() == "1"


def test_a_remote_that_already_has_the_same_reports_leaves_nothing_to_push(
    origin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = clone(origin, "work")
    other = clone(origin, "other")
    before, after = fix_first(other)
    # The same reports, pushed first from elsewhere at another time (a commit made in the
    # same second would be the very same commit, and the push a no-op).
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-27T06:00:00Z")
    commit(other, before, after)
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    fix_first(work)
    result = commit(work, before, after)
    assert result.already_upstream
    assert result.commit is None
    assert git(work, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")
    assert "already has these reports" in result.describe(target_of(work))


def test_no_push_commits_locally_and_a_later_push_takes_that_commit_along(
    origin: Path,
) -> None:
    work = clone(origin, "work")
    before, after = fix_first(work)
    local = commit(work, before, after, target=target_of(work, push=False))
    assert local.commit is not None
    assert not local.pushed
    assert local.describe(target_of(work, push=False)).endswith("not pushed")
    assert git(origin, "rev-list", "--count", "main").strip() == "1"
    # The next run has nothing new to commit, but pushes the bot's pending commit.
    pending = commit(work, after, after)
    assert (pending.commit, pending.pushed) == (None, True)
    assert git(origin, "rev-parse", "main").strip() == local.commit


def test_unpushed_work_of_someone_else_is_not_pushed_along(origin: Path) -> None:
    work = clone(origin, "work")
    (work / "campaigns" / "wip.yml").write_text(CAMPAIGN, encoding="utf-8")
    git(work, "add", ".")
    git(work, "commit", "--quiet", "-m", "Work in progress")
    with pytest.raises(GitError, match=r"1 commit.*not on origin/main.*--no-push"):
        target_of(work)
    assert target_of(work, push=False).remote is None


def test_preflight_errors_say_what_to_do(origin: Path, tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotARepository, match="not inside a git working tree"):
        target_of(tmp_path / "plain")
    work = clone(origin, "work")
    git(work, "checkout", "--quiet", "--detach")
    with pytest.raises(DetachedHead, match="git switch main"):
        target_of(work)
    git(work, "switch", "--quiet", "-c", "local-only")
    with pytest.raises(NoUpstream, match=r"--set-upstream-to=origin/local-only.*--no-push"):
        target_of(work)
    assert target_of(work, push=False).branch == "local-only"
    with pytest.raises(ConfigError, match="inside the repository"):
        # The reports folder is the repository itself: "only reports/" would mean everything.
        commit_and_push(target_of(work, push=False), work, {}, {}, identity=BOT)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("MERGE_HEAD", "a merge is in progress: finish or abort it"),
        ("index.lock", "index.lock exists: another git command is running.*remove the lock"),
    ],
)
def test_an_unfinished_git_operation_stops_the_run_before_any_write(
    origin: Path, marker: str, message: str
) -> None:
    work = clone(origin, "work")
    (work / ".git" / marker).write_text("", encoding="utf-8")
    with pytest.raises(GitError, match=message):
        target_of(work)


def test_a_failed_push_never_shows_the_token_in_the_url(origin: Path) -> None:
    work = clone(origin, "work")
    secret = "ghs_0123456789abcdefghijKLMN"
    # Loopback port 1: refused at once, nothing leaves the machine.
    git(work, "remote", "set-url", "origin", f"https://x-access-token:{secret}@127.0.0.1:1/a/b")
    before, after = fix_first(work)
    with pytest.raises(GitError) as raised:
        commit(work, before, after)
    assert secret not in str(raised.value)
    assert "could not push" in str(raised.value)
    assert "contents: write" in str(raised.value)


# ---- end to end: apply --commit against the fake GitHub -------------------------------

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def test_apply_commit_lands_in_origin_and_a_second_apply_makes_no_commit(
    tmp_path: Path, fake_github_factory: Any
) -> None:
    fake: FakeGitHub = fake_github_factory(repos=3, alerts=60, seed=21)
    origin = make_origin(tmp_path, applied=False)
    work = clone(origin, "work")

    def apply() -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run_apply(
            work,
            [GitHubSource(transport_for(fake), "acme")],
            transport_for(fake),
            out=out,
            err=err,
            now=NOW,
            commit=True,
        )
        assert err.getvalue() == ""
        return code, out.getvalue()

    code, out = apply()
    assert code == 0
    assert "pushed to origin/main" in out
    head = git(origin, "rev-parse", "main").strip()
    assert git(origin, "rev-list", "--count", "main").strip() == "2"
    assert all(path.startswith("reports/") for path in files_of(origin, head))
    subject = git(origin, "log", "-1", "--format=%s", "main")
    assert subject.startswith("crit: ")
    assert subject.endswith(" open\n")
    assert git(origin, "log", "-1", "--format=%an", "main").strip() == "campaign-sync[bot]"

    code, out = apply()
    assert code == 0
    assert "reports unchanged: nothing to commit" in out
    assert git(origin, "rev-parse", "main").strip() == head
    assert git(work, "status", "--porcelain") == ""


def test_apply_dry_run_with_commit_commits_nothing(
    origin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = clone(origin, "work")
    snapshot = Path(__file__).parent.parent / "examples" / "snapshot"
    monkeypatch.chdir(work)
    result = CliRunner().invoke(
        cli, ["apply", "--dry-run", "--commit", "--source", f"snapshot:{snapshot}"]
    )
    assert result.exit_code == 0, result.output
    assert git(work, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(work, "status", "--porcelain") == ""


def test_apply_commit_outside_a_repository_fails_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    (plain / "campaigns").mkdir(parents=True)
    (plain / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    snapshot = Path(__file__).parent.parent / "examples" / "snapshot"
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GITHUB_TOKEN", "not-used")
    argv = ["apply", "--commit", "--api-url", "http://127.0.0.1:1"]
    assert main([*argv, "--source", f"snapshot:{snapshot}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "is not inside a git working tree" in err
    assert not (plain / "reports").exists()  # failed before the ledger was written
