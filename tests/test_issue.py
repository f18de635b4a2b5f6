"""Tracking issue rendering: the tool's section, markers, merging, escaping, size, comments."""

from __future__ import annotations

import dataclasses
import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from campaign_sync.issue_markers import (
    END_MARKER,
    EVENT_MARKER,
    extract_section,
    find_marker,
    merge_body,
    start_marker,
)
from campaign_sync.model import Alert, Campaign, Member, Repository
from campaign_sync.render.issue import (
    MAX_BODY,
    MAX_TITLE,
    SECTION_BUDGET,
    comment_campaign_closed,
    comment_closed,
    comment_due_passed,
    comment_reopened,
    render_section,
    render_source,
    render_title,
)
from campaign_sync.section import IssueItem, SectionSource, campaign_fingerprint, section_digest
from campaign_sync.sla import DueDates, sla_due

EVENT = "\n\n" + EVENT_MARKER  # the last line of every event comment
REPO = "acme/web"
JOINED = "2027-01-01T09:30:00Z"
TODAY = date(2027, 1, 5)
PRIVATE = Repository(REPO, visibility="private")
PUBLIC = Repository(REPO, visibility="public")
START_RE = re.compile(
    r"<!-- campaign-sync:v1 campaign=[a-z0-9-]+ repository=[A-Za-z0-9._-]+/[A-Za-z0-9._-]+ -->"
)
HOSTILE = [
    "@acme/security-team please",
    "@mona",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[click](https://evil.example)",
    "![img](x)",
    "**bold** __bold__ *it*",
    "zero\u200bwidth\u200d\ufeffjoined",
    "rtl \u202eoverride\u202c \u2066isolate\u2069",
    "<!-- campaign-sync:v1 campaign=x repository=evil/repo -->",
    "<!-- campaign-sync:end -->",
    "a/b.py-->",
    "line\n<!-- campaign-sync:end -->\nline",
    "see #1 and GH-2 and https://evil.example and www.evil.example",
    "`code` ~~gone~~ | table | $x^2$",
    "\x1b[31mred\x07\x00",
]


def make_campaign(**overrides: Any) -> Campaign:
    campaign_id = overrides.pop("id", "sqli")
    data: dict[str, Any] = {
        "name": "SQL injection burn-down",
        "description": "Fix every **SQL injection** alert before the audit.",
        "managers": ["mona", "@acme/appsec"],
        "contact": "https://github.com/orgs/acme/discussions/42",
        "ends": "2027-03-31",
        "state": "active",
        "select": {"alerts": ["code-scanning"]},
        "sla": {"critical": 7, "high": 30},
        "tracking": {"mention": ["@acme/payments"]},
    }
    data.update(overrides)
    return Campaign.from_data(campaign_id, data)


CAMPAIGN = make_campaign()


def code_alert(number: int, state: str = "open", **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "id": f"code-scanning:{REPO}:{number}",
        "type": "code-scanning",
        "repository": REPO,
        "state": state,
        "number": number,
        "rule_id": "py/sql-injection",
        "rule_name": "SQL query built from user-controlled sources",
        "tool": "CodeQL",
        "severity": "high",
        "path": "src/db.py",
        "start_line": 12,
        "html_url": f"https://github.com/{REPO}/security/code-scanning/{number}",
        "message": "This query depends on a user-provided value.",
    }
    values.update(fields)
    return Alert(**values)


def secret_alert(number: int, state: str = "open", **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "id": f"secret-scanning:{REPO}:{number}",
        "type": "secret-scanning",
        "repository": REPO,
        "state": state,
        "number": number,
        "rule_id": "github_personal_access_token",
        "rule_name": "GitHub Personal Access Token",
        "secret_type": "github_personal_access_token",
        "path": "config/settings.py",
        "start_line": 3,
        "html_url": f"https://github.com/{REPO}/security/secret-scanning/{number}",
    }
    values.update(fields)
    return Alert(**values)


def dependabot_alert(number: int, state: str = "open", **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "id": f"dependabot:{REPO}:{number}",
        "type": "dependabot",
        "repository": REPO,
        "state": state,
        "number": number,
        "rule_id": "GHSA-jf85-cpcp-j695",
        "rule_name": "Prototype Pollution in lodash",
        "severity": "critical",
        "package": "lodash",
        "ecosystem": "npm",
        "path": "package-lock.json",
        "manifest": "package-lock.json",
        "html_url": f"https://github.com/{REPO}/security/dependabot/{number}",
    }
    values.update(fields)
    return Alert(**values)


def item(alert: Alert, campaign: Campaign = CAMPAIGN, joined: str = JOINED) -> IssueItem:
    member = Member(alert.id, alert.state, joined, joined)
    return IssueItem(member, alert, sla_due(campaign, member, alert))


def unseen(alert_id: str, state: str = "open") -> IssueItem:
    return IssueItem(Member(alert_id, state, JOINED, JOINED), None, None)  # type: ignore[arg-type]


def section(
    items: list[IssueItem],
    campaign: Campaign = CAMPAIGN,
    repo: Repository | None = PRIVATE,
    today: date = TODAY,
) -> str:
    return render_section(campaign, REPO, repo, items, today=today)


def marker_lines(text: str) -> tuple[int, int]:
    lines = re.split(r"\r\n|\r|\n", text)
    return sum(1 for x in lines if START_RE.fullmatch(x)), lines.count(END_MARKER)


def item_lines(text: str) -> list[str]:
    return [x for x in text.split("\n") if x.startswith(("- [ ] ", "- [x] "))]


# --- the section, exactly --------------------------------------------------------------

GOLDEN = """\
<!-- campaign-sync:v1 campaign=sqli repository=acme/web -->
## Security campaign: SQL injection burn\\-down

Fix every **SQL injection** alert before the audit.

- **Due:** 2027-03-31
- **Managers:** `mona`, `@acme/appsec`
- **Contact:** [https://github\\.com/orgs/acme/discussions/42](https://github.com/orgs/acme/discussions/42)
- **SLA:** critical 7 days, high 30 days from when an alert joins the campaign; 1 open alert past the SLA due date: 1 critical

cc @acme/payments

### Alerts

2 of 4 alerts closed

- [ ] [Code scanning alert #7](https://github.com/acme/web/security/code-scanning/7) · **critical** · py/sql\\-injection: SQL query built from user\\-controlled sources · src/db\\.py:12 · SLA due 2027-01-08, overdue
- [ ] [Code scanning alert #42](https://github.com/acme/web/security/code-scanning/42) · **high** · py/sql\\-injection: SQL query built from user\\-controlled sources · src/db\\.py:12 · SLA due 2027-01-31
- [x] [Code scanning alert #3](https://github.com/acme/web/security/code-scanning/3) · **high** · py/sql\\-injection: SQL query built from user\\-controlled sources · src/db\\.py:12 — fixed
- [x] ~~[Code scanning alert #5](https://github.com/acme/web/security/code-scanning/5) · **high** · py/sql\\-injection: SQL query built from user\\-controlled sources · src/db\\.py:12~~ — dismissed: won't fix

_campaign-sync keeps this section up to date; write above or below it._
<!-- campaign-sync:end -->"""  # noqa: E501


def golden_items() -> list[IssueItem]:
    return [
        item(code_alert(42)),
        item(code_alert(5, "dismissed", state_reason="won't fix")),
        item(code_alert(7, severity="critical")),
        item(code_alert(3, "fixed")),
    ]


def test_section_exactly() -> None:
    assert section(golden_items(), today=date(2027, 1, 9)) == GOLDEN


def test_same_input_gives_the_same_bytes_whatever_the_order() -> None:
    items = golden_items()
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    assert section(items) == section(shuffled) == section(list(reversed(items)))


def test_title() -> None:
    assert render_title(CAMPAIGN, REPO) == "[Security campaign] SQL injection burn-down: acme/web"


def test_title_is_one_plain_line_within_githubs_limit() -> None:
    campaign = make_campaign(name="Fix\u202e it\nnow\x00 " + "x" * 300)
    title = render_title(campaign, REPO)
    assert len(title) == MAX_TITLE
    assert title.startswith("[Security campaign] Fix it now xxx")
    assert title.endswith("…: acme/web")
    assert title.isprintable()


def test_no_alerts() -> None:
    text = section([])
    assert "0 of 0 alerts closed" not in text
    assert "No alerts of this campaign in this repository." in text
    assert marker_lines(text) == (1, 1)


def test_a_draft_or_closed_campaign_says_so() -> None:
    assert "- **Status:** closed" in section([], make_campaign(state="closed"))
    assert "- **Status:**" not in section([])


def test_no_sla_line_without_an_sla_and_no_cc_line_without_mentions() -> None:
    campaign = make_campaign(sla={}, tracking={})
    text = section([item(code_alert(1), campaign)], campaign)
    assert "SLA" not in text
    assert "\ncc " not in text


def test_invalid_identity_is_refused() -> None:
    with pytest.raises(ValueError, match="campaign id"):
        start_marker("Bad Name", REPO)
    with pytest.raises(ValueError, match="OWNER/REPO"):
        start_marker("sqli", "acme/web -->")
    with pytest.raises(ValueError, match="OWNER/REPO"):
        render_section(CAMPAIGN, "not-a-repo", None, [], today=TODAY)


def test_items_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        golden_items()[0].due = None  # type: ignore[misc]


# --- items: states, order, details ------------------------------------------------------


def test_open_items_are_unchecked_fixed_checked_dismissed_struck_through() -> None:
    lines = item_lines(
        section(
            [
                item(code_alert(1)),
                item(code_alert(2, "fixed")),
                item(code_alert(3, "dismissed", state_reason="false positive")),
                item(secret_alert(4, "resolved", state_reason="revoked")),
                item(secret_alert(5, "resolved", state_reason="false_positive")),
                unseen(f"secret-scanning:{REPO}:6", "resolved"),
            ]
        )
    )
    assert lines[0].startswith("- [ ] [Code scanning alert #1](")
    assert lines[1].startswith("- [x] [Code scanning alert #2](")
    assert lines[1].endswith(" — fixed")
    assert lines[2].startswith("- [x] ~~[Code scanning alert #3](")
    assert lines[2].endswith("~~ — dismissed: false positive")
    # A revoked secret is fixed; a secret resolved as a false positive is a dismissal.
    assert lines[3] == (
        "- [x] [Secret scanning alert #4]"
        "(https://github.com/acme/web/security/secret-scanning/4) — fixed"
    )
    assert lines[4] == (
        "- [x] ~~[Secret scanning alert #5]"
        "(https://github.com/acme/web/security/secret-scanning/5)~~ — dismissed"
    )
    assert lines[5] == "- [x] Secret scanning alert #\u20606 — fixed"


def test_open_first_by_severity_then_id_then_closed_by_id() -> None:
    items = [
        item(code_alert(100, severity="low")),
        item(code_alert(9, "fixed")),
        item(code_alert(20, severity="critical")),
        item(code_alert(3, severity="critical")),
        item(dependabot_alert(2)),
        item(code_alert(10, severity="high")),
        item(code_alert(1, "dismissed")),
        unseen(f"code-scanning:{REPO}:5"),
        item(code_alert(11, severity=None)),
    ]
    numbers = [re.search(r"alert #\u2060?(\d+)", x)[1] for x in item_lines(section(items))]  # type: ignore[index]
    assert numbers == ["3", "20", "2", "10", "100", "5", "11", "1", "9"]


def test_item_details_for_each_alert_type() -> None:
    lines = item_lines(section([item(dependabot_alert(8)), item(secret_alert(9))]))
    assert lines == [
        "- [ ] [Dependabot alert #8](https://github.com/acme/web/security/dependabot/8)"
        " · **critical** · GHSA\\-jf85\\-cpcp\\-j695: Prototype Pollution in lodash"
        " · lodash \\(npm\\) · package\\-lock\\.json · SLA due 2027-01-08",
        "- [ ] [Secret scanning alert #9](https://github.com/acme/web/security/secret-scanning/9)",
    ]


def test_an_alert_not_seen_this_run_is_rendered_from_its_member() -> None:
    lines = item_lines(section([unseen(f"code-scanning:{REPO}:77"), unseen("odd-id")]))
    assert lines == ["- [ ] Code scanning alert #\u206077", "- [ ] Alert"]


def test_sarif_alert_without_a_number_is_named_by_its_id() -> None:
    alert = dataclasses.replace(
        code_alert(1), id=f"code-scanning:{REPO}:sarif/semgrep/ab12", number=None, html_url=None
    )
    assert item_lines(section([item(alert)]))[0].startswith(
        "- [ ] Code scanning alert sarif/semgrep/ab12 · **high**"
    )


@pytest.mark.parametrize(
    ("repo", "public_details", "detailed"),
    [
        (PUBLIC, False, False),
        (PUBLIC, True, True),
        (PRIVATE, False, True),
        (Repository(REPO, visibility="internal"), False, True),
        # Unknown visibility counts as public: the safe side.
        (None, False, False),
        (None, True, True),
    ],
)
def test_public_repositories_show_only_links_unless_the_campaign_opts_in(
    repo: Repository | None, public_details: bool, detailed: bool
) -> None:
    campaign = make_campaign(tracking={"public-details": public_details})
    items = [
        item(code_alert(7, severity="critical"), campaign),
        item(code_alert(8, "dismissed", state_reason="won't fix"), campaign),
        item(dependabot_alert(9), campaign),
    ]
    text = section(items, campaign, repo, today=date(2027, 2, 1))
    details = ("sql\\-injection", "src/db", "**critical**", "lodash", "GHSA", "· SLA due", "won't")
    for detail in details:
        assert (detail in text) is detailed, detail
    lines = item_lines(text)
    if not detailed:
        assert lines == [
            "- [ ] [Code scanning alert #7](https://github.com/acme/web/security/code-scanning/7)",
            "- [ ] [Dependabot alert #9](https://github.com/acme/web/security/dependabot/9)",
            "- [x] ~~[Code scanning alert #8]"
            "(https://github.com/acme/web/security/code-scanning/8)~~ — dismissed",
        ]
        # The SLA status counts, without saying which severities are late.
        assert "; 2 open alerts past the SLA due date\n" in text


@pytest.mark.parametrize("repo", [PUBLIC, PRIVATE, None])
def test_secret_scanning_alerts_never_show_details(repo: Repository | None) -> None:
    campaign = make_campaign(tracking={"public-details": True})
    items = [
        item(secret_alert(1), campaign),
        item(secret_alert(2, "resolved", state_reason="wont_fix"), campaign),
    ]
    text = section(items, campaign, repo)
    for detail in ("github\\_personal", "Personal Access", "config/settings", "wont", "won't"):
        assert detail not in text
    assert item_lines(text) == [
        "- [ ] [Secret scanning alert #1](https://github.com/acme/web/security/secret-scanning/1)",
        "- [x] ~~[Secret scanning alert #2]"
        "(https://github.com/acme/web/security/secret-scanning/2)~~ — dismissed",
    ]


# --- links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://github.com/acme/web/security/code-scanning/1",
        "https://evil.example/acme/web/security/code-scanning/1",
        "https://github.com/evil/repo/security/code-scanning/1",
        "https://github.com.evil.example/acme/web/security/code-scanning/1",
        "https://user@github.com/acme/web/security/code-scanning/1",
        "https://github.com:8443/acme/web/security/code-scanning/1",
        "javascript:alert(1)//github.com/acme/web/",
        "https://github.com/acme/web",
        "https://[::1]/acme/web/security/code-scanning/1",
        "https://github.com/acme/web/../../evil/repo/issues/1",
        "https://github.com/acme/web/%2e%2e/%2E%2E/evil/repo",
        "https://github.com/acme/web/./x",
    ],
)
def test_untrusted_urls_are_shown_but_not_linked(url: str) -> None:
    items = [item(code_alert(1, html_url=url)), item(code_alert(2))]
    line = item_lines(section(items))[0]
    assert line.startswith("- [ ] Code scanning alert #\u20601 (`")
    assert "](" not in line


