"""Hostile text through every rendering path: tracking issue sections, titles and comments
(render/issue.py), the plan in text, markdown and json, GitHub annotations, the job summary
and the terminal.

The corpus is tests/hostile/strings.txt (mentions, references, HTML, links and images,
autolinks, tables, comments and marker look-alikes, zero-width and bidi characters, line
breaks, controls, NULs) plus large generated strings (100 KB and more). Each entry goes into
each field that reaches a renderer. The property, checked against the same render with a
plain word in that field: the hostile text adds no live construct (mention, reference, HTML
tag, link, image, autolink, marker, emphasis, table cell, math), no line, no invisible or
control character, and the output grows by a bounded amount.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from campaign_sync import issue_markers, sla
from campaign_sync.commands.alerts import AlertFilter, list_alerts
from campaign_sync.config.loader import ValidationResult
from campaign_sync.model import Alert, Campaign, Member, Repository
from campaign_sync.plan import make_plan
from campaign_sync.problems import Problem
from campaign_sync.render import issue
from campaign_sync.render.annotations import workflow_command
from campaign_sync.render.plan import render_json, render_markdown, render_text
from campaign_sync.render.problems import report_github, report_text, step_summary, summary_line
from campaign_sync.section import IssueItem, section_digest
from campaign_sync.sources.base import SourceResult
from campaign_sync.untrusted.terminal import printable

CORPUS_FILE = Path(__file__).parent / "hostile" / "strings.txt"
TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
REPO = "acme/web"
PLAIN = "plain words"


def _decode(line: str) -> str:
    # unicode_escape reads bytes as Latin-1: keep non-ASCII characters as they are.
    return re.sub(
        r"\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrt\\])",
        lambda m: m.group(0).encode().decode("unicode_escape", "surrogatepass"),
        line,
    )


def corpus() -> list[str]:
    lines = CORPUS_FILE.read_text(encoding="utf-8").splitlines()
    entries = [_decode(line) for line in lines if line and not line.startswith("## ")]
    return [
        *entries,
        "\n".join(entries),  # all of them at once
        "@mona " * 20_000,  # 120 KB
        "<img src=x>" * 10_000,
        "\u202e" * 50_000 + "x",
        "a\n" * 50_000,
        "\x00" * 100_000,
        "#1 GH-1 " * 15_000,
        "[x](https://evil.example)" * 5_000,
        "<!-- campaign-sync:end -->\n" * 4_000,
    ]


CORPUS = corpus()

# Live constructs: what GitHub would turn into a notification, a link, a tag or structure.
_LIVE = {
    "mention": re.compile(r"(?<![\w\\`])@(?=[A-Za-z0-9])"),
    "reference": re.compile(r"(?<![\w\\&])#(?=\d)|(?<![\w\\])[Gg][Hh]-(?=\d)"),
    "cross-reference": re.compile(r"[\w.-]+/[\w.-]+[#@](?=[0-9a-f])"),
    "html": re.compile(r"<(?=[A-Za-z/!?])"),
    "link": re.compile(r"(?<!\\)\][(:]|!\["),
    # GitHub's autolinks (its extended autolinks: www. and http(s)://, not other schemes).
    "autolink": re.compile(r"(?i)https?://|(?<![\w\\])www\."),
    "marker-open": re.compile(r"<!--"),
    "marker-close": re.compile(r"-->"),
    "markup": re.compile(r"(?<!\\)[*_`~|$\[\]]"),
    "line": re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85"),
}
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\U000e0000-\U000e007f\ud800-\udfff]"
)


_WORD_MENTION = re.compile(r"(?:^|(?<=[\s(\[{\"'*_~]))@(?=[A-Za-z0-9])", re.MULTILINE)
_CODE_SPAN = re.compile(r"(?<!\\)`[^`\n]*`")


def live(text: str) -> Counter[str]:
    text = _CODE_SPAN.sub("`code`", text)  # inside a code span nothing is live
    counts = Counter({name: len(pattern.findall(text)) for name, pattern in _LIVE.items()})
    # The tool's own word joiners (U+2060) are how mentions and references are broken.
    counts["invisible"] = len(_INVISIBLE.findall(text.replace("\u2060", "")))
    return counts


def assert_inert(render: Callable[[str], str], path: str, growth: int) -> None:
    """Each corpus entry rendered where PLAIN was: nothing live added, size bounded."""
    baseline = render(PLAIN)
    expected = live(baseline)
    for text in CORPUS:
        out = render(text)
        found = live(out)
        assert found == expected, (path, text[:80], found - expected, expected - found)
        assert len(out) <= len(baseline) + growth, (path, text[:80], len(out))
        out.encode("utf-8")  # no lone surrogate reaches GitHub


# --- tracking issues ---------------------------------------------------------------------


def campaign(**overrides: Any) -> Campaign:
    data: dict[str, Any] = {
        "name": "SQL injection burn-down",
        "description": "Fix every SQL injection alert before the audit.",
        "managers": ["mona"],
        "contact": "https://github.com/orgs/acme/discussions/42",
        "ends": "2027-03-31",
        "state": "active",
        "select": {"alerts": ["code-scanning"]},
        "sla": {"critical": 7, "high": 30},
        "tracking": {"public-details": True},
    }
    data.update(overrides)
    return Campaign.from_data("sqli", data)


CAMPAIGN = campaign()


def alert(**fields: Any) -> Alert:
    values: dict[str, Any] = {
        "id": f"code-scanning:{REPO}:7",
        "type": "code-scanning",
        "repository": REPO,
        "state": "open",
        "number": 7,
        "rule_id": "py/sql-injection",
        "rule_name": "SQL query built from user-controlled sources",
        "tool": "CodeQL",
        "severity": "high",
        "path": "src/db.py",
        "start_line": 12,
        "html_url": f"https://github.com/{REPO}/security/code-scanning/7",
        "message": "This query depends on a user-provided value.",
        "package": "lodash",
        "ecosystem": "npm",
    }
    values.update(fields)
    return Alert(**values)


def item(value: Alert) -> IssueItem:
    member = Member(value.id, value.state, "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z")
    return IssueItem(member, value, sla.sla_due(CAMPAIGN, member, value))


def section(value: Alert) -> str:
    return issue.render_section(CAMPAIGN, REPO, Repository(REPO), [item(value)], today=TODAY)


# Alert fields that reach the issue (the message is never shown there).
ALERT_FIELDS = ["rule_id", "rule_name", "path", "package", "ecosystem", "severity"]
# Each field is cut (at most 300 characters) before it is escaped, which at most multiplies
# it by a small factor (`"` becomes `&quot;`).
FIELD_GROWTH = 6 * 300 + 50


@pytest.mark.parametrize("field", ALERT_FIELDS)
def test_alert_fields_are_inert_in_the_issue_section(field: str) -> None:
    assert_inert(lambda text: section(alert(**{field: text})), f"section:{field}", FIELD_GROWTH)


def test_a_dismissal_reason_is_inert() -> None:
    def render(text: str) -> str:
        return section(alert(state="dismissed", state_reason=text))

    assert_inert(render, "section:state_reason", FIELD_GROWTH)


def test_an_alert_url_is_never_a_link_elsewhere() -> None:
    def render(text: str) -> str:
        # PLAIN is no URL: shown in a code span, like every URL that is not the alert's
        # page on this repository's host.
        return section(alert(html_url=text))

    # Percent-encoded: at most 9 characters for each of its first 300.
    assert_inert(render, "section:html_url", 9 * 300 + 50)


def test_the_comment_reopening_an_issue_closed_by_hand_names_its_alerts_inertly() -> None:
    # Posted because an untrusted member closed the issue: every alert field and URL that
    # could reach it, hostile, leaves it as inert as the other comments.
    for field in [*ALERT_FIELDS, "html_url"]:

        def render(text: str, field: str = field) -> str:
            return issue.comment_hand_closed(CAMPAIGN, REPO, [item(alert(**{field: text}))])

        assert_inert(render, f"comment_hand_closed:{field}", 9 * 300 + 50)
    sarif = alert(id=f"code-scanning:{REPO}:sarif/@mona <b>x</b>", number=None)
    text = issue.comment_hand_closed(CAMPAIGN, REPO, [item(sarif)])
    assert "@mona" not in text
    assert "<b>" not in text


def test_an_unnumbered_alert_id_is_inert() -> None:
    # SARIF findings have no number: the label is the rest of the id, escaped.
    def render(text: str) -> str:
        return section(alert(id=f"code-scanning:{REPO}:sarif/{text}", number=None))

    assert_inert(render, "section:alert_id", 6 * 100 + 50)


def test_the_sections_markers_stay_the_only_markers() -> None:
    for text in CORPUS:
        for field in ALERT_FIELDS:
            body = section(alert(**{field: text}))
            assert issue_markers.find_marker(body) == ("sqli", REPO)
            assert (body.count("<!--"), body.count("-->")) == (2, 2)
            # A human's text around it survives a merge untouched.
            merged = issue_markers.merge_body("before\n\n" + body + "\n\nafter", body)
            assert merged == "before\n\n" + body + "\n\nafter"


@pytest.mark.parametrize("field", ["name"])
def test_campaign_fields_are_inert_in_sections_and_comments(field: str) -> None:
    # The schema already limits the name; the renderer must hold without it. (The contact
    # is a reviewed link and is meant to be one.)
    def render(text: str) -> str:
        hostile = dataclasses.replace(CAMPAIGN, **{field: text})
        items = [item(alert())]
        return "\n".join(
            [
                issue.render_section(hostile, REPO, Repository(REPO), items, today=TODAY),
                issue.comment_closed(hostile, REPO, items),
                issue.comment_reopened(hostile, REPO, items),
                # Posted where someone closed the issue by hand: the same escaping.
                issue.comment_hand_closed(hostile, REPO, items),
                issue.comment_due_passed(hostile, TODAY, 1),
                issue.comment_campaign_closed(hostile, 1),
            ]
        )

    assert_inert(render, f"issue:campaign.{field}", 5 * 6 * 300 + 200)


def test_the_description_keeps_markdown_but_nothing_that_reaches_outside() -> None:
    for text in CORPUS:
        hostile = dataclasses.replace(CAMPAIGN, description=text)
        body = issue.render_section(hostile, REPO, Repository(REPO), [item(alert())], today=TODAY)
        found = live(body)
        assert found["html"] == 2, text[:80]  # the two markers: no tag
        assert (found["marker-open"], found["marker-close"]) == (2, 2), text[:80]
        # Reviewed markdown keeps URLs whole, so an '@' inside a word or path stays (see
        # docs/reliability.md); one that starts a word is broken.
        assert not _WORD_MENTION.search(body), text[:80]
        assert found["invisible"] == 0, text[:80]
        assert len(body) <= 4 * 5_000 + 2_000
        assert issue_markers.find_marker(body) == ("sqli", REPO)


def test_titles_are_one_plain_line() -> None:
    for text in CORPUS:
        title = issue.render_title(dataclasses.replace(CAMPAIGN, name=text), REPO)
        assert len(title) <= issue.MAX_TITLE
        assert (live(title)["line"], live(title)["invisible"]) == (0, 0), text[:80]


def test_an_unlinked_alert_label_is_no_issue_reference() -> None:
    member = Member(f"code-scanning:{REPO}:7", "open", "2026-11-01T00:00:00Z", "2026-11-01")
    body = issue.render_section(CAMPAIGN, REPO, None, [IssueItem(member, None, None)], today=TODAY)
    assert live(body)["reference"] == 0, [ln for ln in body.splitlines() if "#7" in ln]


def test_a_lone_surrogate_in_alert_text_does_not_break_the_section() -> None:
    section_digest(section(alert(rule_name="bad \ud83d half")))


# --- the plan ----------------------------------------------------------------------------


def plan_for(name: str, text_alert: Alert) -> Any:
    hostile = dataclasses.replace(CAMPAIGN, name=name)
    result = SourceResult(alerts=(text_alert,), repositories=(Repository(REPO),))
    return make_plan([hostile], result, {}, now=NOW)


def test_plan_renderers_keep_hostile_text_inert() -> None:
    for text in CORPUS:
        plan = plan_for(text, alert(rule_name=text, path=text, message=text))
        baseline = plan_for(PLAIN, alert())
        markdown, plain_markdown = render_markdown(plan), render_markdown(baseline)
        assert live(markdown) == live(plain_markdown), text[:80]
        assert len(markdown) <= len(plain_markdown) + 6 * 200 + 100
        terminal = render_text(plan)
        assert live(terminal)["invisible"] == 0, text[:80]
        assert live(terminal)["line"] == live(render_text(baseline))["line"], text[:80]
        document = json.loads(render_json(plan))
        assert document["actions"][0]["title"] == issue.render_title(
            dataclasses.replace(CAMPAIGN, name=text), REPO
        )


# --- annotations, validate's reporters and the terminal ----------------------------------


def test_workflow_commands_stay_one_command() -> None:
    for text in CORPUS:
        line = workflow_command("error", text, file=text, line=1, title=text)
        # The runner reads commands line by line (CR and LF; not U+2028 or NEL).
        assert "\n" not in line, text[:80]
        assert "\r" not in line, text[:80]
        head, _, _ = line.partition("::")[2].partition("::")
        # The properties end at the first '::': none of the hostile text may end them early.
        assert head.startswith("error file="), text[:80]
        assert (head.count(","), head.count(":")) == (2, 0), text[:80]


def _problems(text: str) -> ValidationResult:
    problem = Problem(f"campaigns/{text}.yml", 1, 1, text, f"unknown key {text!r}")
    return ValidationResult(files=(problem.file,), campaigns=(), config=None, problems=(problem,))


@pytest.mark.parametrize("reporter", [report_text, report_github])
def test_validate_reports_stay_one_line_per_problem(reporter: Callable[..., None]) -> None:
    for text in CORPUS:
        out = io.StringIO()
        reporter(_problems(text), out)
        lines = out.getvalue().split("\n")
        assert lines[1:] == [summary_line(_problems(text)), ""], text[:80]  # one problem line
        # What is shown as text; an annotation's file= must stay the real file's name.
        shown = lines[0].rpartition("::")[2] if lines[0].startswith("::") else lines[0]
        assert live(shown)["invisible"] == 0, text[:80]


def test_the_step_summary_is_inert() -> None:
    def render(text: str) -> str:
        return step_summary(_problems(text))

    assert_inert(render, "step-summary", 3 * 6 * 100_100)


def test_printable_leaves_nothing_invisible() -> None:
    for text in CORPUS:
        shown = printable(text)
        assert (live(shown)["invisible"], live(shown)["line"]) == (0, 0), text[:80]


def test_the_alerts_listing_keeps_one_alert_per_line() -> None:
    alerts = tuple(
        alert(id=f"code-scanning:{REPO}:{n}", number=n, rule_id=t, path=t, severity=t)
        for n, t in enumerate(CORPUS, start=1)
    )

    class Source:
        name = "hostile"

        def fetch(self, expected: Collection[str] = ()) -> SourceResult:
            return SourceResult(alerts=alerts)

    out, err = io.StringIO(), io.StringIO()
    code = list_alerts(
        [Source()],
        alert_filter=AlertFilter((), (), (), ()),
        output_format="text",
        count=False,
        out=out,
        err=err,
    )
    assert code == 0
    lines = out.getvalue().split("\n")
    assert len(lines) == len(alerts) + 1  # the alerts, then the final newline
    assert live(out.getvalue())["invisible"] == 0


def test_count_the_corpus() -> None:
    # The corpus size the docs quote (each entry is tried in every field above).
    assert len(CORPUS) == 73
