"""Tracking issues: the title, the tool-owned section of the body, and the comments. Pure.

The tool owns one section of a tracking issue's body, between a versioned hidden marker
line and an end marker line::

    <!-- campaign-sync:v1 campaign=ID repository=OWNER/REPO -->
    ...
    <!-- campaign-sync:end -->

Only that section is ever rewritten; whatever a human wrote before or after it is kept
byte for byte. The markers are recognised only as whole lines, and nothing inside the
section can look like one: every text taken from an alert goes through ``escape_inline``
(no ``<`` survives), the campaign's description through ``neutralize_markdown``.

The section changes only when something real changes (an alert's state, an SLA due date
or the campaign's due date passing, the campaign's fields), never just because a day went
by: dates are stated as dates, never as "N days left". So its digest, kept in the ledger,
says whether the issue needs an update.

No I/O and no clock here: ``today`` is passed in. Same input, byte-identical output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from campaign_sync.issue_markers import END_MARKER, START_LINE, event_comment, start_marker
from campaign_sync.model import SEVERITIES, Campaign, Repository
from campaign_sync.render.issue_fields import (
    MAX_DESCRIPTION,
    Kind,
    campaign_name,
    contact_text,
    count_of,
    cut,
    item_kind,
    item_line,
    item_severity,
    item_sort_key,
    linked_label,
    managers_text,
    mentions_text,
    plain_line,
    trusted_hosts,
)
from campaign_sync.section import IssueItem, SectionSource, shows_details
from campaign_sync.sla import sla_days
from campaign_sync.untrusted.markdown import escape_inline, neutralize_markdown

MAX_BODY = 65_536  # GitHub's issue body limit (characters)


# The tool's section stays within this many UTF-8 bytes (at least as many as characters,
# however GitHub counts them), leaving the rest of MAX_BODY for what humans write.
SECTION_BUDGET = 60_000


MAX_TITLE = 256  # GitHub's issue title limit (characters)


# GitHub's comment limit is the same as the body's; a reopen comment lists this many alerts.
_MAX_LISTED_IN_COMMENT = 100


def render_title(campaign: Campaign, repository: str) -> str:
    """``[Security campaign] NAME: OWNER/REPO``, at most GitHub's 256 characters."""
    prefix = "[Security campaign] "
    suffix = f": {plain_line(repository)}"
    name = plain_line(campaign.name)
    room = MAX_TITLE - len(prefix) - len(suffix)
    if len(name) > room:
        name = name[: max(room - 1, 0)].rstrip() + "…"
    return (prefix + name + suffix)[:MAX_TITLE]


def render_section(
    campaign: Campaign,
    repository: str,
    repo: Repository | None,
    items: Sequence[IssueItem],
    *,
    today: date,
) -> str:
    """The tool-owned section of the tracking issue of ``repository``, markers included.

    At most SECTION_BUDGET UTF-8 bytes: when the task list does not fit, the first items
    (open ones first) are listed and a line counts the rest.
    """
    details = shows_details(campaign, repo)
    trusted = trusted_hosts(items)
    ordered = sorted(items, key=item_sort_key)
    kinds = [item_kind(i) for i in ordered]
    closed = sum(1 for k in kinds if k != "open")

    head = [
        start_marker(campaign.id, repository),
        f"## Security campaign: {campaign_name(campaign)}",
    ]
    description = neutralize_markdown(cut(campaign.description, MAX_DESCRIPTION))
    if description:
        head += ["", description]
    head.append("")
    due = f"- **Due:** {campaign.ends.isoformat()}"
    if today > campaign.ends:
        due += " (passed)"
    head.append(due)
    if campaign.state != "active":
        head.append(f"- **Status:** {campaign.state}")
    head.append(f"- **Managers:** {managers_text(campaign)}")
    head.append(f"- **Contact:** {contact_text(campaign)}")
    sla = sla_days(campaign)
    if sla:
        head.append(f"- **SLA:** {_sla_status(sla, ordered, kinds, details, today)}")
    cc = mentions_text(campaign)
    if cc:
        head += ["", cc]
    head += ["", "### Alerts", "", f"{closed} of {count_of(len(ordered), 'alert')} closed", ""]

    tail = [
        "",
        "_campaign-sync keeps this section up to date; write above or below it._",
        END_MARKER,
    ]
    if not ordered:
        head[-2:] = ["No alerts of this campaign in this repository."]
        return "\n".join(head + tail)

    listed = _fit(ordered, kinds, repository, trusted, details, today, head, tail)
    body = head + listed
    if len(listed) < len(ordered):
        body += ["", _summary(kinds[len(listed) :])]
    section = "\n".join(body + tail)
    _check(section)
    return section