def test_link_targets_are_percent_encoded() -> None:
    url = "https://github.com/acme/web/security/code-scanning/1?a=(x) y&b=<z>`@q\"'"
    line = item_lines(section([item(code_alert(1, html_url=url))]))[0]
    target = re.search(r"\]\((.*?)\) ·", line)[1]  # type: ignore[index]
    assert target == (
        "https://github.com/acme/web/security/code-scanning/1?a=%28x%29%20y&b=%3Cz%3E%60%40q%22%27"
    )


def test_a_repository_named_with_a_dot_is_linked() -> None:
    alert = code_alert(1, html_url="https://github.com/acme/web/security/code-scanning/1")
    dotted = dataclasses.replace(alert, html_url="https://github.com/acme/.github/x/1")
    text = render_section(CAMPAIGN, "acme/.github", None, [item(dotted)], today=TODAY)
    assert "[Code scanning alert #1](https://github.com/acme/.github/x/1)" in text


def test_a_github_enterprise_host_is_linked_when_every_alert_agrees() -> None:
    ghes = "https://ghe.acme.example/acme/web/security/code-scanning/{}"
    same = [item(code_alert(n, html_url=ghes.format(n))) for n in (1, 2)]
    assert all("](https://ghe.acme.example/" in x for x in item_lines(section(same)))
    mixed = [*same, item(code_alert(3, html_url="https://other.example/acme/web/x/3"))]
    assert not any("](" in x for x in item_lines(section(mixed)))


