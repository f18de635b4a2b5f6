"""Small pieces of report text shared by the campaign page and the index. Pure.

Everything taken from a campaign file or an alert id is escaped here: names and
repositories with ``escape_inline`` (no HTML, links, mentions, references or table pipes),
managers as code spans only when they are valid logins or teams, the contact as a link
only when it is an http(s) or mailto address, percent-encoded.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote, urlsplit

from campaign_sync.model import Campaign
from campaign_sync.untrusted.markdown import escape_inline, escape_markdown
from campaign_sync.wording import plural

_MAX_NAME = 200  # the schema's limit for a campaign name
_MAX_FIELD = 200
_USER_OR_TEAM = re.compile(
    r"@?[A-Za-z0-9][A-Za-z0-9-]{0,38}|@[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*"
)
# Kept as they are in a link target; everything else (spaces, parentheses, '<', '`', '"')
# is percent-encoded so the target cannot end early or carry markup.
_URL_SAFE = "-._~:/?#!$&+,;=%@"


def cut(text: str, limit: int = _MAX_FIELD) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def campaign_name(campaign: Campaign) -> str:
    return escape_inline(cut(campaign.name, _MAX_NAME))


def managers(campaign: Campaign) -> str:
    """Users and teams as code spans: shown, never mentioned."""
    shown = [
        f"`{m}`" if _USER_OR_TEAM.fullmatch(m) else escape_inline(cut(m)) for m in campaign.managers
    ]
    return ", ".join(shown) if shown else "none named"


def contact(campaign: Campaign) -> str:
    value = campaign.contact.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return escape_inline(cut(value))
    if (parts.scheme in ("https", "http") and parts.netloc) or parts.scheme == "mailto":
        return f"[{escape_markdown(cut(value))}]({quote(value, safe=_URL_SAFE)})"
    return escape_inline(cut(value))


def due(campaign: Campaign, today: date) -> str:
    """The due date, and how far off it is while the campaign runs."""
    ends = campaign.ends.isoformat()
    if campaign.state == "closed":
        return ends
    left = (campaign.ends - today).days
    if left > 0:
        return f"{ends} ({plural(left, 'day')} left)"
    if left == 0:
        return f"{ends} (today)"
    return f"{ends} (passed {plural(-left, 'day')} ago)"


def percent(value: int | None) -> str:
    return "no alerts" if value is None else f"{value}%"
