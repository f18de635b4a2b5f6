"""Day one in an organization set up as the README says (issue 14): a protected default
branch, a repository with Issues turned off, a reviewer, a developer who closes an issue by
hand, a dismissal with a reason, and an auditor.

Every step runs the command line as a person or the reconcile job would, against the
fake GitHub: the campaigns repository `acme/campaigns` is a bare git repository the fake
serves, protected by the setup guide's ruleset (pull requests required on `main`); the
App that writes issues and the reports' pull request is `acme-campaign-sync[bot]`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub
from testing.git import git, isolate_git

from campaign_sync import cli
from campaign_sync.github import tracker
from campaign_sync.github.delivery import ensure_pull_request
from campaign_sync.issue_markers import find_marker
from campaign_sync.ledger import read_ledger
from campaign_sync.sources.github import GitHubSource

APP = "acme-campaign-sync[bot]"
REPORTS_APP = "acme-campaign-sync-reports[bot]"
REPO = "acme/campaigns"
CONFIG = """\
organizations: [acme]
limits: {write-interval: 0}
delivery: {mode: pull-request, auto-merge: true}
"""


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)
    for variable in (
        "CAMPAIGN_SYNC_DELIVERY_TOKEN",
        "FAKE_GITHUB_PUSHER",
        "GITHUB_ACTOR",
        "GITHUB_TOKEN",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)


class Organization:
    """The fake GitHub, the campaigns repository it serves, and the people of day one."""

    def __init__(
        self,
        tmp_path: Path,
        fake: FakeGitHub,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self.fake = fake
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.last = tmp_path  # the checkout of the last reconcile
        self.origin = tmp_path / "campaigns.git"
        git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(self.origin))
        seed = tmp_path / "seed"
        git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
        # README, "Set up a campaigns repository", step 1 (and `delivery:` of step 5).
        (seed / "campaigns").mkdir()
        (seed / "campaigns" / ".gitkeep").write_text("")
        (seed / "campaign-sync.yml").write_text(CONFIG, encoding="utf-8")
        git(seed, "add", ".")
        git(seed, "commit", "--quiet", "-m", "Set up campaign-sync")
        git(seed, "push", "--quiet", self.origin.as_uri(), "main")
        acme = fake.state.org("acme")
        assert acme is not None
        fake.state.add_repo(acme, "campaigns")
        fake.attach_git(REPO, self.origin)
        fake.allow_auto_merge(REPO)
        # Step 5: a ruleset requiring pull requests on main; nobody on its bypass list.
        fake.protect_branch(REPO, "main")
        self.app = fake.add_token(user=APP, kind="installation", permissions=_APP)
        self.reports_app = fake.add_token(
            user=REPORTS_APP, kind="installation", permissions=_REPORTS_APP
        )
        self.reader = fake.add_token(user=APP, kind="installation", permissions=_READ)
        self.mona = fake.add_token(user="mona")  # the security lead, a person
        self.clones = 0

    def clone(self) -> Path:
        self.clones += 1
        name = f"clone-{self.clones}"
        git(self.tmp, "clone", "--quiet", self.origin.as_uri(), name)
        return self.tmp / name

    def run(self, where: Path, *argv: str, token: str | None, ci: bool) -> tuple[int, str, str]:
        """One command, as the person at ``where`` or the reconcile job (``ci``) runs it."""
        capsys = self.capsys
        self.monkeypatch.chdir(where)
        self.monkeypatch.setenv("GITHUB_API_URL", self.fake.url)
        if token is None:
            self.monkeypatch.delenv("GH_TOKEN", raising=False)
        else:
            self.monkeypatch.setenv("GH_TOKEN", token)
        for variable in ("CI", "GITHUB_ACTIONS"):
            if ci:
                self.monkeypatch.setenv(variable, "true")
            else:
                self.monkeypatch.delenv(variable, raising=False)
        capsys.readouterr()
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    def merge_pull_request(self, work: Path, branch: str, title: str) -> int:
        """A person pushes ``branch`` and opens a pull request; a reviewer approves and
        merges it. Its number."""
        git(work, "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
        pull = ensure_pull_request(
            transport_for(self.fake, self.mona), REPO, branch, "main", title=title, body=""
        )
        self.fake.merge_pull(REPO, pull.number)
        return pull.number

    def reconcile(self, *extra: str) -> dict[str, Any]:
        """The reconcile job: a fresh checkout of main, `apply --commit` in CI."""
        work = self.clone()
        (work / "campaigns" / "stray.yml").write_text(STRAY, encoding="utf-8")  # never reviewed
        self.monkeypatch.setenv("CAMPAIGN_SYNC_DELIVERY_TOKEN", self.reports_app)
        code, out, err = self.run(
            work, "apply", "--commit", "--format", "json", *extra, token=self.app, ci=True
        )
        assert code == 0, out + err
        assert "campaigns/stray.yml: not committed (untracked); left out" in err
        document: dict[str, Any] = json.loads(out)
        self.last = work
        return document


# The README's permission tables: the App that writes issues has no Contents and no Pull
# requests; the reports App, on the campaigns repository, has only those; the pull
# requests' plan job reads.
_READ = {
    "security_events": "read",
    "secret_scanning_alerts": "read",
    "vulnerability_alerts": "read",
    "issues": "read",
    "metadata": "read",
    "organization_custom_properties": "read",
}
_APP = {**_READ, "issues": "write"}
_REPORTS_APP = {"contents": "write", "pull_requests": "write", "metadata": "read"}
STRAY = """\
name: Stray
description: Written on the runner, never reviewed.
managers: [mallory]
contact: https://example.com
ends: 2027-03-31
state: active
select: {alerts: [dependabot]}
"""


@pytest.fixture
def org(
    tmp_path: Path,
    fake_github_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Organization:
    fake = fake_github_factory(repos=6, alerts=150, seed=1)
    return Organization(tmp_path, fake, monkeypatch, capsys)


def tracking_issues(fake: FakeGitHub) -> dict[str, tracker.IssueRef]:
    """The crit campaign's tracking issue of each repository, as GitHub holds it."""
    transport = transport_for(fake)
    found: dict[str, tracker.IssueRef] = {}
    for name in fake.repo_names():
        try:
            listed = tracker.list_issues_with_label(transport, name, "campaign-sync")
        except Exception:
            continue  # Issues turned off
        for issue in listed:
            if find_marker(issue.body) == ("crit", name):
                found[name] = issue
    return found