def test_contact_that_is_not_a_web_or_mail_link_is_shown_inert() -> None:
    assert "](" not in section([], make_campaign(contact="javascript:alert(1)"))
    mail = section([], make_campaign(contact="mailto:appsec@acme.example"))
    assert "[mailto:appsec@\u2060acme\\.example](mailto:appsec@acme.example)" in mail


# --- SLA and the passing of time ---------------------------------------------------------


def test_sla_due() -> None:
    member = Member(f"code-scanning:{REPO}:1", "open", JOINED, JOINED)
    assert sla_due(CAMPAIGN, member, code_alert(1, severity="critical")) == date(2027, 1, 8)
    assert sla_due(CAMPAIGN, member, code_alert(1, severity="HIGH")) == date(2027, 1, 31)
    assert sla_due(CAMPAIGN, member, code_alert(1, severity="medium")) is None
    assert sla_due(CAMPAIGN, member, code_alert(1, severity=None)) is None
    assert sla_due(CAMPAIGN, member, None) is None
    assert sla_due(make_campaign(sla={}), member, code_alert(1, severity="critical")) is None


def test_the_section_changes_only_when_a_due_date_passes() -> None:
    items = [
        item(code_alert(1, severity="critical")),  # SLA due 2027-01-08
        item(code_alert(2, severity="high")),  # SLA due 2027-01-31
        item(code_alert(3, "fixed", severity="critical")),  # closed: its SLA no longer counts
        item(code_alert(4, severity="low")),  # no SLA
    ]
    day = date(2026, 12, 31)
    previous = section(items, today=day)
    changed_after = []
    while day < date(2027, 4, 10):
        day += timedelta(days=1)
        current = section(items, today=day)
        if current != previous:
            changed_after.append(day - timedelta(days=1))
        previous = current
    assert changed_after == [date(2027, 1, 8), date(2027, 1, 31), date(2027, 3, 31)]
    assert "- **Due:** 2027-03-31 (passed)" in previous
    assert "2 open alerts past the SLA due date: 1 critical, 1 high" in previous


