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

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

import orjson

from campaign_sync.model import SEVERITIES, Alert, AlertType, Campaign, Member, Repository
from campaign_sync.render.markdown import escape_inline, escape_markdown, neutralize_markdown

MAX_BODY = 65_536  # GitHub's issue body limit (characters)
# The tool's section stays within this many UTF-8 bytes (at least as many as characters,
# however GitHub counts them), leaving the rest of MAX_BODY for what humans write.
SECTION_BUDGET = 60_000
MAX_TITLE = 256  # GitHub's issue title limit (characters)
# GitHub's comment limit is the same as the body's; a reopen comment lists this many alerts.
_MAX_LISTED_IN_COMMENT = 100
# Alert fields are cut to this many characters before escaping: a line stays readable and
# bounded whatever the scanner wrote.
_MAX_FIELD = 200
_MAX_DESCRIPTION = 5_000  # the schema's limit
_MAX_NAME = 200  # the schema's limit

_CAMPAIGN_ID = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
_REPOSITORY = r"[A-Za-z0-9._-]{1,100}/[A-Za-z0-9._-]{1,100}"
_START = re.compile(
    rf"<!-- campaign-sync:v1 campaign=(?P<campaign>{_CAMPAIGN_ID}) "
    rf"repository=(?P<repository>{_REPOSITORY}) -->"
)
END_MARKER = "<!-- campaign-sync:end -->"
# The last line of every comment the tool posts about an event (closed, reopened, due date,
# campaign closed). "Posted already?" asks whether the newest of these is the one to post:
# so a second close after a reopen gets its own comment, and a run that died after
# commenting does not comment twice.
EVENT_MARKER = "<!-- campaign-sync:event -->"
_NEWLINE = re.compile(r"\r\n|\r|\n")

_TYPE_LABEL: dict[str, str] = {
    "code-scanning": "Code scanning alert",
    "secret-scanning": "Secret scanning alert",
    "dependabot": "Dependabot alert",
}
_TYPE_ORDER: dict[str, int] = {"code-scanning": 0, "dependabot": 1, "secret-scanning": 2}
_SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}

# Users and teams as the schema allows them; anything else is shown inert.
_USER_OR_TEAM = re.compile(
    r"@?[A-Za-z0-9][A-Za-z0-9-]{0,38}|@[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*"
)
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
# Characters left as they are in a link target; everything else is percent-encoded, among
# them '(' ')' and spaces (which would end the target), '<' '>' '`' '"' and '@'.
_URL_SAFE = "-._~:/?#!$&+,;=%"
_CONTACT_SAFE = _URL_SAFE + "@"  # a mailto: contact keeps its address readable
# An alert URL as GitHub writes it: nothing to percent-encode, the host plain to see.
_PLAIN_URL = re.compile(r"https://(?P<host>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)/[A-Za-z0-9._/-]+")

Kind = Literal["open", "fixed", "dismissed"]


@dataclass(frozen=True, slots=True)
class IssueItem:
    """One member alert of a tracking issue."""

    member: Member  # alert id, state, joined, changed (from the ledger)
    alert: Alert | None  # the alert as seen this run; None if not seen (rendered from member)
    due: date | None  # SLA due date, if the campaign has an SLA for the alert's severity


# --- markers --------------------------------------------------------------------------


def start_marker(campaign_id: str, repository: str) -> str:
    """The hidden first line of the tool's section. ValueError if either cannot be one."""
    marker = f"<!-- campaign-sync:v1 campaign={campaign_id} repository={repository} -->"
    if not _START.fullmatch(marker):
        raise ValueError(
            f"cannot mark a section for campaign {campaign_id!r} and repository "
            f"{repository!r}: expected a campaign id and an OWNER/REPO name"
        )
    return marker


def can_mark(campaign_id: str, repository: str) -> bool:
    """Whether ``start_marker`` can mark a section for this campaign and repository."""
    marker = f"<!-- campaign-sync:v1 campaign={campaign_id} repository={repository} -->"
    return _START.fullmatch(marker) is not None


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line's content; any of \\r\\n, \\r, \\n ends a line."""
    pos = 0
    for match in _NEWLINE.finditer(text):
        yield pos, match.start()
        pos = match.end()
    yield pos, len(text)


