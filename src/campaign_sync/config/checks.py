"""Checks that the schema cannot express: ids, templates, dates, and native-mirror limits.

Each check is a pure function from loaded campaign files (and ``today``) to problems.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from campaign_sync.config.yaml_loader import LoadedDocument, Mark
from campaign_sync.model import Campaign
from campaign_sync.problems import DocPath, Problem, Severity, format_path

CAMPAIGN_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
# Names Windows reserves for devices: a file or folder so named cannot be checked out there,
# and the id names the campaign's report folder.
WINDOWS_RESERVED_IDS = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{n}" for n in range(1, 10)]
    + [f"lpt{n}" for n in range(1, 10)]
)

# What `new` writes where it cannot know the answer: fine in a draft, refused once active
# (tracking issues would name a manager nobody is and link a discussion nobody reads).
PLACEHOLDER_MANAGER = "your-github-login"
PLACEHOLDER_CONTACT = "https://github.com/orgs/your-org/discussions"

# Limits of GitHub's native security campaigns (docs: "About security campaigns").
NATIVE_NAME_MAX = 50
NATIVE_DESCRIPTION_MAX = 255
NATIVE_OPEN_CAMPAIGNS_MAX = 10


@dataclass(frozen=True, slots=True)
class CampaignFile:
    """A campaign file that loaded and passed the schema."""

    id: str
    doc: LoadedDocument
    campaign: Campaign


def _at(
    doc: LoadedDocument | None,
    file: str,
    path: DocPath,
    message: str,
    *,
    code: str,
    severity: Severity = Severity.ERROR,
) -> Problem:
    mark = doc.mark_of(path) if doc is not None and path else Mark(1, 1)
    return Problem(file, mark.line, mark.column, format_path(path), message, severity, code)


def campaign_id_problem(campaign_id: str) -> str | None:
    """Why ``campaign_id`` cannot name a campaign (its file and its report folder), or None.

    One rule for every place an id comes from: a file name (validate) or `new`'s argument.
    """
    if not CAMPAIGN_ID.match(campaign_id):
        return (
            f"campaign id {campaign_id!r} must be 1 to 64 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    if campaign_id in WINDOWS_RESERVED_IDS:
        return (
            f"campaign id {campaign_id!r} is a device name Windows reserves, so its campaign "
            "file and report folder cannot exist there"
        )
    return None


def check_id(campaign_id: str, file: str) -> Iterator[Problem]:
    problem = campaign_id_problem(campaign_id)
    if problem is not None:
        where = " (the file name without .yml)"
        yield _at(
            None,
            file,
            (),
            problem.replace(f"{campaign_id!r}", f"{campaign_id!r}{where}", 1) + "; rename the file",
            code="campaign-id",
        )


def check_unique_ids(files: Iterable[tuple[str, str]]) -> Iterator[Problem]:
    """``files`` is (campaign id, file) in discovery order; later duplicates are errors."""
    first: dict[str, str] = {}
    for campaign_id, file in files:
        if campaign_id in first:
            yield _at(
                None,
                file,
                (),
                f"campaign id {campaign_id!r} is already used by {first[campaign_id]}; "
                "campaign ids (file names without .yml) must be unique",
                code="duplicate-id",
            )
        else:
            first[campaign_id] = file


def check_template(doc: LoadedDocument, names: Iterable[str]) -> Iterator[Problem]:
    name = template_name(doc.data)
    known = sorted(names)
    if name is not None and name not in known:
        hint = difflib.get_close_matches(name, known, n=1)
        suggestion = f"did you mean {hint[0]!r}? " if hint else ""
        yield _at(
            doc,
            doc.file,
            ("select", "template"),
            f"unknown template {name!r}; {suggestion}`campaign-sync templates` lists them",
            code="unknown-template",
        )


def _plain_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != len("YYYY-MM-DD"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_date_order(doc: LoadedDocument) -> Iterator[Problem]:
    """``ends`` before ``starts``, read from the document itself: said with the schema's
    problems, not only once they are fixed (a second round trip for the author)."""
    data = doc.data if isinstance(doc.data, Mapping) else {}
    starts, ends = _plain_date(data.get("starts")), _plain_date(data.get("ends"))
    if starts is not None and ends is not None and starts > ends:
        yield _at(
            doc,
            doc.file,
            ("ends",),
            f"the campaign ends ({ends}) before it starts ({starts})",
            code="dates",
        )


def check_dates(item: CampaignFile, today: date) -> Iterator[Problem]:
    campaign, doc = item.campaign, item.doc
    if campaign.state != "closed" and campaign.ends < today:
        yield _at(
            doc,
            doc.file,
            ("ends",),
            f"the due date {campaign.ends} has passed; move it or set state: closed",
            code="dates",
            severity=Severity.WARNING,
        )


def check_placeholders(item: CampaignFile) -> Iterator[Problem]:
    """`new`'s placeholders left in a campaign that is no longer a draft."""
    campaign, doc = item.campaign, item.doc
    if campaign.state != "active":
        return
    for index, manager in enumerate(campaign.managers):
        if manager.lstrip("@").lower() == PLACEHOLDER_MANAGER:
            yield _at(
                doc,
                doc.file,
                ("managers", index),
                f"{manager!r} is the placeholder `new` wrote; name a real manager (a login "
                "or @org/team) before the campaign is active",
                code="placeholder",
            )
    if "/your-org/" in campaign.contact.lower():
        yield _at(
            doc,
            doc.file,
            ("contact",),
            f"{campaign.contact!r} is the placeholder `new` wrote; link the real point of "
            "contact (a discussion, a chat channel) before the campaign is active",
            code="placeholder",
        )