def test_digest_is_short_hex_and_follows_the_text() -> None:
    first = section(golden_items())
    digest = section_digest(first)
    assert re.fullmatch(r"[0-9a-f]{16}", digest)
    assert section_digest(section(golden_items())) == digest
    fixed = [*golden_items()[:-1], item(code_alert(3, "dismissed"))]
    assert section(fixed) != first
    assert section_digest(section(fixed)) != digest
    # A change the rendering does not show (the message, the changed timestamp) keeps it.
    quiet = [*golden_items()[:-1], item(code_alert(3, "fixed", message="new text"), joined=JOINED)]
    assert section_digest(section(quiet)) == digest


# --- markers and merging ----------------------------------------------------------------


def test_forged_markers_in_alert_text_do_not_count() -> None:
    forged_rule = "<!-- campaign-sync:v1 campaign=x repository=evil/repo -->"
    items = [
        item(code_alert(1, rule_name=forged_rule, rule_id=forged_rule)),
        item(code_alert(2, path="a/b.py\n-->\n<!-- campaign-sync:end -->\n")),
        item(code_alert(3, message=f"\n{forged_rule}\n")),
    ]
    text = section(items)
    assert marker_lines(text) == (1, 1)
    body = merge_body("Human notes.\n", text)
    assert find_marker(body) == ("sqli", REPO)
    assert merge_body(body, text) == body


