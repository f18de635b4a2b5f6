"""`campaign-sync history`: real git repositories built in tmp_path, read back by the command.

The story every test reads (``story``), oldest first, on ``main``:

- c1 "Add the SQL injection campaign (#3)": campaigns/sqli.yml, squashed from PR #3;
- c2 the bot: sqli's ledger with alerts :1 and :11 open;
- c3 the bot: :11 dismissed (won't fix, by mona, a comment with an escape sequence);
- f1 on a branch "Narrow to production": campaigns/sqli.yml changed; meanwhile on main
  c4 the bot: :1 fixed, and :1 joins campaign "other";
- m1 "Merge pull request #7 from acme/narrow";
- c5 "Tweak without review": campaigns/sqli.yml changed on main directly;
- c6 the bot: :11 reopened; c7 the bot: :11 left, :2 and :3 joined.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.cli import main
from campaign_sync.commands.apply import run_apply
from campaign_sync.ledger import write_ledger
from campaign_sync.model import CampaignLedger, Member
from campaign_sync.sources.github import GitHubSource

T0 = "2026-11-01T06:00:00Z"
COMMENT = "Only reachable from the admin console\x1b[2J; ask @acme/appsec"


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git as on a fresh machine, no repository found above tmp_path."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


class Repo:
    """A repository whose commits are made one a day, by a bot or by a person."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.day = 1
        path.mkdir(parents=True)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str, who: str = "Hu Man <human@example.com>") -> str:
        name, email = who[: who.index(" <")], who[who.index("<") + 1 : -1]
        when = datetime(2026, 10, 31, 7, tzinfo=UTC) + timedelta(days=self.day)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        done = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout

    def commit(self, message: str, *, who: str = "Hu Man <human@example.com>") -> str:
        """A commit dated the next day, 07:00 UTC (the first on 2026-11-01)."""
        self.git("add", "--all")
        self.git("commit", "--quiet", "--no-verify", "-m", message, who=who)
        self.day += 1
        return self.git("rev-parse", "HEAD").strip()

    def ledger(self, campaign: str, *members: Member) -> None:
        write_ledger(self.path / "reports", CampaignLedger(campaign, members=tuple(members)))

    def campaign(self, campaign: str, text: str) -> None:
        (self.path / "campaigns").mkdir(exist_ok=True)
        (self.path / "campaigns" / f"{campaign}.yml").write_text(text, encoding="utf-8")


BOT = "campaign-sync[bot] <campaign-sync[bot]@users.noreply.github.com>"


def member(number: int, state: str = "open", changed: str = T0, **closing: str) -> Member:
    return Member(f"code-scanning:acme/web:{number}", state, T0, changed, **closing)  # type: ignore[arg-type]