def render_source(source: SectionSource) -> str:
    """The section ``source`` describes (what a plan carries until the issue is written)."""
    return render_section(
        source.campaign, source.repository, source.repo, source.items(), today=source.today
    )


def section_text(content: str | SectionSource) -> str:
    """A planned section: as it is, or rendered from what it is made of."""
    return content if isinstance(content, str) else render_source(content)


def _sla_status(
    sla: list[tuple[str, int]],
    items: Sequence[IssueItem],
    kinds: Sequence[Kind],
    details: bool,
    today: date,
) -> str:
    days = ", ".join(f"{s} {count_of(d, 'day')}" for s, d in sla)
    late = Counter(
        item_severity(i) or "unknown"
        for i, k in zip(items, kinds, strict=True)
        if k == "open" and i.due is not None and i.due < today
    )
    total = sum(late.values())
    rules = f"{days} from when an alert joins the campaign"
    if not total:
        return f"{rules}; no open alert is past its SLA due date"
    status = f"{rules}; {count_of(total, 'open alert')} past the SLA due date"
    if details:
        order = [*SEVERITIES, "unknown"]
        status += ": " + ", ".join(f"{late[s]} {s}" for s in order if late[s])
    return status


def _summary(rest: Sequence[Kind]) -> str:
    open_count = sum(1 for k in rest if k == "open")
    return (
        f"and {len(rest)} more alert{'s' if len(rest) != 1 else ''}: {open_count} open, "
        f"{len(rest) - open_count} closed — see the campaign report"
    )


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _fit(
    ordered: Sequence[IssueItem],
    kinds: Sequence[Kind],
    repository: str,
    trusted: frozenset[str],
    details: bool,
    today: date,
    head: Sequence[str],
    tail: Sequence[str],
) -> list[str]:
    """As many item lines as fit in the budget, in order, with room for the summary."""
    room = SECTION_BUDGET - _size(head) - _size(tail)
    lines: list[str] = []
    sizes: list[int] = []
    used = 0
    for item in ordered:
        line = item_line(item, repository, trusted, details=details, today=today)
        size = len(line.encode("utf-8")) + 1
        if used + size > room:
            break
        lines.append(line)
        sizes.append(size)
        used += size
    else:
        return lines
    # Not everything fits: drop lines until the summary (and its blank line) fits too.
    while lines and used + _size(["", _summary(kinds[len(lines) :])]) > room:
        lines.pop()
        used -= sizes.pop()
    return lines


def _check(section: str) -> None:
    """The section holds its two marker lines, at its ends, and no other HTML comment."""
    first = section.split("\n", 1)[0]
    if (
        section.count("<!--") != 2
        or section.count("-->") != 2
        or not START_LINE.fullmatch(first)
        or not section.endswith("\n" + END_MARKER)
    ):
        raise AssertionError("a rendered section must hold exactly its own two markers")


def comment_closed(campaign: Campaign, repository: str, items: Sequence[IssueItem]) -> str:
    """When every alert of the issue is closed: how many were fixed and dismissed."""
    kinds = Counter(item_kind(i) for i in items)
    total = len(items)
    every = f"All {total} alerts" if total != 1 else "The 1 alert"
    verb = "are" if total != 1 else "is"
    return event_comment(
        f"{every} of the campaign **{campaign_name(campaign)}** in {escape_inline(repository)} "
        f"{verb} closed: {kinds['fixed']} fixed, {kinds['dismissed']} dismissed. "
        "Thank you! campaign-sync closes this issue, and reopens it if one of them "
        "opens again."
    )


def comment_reopened(campaign: Campaign, repository: str, items: Sequence[IssueItem]) -> str:
    """When alerts open again: names them (type, number and link only)."""
    what, verb, listed = _open_alerts(repository, items)
    return event_comment(
        "\n".join(
            [
                f"{what} of the campaign **{campaign_name(campaign)}** in "
                f"{escape_inline(repository)} {verb} open again, so campaign-sync reopens "
                "this issue:",
                "",
                *listed,
            ]
        )
    )