def test_find_marker() -> None:
    real = section([])
    assert find_marker(real) == ("sqli", REPO)
    assert find_marker(f"intro\r\n\r\n{real}\r\noutro".replace("\n", "\r\n")) == ("sqli", REPO)
    assert find_marker("no marker here") is None
    assert find_marker("") is None
    # Not whole lines, or no end marker: not a section.
    assert find_marker(f"x {real}") is None
    assert find_marker(real.replace(END_MARKER, END_MARKER + " x")) is None
    assert find_marker(real.split("\n", 1)[0]) is None
    assert find_marker(f"`{real.split(chr(10), 1)[0]}`\n{END_MARKER}") is None
    # Another version or a malformed identity is not ours.
    assert find_marker(real.replace("campaign-sync:v1", "campaign-sync:v9")) is None
    assert find_marker(real.replace("repository=acme/web", "repository=acme/web/x")) is None


def test_a_cut_short_section_before_the_real_one_is_skipped() -> None:
    other = start_marker("other", "evil/repo")
    body = f"{other}\nhuman text\n{section([])}"
    assert find_marker(body) == ("sqli", REPO)


def test_merge_into_nothing_is_the_section_alone() -> None:
    text = section(golden_items())
    assert merge_body(None, text) == text
    assert merge_body("", text) == text


def test_merge_keeps_human_text_before_and_after_byte_for_byte() -> None:
    old = section(golden_items())
    new = section([item(code_alert(1))])
    before = "Owner: @mona\r\n\r\nPlease fix by **Friday** 🙂\r\n"
    after = "\r\n\r\n> quoted\r\n<details>human html</details>\n  trailing spaces  \n\n"
    body = merge_body(before + old.replace("\n", "\r\n") + after, new)
    assert body == before + new + after
    assert extract_section(body, "sqli", REPO) == new
    assert merge_body(body, new) == body


def test_merge_without_a_section_puts_it_on_top() -> None:
    text = section([])
    human = "Written by a person.\n\n- [ ] their own task\n"
    assert merge_body(human, text) == f"{text}\n\n{human}"
    # A start marker without an end marker is no section: it stays, as the human's text.
    broken = f"{text.split(chr(10), 1)[0]}\nrest of a section a person cut short"
    assert merge_body(broken, text) == f"{text}\n\n{broken}"
    assert find_marker(merge_body(broken, text)) == ("sqli", REPO)


def test_merge_replaces_only_the_section_of_the_same_campaign_and_repository() -> None:
    mine = section([])
    other = render_section(make_campaign(), "acme/api", None, [], today=TODAY)
    body = f"notes\n{other}\nmore"
    assert merge_body(body, mine) == f"{mine}\n\n{body}"


def test_merge_replaces_the_section_marked_with_a_name_the_repository_had() -> None:
    """After a rename the issue holds a section marked with the old name: that one is
    replaced (no second section), and only for the same campaign."""
    before = render_section(make_campaign(), "acme/web-old", None, [], today=TODAY)
    mine = section([])
    body = f"notes\n{before}\nmore"
    merged = merge_body(body, mine, ["acme/web-old"])
    assert merged == f"notes\n{mine}\nmore"
    assert marker_lines(merged) == (1, 1)
    assert merge_body(body, mine) == f"{mine}\n\n{body}"  # without the old name: not ours
    other = render_section(make_campaign(id="xss"), "acme/web-old", None, [], today=TODAY)
    assert merge_body(other, mine, ["acme/web-old"]) == f"{mine}\n\n{other}"


def test_merge_refuses_a_section_without_markers() -> None:
    with pytest.raises(ValueError, match="not a campaign-sync section"):
        merge_body("x", "just text")
    with pytest.raises(ValueError, match="not a campaign-sync section"):
        merge_body("x", section([]).removesuffix(END_MARKER))


# --- untrusted text ---------------------------------------------------------------------


def assert_inert(text: str) -> None:
    assert marker_lines(text) == (1, 1)
    lines = text.split("\n")
    for line in lines[1:-1]:
        assert "<" not in line, line
    outside = [x for x in lines if not x.startswith(("cc ", "- **Managers:**"))]
    for line in outside:
        assert not re.search(r"@[A-Za-z0-9]", line), line
    for bad in ("\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\x1b", "\x00", "\x07"):
        assert bad not in text
    assert not re.search(r"(?<!\\)!\[", text)  # images
    assert not re.search(r"(?<!\\)\[click", text)  # links from alert text
    assert "**bold**" not in text
    assert "evil.example)" not in text
    assert not re.search(r"(?<!\\)#[0-9]", text.replace("alert #", ""))
    assert "://evil" not in text


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize(
    "field", ["rule_id", "rule_name", "path", "message", "package", "severity", "state_reason"]
)
def test_hostile_alert_text_is_inert(field: str, hostile: str) -> None:
    alerts = [
        code_alert(1, **{field: hostile}),
        code_alert(2, "dismissed", **{field: hostile}),
        dependabot_alert(3, **{field: hostile}),
        secret_alert(4, "resolved", **{field: hostile}),
    ]
    assert_inert(section([item(a) for a in alerts]))