def check_native_limits(items: Iterable[CampaignFile]) -> Iterator[Problem]:
    """Warnings for what only the native GitHub mirror cannot hold."""
    mirrored_active: list[CampaignFile] = []
    for item in items:
        campaign, doc = item.campaign, item.doc
        if not campaign.github.native_campaign:
            continue
        if campaign.state == "active":
            mirrored_active.append(item)
        if "code-scanning" not in campaign.select.alerts:
            yield _warn_native(
                doc,
                ("github", "native-campaign"),
                "native GitHub campaigns hold only code scanning alerts, and this campaign "
                "selects none; it will not be mirrored",
            )
        if len(campaign.name) > NATIVE_NAME_MAX:
            yield _warn_native(
                doc,
                ("name",),
                f"the name has {len(campaign.name)} characters; the native GitHub campaign "
                f"allows {NATIVE_NAME_MAX}, so the mirror's name will be cut short",
            )
        if len(campaign.description) > NATIVE_DESCRIPTION_MAX:
            yield _warn_native(
                doc,
                ("description",),
                f"the description has {len(campaign.description)} characters; the native "
                f"GitHub campaign allows {NATIVE_DESCRIPTION_MAX}, so the mirror's will be "
                "cut short",
            )
    if len(mirrored_active) > NATIVE_OPEN_CAMPAIGNS_MAX:
        for item in mirrored_active[NATIVE_OPEN_CAMPAIGNS_MAX:]:
            yield _warn_native(
                item.doc,
                ("github", "native-campaign"),
                f"{len(mirrored_active)} active campaigns ask for a native mirror; GitHub "
                f"allows {NATIVE_OPEN_CAMPAIGNS_MAX} open campaigns, so this one (past the "
                f"first {NATIVE_OPEN_CAMPAIGNS_MAX} by id) may not be mirrored; those made in "
                "GitHub's UI count too, and `plan` says which are left out",
            )


def _warn_native(doc: LoadedDocument, path: DocPath, message: str) -> Problem:
    return _at(doc, doc.file, path, message, code="native-limit", severity=Severity.WARNING)


def template_name(data: Mapping[str, Any]) -> str | None:
    select = data.get("select")
    name = select.get("template") if isinstance(select, Mapping) else None
    return name if isinstance(name, str) else None