def _sections(body: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, campaign, repository) of each complete tool section in ``body``.

    A section runs from a start marker line to the next end marker line. When start
    markers repeat before an end marker (a section a human cut short), the last one counts.
    """
    opened: tuple[int, str, str] | None = None
    for start, end in _lines(body):
        line = body[start:end]
        if line == END_MARKER:
            if opened is not None:
                yield opened[0], end, opened[1], opened[2]
                opened = None
            continue
        match = _START.fullmatch(line)
        if match:
            opened = (start, match["campaign"], match["repository"])


def find_marker(body: str) -> tuple[str, str] | None:
    """(campaign id, repository) of the tool's section in ``body``, if it has one.

    Only whole marker lines count, and only a start marker that an end marker follows.
    """
    for _, _, campaign, repository in _sections(body):
        return campaign, repository
    return None


def find_markers(body: str) -> tuple[tuple[str, str], ...]:
    """(campaign id, repository) of every start marker line in ``body``, complete section
    or not: whoever reads an issue to decide whose it is reads them all, not the first."""
    found = []
    for start, end in _lines(body):
        match = _START.fullmatch(body[start:end])
        if match:
            found.append((match["campaign"], match["repository"]))
    return tuple(found)


def extract_section(body: str, campaign_id: str, repository: str) -> str | None:
    """The tool's section for this campaign and repository in ``body``, markers included."""
    for start, end, campaign, repo in _sections(body):
        if (campaign, repo) == (campaign_id, repository):
            return body[start:end]
    return None


def merge_body(existing: str | None, section: str, previous_names: Sequence[str] = ()) -> str:
    """``existing`` with its tool section replaced by ``section``; the rest byte for byte.

    No existing body: the section alone. A body without a complete section for the same
    campaign and repository: the section on top, a blank line, then the body as it was.
    ``previous_names`` are names the repository had (renamed or transferred since): a
    section of the same campaign marked with one of them is the one replaced.
    """
    first = section.split("\n", 1)[0]
    match = _START.fullmatch(first)
    if match is None or not section.endswith("\n" + END_MARKER):
        raise ValueError("not a campaign-sync section: it must start and end with its markers")
    if not existing:
        return section
    names = {match["repository"], *previous_names}
    for start, end, campaign, repository in _sections(existing):
        if campaign == match["campaign"] and repository in names:
            return existing[:start] + section + existing[end:]
    return section + "\n\n" + existing


def section_digest(section: str) -> str:
    """Short sha256 hex of the section: an unchanged digest means the issue needs no update."""
    return hashlib.sha256(section.encode("utf-8")).hexdigest()[:16]


# --- the digest of a section's inputs ---------------------------------------------------

# Part of every input digest. Bump it when render_section writes something else for the same
# inputs: each tracking issue is then updated once, by the next run.
RENDER_VERSION = 1


def campaign_fingerprint(campaign: Campaign) -> bytes:
    """Every campaign field a section shows, as stable bytes (digested with each section)."""
    sla = campaign.sla
    return _stable_bytes(
        [
            RENDER_VERSION,
            campaign.id,
            campaign.name,
            campaign.description,
            campaign.ends.isoformat(),
            campaign.state,
            campaign.managers,
            campaign.contact,
            [sla.critical, sla.high, sla.medium, sla.low],
            campaign.tracking.mention,
            campaign.tracking.public_details,
        ]
    )


def _stable_bytes(value: object) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # An integer beyond 64 bits or a lone surrogate from a scanner: repr is stable too.
        return repr(value).encode("utf-8", "surrogatepass")


class DueDates:
    """``sla_due`` for one campaign, remembered: members join in batches (one timestamp per
    run), so a campaign's million members have a handful of (joined, severity) pairs."""

    __slots__ = ("_by_joined", "_campaign", "_today")

    def __init__(self, campaign: Campaign, today: date) -> None:
        self._campaign = campaign
        self._today = today
        self._by_joined: dict[str, _DueOn] = {}

    def of(self, member: Member, alert: Alert | None) -> date | None:
        if alert is None or alert.severity is None:
            return None
        return self.on(member.joined)[alert.severity][0]

    def on(self, joined: str) -> _DueOn:
        """By severity: the due date of an alert that joined at ``joined``, and whether it
        has passed (today is after it)."""
        due_on = self._by_joined.get(joined)
        if due_on is None:
            due_on = self._by_joined[joined] = _DueOn(self._campaign, joined, self._today)
        return due_on