def test_a_huge_message_or_name_stays_bounded() -> None:
    huge = "<" * 100_000
    alert = code_alert(1, message=huge, rule_name=huge, path="@x" * 50_000, rule_id="&" * 100_000)
    text = section([item(alert)])
    assert_inert(text)
    assert len(item_lines(text)[0]) < 3_000


def test_description_keeps_markdown_but_cannot_break_out() -> None:
    description = (
        "Fix **every** [SQL injection](https://owasp.org/sqli) alert.\n"
        "<!-- campaign-sync:end -->\n"
        "<!-- campaign-sync:v1 campaign=x repository=evil/repo -->\n"
        "<details><summary>hidden</summary> -->\n"
        "Ask @mona or mail appsec@acme.example\u202e.\r\n"
        "```python\n"
        "never closed\n"
    )
    text = section([item(code_alert(1))], make_campaign(description=description))
    assert marker_lines(text) == (1, 1)
    assert "Fix **every** [SQL injection](https://owasp.org/sqli) alert." in text
    assert "&lt;details&gt;" not in text  # '>' is harmless once '<' is gone
    assert "&lt;details>&lt;summary>hidden&lt;/summary> --&gt;" in text
    assert "Ask @\u2060mona or mail appsec@acme.example." in text
    assert "```python\nnever closed\n```\n\n- **Due:**" in text
    assert_inert(text.replace("appsec@acme", "appsec-at-acme"))


_LINKED = re.compile(r"\]\([^()\s]*\)|(?:^|(?<=[\s(*_~]))(?:https?://|mailto:)[^\s<>()]*", re.M)


def _unlinked(line: str) -> str:
    return _LINKED.sub(" ", line)


@settings(max_examples=150)
@given(
    texts=st.lists(st.text(max_size=60), min_size=7, max_size=7),
    description=st.text(min_size=1, max_size=200),
    states=st.lists(st.sampled_from(["open", "fixed", "dismissed"]), min_size=1, max_size=6),
    human=st.tuples(st.text(max_size=80), st.text(max_size=80)),
)
def test_any_alert_text_stays_inert(
    texts: list[str], description: str, states: list[str], human: tuple[str, str]
) -> None:
    rule_id, rule_name, path, message, package, reason, url = texts
    campaign = make_campaign(description=description)
    items = [
        item(
            code_alert(
                n,
                state,
                rule_id=rule_id,
                rule_name=rule_name,
                path=path,
                message=message,
                package=package,
                state_reason=reason,
                html_url=url if n % 2 else f"https://github.com/{REPO}/x/{url}",
            ),
            campaign,
        )
        for n, state in enumerate(states)
    ]
    first = render_section(campaign, REPO, None, items, today=TODAY)
    second = render_section(campaign, REPO, PUBLIC, items[:1], today=TODAY)
    for text in (first, second):
        assert marker_lines(text) == (1, 1)
        lines = text.split("\n")
        assert all("<" not in x for x in lines[1:-1])
        rest = [x for x in lines if not x.startswith(("cc ", "- **Managers:**"))]
        # A mention is '@' after a non-word character; 'a@b' (an address) notifies nobody,
        # nor does one in a link's destination (the description may hold links).
        assert not any(re.search(r"(?<![A-Za-z0-9])@[A-Za-z0-9]", _unlinked(x)) for x in rest)

    # Human text around the section survives every merge.
    before, after = human[0] + "\n", "\n" + human[1]
    assume(extract_section(before, "sqli", REPO) is None)
    body = merge_body(before + first + after, second)
    assert body == before + second + after
    assert merge_body(merge_body(before + after, first), second) == (
        second + "\n\n" + before + after
    )


# --- size ---------------------------------------------------------------------------------


def many_items(count: int, path: str = "src/module/handlers/request_{n}.py") -> list[IssueItem]:
    severities = ["critical", "high", "medium", "low"]
    states = ["open", "open", "open", "fixed", "dismissed"]
    return [
        item(
            code_alert(
                n,
                states[n % 5],
                severity=severities[n % 4],
                path=path.format(n=n),
                state_reason="won't fix" if n % 5 == 4 else None,
            )
        )
        for n in range(1, count + 1)
    ]


def test_twenty_thousand_alerts_stay_within_the_body_limit() -> None:
    items = many_items(20_000)
    text = section(items)
    assert len(text) <= MAX_BODY
    assert len(text.encode("utf-8")) <= SECTION_BUDGET
    assert marker_lines(text) == (1, 1)
    listed = item_lines(text)
    assert 100 < len(listed) < 20_000
    assert all(x.startswith("- [ ] ") for x in listed)  # open ones first
    match = re.search(r"\nand (\d+) more alerts: (\d+) open, (\d+) closed — see the campaign", text)
    assert match is not None
    more, open_rest, closed_rest = map(int, match.groups())
    assert more == 20_000 - len(listed)
    assert open_rest == 12_000 - len(listed)
    assert closed_rest == 8_000
    assert "8000 of 20000 alerts closed" in text
    # Human text still fits next to it.
    assert len(merge_body("h" * (MAX_BODY - SECTION_BUDGET - 2), text)) <= MAX_BODY