@pytest.fixture
def story(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    repo = Repo(tmp_path / "campaigns-repo")
    shas: dict[str, str] = {}
    repo.campaign("sqli", "name: SQL injection\n")
    shas["c1"] = repo.commit("Add the SQL injection campaign (#3)", who="Mona Lisa <mona@x.io>")
    repo.ledger("sqli", member(1), member(11))
    shas["c2"] = repo.commit("sqli: 2 new, 2 of 2 open", who=BOT)
    dismissed = member(
        11, "dismissed", "2026-11-03T05:00:00Z", reason="won't fix", by="mona", comment=COMMENT
    )
    repo.ledger("sqli", member(1), dismissed)
    shas["c3"] = repo.commit("sqli: 1 dismissed, 1 of 2 open", who=BOT)
    repo.git("checkout", "--quiet", "-b", "narrow")
    repo.campaign("sqli", "name: SQL injection\nselect: {severity: [critical]}\n")
    shas["f1"] = repo.commit("Narrow to production", who="Octo Cat <octocat@x.io>")
    repo.git("checkout", "--quiet", "main")
    repo.ledger("sqli", member(1, "fixed", "2026-11-05T05:00:00Z"), dismissed)
    repo.ledger("other", member(1, "fixed", "2026-11-05T05:00:00Z"))
    shas["c4"] = repo.commit("2 campaigns: 1 fixed, 1 new", who=BOT)
    repo.git(
        "merge", "--quiet", "--no-ff", "narrow", "-m", "Merge pull request #7 from acme/narrow"
    )
    repo.day += 1
    shas["m1"] = repo.git("rev-parse", "HEAD").strip()
    repo.campaign("sqli", "name: SQL injection\nselect: {severity: [critical, high]}\n")
    shas["c5"] = repo.commit("Tweak without review", who="Hu Man <human@example.com>")
    repo.ledger(
        "sqli",
        member(1, "fixed", "2026-11-05T05:00:00Z"),
        member(11, "open", "2026-11-08T05:00:00Z"),
    )
    shas["c6"] = repo.commit("sqli: 1 reopened", who=BOT)
    repo.ledger("sqli", member(1, "fixed", "2026-11-05T05:00:00Z"), member(2), member(3))
    shas["c7"] = repo.commit("sqli: 2 new, 1 left", who=BOT)
    return repo, shas


def history(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["history", "--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def events(document: dict[str, Any], campaign: str) -> list[tuple[str, str, str | None]]:
    (found,) = [c for c in document["campaigns"] if c["campaign"] == campaign]
    return [(e["event"], e["commit"], e["state"]) for e in found["events"]]


# ---- an alert --------------------------------------------------------------------------


def test_an_alert_joins_is_dismissed_reopened_and_leaves_each_with_its_commit_and_date(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, c = story
    code, out, err = history(capsys, repo.path, "code-scanning:acme/web:11", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["alert"] == "code-scanning:acme/web:11"
    assert [x["campaign"] for x in document["campaigns"]] == ["sqli"]
    assert events(document, "sqli") == [
        ("joined", c["c2"], "open"),
        ("state", c["c3"], "dismissed"),
        ("state", c["c6"], "open"),
        ("left", c["c7"], None),
    ]
    joined, dismissed, reopened, _ = document["campaigns"][0]["events"]
    assert joined["date"] == "2026-11-02T07:00:00Z"  # when the commit entered main
    assert joined["joined"] == T0  # when the ledger says it joined
    assert dismissed["date"] == "2026-11-03T07:00:00Z"
    assert (dismissed["previous_state"], dismissed["changed"]) == ("open", "2026-11-03T05:00:00Z")
    assert (dismissed["reason"], dismissed["by"], dismissed["comment"]) == (
        "won't fix",
        "mona",
        COMMENT,
    )
    assert (reopened["reason"], reopened["by"], reopened["comment"]) == (None, None, None)
    assert "\x1b" not in out  # JSON escapes it


def test_alert_1_is_never_alert_11_and_an_alert_never_in_a_ledger_is_not_found(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's old recipe, `git log -S 'code-scanning:acme/web:1'`, also named the
    commits where :11 joined, was dismissed and reopened."""
    repo, c = story
    code, out, _ = history(capsys, repo.path, "code-scanning:acme/web:1", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert events(document, "sqli") == [("joined", c["c2"], "open"), ("state", c["c4"], "fixed")]
    assert events(document, "other") == [("joined", c["c4"], "fixed")]
    for absent in (
        "code-scanning:acme/web:111",
        "code-scanning:acme/web:",
        "dependabot:acme/web:1",
    ):
        code, out, err = history(capsys, repo.path, absent)
        if absent.endswith(":"):
            assert code == 64  # not an alert id at all
            continue
        assert (code, out) == (1, "")
        assert err == (
            f"{absent} was never a member of a campaign: none of the 6 versions of the "
            "ledgers under reports/ in this branch's history has it (an alert id is "
            "TYPE:OWNER/REPO:NUMBER, matched whole)\n"
        )


def test_the_text_answer_shows_the_dismissal_with_people_s_text_escaped(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, c = story
    code, out, _ = history(capsys, repo.path, "code-scanning:acme/web:11")
    assert code == 0
    assert "\x1b" not in out
    assert out.splitlines()[:7] == [
        "code-scanning:acme/web:11",
        "",
        "Campaign sqli (reports/sqli/ledger.tsv):",
        f"  2026-11-02T07:00:00Z  {c['c2'][:12]}  joined, open (ledger: joined {T0})",
        f"  2026-11-03T07:00:00Z  {c['c3'][:12]}  dismissed (was open; ledger: changed "
        '2026-11-03T05:00:00Z): reason "won\'t fix", by mona, comment "Only reachable from '
        'the admin console\\u{1b}[2J; ask @acme/appsec"',
        f"  2026-11-08T07:00:00Z  {c['c6'][:12]}  reopened (was dismissed; ledger: changed "
        "2026-11-08T05:00:00Z)",
        f"  2026-11-09T07:00:00Z  {c['c7'][:12]}  left the campaign (no longer in its ledger)",
    ]


# ---- a campaign ------------------------------------------------------------------------


def test_a_campaign_s_file_changes_name_the_pull_request_that_merged_each(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, c = story
    code, out, err = history(capsys, repo.path, "sqli", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    changes = [
        (x["commit"], x["change"], x["author"], x["subject"], x["pull_request"])
        for x in document["changes"]
    ]
    assert changes == [
        (
            c["c1"],
            "added",
            "Mona Lisa",
            "Add the SQL injection campaign (#3)",
            {"number": 3, "how": "squash", "commit": c["c1"], "date": "2026-11-01T07:00:00Z"},
        ),
        (
            c["f1"],
            "modified",
            "Octo Cat",
            "Narrow to production",
            {"number": 7, "how": "merge", "commit": c["m1"], "date": "2026-11-06T07:00:00Z"},
        ),
        (c["c5"], "modified", "Hu Man", "Tweak without review", None),
    ]
    assert document["changes"][1]["date"] == "2026-11-04T07:00:00Z"  # made on its branch
    # The member count each time it changed: 2 from c2, 3 from c7 (:11 left, :2 and :3 joined).
    assert [(m["commit"], m["members"]) for m in document["members"]] == [
        (c["c2"], 2),
        (c["c7"], 3),
    ]


def test_the_campaign_text_answer(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, c = story
    code, out, _ = history(capsys, repo.path, "sqli")
    assert code == 0
    assert out == (
        "Campaign sqli\n\n"
        "Commits that changed campaigns/sqli.yml, oldest first:\n"
        f"  2026-11-01T07:00:00Z  {c['c1'][:12]}  added campaigns/sqli.yml\n"
        "      by Mona Lisa <mona@x.io>: Add the SQL injection campaign (#3)\n"
        "      pull request #3, squashed into this commit\n"
        f"  2026-11-04T07:00:00Z  {c['f1'][:12]}  modified campaigns/sqli.yml\n"
        "      by Octo Cat <octocat@x.io>: Narrow to production\n"
        f"      pull request #7, merged in {c['m1'][:12]} on 2026-11-06T07:00:00Z\n"
        f"  2026-11-07T07:00:00Z  {c['c5'][:12]}  modified campaigns/sqli.yml\n"
        "      by Hu Man <human@example.com>: Tweak without review\n"
        "      no pull request that git can tell (pushed to the branch, or merged another way)\n"
        "\n"
        "Members (reports/sqli/ledger.tsv), each time the count changed:\n"
        f"  2026-11-02T07:00:00Z  {c['c2'][:12]}  2\n"
        f"  2026-11-09T07:00:00Z  {c['c7'][:12]}  3\n"
    )


def test_folders_are_those_the_config_at_head_names_in_a_campaigns_repository_in_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "r")
    root = repo.path / "security"  # the campaigns repository is a folder of a bigger one
    root.mkdir()
    (root / "campaign-sync.yml").write_text(
        "organizations: [acme]\ncampaigns: teams/campaigns\nreports: status\n", encoding="utf-8"
    )
    (root / "teams" / "campaigns").mkdir(parents=True)
    (root / "teams" / "campaigns" / "sqli.yml").write_text("name: x\n", encoding="utf-8")
    write_ledger(root / "status", CampaignLedger("sqli", members=(member(1),)))
    first = repo.commit("Start (#1)")
    code, out, _ = history(capsys, root, "sqli", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert [x["path"] for x in document["changes"]] == ["security/teams/campaigns/sqli.yml"]
    assert [(m["commit"], m["members"]) for m in document["members"]] == [(first, 1)]
    code, out, _ = history(capsys, root, "code-scanning:acme/web:1", "--format", "json")
    assert events(json.loads(out), "sqli") == [("joined", first, "open")]


# ---- what it needs: git, a repository, an id -------------------------------------------


def test_outside_a_repository_or_before_the_first_commit_it_says_so_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    code, out, err = history(capsys, plain, "sqli")
    assert (code, out) == (1, "")
    assert err == (
        f"error: {plain} is not in a git repository: history reads the campaigns "
        "repository's git history; run it in a clone of it, or pass --root\n"
    )
    empty = Repo(tmp_path / "empty")
    code, out, err = history(capsys, empty.path, "code-scanning:acme/web:1")
    assert (code, out) == (1, "")
    assert err == f"error: {empty.path}: no commits yet, so no history to read\n"
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "target",
    ["code-scanning:acme/web:1 ", "Sqli", "acme/web:1", "pages:acme/web:1", "-", "a\tb"],
)
def test_an_argument_neither_an_alert_id_nor_a_campaign_id_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    code, out, err = history(capsys, tmp_path, "--", target)
    assert (code, out) == (64, "")
    assert "is neither an alert id (TYPE:OWNER/REPO:NUMBER" in err


def test_a_campaign_never_in_the_history_is_not_found(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = story
    code, out, err = history(capsys, repo.path, "sql")  # a prefix of sqli: no match either
    assert (code, out) == (1, "")
    assert err == (
        "no campaign sql in this branch's history: no commit changed campaigns/sql.yml "
        "or reports/sql/ledger.tsv\n"
    )


def test_a_shallow_clone_is_said_on_stderr(
    story: tuple[Repo, dict[str, str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo, c = story
    shallow = tmp_path / "shallow"
    repo.git("clone", "--quiet", "--depth=2", repo.path.as_uri(), str(shallow))
    code, out, err = history(capsys, shallow, "sqli", "--format", "json")
    assert code == 0
    assert err.startswith("note: this clone is shallow: commits older than the ones fetched")
    # Only c6 and c7 are in the clone: c6 reads as the ledger's first version.
    assert [m["commit"] for m in json.loads(out)["members"]] == [c["c6"], c["c7"]]


def test_reading_takes_the_same_few_git_processes_however_long_the_history(
    story: tuple[Repo, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One `git log` per question and one `git cat-file --batch`, never one per commit."""
    repo, _ = story
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout
    calls = tmp_path / "calls"
    shim = tmp_path / "bin" / "git"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexec {real.strip()} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")

    def processes(*args: str) -> int:
        calls.write_text("")
        assert history(capsys, repo.path, *args)[0] == 0
        return len(calls.read_text().splitlines())

    before = (processes("code-scanning:acme/web:11"), processes("sqli"))
    monkeypatch.setenv("PATH", os.environ["PATH"].split(os.pathsep, 1)[1])
    for n in range(30):
        repo.ledger("sqli", member(1, "fixed"), *(member(100 + i) for i in range(n)))
        repo.commit(f"sqli: {n} new", who=BOT)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    assert (processes("code-scanning:acme/web:11"), processes("sqli")) == before == (3, 5)


# ---- end to end: a dismissal on GitHub, an apply, a commit, the answer -----------------

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


def test_a_dismissal_on_github_reaches_the_ledger_and_the_auditor_s_answer(
    fake_github_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake: FakeGitHub = fake_github_factory(repos=3, alerts=60, seed=4)
    repo = Repo(tmp_path / "campaigns-repo")
    (repo.path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    repo.campaign("crit", CAMPAIGN)
    repo.commit("Add the crit campaign (#1)")

    def apply(day: int) -> str:
        transport = transport_for(fake)
        sources = [GitHubSource(transport_for(fake), "acme")]
        now = datetime(2026, 11, day, 6, 0, tzinfo=UTC)
        out, err = io.StringIO(), io.StringIO()
        assert run_apply(repo.path, sources, transport, out=out, err=err, now=now) == 0, err
        return repo.commit(f"reconcile {day}", who=BOT)

    joined = apply(2)
    ledger = (repo.path / "reports" / "crit" / "ledger.tsv").read_text(encoding="utf-8")
    alert_id = next(line.split("\t")[0] for line in ledger.splitlines()[1:] if "\topen\t" in line)
    _, name, number = alert_id.split(":")
    fake.set_alert_state(
        name,
        "code-scanning",
        int(number),
        "dismissed",
        reason="used in tests",
        comment=COMMENT,
        by="hubot",
    )
    dismissed = apply(3)
    line = next(
        x
        for x in (repo.path / "reports" / "crit" / "ledger.tsv").read_text().splitlines()
        if x.startswith(alert_id + "\t")
    )
    assert line.split("\t")[4:] == [
        "used in tests",
        "hubot",
        "Only reachable from the admin console\\u001b[2J; ask @acme/appsec",
    ]
    code, out, _ = history(capsys, repo.path, alert_id, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert events(document, "crit") == [
        ("joined", joined, "open"),
        ("state", dismissed, "dismissed"),
    ]
    last = document["campaigns"][0]["events"][-1]
    assert (last["reason"], last["by"], last["comment"]) == ("used in tests", "hubot", COMMENT)