class _DueOn(dict[str, tuple[date | None, bool]]):
    """Severity -> (SLA due date, passed), for alerts that joined at one time; filled as
    severities are asked for."""

    def __init__(self, campaign: Campaign, joined: str, today: date) -> None:
        super().__init__()
        self._campaign, self._joined, self._today = campaign, joined, today

    def __missing__(self, severity: str) -> tuple[date | None, bool]:
        due = _due_date(self._campaign, self._joined, severity)
        value = self[severity] = (due, due is not None and due < self._today)
        return value


@dataclass(frozen=True, slots=True)
class SectionSource:
    """What the section of one tracking issue is made of, to render it only when written.

    Planning a large organization covers hundreds of thousands of issues, but a run writes a
    few hundred (GitHub's write limits). So the plan digests these inputs (``digest``),
    which is cheap, and the section is rendered from them (``render``) only for an issue
    that is created or updated.
    """

    campaign: Campaign
    # campaign_fingerprint(campaign), computed once per campaign
    campaign_key: bytes = field(compare=False, repr=False)
    repository: str
    repo: Repository | None
    members: Sequence[Member]  # of this repository, sorted by alert id
    alerts: Sequence[Alert | None]  # beside each member: its alert if seen this run
    dues: DueDates = field(compare=False, repr=False)
    today: date

    def items(self) -> list[IssueItem]:
        due = self.dues.of
        return [
            IssueItem(member, alert, due(member, alert))
            for member, alert in zip(self.members, self.alerts, strict=True)
        ]

    def render(self) -> str:
        return render_section(
            self.campaign, self.repository, self.repo, self.items(), today=self.today
        )

    def urgency(self) -> tuple[int, int]:
        """(rank of the most severe open alert, 0 = critical; the earliest SLA due date of
        an open alert, as an ordinal): what makes this issue more urgent than another."""
        severity = len(_SEVERITY_RANK)
        due = date.max.toordinal()
        dues_on = self.dues.on
        for member, alert in zip(self.members, self.alerts, strict=True):
            if member.state != "open" or alert is None or alert.severity is None:
                continue
            severity = min(severity, _SEVERITY_RANK.get(alert.severity.lower(), severity))
            when = dues_on(member.joined)[alert.severity][0]
            if when is not None:
                due = min(due, when.toordinal())
        return severity, due

    def digest(self) -> str:
        """Changes whenever ``render`` would write something else (RENDER_VERSION aside).

        Each member gives one row of exactly what its line and the counts show, so an
        alert seen with nothing more to show than its id digests as if it were unseen.
        (The hottest loop of planning: one pass per member of every campaign.)
        """
        today = self.today
        dues_on = self.dues.on
        details = _shows_details(self.campaign, self.repo)
        rows: list[tuple[object, ...]] = []
        append = rows.append
        joined: str | None = None
        due_on: Mapping[str, tuple[date | None, bool]] = {}
        for member, alert in zip(self.members, self.alerts, strict=True):
            if alert is None:
                append((member.alert_id, member.state))
                continue
            severity = alert.severity
            if member.joined is not joined:  # members join in batches: mostly the same
                joined = member.joined
                due_on = dues_on(joined)
            due = None if severity is None else due_on[severity]
            reason = alert.state_reason if alert.state == member.state else None
            if details and alert.type != "secret-scanning":
                append(
                    (
                        member.alert_id,
                        member.state,
                        alert.html_url,
                        severity,
                        due,
                        reason,
                        alert.rule_id,
                        alert.rule_name,
                        alert.package,
                        alert.ecosystem,
                        alert.path,
                        alert.start_line,
                    )
                )
            elif reason is None and severity is None and alert.html_url is None:
                append((member.alert_id, member.state))
            else:
                append((member.alert_id, member.state, alert.html_url, severity, due, reason))
        head = [self.repository, details, today > self.campaign.ends]
        data = self.campaign_key + _stable_bytes([head, rows])
        return hashlib.sha256(data).hexdigest()[:16]


# --- titles, campaign fields ----------------------------------------------------------


@functools.lru_cache(maxsize=1 << 14)
def _plain(text: str) -> str:
    """One line of plain text: no control, invisible or bidi characters; spaces collapsed."""
    cleaned = "".join(" " if c.isspace() else c for c in text if c.isprintable() or c.isspace())
    return " ".join(cleaned.split())