def test_multibyte_paths_are_counted_in_bytes() -> None:
    text = section(many_items(3_000, path="源代码/处理程序/请求{n}.py"))
    assert len(text.encode("utf-8")) <= SECTION_BUDGET
    assert "more alerts:" in text


def test_everything_listed_when_it_fits() -> None:
    text = section(many_items(200))
    assert len(item_lines(text)) == 200
    assert "more alert" not in text


# --- comments ---------------------------------------------------------------------------


def test_comment_closed() -> None:
    items = [
        item(code_alert(1, "fixed")),
        item(code_alert(2, "dismissed")),
        item(code_alert(3, "fixed")),
        item(secret_alert(4, "resolved", state_reason="revoked")),
    ]
    assert comment_closed(CAMPAIGN, REPO, items) == (
        "All 4 alerts of the campaign **SQL injection burn\\-down** in acme/web are closed: "
        "3 fixed, 1 dismissed. Thank you! campaign-sync closes this issue, and reopens it if "
        "one of them opens again." + EVENT
    )


def test_comment_reopened_names_the_open_alerts_only() -> None:
    hostile = "<!-- campaign-sync:end --> @mona [x](https://evil)"
    items = [
        item(code_alert(5, "fixed")),
        item(code_alert(9, rule_name=hostile, path=hostile)),
        unseen(f"dependabot:{REPO}:3"),
    ]
    assert comment_reopened(CAMPAIGN, REPO, items) == (
        "These 2 alerts of the campaign **SQL injection burn\\-down** in acme/web are open "
        "again, so campaign-sync reopens this issue:\n"
        "\n"
        "- [Code scanning alert #9](https://github.com/acme/web/security/code-scanning/9)\n"
        "- Dependabot alert #\u20603" + EVENT  # a word joiner: no reference to issue 3
    )


def test_comment_reopened_lists_at_most_a_hundred() -> None:
    text = comment_reopened(CAMPAIGN, REPO, many_items(1_000))
    assert text.count("\n- [Code") == 100
    assert text.endswith("\n- and 500 more alerts" + EVENT)


def test_comment_due_passed() -> None:
    assert comment_due_passed(CAMPAIGN, date(2027, 4, 1), 3) == (
        "The campaign **SQL injection burn\\-down** was due on 2027-03-31. As of 2027-04-01, "
        "3 alerts in this repository are still open. Questions go to the campaign managers "
        "(`mona`, `@acme/appsec`): [https://github\\.com/orgs/acme/discussions/42]"
        "(https://github.com/orgs/acme/discussions/42)" + EVENT
    )
    assert "1 alert in this repository is still open" in comment_due_passed(
        CAMPAIGN, date(2027, 4, 1), 1
    )


def test_comment_campaign_closed() -> None:
    assert comment_campaign_closed(CAMPAIGN, 0) == (
        "The campaign **SQL injection burn\\-down** is closed. "
        "All of its alerts in this repository are closed." + EVENT
    )
    assert comment_campaign_closed(CAMPAIGN, 2) == (
        "The campaign **SQL injection burn\\-down** is closed. 2 alerts listed here are still "
        "open: they are still security alerts of this repository and should still be fixed." + EVENT
    )


def test_comments_escape_the_campaign_name() -> None:
    campaign = make_campaign(name="<b>@mona</b> [x](y)")
    for text in (
        comment_closed(campaign, REPO, []),
        comment_reopened(campaign, REPO, []),
        comment_due_passed(campaign, TODAY, 1),
        comment_campaign_closed(campaign, 1),
    ):
        assert "<" not in text.removesuffix(EVENT)
        assert "@mona" not in text.replace("`", "")
        assert "](y)" not in text


# --- the digest of a section's inputs stands for the section ---------------------------

_STATES = ("open", "fixed", "dismissed", "resolved")


@st.composite
def _entry_lists(draw: st.DrawFn) -> list[tuple[Member, Alert | None]]:
    """Few members with fields from small domains, so that equal inputs come up often."""
    numbers = draw(st.lists(st.integers(1, 4), unique=True, min_size=1, max_size=3))
    entries: list[tuple[Member, Alert | None]] = []
    for number in sorted(numbers):
        kind = draw(st.sampled_from(("code-scanning", "code-scanning", "secret-scanning")))
        alert_id = f"{kind}:{REPO}:{number}"
        state = draw(st.sampled_from(_STATES))
        joined = draw(st.sampled_from((JOINED, "2026-12-01T00:00:00Z")))
        member = Member(alert_id, state, joined, joined)  # type: ignore[arg-type]
        if draw(st.sampled_from((False, False, True))):  # unseen this run
            entries.append((member, None))
            continue
        alert = Alert(
            id=alert_id,
            type=kind,  # type: ignore[arg-type]
            repository=REPO,
            state=draw(st.sampled_from((state, "open"))),  # type: ignore[arg-type]
            number=number,
            state_reason=draw(st.sampled_from((None, "won't fix", "revoked"))),
            rule_id=draw(st.sampled_from((None, "py/sql-injection"))),
            severity=draw(st.sampled_from((None, "critical", "high", "low"))),
            path=draw(st.sampled_from((None, "src/db.py"))),
            start_line=draw(st.sampled_from((None, 12))),
            html_url=draw(
                st.sampled_from((None, f"https://github.com/{REPO}/security/x/{number}"))
            ),
        )
        entries.append((member, alert))
    return entries


