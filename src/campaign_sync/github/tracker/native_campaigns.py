"""GitHub's native security campaigns of an organization: listed, created, updated and
closed within GitHub's limits; and which server answers (GHES lacks them)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.listing import PER_PAGE
from campaign_sync.github.tracker.common import (
    Deferred,
    Handled,
    TrackerError,
    checked_number,
    create_once,
    error_message,
    expect_status,
    failure,
    int_or_none,
    items_of,
    org_path,
    validation_errors,
)
from campaign_sync.github.transport import Transport

MAX_CAMPAIGN_NAME = 50


MAX_CAMPAIGN_DESCRIPTION = 255


MAX_CAMPAIGN_ALERTS = 1_000


MAX_CAMPAIGN_MANAGERS = 1  # "At this time, only a single manager can be supplied."


MAX_CAMPAIGN_TEAM_MANAGERS = 10


# Seconds waited before sending a campaign create again after a bare 429 (GitHub documents
# the 429 of "Create a campaign" with no retry-after): bounded, then deferred to next run.
CAMPAIGN_429_BACKOFF = (60.0, 120.0)


CampaignState = Literal["open", "closed"]


@dataclass(frozen=True, slots=True)
class CampaignAlerts:
    """The code scanning alerts of one repository to put in a native campaign."""

    repository_id: int
    alert_numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NativeCampaign:
    """A GitHub security campaign (``/orgs/{org}/campaigns``)."""

    number: int
    name: str
    state: str  # open | closed
    description: str
    ends_at: str
    contact_link: str | None = None
    managers: tuple[str, ...] = ()
    team_managers: tuple[str, ...] = ()
    closed_at: str | None = None
    open_alerts: int | None = None
    closed_alerts: int | None = None


def native_campaign(item: Mapping[str, Any]) -> NativeCampaign:
    """A NativeCampaign from GitHub's campaign-summary JSON."""
    stats = item.get("alert_stats")
    stats = stats if isinstance(stats, Mapping) else {}
    return NativeCampaign(
        number=int(item["number"]),
        name=str(item.get("name") or ""),
        state=str(item.get("state") or ""),
        description=str(item.get("description") or ""),
        ends_at=str(item.get("ends_at") or ""),
        contact_link=item.get("contact_link"),
        managers=tuple(
            str(u.get("login", "")) for u in item.get("managers") or () if isinstance(u, Mapping)
        ),
        team_managers=tuple(
            str(t.get("slug", ""))
            for t in item.get("team_managers") or ()
            if isinstance(t, Mapping)
        ),
        closed_at=item.get("closed_at"),
        open_alerts=int_or_none(stats.get("open_count")),
        closed_alerts=int_or_none(stats.get("closed_count")),
    )


def server_version(transport: Transport) -> str | None:
    """GitHub Enterprise Server's version from ``GET /meta`` (``installed_version``, which
    only GHES's answer has); None on GitHub.com and GHE.com."""
    with failure("reading the server's meta information", transport.api_url):
        response = transport.get("/meta")
    data = response.data
    version = data.get("installed_version") if isinstance(data, Mapping) else None
    return str(version) if version else None


def list_native_campaigns(
    transport: Transport, org: str, *, state: CampaignState | None = None
) -> tuple[NativeCampaign, ...]:
    path = f"{org_path(org)}/campaigns"
    params: dict[str, Any] = {"per_page": PER_PAGE}
    if state is not None:
        params["state"] = state
    with failure(f"listing the security campaigns of {org}", org):
        return tuple(
            native_campaign(item)
            for response in transport.paginate(path, params)
            for item in items_of(response)
        )


def open_native_campaigns_named(
    transport: Transport, org: str, name: str, description: str
) -> list[NativeCampaign]:
    """The organization's open campaigns with this name and description, oldest first:
    how a campaign created by a write whose answer was lost is found again."""
    matches = [
        c
        for c in list_native_campaigns(transport, org, state="open")
        if c.name == name and c.description == description
    ]
    return sorted(matches, key=lambda c: c.number)


def get_native_campaign(transport: Transport, org: str, number: int) -> NativeCampaign:
    what = f"reading security campaign #{number} of {org}"
    with failure(what, org, target=f"security campaign #{number}"):
        response = transport.get(f"{org_path(org)}/campaigns/{checked_number(number)}")
    expect_status(response, (200,), what)
    return native_campaign(response.data)


