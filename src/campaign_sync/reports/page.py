"""``reports/<id>/README.md``: one campaign's progress, as GitHub renders it. Pure.

Sections, in order:

- the campaign's name and description, then a table of its status, due date and days
  left, percent done (and, when some alerts were dismissed, how many of the closed ones
  were fixed and how many dismissed), managers, contact, native GitHub campaign (linked),
  and the day the report was written;
- **Alerts**: open, fixed, dismissed and total, and for how many open alerts Copilot
  Autofix was requested. There is no "in progress" count: GitHub's alert APIs do not say
  whether someone is working on an alert (a branch, a pull request), and the ledger
  records only each alert's state, so the report does not guess;
- **SLA**: per severity, the campaign's SLA days, open alerts, those past their SLA due
  date and the next due date (open alerts of unknown severity are counted without an SLA);
- **Burn-down**: the Mermaid chart of ``history.csv`` (see ``chart.py``);
- **Repositories**: one row per repository, most open alerts first, with its counts and
  its tracking issue (linked; "closed" when it is), at most ``MAX_REPOSITORY_ROWS`` rows
  and a line counting the rest; then each repository where no issue is written (archived:
  its open alerts frozen; Issues turned off: tracked in the report only), with its count;
- where each alert's own record is: ``ledger.tsv``, and the command that reads its
  history from git.

No alert text (rules, paths, messages) is ever shown: only counts, repository names
(escaped) and links the tool builds. ``today`` is passed in; same input, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from campaign_sync.actions import NATIVE_CLOSED
from campaign_sync.holds import describe
from campaign_sync.reports import text
from campaign_sync.reports.chart import burndown, points
from campaign_sync.reports.details import UNKNOWN
from campaign_sync.reports.history import HistoryRow
from campaign_sync.reports.links import issue_url, native_campaign_url, repository_url
from campaign_sync.reports.tally import CampaignFacts, RepositoryRow, SeverityRow
from campaign_sync.untrusted.markdown import escape_inline, neutralize_markdown
from campaign_sync.wording import plural

MAX_REPOSITORY_ROWS = 500
_MAX_DESCRIPTION = 5_000  # the schema's limit
GENERATED = (
    "<!-- Written by campaign-sync from ledger.tsv, details.tsv and history.csv. "
    "Edits are overwritten: change the campaign file instead. -->"
)


def _native(facts: CampaignFacts, web: str) -> str | None:
    ledger = facts.ledger
    number = ledger.native_campaign
    if number is None:
        return None
    url = native_campaign_url(web, ledger.native_organization, number)
    shown = f"[#{number}]({url})" if url is not None else f"#{number}"
    return shown + (" (closed)" if ledger.native_digest == NATIVE_CLOSED else "")


def _summary_table(facts: CampaignFacts, *, today: date, web: str) -> list[str]:
    campaign, tally = facts.campaign, facts.tally
    done = text.percent(tally.percent_done)
    if tally.total:
        done += f" ({tally.closed} of {plural(tally.total, 'alert')} closed"
        if tally.dismissed:  # a dismissal is done, but it is not a fix: say how many
            done += f": {tally.fixed} fixed, {tally.dismissed} dismissed"
        if facts.frozen:  # open, and cannot change: say why they will not burn down
            done += f"; {facts.frozen} frozen in archived repositories"
        done += ")"
    rows = [
        ("Status", campaign.state),
        ("Due", text.due(campaign, today)),
        ("Done", done),
        ("Managers", text.managers(campaign)),
        ("Contact", text.contact(campaign)),
    ]
    native = _native(facts, web)
    if native is not None:
        rows.append(("Native campaign", native))
    rows.append(("As of", today.isoformat()))
    return ["| | |", "| --- | --- |", *(f"| **{k}** | {v} |" for k, v in rows)]


def _alerts(facts: CampaignFacts) -> list[str]:
    tally = facts.tally
    lines = [
        "## Alerts",
        "",
        "| Open | Fixed | Dismissed | Total |",
        "| ---: | ---: | ---: | ---: |",
        f"| {tally.open} | {tally.fixed} | {tally.dismissed} | {tally.total} |",
    ]
    if facts.campaign.github.autofix or facts.autofix_open:
        lines += [
            "",
            f"Copilot Autofix requested for {facts.autofix_open} of the "
            f"{plural(tally.open, 'open alert')}.",
        ]
    return lines


def _severity_row(row: SeverityRow) -> str:
    name = "unknown severity" if row.severity == UNKNOWN else row.severity
    days = plural(row.sla_days, "day") if row.sla_days is not None else "—"
    late = str(row.past_due) if row.sla_days is not None else "—"
    upcoming = row.next_due.isoformat() if row.next_due is not None else "—"
    return f"| {name} | {days} | {row.open} | {late} | {upcoming} |"


def _sla(facts: CampaignFacts) -> list[str]:
    lines = ["## SLA", ""]
    has_sla = any(row.sla_days is not None for row in facts.severities)
    if has_sla:
        lines.append(
            "Days to fix an alert, counted from the day it joined the campaign. "
            f"**{plural(facts.past_due, 'open alert')} past the SLA due date.**"
        )
    else:
        lines.append("This campaign sets no SLA.")
    if not facts.severities:
        return lines
    return [
        *lines,
        "",
        "| Severity | SLA | Open | Past SLA due date | Next SLA due date |",
        "| --- | ---: | ---: | ---: | --- |",
        *(_severity_row(row) for row in facts.severities),
    ]


def _burndown(history: Sequence[HistoryRow]) -> list[str]:
    runs = plural(len(history), "day")
    span = (history[-1].day - history[0].day).days + 1
    shown = len(points(history))
    scale = (
        "one point per calendar day"
        if shown == span
        else f"{shown} days at even intervals of the {span} since the first"
    )
    return [
        "## Burn-down",
        "",
        burndown(history),
        "",
        f"Open alerts, {scale} (reports written on {runs}; a day without one shows the "
        "day before); the numbers are in [history.csv](history.csv).",
    ]


def _repository_row(row: RepositoryRow, web: str) -> str:
    url = repository_url(web, row.repository)
    name = escape_inline(text.cut(row.repository))
    shown = f"[{name}]({url})" if url is not None else name
    issue = "—"
    if row.issue is not None:
        # Transferred to another repository: linked there, and named with it.
        where = row.issue.where
        target = issue_url(web, where, row.issue.number)
        label = f"#{row.issue.number}"
        if where != row.repository:
            label = f"{escape_inline(text.cut(where))}{label}"
        issue = f"[{label}]({target})" if target else label
        if row.issue.state == "closed":
            issue += " (closed)"
    if row.held is not None:
        issue += " (archived)" if row.held == "archived" else " (Issues turned off)"
    t = row.tally
    counts = f"{t.open} | {row.past_due} | {t.fixed} | {t.dismissed} | {t.total}"
    return f"| {shown} | {counts} | {issue} |"


def _repositories(facts: CampaignFacts, web: str) -> list[str]:
    rows = facts.repositories
    lines = ["## Repositories", ""]
    if not rows:
        return [*lines, "No repository has alerts in this campaign."]
    listed = rows[:MAX_REPOSITORY_ROWS]
    lines += [
        "| Repository | Open | Past SLA | Fixed | Dismissed | Total | Tracking issue |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        *(_repository_row(row, web) for row in listed),
    ]
    rest = rows[len(listed) :]
    if facts.held:
        lines += [
            "",
            "No tracking issue is written in these repositories; their alerts are counted above:",
            "",
            *(
                f"- {escape_inline(describe(text.cut(r.repository), r.held, r.tally.open))}"
                for r in facts.held
                if r.held is not None
            ),
        ]
    if rest:
        left = sum(r.tally.open for r in rest)
        word = "repository" if len(rest) == 1 else "repositories"
        lines += [
            "",
            f"And {len(rest)} more {word} with {plural(left, 'open alert')} "
            "(counted in the totals above).",
        ]
    return lines


def render_page(
    facts: CampaignFacts, history: Sequence[HistoryRow], *, today: date, web: str
) -> str:
    """The campaign's README.md; ``history`` sorted and holding at least today's row."""
    campaign = facts.campaign
    lines = [GENERATED, "", f"# {text.campaign_name(campaign)}", ""]
    description = neutralize_markdown(text.cut(campaign.description, _MAX_DESCRIPTION))
    if description:
        lines += [description, ""]
    lines += _summary_table(facts, today=today, web=web)
    lines += ["", *_alerts(facts), "", *_sla(facts), "", *_burndown(history)]
    lines += ["", *_repositories(facts, web), ""]
    lines += [
        "## Alert by alert",
        "",
        "[ledger.tsv](ledger.tsv) has one line per alert: its id, its state, when it joined "
        "the campaign and when its state last changed, and for a closed alert the reason, who "
        "closed it and their comment. `campaign-sync history ALERT_ID` tells from git when an "
        "alert joined and every change after, each with its commit.",
    ]
    return "\n".join(lines) + "\n"