def test_day_one(org: Organization) -> None:
    fake = org.fake
    listing = GitHubSource(transport_for(fake), "acme").fetch()
    archived = {r.full_name for r in listing.repositories if r.archived}
    selected: dict[str, list[int]] = {}
    for alert in listing.alerts:
        if (
            alert.type == "code-scanning"
            and alert.is_open
            and alert.severity in ("critical", "high")
            and alert.repository not in archived
        ):
            selected.setdefault(alert.repository, []).append(alert.number or 0)
    assert len(selected) >= 4, "the seed gives four repositories something to fix"
    issues_off, narrowed, hand_closed, dismissed_in, *_ = sorted(selected)
    fake.set_feature(issues_off, "has_issues", False)

    # --- The security lead writes a first campaign (README: "Write a first campaign") ---
    work = org.clone()
    git(work, "switch", "--quiet", "-c", "campaign/crit")
    code, _, err = org.run(
        work,
        "new",
        "crit",
        "--template",
        "critical-high-code-scanning",
        "--ends",
        "2027-03-31",
        token=None,
        ci=False,
    )
    assert code == 0, err
    crit = work / "campaigns" / "crit.yml"
    crit.write_text(crit.read_text().replace("state: draft", "state: active"))
    # Item 11: `new`'s placeholders do not pass validate once the campaign is active.
    code, out, _ = org.run(work, "validate", token=None, ci=False)
    assert code == 1
    assert "'your-github-login' is the placeholder `new` wrote" in out
    assert "2 errors in 1 of 2 files" in out  # the manager and the contact; the config is fine
    text = crit.read_text().replace("your-github-login", "mona")
    text = re.sub(r"(?m)^contact: .*$", "contact: https://github.com/orgs/acme/discussions/7", text)
    crit.write_text(text)
    code, out, _ = org.run(work, "validate", token=None, ci=False)
    assert code == 0, out
    # A draft beside it: planned, shown, never applied (item 7).
    code, _, err = org.run(
        work,
        "new",
        "xss",
        "--template",
        "xss",
        "--manager",
        "mona",
        "--contact",
        "https://github.com/orgs/acme/discussions/8",
        "--ends",
        "2027-06-30",
        token=None,
        ci=False,
    )
    assert code == 0, err

    # --- The reviewer reads the plan (a mistyped option is no "changes": item 7) ---
    code, out, err = org.run(work, "plan", "--formt", "markdown", token=org.reader, ci=False)
    assert code == 64
    assert "No such option '--formt'" in err
    code, out, err = org.run(work, "plan", "--format", "json", token=org.reader, ci=False)
    assert code == 2, err
    plan = json.loads(out)
    crit_creates = [a for a in plan["actions"] if a["campaign"] == "crit"]
    assert {a["repository"] for a in crit_creates} == set(selected) - {issues_off}
    assert all(a["kind"] == "create_issue" and not a["draft"] for a in crit_creates)
    (held,) = next(c for c in plan["campaigns"] if c["campaign"] == "crit")["held"]
    assert (held["repository"], held["reason"]) == (issues_off, "issues-off")
    code, out, _ = org.run(work, "plan", token=org.reader, ci=False)
    assert code == 2
    assert "more in drafts)" in out
    git(work, "add", "campaigns")
    git(work, "commit", "--quiet", "-m", "Campaign: critical and high code scanning")
    org.merge_pull_request(work, "campaign/crit", "Campaign: critical and high code scanning")

    # --- The first reconcile: issues opened, the reports in a pull request (item 1) ---
    first = org.reconcile()
    opened = [a for a in first["actions"] if a["outcome"] == "done"]
    assert {a["repository"] for a in opened} == set(selected) - {issues_off}
    for action in opened:  # item 11: every action counted, with its URL
        assert action["url"] == (
            f"https://github.com/{action['repository']}/issues/{action['number']}"
        )
    assert [a["position"] for a in first["actions"]] == list(range(1, len(opened) + 1))
    delivered = "\n".join(first["delivery"])
    assert "pushed to campaign-sync/reports" in delivered
    assert "pull request #2 opened" in delivered
    assert "auto-merge on" in delivered
    assert not git(org.origin, "ls-tree", "main", "reports").strip()  # main is protected
    (reports_pull,) = fake.pulls(REPO)[1:]
    assert reports_pull["user"]["login"] == REPORTS_APP
    fake.merge_pull(REPO, reports_pull["number"])  # auto-merge, once the checks pass
    ledger = json.loads(git(org.origin, "show", "main:reports/crit/ledger.json"))
    assert ledger["campaign"] == "crit"
    assert issues_off in git(org.origin, "show", "main:reports/crit/README.md")

    # --- A week of real life ---
    issues = tracking_issues(fake)
    assert set(issues) == set(selected) - {issues_off}
    mona = transport_for(fake, org.mona)
    tracker.close_issue(mona, hand_closed, issues[hand_closed].number)  # "done, I think"
    dismissed_number = selected[dismissed_in][0]
    fake.set_alert_state(
        dismissed_in,
        "code-scanning",
        dismissed_number,
        "dismissed",
        reason="false positive",
        comment="Input is a constant; see ADR-12",
        by="hubot",
    )
    # An admin deletes a tracking issue: it is replaced, not failed on for ever (item 6).
    fake.delete_issue(dismissed_in, issues[dismissed_in].number)
    # A pull request narrows the campaign: one repository leaves the scope (item 5).
    work = org.clone()
    git(work, "switch", "--quiet", "-c", "campaign/crit-narrow")
    crit = work / "campaigns" / "crit.yml"
    crit.write_text(
        crit.read_text().replace(
            "  membership: snapshot",
            f"  repositories: {{exclude: [{narrowed}]}}\n  membership: snapshot",
        )
    )
    code, out, err = org.run(work, "plan", "--campaign", "crit", token=org.reader, ci=False)
    assert code == 2, err
    assert f"close tracking issue {narrowed}#{issues[narrowed].number}" in out
    assert "no longer selected" in out or "left the campaign's scope" in out
    # Drift: the hand-closed issue is reopened, naming its open alerts (item 6).
    assert f"reopen tracking issue {hand_closed}#{issues[hand_closed].number}" in out
    assert "only crit planned (--campaign): 1 other campaign left as they are" in out
    git(work, "commit", "--quiet", "-am", "crit: leave out " + narrowed)
    narrowing_pull = org.merge_pull_request(work, "campaign/crit-narrow", "crit: narrow")

    # --- The second reconcile ---
    second = org.reconcile()
    done = {(a["kind"], a["repository"]) for a in second["actions"] if a["outcome"] == "done"}
    assert ("close_issue", narrowed) in done
    assert ("reopen_issue", hand_closed) in done
    closed = tracker.get_issue(transport_for(fake), narrowed, issues[narrowed].number)
    assert (closed.state, closed.state_reason) == ("closed", "not_planned")
    reopened = tracker.get_issue(transport_for(fake), hand_closed, issues[hand_closed].number)
    assert reopened.state == "open"
    comment = tracker.list_comments(transport_for(fake), hand_closed, reopened.number)[-1]
    assert "closed while" in comment.body or "still open" in comment.body
    delivered = "\n".join(second["delivery"])
    assert "1 dismissed" in delivered
    assert " left, " in delivered  # the narrowed repository's members left the campaign
    # The first reports pull request was merged: a new one, from main.
    assert f"pull request #{reports_pull['number'] + 2} opened" in delivered
    replaced = tracking_issues(fake)[dismissed_in]
    assert replaced.number != issues[dismissed_in].number
    assert ("create_issue", dismissed_in) in done
    (pull,) = [p for p in fake.pulls(REPO) if p["state"] == "open"]
    fake.merge_pull(REPO, pull["number"])
    recorded = {i.repository: i.number for i in read_ledger(org.last / "reports", "crit").issues}
    assert recorded[dismissed_in] == replaced.number

    # --- The auditor asks, from git alone (item 9) ---
    auditor = org.clone()
    alert_id = f"code-scanning:{dismissed_in}:{dismissed_number}"
    code, out, err = org.run(auditor, "history", alert_id, "--format", "json", token=None, ci=False)
    assert code == 0, err
    answer = json.loads(out)
    last = answer["campaigns"][0]["events"][-1]
    assert (last["state"], last["reason"], last["by"], last["comment"]) == (
        "dismissed",
        "false positive",
        "hubot",
        "Input is a constant; see ADR-12",
    )
    code, out, err = org.run(auditor, "history", "crit", token=None, ci=False)
    assert code == 0, err
    assert f"#{narrowing_pull}" in out, out
    page = (auditor / "reports" / "crit" / "README.md").read_text(encoding="utf-8")
    assert "dismissed" in page
    ledger_members = read_ledger(auditor / "reports", "crit").members
    assert all(m.repository != narrowed or m.state != "open" for m in ledger_members)

    # --- Weeks later, a pull request deletes the campaign: its work is wound down (item 8) ---
    work = org.clone()
    git(work, "switch", "--quiet", "-c", "campaign/crit-remove")
    git(work, "rm", "--quiet", "campaigns/crit.yml")
    code, out, err = org.run(work, "plan", token=org.reader, ci=False)
    assert code == 2, err
    assert "campaign crit (its campaign file was removed: wound down)" in out
    still_open = [name for name, i in tracking_issues(fake).items() if i.state == "open"]
    assert out.count("- close tracking issue") == len(still_open)
