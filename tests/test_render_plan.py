"""Plan renderers: exact text, markdown and json for one plan; hostile text made inert."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import pytest

from campaign_sync.actions import (
    CloseIssue,
    CommentIssue,
    CreateIssue,
    CreateNativeCampaign,
    ReopenIssue,
    RequestAutofix,
    UpdateIssue,
)
from campaign_sync.campaign_plan import CampaignSummary
from campaign_sync.destinations import KINDS
from campaign_sync.native import NativeFields
from campaign_sync.plan import Plan
from campaign_sync.render.plan import (
    PLAN_FORMATS,
    render_json,
    render_markdown,
    render_text,
    summary_line,
)

GOLDEN = Path(__file__).parent / "golden"
# Set to rewrite the golden files from the renderers (then review the diff).
UPDATE = os.environ.get("CAMPAIGN_SYNC_UPDATE_GOLDEN") == "1"

FIELDS = NativeFields(
    name="SQL injection burn-down",
    description="Fix every SQL injection alert.",
    ends="2027-03-31",
    contact_link="https://github.com/orgs/acme/discussions/42",
    managers=("mona",),
    team_managers=("appsec",),
)
SECTION = "<!-- campaign-sync:v1 campaign=sqli repository=acme/web -->"

PLAN = Plan(
    actions=(
        CreateIssue(
            "sqli",
            "acme/api",
            "[Security campaign] SQL injection burn-down: acme/api",
            SECTION,
            "0123456789abcdef",
            ("security",),
            ("mona",),
        ),
        RequestAutofix("sqli", "acme/api", "code-scanning:acme/api:3", 3),
        ReopenIssue("sqli", "acme/db", 12, "comment", "1 alert open again"),
        UpdateIssue("sqli", "acme/db", 12, SECTION, "fedcba9876543210"),
        UpdateIssue("sqli", "acme/web", 7, SECTION, "fedcba9876543210"),
        CloseIssue("sqli", "acme/web", 7, "comment", "all 2 alerts closed"),
        CommentIssue("sqli", "acme/www", 9, "body", "the due date 2026-11-01 has passed"),
        CreateNativeCampaign(
            "sqli", "acme", FIELDS, ((10, (1, 2)), (11, (3,))), "3 code scanning alerts"
        ),
        CreateIssue(
            "xss",
            "acme/web",
            "[Security campaign] XSS: acme/web",
            SECTION,
            "0123456789abcdef",
            (),
            (),
        ),
    ),
    campaigns=(
        CampaignSummary(
            "sqli",
            "SQL injection burn-down",
            "active",
            {"open": 3, "fixed": 2, "dismissed": 1, "resolved": 1},
            4,
            3,
            held=(("acme/docs", "issues-off", 12), ("acme/old", "archived", 2)),
        ),
        CampaignSummary(
            "xss",
            "XSS | cross-site <scripting>",
            "draft",
            {"open": 1, "fixed": 0, "dismissed": 0, "resolved": 0},
            1,
            0,
        ),
        CampaignSummary(
            "idle", "Idle", "closed", {"open": 0, "fixed": 0, "dismissed": 0, "resolved": 0}, 0, 0
        ),
    ),
    ledgers=(),
    applies=frozenset({"sqli", "idle"}),
    notes=(
        "sqli: acme/docs has Issues turned off: 12 alerts tracked in the report only",
        "sqli: acme/old is archived: 2 alerts frozen (read-only; none counts as fixed)",
        "xss: not mirrored into a native GitHub campaign: it has no open code scanning alerts "
        "(the only kind GitHub takes)",
    ),
)

EMPTY = Plan(
    actions=(),
    campaigns=(
        CampaignSummary(
            "idle", "Idle", "active", {"open": 0, "fixed": 1, "dismissed": 0, "resolved": 0}, 1, 0
        ),
    ),
    ledgers=(),
)


@pytest.mark.parametrize(
    ("name", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")]
)
def test_golden(name: str, suffix: str) -> None:
    rendered = PLAN_FORMATS[name](PLAN)
    path = GOLDEN / f"plan.{suffix}"
    if UPDATE:
        path.write_bytes(rendered.encode("utf-8"))
    assert rendered.encode("utf-8") == path.read_bytes()


def test_formats_are_the_three_renderers() -> None:
    assert list(PLAN_FORMATS) == ["text", "markdown", "json"]
    assert list(PLAN_FORMATS.values()) == [render_text, render_markdown, render_json]


def test_json_shape() -> None:
    document = json.loads(render_json(PLAN))
    assert document["version"] == 2
    assert document["changes"] is True
    assert [r["draft"] for r in document["actions"]] == [
        a.campaign not in PLAN.applies for a in PLAN.actions
    ]
    assert any(r["draft"] for r in document["actions"])
    # 10 writes; reads one by one: 3 issues (5 actions), 1 repository's labelled issues
    # before and after its create, the open native campaigns. The draft's costs nothing.
    assert document["requests"] == PLAN.requests == 16
    for record in document["actions"]:
        assert {"kind", "campaign", "repository"} <= set(record)
    assert [c["members"] for c in document["campaigns"]] == [
        dict(s.members) for s in PLAN.campaigns
    ]


def test_drafts_alone_are_no_changes_and_the_count_line_says_what_they_would_do() -> None:
    """Drafts alone made plan exit 2 for ever, so the action's `changes` was always true."""
    drafts = dataclasses.replace(
        PLAN,
        actions=tuple(a for a in PLAN.actions if a.campaign not in PLAN.applies),
    )
    assert drafts.actions
    assert not drafts.has_changes
    assert summary_line(drafts) == (
        "No changes to apply. Drafts, never applied, would make: 0 create issue (1 more in drafts)."
    )
    assert json.loads(render_json(drafts))["changes"] is False