def render_title(campaign: Campaign, repository: str) -> str:
    """``[Security campaign] NAME: OWNER/REPO``, at most GitHub's 256 characters."""
    prefix = "[Security campaign] "
    suffix = f": {_plain(repository)}"
    name = _plain(campaign.name)
    room = MAX_TITLE - len(prefix) - len(suffix)
    if len(name) > room:
        name = name[: max(room - 1, 0)].rstrip() + "…"
    return (prefix + name + suffix)[:MAX_TITLE]


def _cut(text: str, limit: int = _MAX_FIELD) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.lru_cache(maxsize=1 << 16)
def _esc(text: str, limit: int = _MAX_FIELD) -> str:
    """escape_inline of a field cut to ``limit``; rules, paths and severities repeat a lot."""
    return escape_inline(_cut(text, limit))


def _name(campaign: Campaign) -> str:
    return escape_inline(_cut(campaign.name, _MAX_NAME))


def _managers(campaign: Campaign) -> str:
    """Users and teams as code spans: shown, not notified."""
    shown = [
        f"`{m}`" if _USER_OR_TEAM.fullmatch(m) else escape_inline(_cut(m))
        for m in campaign.managers
    ]
    return ", ".join(shown) if shown else "none named"


def _mentions(campaign: Campaign) -> str | None:
    """The cc line: the campaign's real @-mentions (validated by the schema)."""
    shown = [
        "@" + m.lstrip("@") if _USER_OR_TEAM.fullmatch(m) else escape_inline(_cut(m))
        for m in campaign.tracking.mention
    ]
    return "cc " + " ".join(shown) if shown else None


def _contact(campaign: Campaign) -> str:
    contact = campaign.contact.strip()
    try:
        parts = urlsplit(contact)
    except ValueError:
        return escape_inline(_cut(contact))
    if (parts.scheme in ("https", "http") and parts.netloc) or parts.scheme == "mailto":
        # Link text is not autolinked: escape_markdown keeps the address copyable.
        target = quote(contact, safe=_CONTACT_SAFE, errors="replace")
        return f"[{escape_markdown(_cut(contact))}]({target})"
    return escape_inline(_cut(contact))


def _sla_days(campaign: Campaign) -> list[tuple[str, int]]:
    found = ((s, campaign.sla.days_for(s)) for s in SEVERITIES)
    return [(s, d) for s, d in found if d is not None]


def sla_due(campaign: Campaign, member: Member, alert: Alert | None) -> date | None:
    """The day an alert should be fixed by: the day it joined plus the SLA for its severity.

    None when the campaign has no SLA for the severity, or the severity is unknown (the
    alert was not seen). ``member.joined`` is an ISO 8601 UTC timestamp; its date counts.
    """
    if alert is None or alert.severity is None:
        return None
    return _due_date(campaign, member.joined, alert.severity)


def _due_date(campaign: Campaign, joined: str, severity: str) -> date | None:
    """The day that joined (an ISO 8601 timestamp) plus the SLA days for ``severity``."""
    days = campaign.sla.days_for(severity.lower())
    if days is None:
        return None
    return date.fromisoformat(joined[:10]) + timedelta(days=days)


# --- items ----------------------------------------------------------------------------


def _kind(item: IssueItem) -> Kind:
    """Open, fixed (checked) or dismissed (checked and struck through)."""
    state = item.member.state
    if state == "open" or state == "fixed" or state == "dismissed":
        return state
    # resolved (secret scanning): revoked, or no reason known, is a fix; a false positive,
    # "won't fix" or "used in tests" resolution is a dismissal.
    alert = item.alert
    reason = alert.state_reason if alert is not None and alert.state == state else None
    return "dismissed" if reason and reason != "revoked" else "fixed"


def _id_parts(alert_id: str) -> tuple[str, str, str]:
    parts = alert_id.split(":", 2)
    while len(parts) < 3:
        parts.append("")
    return parts[0], parts[1], parts[2]


def _alert_type(item: IssueItem) -> AlertType | str:
    return item.alert.type if item.alert is not None else _id_parts(item.member.alert_id)[0]


def _number(item: IssueItem) -> int | None:
    if item.alert is not None and item.alert.number is not None:
        return item.alert.number
    rest = _id_parts(item.member.alert_id)[2]
    return int(rest) if rest.isascii() and rest.isdigit() and len(rest) < 19 else None


def _severity(item: IssueItem) -> str | None:
    severity = item.alert.severity if item.alert is not None else None
    return severity.lower() if severity else None