def native_campaign_problems(
    *,
    name: str | None = None,
    description: str | None = None,
    alerts: Sequence[CampaignAlerts] | None = None,
    managers: Sequence[str] | None = None,
    team_managers: Sequence[str] | None = None,
    contact_link: str | None = None,
) -> tuple[str, ...]:
    """Which of GitHub's limits these campaign fields break (empty: none); pure, so the
    planner can show them before anything is sent. None means "not given"."""
    problems = []
    if name is not None:
        if not name.strip():
            problems.append("the name is empty")
        elif len(name) > MAX_CAMPAIGN_NAME:
            problems.append(
                f"the name is {len(name)} characters long; GitHub allows at most "
                f"{MAX_CAMPAIGN_NAME}"
            )
    if description is not None:
        if not description.strip():
            problems.append("the description is empty; GitHub requires one")
        elif len(description) > MAX_CAMPAIGN_DESCRIPTION:
            problems.append(
                f"the description is {len(description)} characters long; GitHub allows at "
                f"most {MAX_CAMPAIGN_DESCRIPTION}"
            )
    if alerts is not None:
        total = sum(len(group.alert_numbers) for group in alerts)
        if total == 0:
            problems.append("it has no code scanning alerts; GitHub requires at least one")
        elif total > MAX_CAMPAIGN_ALERTS:
            problems.append(
                f"it has {total:,} alerts; GitHub allows at most {MAX_CAMPAIGN_ALERTS:,} in a "
                "campaign (split the campaign, or narrow its selection)"
            )
    if managers is not None and len(managers) > MAX_CAMPAIGN_MANAGERS:
        problems.append(
            f"it names {len(managers)} user managers; GitHub takes at most "
            f"{MAX_CAMPAIGN_MANAGERS} (add teams as team managers instead)"
        )
    if team_managers is not None and len(team_managers) > MAX_CAMPAIGN_TEAM_MANAGERS:
        problems.append(
            f"it names {len(team_managers)} team managers; GitHub takes at most "
            f"{MAX_CAMPAIGN_TEAM_MANAGERS}"
        )
    if contact_link is not None:
        parsed = urllib.parse.urlsplit(contact_link)
        if not parsed.scheme or not parsed.netloc:
            problems.append(f"the contact link {contact_link!r} is not an absolute URL")
    return tuple(problems)


