"""Native security campaigns (with GitHub's limits) and Copilot Autofix requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from .http_util import BadJsonError, HttpError, Response, error, fail, json_response
from .model import Autofix, Campaign, CodeScanningAlert, Org, Team, User
from .paging import paginate
from .render_common import ts
from .render_issues import campaign_dict
from .routes_alerts import find_alert
from .routing import Ctx, Route, route_doc

MAX_OPEN = 10
MAX_ALERTS = 1000
MAX_NAME = 50
MAX_DESCRIPTION = 255
_CREATE_KEYS = {
    "name",
    "description",
    "managers",
    "team_managers",
    "ends_at",
    "contact_link",
    "code_scanning_alerts",
    "generate_issues",
    "secret_scanning_alerts",
}
_UPDATE_KEYS = {
    "name",
    "description",
    "managers",
    "team_managers",
    "ends_at",
    "contact_link",
    "state",
}


def _invalid(ctx: Ctx, message: str, status: int = 422) -> HttpError:
    return HttpError(error(status, message, ctx.route.doc))


def _body(ctx: Ctx, allowed: set[str]) -> dict[str, Any]:
    try:
        body = ctx.req.json()
    except BadJsonError:
        raise _invalid(ctx, "Problems parsing JSON", 400) from None
    if not isinstance(body, dict):
        raise _invalid(ctx, "Invalid request.\n\nThe request body must be a JSON object.", 400)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _invalid(ctx, f'Invalid request.\n\n"{unknown[0]}" is not a permitted key.')
    return body


def _text(ctx: Ctx, body: dict[str, Any], key: str, limit: int) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(ctx, f"{key.capitalize()} can't be blank")
    if len(value) > limit:
        raise _invalid(ctx, f"{key.capitalize()} is too long (maximum is {limit} characters)")
    return value


def _ends_at(ctx: Ctx, value: Any) -> int:
    # "The end date and time of the campaign. The date must be in the future." (ends_at of
    # "Create a campaign"). "Update a campaign" does not say whether a passed ends_at is
    # refused there too: the safe reading, refused as well, is the one played here.
    if not isinstance(value, str):
        raise _invalid(ctx, "Ends at can't be blank")
    try:
        ends = int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise _invalid(ctx, "Ends at is not a valid date-time") from None
    if ends <= ctx.state.now():
        raise _invalid(ctx, "Ends at must be in the future")
    return ends


def _managers(ctx: Ctx, org: Org, body: dict[str, Any]) -> tuple[list[User], list[Team]]:
    # "The logins of the users to set as the campaign managers. At this time, only a single
    # manager can be supplied." (managers) and team_managers' "maxItems": 10. Who may be a
    # manager: "Campaign managers must be users or teams that are owners or security
    # managers in the organization." (docs: "Creating and managing security campaigns");
    # the 422's text is not documented, this one names the login.
    # A team manager must hold the security manager role itself (the safe reading: GitHub
    # does not say whether a team of owners would do).
    logins = body.get("managers") or []
    slugs = body.get("team_managers") or []
    if not isinstance(logins, list) or not isinstance(slugs, list):
        raise _invalid(ctx, "Managers must be a list of logins")
    if len(logins) > 1:
        raise _invalid(ctx, "Only one manager can be supplied")
    if len(slugs) > 10:
        raise _invalid(ctx, "At most 10 team managers can be supplied")
    users = []
    for login in logins:
        user = org.members.get(str(login).lower())
        if user is None:
            raise _invalid(ctx, f"Manager {login} could not be found in the organization")
        if not org.may_manage_campaigns(user):
            raise _invalid(
                ctx, f"Manager {login} must be an organization owner or security manager"
            )
        users.append(user)
    teams = []
    for slug in slugs:
        team = org.teams.get(str(slug).lower())
        if team is None:
            raise _invalid(ctx, f"Team manager {slug} could not be found in the organization")
        if not team.security_manager:
            raise _invalid(ctx, f"Team manager {slug} must have the security manager role")
        teams.append(team)
    return users, teams


def _contact(ctx: Ctx, value: Any) -> str | None:
    # "The contact link of the campaign. Must be a URI." (format: uri). Whether a mailto:
    # URI is taken is not documented: the safe reading, refused, is played here (a URL
    # with a host is required).
    if value is None:
        return None
    parsed = urlparse(str(value))
    if not isinstance(value, str) or not parsed.scheme or not parsed.netloc:
        raise _invalid(ctx, "Contact link must be a valid URI")
    return value


def _not_on_ghes(ctx: Ctx) -> None:
    # GitHub Enterprise Server has no security campaigns and no Autofix endpoints: they are
    # absent from the GHES 3.17-3.19 REST descriptions, so GHES answers 404 as for any
    # unknown route.
    if ctx.state.config.ghes_version:
        raise fail(404, "Not Found", "https://docs.github.com/enterprise-server/rest")


def _alerts(ctx: Ctx, org: Org, body: dict[str, Any]) -> list[CodeScanningAlert]:
    if "secret_scanning_alerts" in body:
        raise _invalid(ctx, "Only code scanning alerts can be added to a campaign through the API")
    groups = body.get("code_scanning_alerts")
    if not isinstance(groups, list) or not groups:
        raise _invalid(ctx, "Code scanning alerts can't be blank")
    total = sum(len(g.get("alert_numbers") or []) for g in groups if isinstance(g, dict))
    if total > MAX_ALERTS:
        raise _invalid(ctx, f"A campaign can have at most {MAX_ALERTS} alerts ({total} given)")
    alerts: list[CodeScanningAlert] = []
    seen: set[int] = set()
    for group in groups:
        if not isinstance(group, dict):
            raise _invalid(ctx, "Invalid request.\n\nEach alert group must be an object.")
        repo = ctx.state.repos_by_id.get(group.get("repository_id", -1))
        if repo is None or repo.org is not org:
            raise _invalid(ctx, f"Repository {group.get('repository_id')} could not be found")
        for number in group.get("alert_numbers") or []:
            alert = (
                ctx.state.alert(repo, "code-scanning", number) if isinstance(number, int) else None
            )
            if not isinstance(alert, CodeScanningAlert) or not repo.code_scanning:
                raise _invalid(ctx, f"Alert {number} could not be found in {repo.full_name}")
            if alert.gid not in seen:
                seen.add(alert.gid)
                alerts.append(alert)
    return alerts


def _open_count(org: Org) -> int:
    return sum(1 for c in org.campaigns.values() if c.state == "open")


def _response(ctx: Ctx, campaign: Campaign, status: int = 200) -> Response:
    return json_response(status, campaign_dict(ctx.state.renderer, campaign))


def list_campaigns(ctx: Ctx) -> Response:
    _not_on_ghes(ctx)
    org = ctx.need_org()
    state = ctx.req.arg("state")
    campaigns = [c for c in org.campaigns.values() if state in (None, "", c.state)]
    sort = ctx.req.arg("sort") or "created"
    keys = {
        "created": lambda c: (c.created, c.number),
        "updated": lambda c: (c.updated, c.number),
        "ends_at": lambda c: (c.ends_at, c.number),
        "published": lambda c: (c.created, c.number),
    }
    if sort not in keys:
        raise _invalid(ctx, f"Invalid value for sort: {sort}", 400)
    campaigns.sort(key=keys[sort], reverse=(ctx.req.arg("direction") or "desc") == "desc")
    page = paginate(ctx, campaigns)
    return json_response(200, [campaign_dict(ctx.state.renderer, c) for c in page])


def create_campaign(ctx: Ctx) -> Response:
    _not_on_ghes(ctx)
    org = ctx.need_org()
    if ctx.state.config.campaign_create_429 > 0:
        # "Create a campaign" documents "429 Too Many Requests" with no retry-after and no
        # x-ratelimit-* headers: how long to wait is not said.
        ctx.state.config.campaign_create_429 -= 1
        raise fail(429, "Too Many Requests", ctx.route.doc)
    body = _body(ctx, _CREATE_KEYS)
    name = _text(ctx, body, "name", MAX_NAME)
    description = _text(ctx, body, "description", MAX_DESCRIPTION)
    ends_at = _ends_at(ctx, body.get("ends_at"))
    managers, teams = _managers(ctx, org, body)
    contact = _contact(ctx, body.get("contact_link"))
    alerts = _alerts(ctx, org, body)
    # "There is a limit of 10 active campaigns." (docs: "Creating and managing security
    # campaigns"), those made in the UI included; the 422's exact text is not documented:
    # this one says "maximum of 10".
    if _open_count(org) >= MAX_OPEN:
        raise _invalid(ctx, f"Organization has reached the maximum of {MAX_OPEN} open campaigns")
    now = ctx.state.now()
    campaign = Campaign(
        org.next_campaign, name, description, managers, teams, ends_at, contact, now, now, alerts
    )
    org.campaigns[campaign.number] = campaign
    org.next_campaign += 1
    return _response(ctx, campaign)


def _find(ctx: Ctx) -> Campaign:
    _not_on_ghes(ctx)
    org = ctx.need_org()
    campaign = org.campaigns.get(ctx.int_param("campaign_number"))
    if campaign is None:
        raise fail(404, "Not Found", ctx.route.doc)
    return campaign


def get_campaign(ctx: Ctx) -> Response:
    return _response(ctx, _find(ctx))


def update_campaign(ctx: Ctx) -> Response:
    org = ctx.need_org()
    campaign = _find(ctx)
    body = _body(ctx, _UPDATE_KEYS)
    if "name" in body:
        campaign.name = _text(ctx, body, "name", MAX_NAME)
    if "description" in body:
        campaign.description = _text(ctx, body, "description", MAX_DESCRIPTION)
    if "ends_at" in body:
        campaign.ends_at = _ends_at(ctx, body["ends_at"])
    if "managers" in body or "team_managers" in body:
        managers, teams = _managers(ctx, org, body)
        if "managers" in body:
            campaign.managers = managers
        if "team_managers" in body:
            campaign.team_managers = teams
    if "contact_link" in body:
        campaign.contact_link = _contact(ctx, body["contact_link"])
    state = body.get("state")
    now = ctx.state.now()
    if state not in (None, "open", "closed"):
        raise _invalid(ctx, f"Invalid value for state: {state}")
    if state == "open" and campaign.state == "closed":
        if _open_count(org) >= MAX_OPEN:
            raise _invalid(
                ctx, f"Organization has reached the maximum of {MAX_OPEN} open campaigns"
            )
        campaign.state, campaign.closed_at = "open", None
    elif state == "closed" and campaign.state == "open":
        campaign.state, campaign.closed_at = "closed", now
    campaign.updated = now
    return _response(ctx, campaign)


def delete_campaign(ctx: Ctx) -> Response:
    campaign = _find(ctx)
    del ctx.need_org().campaigns[campaign.number]
    return Response(204)


# autofix -------------------------------------------------------------------------------


def _autofix_json(ctx: Ctx, fix: Autofix) -> dict[str, Any]:
    if fix.status == "pending" and ctx.state.now() >= fix.ready_at:
        fix.status = "success"
        fix.description = "Use a parameterized query instead of string formatting."
    return {"status": fix.status, "description": fix.description, "started_at": ts(fix.started_at)}


def get_autofix(ctx: Ctx) -> Response:
    _not_on_ghes(ctx)
    alert = find_alert(ctx, "code-scanning")
    fix = alert.repo.autofixes.get(alert.number)
    if fix is None:
        raise fail(404, "No autofix found for this alert.", ctx.route.doc)
    return json_response(200, _autofix_json(ctx, fix))


def create_autofix(ctx: Ctx) -> Response:
    _not_on_ghes(ctx)
    alert = find_alert(ctx, "code-scanning")
    assert isinstance(alert, CodeScanningAlert)
    repo = alert.repo
    if repo.archived:
        raise fail(403, "Repository is archived.", ctx.route.doc)
    # "Copilot Autofix is available for CodeQL analysis." (docs: "Responsible use of
    # Copilot Autofix for code scanning"; the third-party preview was withdrawn in 2025).
    # POST .../autofix documents "400 Bad Request" (code_scanning_bad_request) for an
    # alert it cannot fix.
    if alert.rule.tool.name != "CodeQL":
        raise fail(400, "Autofix is not supported for this alert's tool.", ctx.route.doc)
    if alert.state != "open":
        raise fail(422, "Autofix can only be generated for open alerts.", ctx.route.doc)
    existing = repo.autofixes.get(alert.number)
    if existing is not None:
        return json_response(200, _autofix_json(ctx, existing))
    remaining = ctx.state.config.autofix_remaining
    if remaining is not None:
        # 403: "Response if the repository is archived, if GitHub Advanced Security is not
        # enabled for this repository or if rate limit is exceeded": Autofix's own budget,
        # answered without retry-after or a reset time.
        if remaining <= 0:
            raise fail(403, "Autofix rate limit exceeded.", ctx.route.doc)
        ctx.state.config.autofix_remaining = remaining - 1
    now = ctx.state.now()
    fix = Autofix("pending", now, now + int(ctx.state.config.autofix_delay))
    repo.autofixes[alert.number] = fix
    return json_response(202, _autofix_json(ctx, fix))


def routes() -> list[Route]:
    r, w = ("security_events", "read"), ("security_events", "write")
    cdoc = "code-security/campaigns"
    adoc = "code-scanning/code-scanning"
    autofix = "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/autofix"
    return [
        Route(
            "GET",
            "/orgs/{org}/campaigns",
            list_campaigns,
            r,
            doc=route_doc(cdoc, "list-campaigns-for-an-organization"),
        ),
        Route(
            "POST",
            "/orgs/{org}/campaigns",
            create_campaign,
            w,
            doc=route_doc(cdoc, "create-a-campaign-for-an-organization"),
        ),
        Route(
            "GET",
            "/orgs/{org}/campaigns/{campaign_number}",
            get_campaign,
            r,
            doc=route_doc(cdoc, "get-a-campaign-for-an-organization"),
        ),
        Route(
            "PATCH",
            "/orgs/{org}/campaigns/{campaign_number}",
            update_campaign,
            w,
            doc=route_doc(cdoc, "update-a-campaign"),
        ),
        Route(
            "DELETE",
            "/orgs/{org}/campaigns/{campaign_number}",
            delete_campaign,
            w,
            doc=route_doc(cdoc, "delete-a-campaign-for-an-organization"),
        ),
        Route("GET", autofix, get_autofix, r, doc=route_doc(adoc, "get-the-status-of-an-autofix")),
        Route(
            "POST",
            autofix,
            create_autofix,
            w,
            doc=route_doc(adoc, "create-an-autofix-for-a-code-scanning-alert"),
        ),
    ]