def _id_key(alert_id: str) -> tuple[int, str, str, int, int, str]:
    kind, repo, rest = _id_parts(alert_id)
    order = _TYPE_ORDER.get(kind, len(_TYPE_ORDER))
    if rest.isascii() and rest.isdigit():
        return order, kind, repo, 0, int(rest), ""
    return order, kind, repo, 1, 0, rest


def _sort_key(item: IssueItem) -> tuple[int, int, tuple[int, str, str, int, int, str]]:
    """Open alerts first, by severity then id; then closed ones by id."""
    if _kind(item) != "open":
        return 1, 0, _id_key(item.member.alert_id)
    rank = _SEVERITY_RANK.get(_severity(item) or "", len(_SEVERITY_RANK))
    return 0, rank, _id_key(item.member.alert_id)


def _https_host(url: str | None) -> str | None:
    if not url:
        return None
    plain = _PLAIN_URL.fullmatch(url)
    if plain:
        return plain["host"]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if (
        parts.scheme != "https"
        or host is None
        or parts.username is not None
        or port not in (None, 443)
        or not _HOST.fullmatch(host)
    ):
        return None
    return host


def _trusted_hosts(items: Sequence[IssueItem]) -> frozenset[str]:
    """github.com, and a GitHub Enterprise host when every alert URL here agrees on it."""
    found = {
        host
        for i in items
        if i.alert is not None and (host := _https_host(i.alert.html_url)) is not None
    }
    return frozenset({"github.com"} | (found if len(found) == 1 else set()))


def _link_target(url: str | None, repository: str, trusted: frozenset[str]) -> str | None:
    """``url`` as a link target if it is an https URL on a GitHub host below the repository."""
    host = _https_host(url)
    if url is None or host is None or host not in trusted:
        return None
    path = url[8 + len(host) :] if _PLAIN_URL.fullmatch(url) else unquote(urlsplit(url).path)
    segments = path.split("?", 1)[0].split("#", 1)[0].split("/")
    if (
        not path.lower().startswith(f"/{repository.lower()}/")
        or "." in segments
        or ".." in segments
    ):
        return None
    return url if _PLAIN_URL.fullmatch(url) else quote(url, safe=_URL_SAFE, errors="replace")


def _label(item: IssueItem) -> str:
    """``Code scanning alert #42``: the alert's type and number, nothing from its content."""
    kind = _alert_type(item)
    label = _TYPE_LABEL.get(kind, "Alert")
    number = _number(item)
    if number is not None:
        return f"{label} #{number}"
    rest = _id_parts(item.member.alert_id)[2]
    return f"{label} {escape_inline(_cut(rest, 100))}" if rest else label


def _linked_label(item: IssueItem, repository: str, trusted: frozenset[str]) -> str:
    label = _label(item)
    url = item.alert.html_url if item.alert is not None else None
    target = _link_target(url, repository, trusted)
    if target is not None:
        return f"[{label}]({target})"
    # Plain text: GitHub would take "#42" for a reference to issue 42, so a word joiner
    # keeps the number apart (as escape_inline does).
    label = label.replace(" #", " #\u2060", 1)
    if url:  # shown, but not as a link: percent-encoded in a code span
        return f"{label} (`{quote(_cut(url, 300), safe=_URL_SAFE, errors='replace')}`)"
    return label


def _details(alert: Alert) -> list[str]:
    """Severity, rule, package, location: text from the scanner, escaped."""
    parts: list[str] = []
    if alert.severity:
        parts.append(f"**{_esc(alert.severity.lower(), 20)}**")
    rule = [_esc(t) for t in (alert.rule_id, alert.rule_name) if t]
    if len(rule) == 2 and alert.rule_id == alert.rule_name:
        rule = rule[:1]
    if rule:
        parts.append(": ".join(rule))
    if alert.package:
        package = _esc(alert.package)
        if alert.ecosystem:
            package += f" \\({_esc(alert.ecosystem, 40)}\\)"
        parts.append(package)
    if alert.path:
        location = _esc(alert.path, 300)
        if alert.start_line is not None:
            location += f":{alert.start_line}"
        parts.append(location)
    return parts