def _source(
    entries: list[tuple[Member, Alert | None]], repo: Repository, today: date
) -> SectionSource:
    members = [member for member, _ in entries]
    alerts = [alert for _, alert in entries]
    return SectionSource(
        CAMPAIGN,
        campaign_fingerprint(CAMPAIGN),
        REPO,
        repo,
        members,
        alerts,
        DueDates(CAMPAIGN, today),
        today,
    )


_inputs = st.tuples(
    _entry_lists(),
    st.sampled_from((PRIVATE, PUBLIC)),
    st.sampled_from((TODAY, date(2027, 1, 20), date(2027, 4, 1))),
)


_ALERT_VARIANTS: dict[str, tuple[Any, ...]] = {
    "state": ("open", "fixed", "dismissed"),
    "state_reason": (None, "won't fix", "revoked"),
    "rule_id": (None, "py/sql-injection", "py/xss"),
    "rule_name": (None, "SQL injection"),
    "severity": (None, "critical", "high", "low"),
    "path": (None, "src/db.py", "src/app.py"),
    "start_line": (None, 12, 13),
    "package": (None, "lodash"),
    "ecosystem": (None, "npm"),
    "html_url": (None, f"https://github.com/{REPO}/security/x/1", "https://evil.example/x"),
}


@st.composite
def _changed(
    draw: st.DrawFn, entries: list[tuple[Member, Alert | None]]
) -> list[tuple[Member, Alert | None]]:
    """``entries`` with one thing changed: a member's state or joined time, an alert field,
    an alert seen or not; or nothing."""
    changed = list(entries)
    at = draw(st.integers(0, len(changed) - 1))
    member, alert = changed[at]
    what = draw(st.sampled_from(("member", "joined", "unseen", "nothing", *["alert"] * 6)))
    if what == "member":
        member = member._replace(state=draw(st.sampled_from(_STATES)))
    elif what == "joined":
        member = member._replace(joined="2026-12-01T00:00:00Z")
    elif what == "unseen":
        alert = None
    elif what == "alert" and alert is not None:
        name = draw(st.sampled_from(sorted(_ALERT_VARIANTS)))
        value = draw(st.sampled_from(_ALERT_VARIANTS[name]))
        alert = dataclasses.replace(alert, **{name: value})
    changed[at] = (member, alert)
    return changed


@settings(max_examples=500)
@given(st.data(), _inputs)
def test_equal_input_digests_mean_equal_sections(
    data: st.DataObject,
    first: tuple[list[tuple[Member, Alert | None]], Repository, date],
) -> None:
    # The plan compares digests instead of rendering every issue: a change it cannot see
    # would leave an issue stale. (Different digests with equal text only cost an update.)
    entries, repo, today = first
    later = data.draw(_changed(entries))
    other_today = data.draw(st.sampled_from((today, date(2027, 1, 20), date(2027, 4, 1))))
    a, b = _source(entries, repo, today), _source(later, repo, other_today)
    if a.digest() == b.digest():
        assert render_source(a) == render_source(b)


def test_the_input_digest_follows_a_change_of_state_and_of_the_campaign() -> None:
    alert = code_alert(7, severity="critical")
    member = Member(alert.id, "open", JOINED, JOINED)
    base = _source([(member, alert)], PRIVATE, TODAY)
    fixed = _source([(member._replace(state="fixed"), alert)], PRIVATE, TODAY)
    renamed = dataclasses.replace(base, campaign_key=campaign_fingerprint(make_campaign(name="X")))
    assert len({base.digest(), fixed.digest(), renamed.digest()}) == 3
    # A day going by changes nothing, until the SLA due date passes.
    assert base.digest() == _source([(member, alert)], PRIVATE, TODAY + timedelta(days=2)).digest()
    assert base.digest() != _source([(member, alert)], PRIVATE, TODAY + timedelta(days=4)).digest()


@pytest.mark.parametrize("repo", [PRIVATE, PUBLIC], ids=["private", "public"])
@pytest.mark.parametrize("name", sorted(_ALERT_VARIANTS))
def test_each_alert_field_shown_is_in_the_digest(name: str, repo: Repository) -> None:
    member = Member("code-scanning:acme/web:1", "open", JOINED, JOINED)
    base = code_alert(1, severity="low", state_reason=None)
    for value in _ALERT_VARIANTS[name]:
        other = dataclasses.replace(base, **{name: value})
        a, b = (_source([(member, x)], repo, TODAY) for x in (base, other))
        if render_source(a) != render_source(b):
            assert a.digest() != b.digest(), (name, value)