def comment_hand_closed(campaign: Campaign, repository: str, items: Sequence[IssueItem]) -> str:
    """When the issue was closed by someone else while its alerts are open (the campaign's
    ``tracking.manual-close`` is ``reopen``): names them (type, number and link only)."""
    what, verb, listed = _open_alerts(repository, items)
    return event_comment(
        "\n".join(
            [
                f"This issue was closed while {what[0].lower()}{what[1:]} of the campaign "
                f"**{campaign_name(campaign)}** in {escape_inline(repository)} {verb} still "
                "open, so campaign-sync reopens it. It closes by itself once they are fixed or "
                f"dismissed. The campaign's managers ({managers_text(campaign)}) can set "
                "`tracking.manual-close: respect` to leave issues closed by hand.",
                "",
                *listed,
            ]
        )
    )


def _open_alerts(repository: str, items: Sequence[IssueItem]) -> tuple[str, str, list[str]]:
    """ "This alert" or "These N alerts", its verb, and the open alerts as list items."""
    trusted = trusted_hosts(items)
    still_open = sorted((i for i in items if item_kind(i) == "open"), key=item_sort_key)
    listed = [
        f"- {linked_label(i, repository, trusted)}" for i in still_open[:_MAX_LISTED_IN_COMMENT]
    ]
    more = len(still_open) - len(listed)
    if more:
        listed.append(f"- and {count_of(more, 'more alert')}")
    what = "This alert" if len(still_open) == 1 else f"These {len(still_open)} alerts"
    verb = "is" if len(still_open) == 1 else "are"
    return what, verb, listed


def comment_due_passed(campaign: Campaign, today: date, open_count: int) -> str:
    """When the campaign's due date has passed with alerts still open."""
    still = (
        "all of its alerts in this repository are closed"
        if open_count == 0
        else f"{count_of(open_count, 'alert')} in this repository "
        f"{'is' if open_count == 1 else 'are'} still open"
    )
    return event_comment(
        f"The campaign **{campaign_name(campaign)}** was due on {campaign.ends.isoformat()}. "
        f"As of {today.isoformat()}, {still}. Questions go to the campaign managers "
        f"({managers_text(campaign)}): {contact_text(campaign)}"
    )


def comment_campaign_closed(campaign: Campaign, open_count: int) -> str:
    """When the campaign is closed by its managers."""
    if open_count == 0:
        rest = "All of its alerts in this repository are closed."
    else:
        rest = (
            f"{count_of(open_count, 'alert')} listed here "
            f"{'is' if open_count == 1 else 'are'} still open: "
            f"{'it is' if open_count == 1 else 'they are'} still security alerts of this "
            "repository and should still be fixed."
        )
    return event_comment(f"The campaign **{campaign_name(campaign)}** is closed. {rest}")


def comment_out_of_scope(campaign: Campaign, count: int) -> str:
    """When a change of the campaign's selection leaves this repository's alerts out."""
    return event_comment(
        f"The campaign **{campaign_name(campaign)}** no longer covers the alerts of this "
        "repository (its selection was changed in the campaign file), so this tracking "
        f"issue is closed as not planned. The {count_of(count, 'alert')} listed here "
        f"{'is' if count == 1 else 'are'} still security alerts of this repository."
    )


def comment_duplicate(number: int) -> str:
    """On the newer of two tracking issues two runs opened at once."""
    return event_comment(
        f"Duplicate of #{number}. Two runs of campaign-sync opened a tracking issue for this "
        f"campaign and repository at the same moment: #{number}, the older, is the one kept "
        "up to date, and this one is closed."
    )


def comment_campaign_removed(campaign_id: str, open_count: int) -> str:
    """When the campaign's file was deleted from the campaigns repository."""
    rest = (
        ""
        if open_count == 0
        else f" {count_of(open_count, 'alert')} listed here {'is' if open_count == 1 else 'are'} "
        "still open: still security alerts of this repository, to be fixed."
    )
    return event_comment(
        f"The campaign `{campaign_id}` was removed from the campaigns repository (its file "
        f"was deleted), so this tracking issue is closed as not planned.{rest}"
    )