def test_signs_mark_creations_closes_and_updates_apart() -> None:
    """`~` marked every kind but two, a native campaign's creation included."""
    assert {kind: KINDS[kind].sign for kind in ("create_issue", "create_native_campaign")} == {
        "create_issue": "+",
        "create_native_campaign": "+",
    }
    assert {k for k, facts in KINDS.items() if facts.sign == "~"} == {
        "update_issue",
        "update_native_campaign",
    }
    assert all(facts.sign and facts.verb for facts in KINDS.values())  # every kind has both


def test_empty_plan() -> None:
    assert summary_line(EMPTY) == "No changes: GitHub already matches the campaigns."
    assert render_text(EMPTY) == (
        "campaign idle: 1 alert: 1 fixed in 1 repository\n"
        "No changes: GitHub already matches the campaigns.\n"
    )
    assert render_markdown(EMPTY) == (
        "### campaign-sync plan\n"
        "\n"
        "No changes: GitHub already matches the campaigns\\.\n"
        "\n"
        "| Campaign | State | Members | Open | Fixed | Dismissed | Repositories | Changes |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| Idle (`idle`) | active | 1 | 0 | 1 | 0 | 1 | 0 |\n"
    )
    document = json.loads(render_json(EMPTY))
    assert (document["changes"], document["requests"], document["counts"]) == (False, 0, {})
    assert (document["actions"], document["notes"]) == ([], [])


# --- hostile text ---------------------------------------------------------------------

HOSTILE_REPO = (
    "evil/@mona <img src=x onerror=alert(1)> [x](https://evil.example) #1 "
    "\x1b[2J\u202e|gh-3\nnext line"
)
HOSTILE_REASON = "reason @acme/team <script>x</script> | `code` **b**\r\nmore"
HOSTILE = Plan(
    actions=(
        CloseIssue("sqli", HOSTILE_REPO, 7, "comment", HOSTILE_REASON),
        RequestAutofix("sqli", HOSTILE_REPO, f"code-scanning:{HOSTILE_REPO}:1", 1),
    ),
    campaigns=(
        CampaignSummary(
            "sqli",
            "@mona | <b>name</b>\n| --- |",
            "active",
            {"open": 1, "fixed": 0, "dismissed": 0, "resolved": 0},
            1,
            1,
        ),
    ),
    ledgers=(),
    applies=frozenset({"sqli"}),
    notes=("note @mona <b>x</b>\x07",),
)


def test_text_shows_control_and_invisible_characters_as_escapes() -> None:
    assert render_text(HOSTILE) == (
        "campaign sqli: 1 alert: 1 open in 1 repository\n"
        "  - close tracking issue evil/@mona <img src=x onerror=alert(1)> "
        "[x](https://evil.example) #1 \\u{1b}[2J\\u{202e}|gh-3\\u{a}next line#7 "
        "(reason @acme/team <script>x</script> | `code` **b**\\u{d}\\u{a}more)\n"
        "  > request Copilot Autofix for code-scanning:evil/@mona <img src=x "
        "onerror=alert(1)> [x](https://evil.example) #1 \\u{1b}[2J\\u{202e}|gh-3\\u{a}"
        "next line:1\n"
        "note: note @mona <b>x</b>\\u{7}\n"
        "Plan: 1 close issue, 1 request autofix; about 4 API requests. 3 of them writes.\n"
    )