def _item_line(
    item: IssueItem, repository: str, trusted: frozenset[str], *, details: bool, today: date
) -> str:
    kind = _kind(item)
    alert = item.alert
    show = details and alert is not None and alert.type != "secret-scanning"
    parts = [_linked_label(item, repository, trusted)]
    if show and alert is not None:
        parts.extend(_details(alert))
    text = " · ".join(parts)
    if kind == "open":
        if show and item.due is not None:
            overdue = ", overdue" if item.due < today else ""
            text += f" · SLA due {item.due.isoformat()}{overdue}"
        return f"- [ ] {text}"
    outcome: str = kind
    reason = alert.state_reason if alert is not None and alert.state == item.member.state else None
    if show and reason:
        outcome += f": {_esc(reason.replace('_', ' '), 60)}"
    if kind == "dismissed":
        return f"- [x] ~~{text}~~ — {outcome}"
    return f"- [x] {text} — {outcome}"


def _shows_details(campaign: Campaign, repo: Repository | None) -> bool:
    # Unknown visibility (a source without repository metadata) counts as public: the
    # safe side of "no rule or file details in public repositories".
    public = repo is None or repo.is_public
    return campaign.tracking.public_details or not public


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- the section ----------------------------------------------------------------------


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
    details = _shows_details(campaign, repo)
    trusted = _trusted_hosts(items)
    ordered = sorted(items, key=_sort_key)
    kinds = [_kind(i) for i in ordered]
    closed = sum(1 for k in kinds if k != "open")

    head = [start_marker(campaign.id, repository), f"## Security campaign: {_name(campaign)}"]
    description = neutralize_markdown(_cut(campaign.description, _MAX_DESCRIPTION))
    if description:
        head += ["", description]
    head.append("")
    due = f"- **Due:** {campaign.ends.isoformat()}"
    if today > campaign.ends:
        due += " (passed)"
    head.append(due)
    if campaign.state != "active":
        head.append(f"- **Status:** {campaign.state}")
    head.append(f"- **Managers:** {_managers(campaign)}")
    head.append(f"- **Contact:** {_contact(campaign)}")
    sla = _sla_days(campaign)
    if sla:
        head.append(f"- **SLA:** {_sla_status(sla, ordered, kinds, details, today)}")
    cc = _mentions(campaign)
    if cc:
        head += ["", cc]
    head += ["", "### Alerts", "", f"{closed} of {_count(len(ordered), 'alert')} closed", ""]

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


def _sla_status(
    sla: list[tuple[str, int]],
    items: Sequence[IssueItem],
    kinds: Sequence[Kind],
    details: bool,
    today: date,
) -> str:
    days = ", ".join(f"{s} {_count(d, 'day')}" for s, d in sla)
    late = Counter(
        _severity(i) or "unknown"
        for i, k in zip(items, kinds, strict=True)
        if k == "open" and i.due is not None and i.due < today
    )
    total = sum(late.values())
    rules = f"{days} from when an alert joins the campaign"
    if not total:
        return f"{rules}; no open alert is past its SLA due date"
    status = f"{rules}; {_count(total, 'open alert')} past the SLA due date"
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
        line = _item_line(item, repository, trusted, details=details, today=today)
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
        or not _START.fullmatch(first)
        or not section.endswith("\n" + END_MARKER)
    ):
        raise AssertionError("a rendered section must hold exactly its own two markers")


# --- comments -------------------------------------------------------------------------


def comment_closed(campaign: Campaign, repository: str, items: Sequence[IssueItem]) -> str:
    """When every alert of the issue is closed: how many were fixed and dismissed."""
    kinds = Counter(_kind(i) for i in items)
    total = len(items)
    every = f"All {total} alerts" if total != 1 else "The 1 alert"
    verb = "are" if total != 1 else "is"
    return _event(
        f"{every} of the campaign **{_name(campaign)}** in {escape_inline(repository)} "
        f"{verb} closed: {kinds['fixed']} fixed, {kinds['dismissed']} dismissed. "
        "Thank you! campaign-sync closes this issue, and reopens it if one of them "
        "opens again."
    )


def comment_reopened(campaign: Campaign, repository: str, items: Sequence[IssueItem]) -> str:
    """When alerts open again: names them (type, number and link only)."""
    what, verb, listed = _open_alerts(repository, items)
    return _event(
        "\n".join(
            [
                f"{what} of the campaign **{_name(campaign)}** in {escape_inline(repository)} "
                f"{verb} open again, so campaign-sync reopens this issue:",
                "",
                *listed,
            ]
        )
    )