def format_ends_at(value: str | date | datetime) -> str:
    """GitHub's ``YYYY-MM-DDTHH:MM:SSZ``. A date means the end of that day (UTC); a naive
    datetime or string is taken as UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise TrackerError(f"the end date {text!r} is not an ISO 8601 date or time") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T23:59:59Z"


def create_native_campaign(
    transport: Transport,
    org: str,
    *,
    name: str,
    description: str,
    ends_at: str | date | datetime,
    code_scanning_alerts: Iterable[CampaignAlerts | Mapping[str, Any]],
    managers: Sequence[str] = (),
    team_managers: Sequence[str] = (),
    contact_link: str | None = None,
) -> NativeCampaign:
    """Create a security campaign of code scanning alerts (the only kind the API takes).

    GitHub's limits are checked first; nothing is sent if one is broken. When the answer to
    the POST is lost, the open campaigns are listed and one with the same name and
    description is taken as the one created.
    """
    what = f"creating the security campaign {name!r} in {org}"
    groups = _alert_groups(code_scanning_alerts)
    _check_campaign(
        what,
        name=name,
        description=description,
        alerts=groups,
        managers=managers,
        team_managers=team_managers,
        contact_link=contact_link,
    )
    payload: dict[str, Any] = {
        "name": name,
        "description": description,
        "ends_at": format_ends_at(ends_at),
        "code_scanning_alerts": [
            {"repository_id": g.repository_id, "alert_numbers": list(g.alert_numbers)}
            for g in groups
        ],
    }
    if managers:
        payload["managers"] = list(managers)
    if team_managers:
        payload["team_managers"] = list(team_managers)
    if contact_link is not None:
        payload["contact_link"] = contact_link

    def recover() -> NativeCampaign | None:
        matches = open_native_campaigns_named(transport, org, name, description)
        return matches[-1] if matches else None  # the newest: the one just created

    path = f"{org_path(org)}/campaigns"
    waits = iter(CAMPAIGN_429_BACKOFF)
    while True:
        try:
            with _managers_refused(managers, team_managers):
                response = create_once(transport, path, payload, what, org, recover)
            break
        except Handled as error:
            if error.status != 429:
                raise
            wait = next(waits, None)
            if wait is None:
                raise Deferred(
                    f"{what}: GitHub answered 429 Too Many Requests "
                    f"{len(CAMPAIGN_429_BACKOFF) + 1} times; left for the next run",
                    status=429,
                ) from error
            transport.pause(wait)
    if isinstance(response, NativeCampaign):
        return response
    expect_status(response, (200, 201), what)
    return native_campaign(response.data)


@contextmanager
def _managers_refused(
    managers: Sequence[str] | None, teams: Sequence[str] | None
) -> Iterator[None]:
    """A 422 about managers becomes a message naming who cannot manage. GitHub's exact
    text is not documented: a 422 whose message or errors name a manager or one of ours."""
    try:
        yield
    except Handled as error:
        cause = error.__cause__
        named = [*(managers or ()), *(f"@{t}" if t else t for t in teams or ())]
        if not named or error.status != 422 or not isinstance(cause, RequestFailed):
            raise
        text = f"{error_message(cause)} {validation_errors(cause.data)}".lower()
        if "manager" not in text:
            raise
        who = [n for n in named if n.lstrip("@").lower() in text] or named
        raise TrackerError(
            f"{' and '.join(who)} cannot manage a native campaign: managers must be "
            "organization owners or security managers (GitHub answered 422). Change the "
            "campaign's managers",
            status=422,
        ) from error


def update_native_campaign(
    transport: Transport,
    org: str,
    number: int,
    *,
    name: str | None = None,
    description: str | None = None,
    managers: Sequence[str] | None = None,
    team_managers: Sequence[str] | None = None,
    ends_at: str | date | datetime | None = None,
    contact_link: str | None = None,
    state: CampaignState | None = None,
) -> NativeCampaign:
    """Change what is given (None leaves a field as it is); one PATCH. Alerts cannot be
    changed: GitHub fixes a campaign's alerts when it is created."""
    what = f"updating security campaign #{number} of {org}"
    _check_campaign(
        what,
        name=name,
        description=description,
        managers=managers,
        team_managers=team_managers,
        contact_link=contact_link,
    )
    payload: dict[str, Any] = {}
    if name is not None:
        payload["name"] = name
    if description is not None:
        payload["description"] = description
    if managers is not None:
        payload["managers"] = list(managers)
    if team_managers is not None:
        payload["team_managers"] = list(team_managers)
    if ends_at is not None:
        payload["ends_at"] = format_ends_at(ends_at)
    if contact_link is not None:
        payload["contact_link"] = contact_link
    if state is not None:
        if state not in ("open", "closed"):
            raise ValueError(f"update_native_campaign: state must be open or closed: {state!r}")
        payload["state"] = state
    if not payload:
        raise ValueError("update_native_campaign: nothing to change")
    path = f"{org_path(org)}/campaigns/{checked_number(number)}"
    with (
        _managers_refused(managers, team_managers),
        failure(what, org, target=f"security campaign #{number}"),
    ):
        response = transport.request("PATCH", path, body=payload)
    expect_status(response, (200,), what)
    return native_campaign(response.data)


def close_native_campaign(transport: Transport, org: str, number: int) -> NativeCampaign:
    return update_native_campaign(transport, org, number, state="closed")


def _check_campaign(what: str, **fields: Any) -> None:
    problems = native_campaign_problems(**fields)
    if problems:
        raise TrackerError(f"{what}: {'; '.join(problems)}. Nothing was sent.")


def _alert_groups(raw: Iterable[CampaignAlerts | Mapping[str, Any]]) -> tuple[CampaignAlerts, ...]:
    """One group per repository, numbers de-duplicated and sorted, empty groups dropped."""
    numbers: dict[int, set[int]] = {}
    for group in raw:
        if isinstance(group, CampaignAlerts):
            repository_id, alert_numbers = group.repository_id, group.alert_numbers
        else:
            repository_id, alert_numbers = group["repository_id"], group["alert_numbers"]
        numbers.setdefault(int(repository_id), set()).update(int(n) for n in alert_numbers)
    return tuple(
        CampaignAlerts(repository_id, tuple(sorted(found)))
        for repository_id, found in sorted(numbers.items())
        if found
    )