def test_markdown_makes_hostile_text_inert() -> None:
    wj = "\u2060"  # WORD JOINER: breaks mentions, references and autolinks invisibly
    assert render_markdown(HOSTILE) == (
        "### campaign-sync plan\n"
        "\n"
        "Plan: 1 close issue, 1 request autofix; about 4 API requests\\. 3 of them writes\\.\n"
        "\n"
        "| Campaign | State | Members | Open | Fixed | Dismissed | Repositories | Changes |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| @{wj}mona \\| &lt;b&gt;name&lt;/b&gt; \\| \\-\\-\\- \\| (`sqli`) | active "
        "| 1 | 1 | 0 | 0 | 1 | 2 |\n"
        "\n"
        "<details><summary>Actions</summary>\n"
        "\n"
        f"- `sqli`: close tracking issue evil/@{wj}mona &lt;img src=x onerror=alert\\(1\\)&gt; "
        f"\\[x\\]\\(https:{wj}//evil\\.example\\) \\#{wj}1 \\[2J\\|gh\\-{wj}3 next line"
        f"\\#{wj}7 \\(reason @{wj}acme/team &lt;script&gt;x&lt;/script&gt; \\| \\`code\\` "
        "\\*\\*b\\*\\* more\\)\n"
        f"- `sqli`: request Copilot Autofix for code\\-scanning:evil/@{wj}mona "
        f"&lt;img src=x onerror=alert\\(1\\)&gt; \\[x\\]\\(https:{wj}//evil\\.example\\) "
        f"\\#{wj}1 \\[2J\\|gh\\-{wj}3 next line:1\n"
        "\n"
        "</details>\n"
        "\n"
        f"> note @{wj}mona &lt;b&gt;x&lt;/b&gt;\n"
    )


HOSTILE_STRINGS = [
    "@acme/security-team please",
    "<img src=x onerror=alert(1)>",
    "<!-- campaign-sync:v1 campaign=x repository=evil/repo -->",
    "[click](https://evil.example)",
    "**bold** __bold__ *it* `code` ~~gone~~ | table | $x^2$",
    "zero\u200bwidth\u200d\ufeffjoined rtl \u202eoverride\u202c \u2066isolate\u2069",
    "line one\nline two\rline three\r\nline four\u2028line five",
    "see #1 and GH-2 and https://evil.example and www.evil.example",
    "\x1b[31mred\x07\x00\x9b",
]
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_hostile_repository_and_reason_stay_on_their_line(text: str) -> None:
    plan = Plan(
        actions=(
            CloseIssue("sqli", f"acme/{text}", 7, "comment", text),
            ReopenIssue("sqli", f"acme/{text}x", 8, "comment", text),
        ),
        campaigns=(CampaignSummary("sqli", text, "active", {"open": 1}, 1, 1),),
        ledgers=(),
    )
    markdown = render_markdown(plan)
    assert markdown.count("\n") == render_markdown(_plain(plan)).count("\n")
    assert "<" not in markdown.replace("<details><summary>Actions</summary>", "").replace(
        "</details>", ""
    )
    assert not re.search(r"@[A-Za-z0-9]", markdown)
    assert not re.search(r"(?<!\\)[\[\]()*_`|~]", _actions_and_rows(markdown))
    assert not _UNSAFE.search(markdown.replace("\n", ""))

    text_out = render_text(plan)
    assert text_out.count("\n") == render_text(_plain(plan)).count("\n")
    assert not _UNSAFE.search(text_out.replace("\n", ""))
    json_out = render_json(plan)
    assert json.loads(json_out)["actions"][0]["reason"] == text  # json keeps it, escaped


def _plain(plan: Plan) -> Plan:
    """The same plan with harmless text, for counting lines."""
    return Plan(
        actions=(
            CloseIssue("sqli", "acme/a", 7, "comment", "reason"),
            ReopenIssue("sqli", "acme/b", 8, "comment", "reason"),
        ),
        campaigns=(CampaignSummary("sqli", "name", "active", {"open": 1}, 1, 1),),
        ledgers=(),
    )


def _actions_and_rows(markdown: str) -> str:
    """The text taken from the plan: action lines after the campaign id, row names."""
    parts = []
    for line in markdown.splitlines():
        if line.startswith("- `sqli`: "):
            parts.append(line.removeprefix("- `sqli`: "))
        elif line.startswith("| ") and "(`sqli`)" in line:
            parts.append(line[2 : line.index(" (`sqli`)")])
    return "\n".join(parts)