def comment_hand_closed(campaign: Campaign, repository: str, items: Sequence[IssueItem]) -> str:
    """When the issue was closed by someone else while its alerts are open (the campaign's
    ``tracking.manual-close`` is ``reopen``): names them (type, number and link only)."""
    what, verb, listed = _open_alerts(repository, items)
    return _event(
        "\n".join(
            [
                f"This issue was closed while {what[0].lower()}{what[1:]} of the campaign "
                f"**{_name(campaign)}** in {escape_inline(repository)} {verb} still open, so "
                "campaign-sync reopens it. It closes by itself once they are fixed or "
                f"dismissed. The campaign's managers ({_managers(campaign)}) can set "
                "`tracking.manual-close: respect` to leave issues closed by hand.",
                "",
                *listed,
            ]
        )
    )


def _open_alerts(repository: str, items: Sequence[IssueItem]) -> tuple[str, str, list[str]]:
    """ "This alert" or "These N alerts", its verb, and the open alerts as list items."""
    trusted = _trusted_hosts(items)
    still_open = sorted((i for i in items if _kind(i) == "open"), key=_sort_key)
    listed = [
        f"- {_linked_label(i, repository, trusted)}" for i in still_open[:_MAX_LISTED_IN_COMMENT]
    ]
    more = len(still_open) - len(listed)
    if more:
        listed.append(f"- and {_count(more, 'more alert')}")
    what = "This alert" if len(still_open) == 1 else f"These {len(still_open)} alerts"
    verb = "is" if len(still_open) == 1 else "are"
    return what, verb, listed


def comment_due_passed(campaign: Campaign, today: date, open_count: int) -> str:
    """When the campaign's due date has passed with alerts still open."""
    still = (
        "all of its alerts in this repository are closed"
        if open_count == 0
        else f"{_count(open_count, 'alert')} in this repository "
        f"{'is' if open_count == 1 else 'are'} still open"
    )
    return _event(
        f"The campaign **{_name(campaign)}** was due on {campaign.ends.isoformat()}. "
        f"As of {today.isoformat()}, {still}. Questions go to the campaign managers "
        f"({_managers(campaign)}): {_contact(campaign)}"
    )


def comment_campaign_closed(campaign: Campaign, open_count: int) -> str:
    """When the campaign is closed by its managers."""
    if open_count == 0:
        rest = "All of its alerts in this repository are closed."
    else:
        rest = (
            f"{_count(open_count, 'alert')} listed here "
            f"{'is' if open_count == 1 else 'are'} still open: "
            f"{'it is' if open_count == 1 else 'they are'} still security alerts of this "
            "repository and should still be fixed."
        )
    return _event(f"The campaign **{_name(campaign)}** is closed. {rest}")


def comment_out_of_scope(campaign: Campaign, count: int) -> str:
    """When a change of the campaign's selection leaves this repository's alerts out."""
    return _event(
        f"The campaign **{_name(campaign)}** no longer covers the alerts of this repository "
        "(its selection was changed in the campaign file), so this tracking issue is closed "
        f"as not planned. The {_count(count, 'alert')} listed here "
        f"{'is' if count == 1 else 'are'} still security alerts of this repository."
    )


def comment_duplicate(number: int) -> str:
    """On the newer of two tracking issues two runs opened at once."""
    return _event(
        f"Duplicate of #{number}. Two runs of campaign-sync opened a tracking issue for this "
        f"campaign and repository at the same moment: #{number}, the older, is the one kept "
        "up to date, and this one is closed."
    )


def comment_campaign_removed(campaign_id: str, open_count: int) -> str:
    """When the campaign's file was deleted from the campaigns repository."""
    rest = (
        ""
        if open_count == 0
        else f" {_count(open_count, 'alert')} listed here {'is' if open_count == 1 else 'are'} "
        "still open: still security alerts of this repository, to be fixed."
    )
    return _event(
        f"The campaign `{campaign_id}` was removed from the campaigns repository (its file "
        f"was deleted), so this tracking issue is closed as not planned.{rest}"
    )


def _event(text: str) -> str:
    return f"{text}\n\n{EVENT_MARKER}"


def is_latest_event(comments: Sequence[str], body: str) -> bool:
    """Whether ``body`` is the newest event comment of ``comments`` (oldest first): posted
    already, with no other event since. Line endings and outer blanks do not count."""
    for comment in reversed(comments):
        lines = _NEWLINE.split(comment.strip())
        if lines and lines[-1] == EVENT_MARKER:
            return _normalized(comment) == _normalized(body)
    return False


def _normalized(text: str) -> str:
    return _NEWLINE.sub("\n", text).strip()
