"""The pieces a tracking issue's text is made of: campaign fields and alert lines, escaped.

Every text taken from an alert goes through ``escape_inline`` (no ``<`` survives, so no
line can look like a marker), links only to hosts an alert URL names plainly. Pure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from campaign_sync.model import Alert, AlertType, Campaign
from campaign_sync.section import SEVERITY_RANK, IssueItem
from campaign_sync.untrusted.markdown import escape_inline, escape_markdown

# Alert fields are cut to this many characters before escaping: a line stays readable and
# bounded whatever the scanner wrote.
_MAX_FIELD = 200


MAX_DESCRIPTION = 5_000  # the schema's limit


_MAX_NAME = 200  # the schema's limit


_TYPE_LABEL: dict[str, str] = {
    "code-scanning": "Code scanning alert",
    "secret-scanning": "Secret scanning alert",
    "dependabot": "Dependabot alert",
}


_TYPE_ORDER: dict[str, int] = {"code-scanning": 0, "dependabot": 1, "secret-scanning": 2}


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


@functools.lru_cache(maxsize=1 << 14)
def plain_line(text: str) -> str:
    """One line of plain text: no control, invisible or bidi characters; spaces collapsed."""
    cleaned = "".join(" " if c.isspace() else c for c in text if c.isprintable() or c.isspace())
    return " ".join(cleaned.split())


def cut(text: str, limit: int = _MAX_FIELD) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.lru_cache(maxsize=1 << 16)
def _esc(text: str, limit: int = _MAX_FIELD) -> str:
    """escape_inline of a field cut to ``limit``; rules, paths and severities repeat a lot."""
    return escape_inline(cut(text, limit))


def campaign_name(campaign: Campaign) -> str:
    return escape_inline(cut(campaign.name, _MAX_NAME))


def managers_text(campaign: Campaign) -> str:
    """Users and teams as code spans: shown, not notified."""
    shown = [
        f"`{m}`" if _USER_OR_TEAM.fullmatch(m) else escape_inline(cut(m)) for m in campaign.managers
    ]
    return ", ".join(shown) if shown else "none named"


def mentions_text(campaign: Campaign) -> str | None:
    """The cc line: the campaign's real @-mentions (validated by the schema)."""
    shown = [
        "@" + m.lstrip("@") if _USER_OR_TEAM.fullmatch(m) else escape_inline(cut(m))
        for m in campaign.tracking.mention
    ]
    return "cc " + " ".join(shown) if shown else None


def contact_text(campaign: Campaign) -> str:
    contact = campaign.contact.strip()
    try:
        parts = urlsplit(contact)
    except ValueError:
        return escape_inline(cut(contact))
    if (parts.scheme in ("https", "http") and parts.netloc) or parts.scheme == "mailto":
        # Link text is not autolinked: escape_markdown keeps the address copyable.
        target = quote(contact, safe=_CONTACT_SAFE, errors="replace")
        return f"[{escape_markdown(cut(contact))}]({target})"
    return escape_inline(cut(contact))


def item_kind(item: IssueItem) -> Kind:
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


def item_severity(item: IssueItem) -> str | None:
    severity = item.alert.severity if item.alert is not None else None
    return severity.lower() if severity else None


def _id_key(alert_id: str) -> tuple[int, str, str, int, int, str]:
    kind, repo, rest = _id_parts(alert_id)
    order = _TYPE_ORDER.get(kind, len(_TYPE_ORDER))
    if rest.isascii() and rest.isdigit():
        return order, kind, repo, 0, int(rest), ""
    return order, kind, repo, 1, 0, rest


def item_sort_key(item: IssueItem) -> tuple[int, int, tuple[int, str, str, int, int, str]]:
    """Open alerts first, by severity then id; then closed ones by id."""
    if item_kind(item) != "open":
        return 1, 0, _id_key(item.member.alert_id)
    rank = SEVERITY_RANK.get(item_severity(item) or "", len(SEVERITY_RANK))
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


def trusted_hosts(items: Sequence[IssueItem]) -> frozenset[str]:
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
    return f"{label} {escape_inline(cut(rest, 100))}" if rest else label


def linked_label(item: IssueItem, repository: str, trusted: frozenset[str]) -> str:
    label = _label(item)
    url = item.alert.html_url if item.alert is not None else None
    target = _link_target(url, repository, trusted)
    if target is not None:
        return f"[{label}]({target})"
    # Plain text: GitHub would take "#42" for a reference to issue 42, so a word joiner
    # keeps the number apart (as escape_inline does).
    label = label.replace(" #", " #\u2060", 1)
    if url:  # shown, but not as a link: percent-encoded in a code span
        return f"{label} (`{quote(cut(url, 300), safe=_URL_SAFE, errors='replace')}`)"
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


def item_line(
    item: IssueItem, repository: str, trusted: frozenset[str], *, details: bool, today: date
) -> str:
    kind = item_kind(item)
    alert = item.alert
    show = details and alert is not None and alert.type != "secret-scanning"
    parts = [linked_label(item, repository, trusted)]
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


def count_of(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
