"""The sticky pull request comment, over real HTTP against the fake GitHub: created once,
edited in place after that (exactly one comment, counted on the fake), never a person's
comment that carries a pasted marker, no write when nothing changed, and errors that say
what to do. The body rules (marker, defused markers, the size limit) are pure.

The fake has issues but no pull requests; a pull request's conversation comments are its
issue's (the same endpoint), so an issue stands in for the pull request.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for, transport_options
from testing.fake_github import FakeGitHub

from campaign_sync.cli import main
from campaign_sync.github import tracker
from campaign_sync.github.pr_comment import (
    MAX_BODY,
    IssueComment,
    PullRequestCommentError,
    is_sticky,
    list_pull_request_comments,
    marker,
    sticky_body,
    upsert_sticky_comment,
)
from campaign_sync.github.transport import Transport

BOT = "github-actions[bot]"
PLAN_1 = "### campaign-sync plan\n\nPlan: 3 create issue.\n"
PLAN_2 = "### campaign-sync plan\n\nPlan: 2 create issue, 1 close issue.\n"


@pytest.fixture
def fake(fake_github_factory: Callable[..., FakeGitHub]) -> FakeGitHub:
    return fake_github_factory(repos=2, alerts=10, seed=5)


@pytest.fixture
def repo(fake: FakeGitHub) -> str:
    return fake.repo_names(archived=False)[0]


@pytest.fixture
def pr(fake: FakeGitHub, repo: str) -> int:
    """A pull request's conversation, opened by a person (the fake's default token)."""
    issue = tracker.create_issue(
        transport_for(fake),
        repo,
        title="Add the sql-injection campaign",
        body="Please review.",
        labels=["campaigns"],
        find_existing=lambda body: False,
    )
    return issue.number


@pytest.fixture
def bot(fake: FakeGitHub) -> str:
    """A token that comments as github-actions[bot], like GITHUB_TOKEN in a workflow."""
    return fake.add_token(user=BOT)


def comments(fake: FakeGitHub, repo: str, number: int) -> tuple[IssueComment, ...]:
    return list_pull_request_comments(transport_for(fake), repo, number)


# -- the body --------------------------------------------------------------------------------


def test_the_body_starts_with_the_marker_of_its_key() -> None:
    body, truncated = sticky_body(PLAN_1)
    assert body == "<!-- campaign-sync:plan -->\n" + PLAN_1
    assert not truncated
    assert sticky_body(PLAN_1, "drift")[0].startswith("<!-- campaign-sync:drift -->\n")


def test_a_marker_inside_the_text_is_defused() -> None:
    forged = "hello\n<!-- campaign-sync:other -->\n"
    body, _ = sticky_body(forged, "plan")
    assert body.count("<!-- campaign-sync:") == 1
    assert "&lt;!-- campaign-sync:other -->" in body


@pytest.mark.parametrize("key", ["", "Plan", "a b", "x" * 65, "-plan", "plan-->"])
def test_a_bad_key_is_refused(key: str) -> None:
    with pytest.raises(PullRequestCommentError, match="is not a comment key"):
        marker(key)


def test_a_long_text_is_cut_on_a_line_with_a_note_and_its_code_block_closed() -> None:
    line = "- `sql-injection`: open tracking issue acme/web-" + "x" * 40 + "\n"
    text = "### plan\n\n```\n" + line * 2_000 + "```\n"
    assert len(text) > MAX_BODY
    body, truncated = sticky_body(text)
    assert truncated
    assert len(body) <= MAX_BODY
    assert body.startswith(marker())
    kept, note = body.split("\n---\n")
    assert kept.endswith("\n```\n")  # the open block is closed before the note
    assert kept.count("```") % 2 == 0
    assert kept.splitlines()[-2] == line.rstrip("\n")  # whole lines only
    assert f"this text has {len(text):,}" in note
    assert "job summary" in note


def test_a_text_just_at_the_limit_is_not_cut() -> None:
    room = MAX_BODY - len(marker()) - 1
    text = "x" * (room - 1) + "\n"
    body, truncated = sticky_body(text)
    assert not truncated
    assert len(body) == MAX_BODY


def comment_by(author: str, kind: str, body: str) -> IssueComment:
    return IssueComment(id=1, body=body, author=author, author_type=kind)


@pytest.mark.parametrize(
    ("comment", "author", "expected"),
    [
        (comment_by(BOT, "Bot", marker() + "\nplan"), None, True),
        (comment_by("acme-sync[bot]", "Bot", "\n" + marker() + "\nplan"), None, True),
        (comment_by("mona", "User", marker() + "\npasted"), None, False),
        (comment_by(BOT, "Bot", "plan\n" + marker()), None, False),  # marker not first
        (comment_by(BOT, "Bot", marker("drift") + "\nplan"), None, False),  # other key
        (comment_by("sync-bot", "User", marker() + "\nplan"), "sync-bot", True),
        (comment_by("Sync-Bot", "User", marker() + "\nplan"), "@sync-bot", True),
        (comment_by(BOT, "Bot", marker() + "\nplan"), "sync-bot", False),
        (comment_by("mona", "User", marker() + "\npasted"), "sync-bot", False),
    ],
)
def test_a_comment_is_ours_by_marker_and_author(
    comment: IssueComment, author: str | None, expected: bool
) -> None:
    assert is_sticky(comment, "plan", author) is expected


# -- against the fake ------------------------------------------------------------------------


def test_the_first_run_creates_and_the_next_edits_the_same_comment(
    fake: FakeGitHub, repo: str, pr: int, bot: str
) -> None:
    first = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1)
    assert first.outcome == "created"
    second = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_2)
    assert second.outcome == "updated"
    assert second.comment_id == first.comment_id
    on_github = comments(fake, repo, pr)
    assert len(on_github) == 1
    assert on_github[0].id == first.comment_id
    assert on_github[0].author == BOT
    assert on_github[0].body == marker() + "\n" + PLAN_2


def test_an_unchanged_text_makes_no_write(fake: FakeGitHub, repo: str, pr: int, bot: str) -> None:
    upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1)
    writes = fake.snapshot()["writes"]
    again = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1 + "\n\n")
    assert again.outcome == "unchanged"
    assert fake.snapshot()["writes"] == writes
    assert len(comments(fake, repo, pr)) == 1


def test_a_person_who_pasted_the_marker_keeps_their_comment(
    fake: FakeGitHub, repo: str, pr: int, bot: str
) -> None:
    pasted = marker() + "\nI copied the bot's comment to discuss it."
    mine = tracker.comment(transport_for(fake), repo, pr, pasted)  # the person's token
    created = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1)
    updated = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_2)
    assert created.outcome == "created"
    assert updated.comment_id == created.comment_id != mine.id
    by_id = {c.id: c for c in comments(fake, repo, pr)}
    assert len(by_id) == 2
    assert by_id[mine.id].body == pasted
    assert by_id[created.comment_id].body == marker() + "\n" + PLAN_2


def test_each_key_has_its_own_comment(fake: FakeGitHub, repo: str, pr: int, bot: str) -> None:
    plan = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1)
    drift = upsert_sticky_comment(transport_for(fake, bot), repo, pr, "drift", key="drift")
    upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_2)
    assert plan.comment_id != drift.comment_id
    bodies = sorted(c.body for c in comments(fake, repo, pr))
    assert bodies == [marker("drift") + "\ndrift\n", marker() + "\n" + PLAN_2]


def test_a_machine_user_is_recognized_by_login(fake: FakeGitHub, repo: str, pr: int) -> None:
    machine = fake.add_token(user="acme-sync")  # a person-type account: needs --author
    first = upsert_sticky_comment(
        transport_for(fake, machine), repo, pr, PLAN_1, author="acme-sync"
    )
    second = upsert_sticky_comment(
        transport_for(fake, machine), repo, pr, PLAN_2, author="acme-sync"
    )
    assert (first.outcome, second.outcome) == ("created", "updated")
    assert len(comments(fake, repo, pr)) == 1


def test_many_comments_are_paged_through(fake: FakeGitHub, repo: str, pr: int, bot: str) -> None:
    created = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1)
    chat = transport_for(fake)
    for n in range(105):  # past one page of 100
        tracker.comment(chat, repo, pr, f"review remark {n}")
    updated = upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_2)
    assert updated.comment_id == created.comment_id
    assert len(comments(fake, repo, pr)) == 106


class LosesFirstPost(Transport):
    """The first POST reaches the fake, but its answer is lost (the connection drops)."""

    def __init__(self, fake: FakeGitHub, **options: Any) -> None:
        super().__init__(**options)
        self.fake = fake
        self.lost = False

    def _send(self, method: str, url: str, headers: dict[str, str], body: Any) -> Any:
        lose = method == "POST" and not self.lost
        if lose:
            self.lost = True
            self.fake.set_faults(rate=1.0, kinds=["drop"], ambiguous_writes=True, seed=1)
        try:
            return super()._send(method, url, headers, body)
        finally:
            if lose:
                self.fake.set_faults(rate=0.0)


def test_a_create_whose_answer_was_lost_is_not_posted_twice(
    fake: FakeGitHub, repo: str, pr: int, bot: str
) -> None:
    transport = LosesFirstPost(fake, **transport_options(fake, bot))
    result = upsert_sticky_comment(transport, repo, pr, PLAN_1)
    assert transport.lost
    assert result.outcome == "created"
    assert [c.id for c in comments(fake, repo, pr)] == [result.comment_id]


def test_a_missing_pull_request_says_so(fake: FakeGitHub, repo: str, bot: str) -> None:
    with pytest.raises(PullRequestCommentError) as caught:
        upsert_sticky_comment(transport_for(fake, bot), repo, 999, PLAN_1)
    assert str(caught.value) == (
        f"reading the comments of pull request #999 of {repo}: pull request #999 was not "
        "found, or the token cannot see the repository (404). Check --repo and --pr, and "
        "that the token has access."
    )


def test_a_read_only_token_is_told_which_permission_the_job_needs(
    fake: FakeGitHub, repo: str, pr: int
) -> None:
    read_only = fake.add_token(user=BOT, permissions={"issues": "read", "metadata": "read"})
    with pytest.raises(PullRequestCommentError) as caught:
        upsert_sticky_comment(transport_for(fake, read_only), repo, pr, PLAN_1)
    message = str(caught.value)
    assert message.startswith(f"commenting on issue #{pr} of {repo}: ")
    assert "403" in message
    assert "`permissions: pull-requests: write`" in message
    assert "fork" in message
    assert read_only not in message
    assert comments(fake, repo, pr) == ()


def test_an_edit_refused_by_a_read_only_token_says_so(
    fake: FakeGitHub, repo: str, pr: int, bot: str
) -> None:
    upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_1)
    fake.remove_permission(bot, "issues")
    fake.grant_permission(bot, "issues", "read")
    with pytest.raises(PullRequestCommentError) as caught:
        upsert_sticky_comment(transport_for(fake, bot), repo, pr, PLAN_2)
    assert str(caught.value).startswith("editing comment ")
    assert "GitHub refused the write (403" in str(caught.value)


def test_an_empty_text_is_refused_before_any_request(fake: FakeGitHub, repo: str, pr: int) -> None:
    before = fake.snapshot()["total"]
    with pytest.raises(PullRequestCommentError, match="the text is empty"):
        upsert_sticky_comment(transport_for(fake), repo, pr, " \n")
    assert fake.snapshot()["total"] == before


# -- the command ---------------------------------------------------------------------------


def run_cli(args: list[str], token: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("GH_TOKEN", token)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    return main(args)


def test_the_command_creates_then_edits(
    fake: FakeGitHub,
    repo: str,
    pr: int,
    bot: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no campaign-sync.yml: the API URL comes from the flag
    plan = tmp_path / "plan.md"
    args = ["comment", "--repo", repo, "--pr", str(pr), "--body-file", str(plan)]
    args += ["--api-url", fake.url]
    plan.write_text(PLAN_1, encoding="utf-8")
    assert run_cli(args, bot, monkeypatch) == 0
    plan.write_text(PLAN_2, encoding="utf-8")
    monkeypatch.setenv("GITHUB_REPOSITORY", repo)  # Actions sets it: --repo may be left out
    assert main([a for a in args if a not in ("--repo", repo)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith(f"created the plan comment on {repo}#{pr}: http")
    assert lines[1].startswith(f"updated the plan comment on {repo}#{pr}: http")
    assert err == ""
    assert len(comments(fake, repo, pr)) == 1


def test_the_command_reports_errors_in_one_line(
    fake: FakeGitHub,
    repo: str,
    bot: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "plan.md"
    plan.write_text(PLAN_1, encoding="utf-8")
    args = ["comment", "--repo", repo, "--pr", "999", "--body-file", str(plan)]
    assert run_cli([*args, "--api-url", fake.url], bot, monkeypatch) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: reading the comments of pull request #999")
    assert "Traceback" not in err
    assert bot not in err


def test_the_command_refuses_a_body_that_is_not_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    binary = tmp_path / "plan.md"
    binary.write_bytes(b"\xff\xfe\x00plan")
    args = ["comment", "--repo", "acme/web", "--pr", "1", "--body-file", str(binary)]
    assert run_cli(args, "unused", monkeypatch) == 1
    assert "not UTF-8 text" in capsys.readouterr().err
