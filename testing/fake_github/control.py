"""The /_fake/ control API: the FakeGitHub methods over HTTP, for a fake in another process.

Routes (JSON bodies, no authentication, exempt from faults unless configured otherwise):
``GET /_fake/stats``, ``POST /_fake/stats/reset``, ``GET /_fake/log?since=N``,
``GET|POST /_fake/clock`` (``{"advance": s}`` or ``{"set": epoch}``), ``POST /_fake/faults``,
``POST /_fake/config``, ``POST /_fake/tokens``, ``POST /_fake/tokens/revoke``,
``POST /_fake/tokens/permissions`` (``{"token", "remove"}`` or ``{"token", "grant", "level"}``),
``POST /_fake/rate-limit`` (``{"token", "remaining", "resource"}``), ``POST /_fake/repos/archive``,
``POST /_fake/repos/feature`` (``{"repo", "feature", "enabled"}``; ``has_issues`` is
the Issues feature), ``POST /_fake/repos/rename`` (``{"repo", "to"}``),
``POST /_fake/issues/delete`` (``{"repo", "number"}``), ``POST /_fake/issues/transfer``
(``{"repo", "number", "to"}``, answers the new number),
``POST /_fake/orgs/blank``, ``POST /_fake/alerts``,
``POST /_fake/alerts/state``, ``POST /_fake/alerts/churn`` (``{"fraction", "seed", "org"}``),
``POST /_fake/alerts/null`` (``{"repo", "kind", "number", "field"}``: a code scanning
``state`` or a secret scanning ``updated_at``, both nullable in GitHub's schemas),
``POST /_fake/advisories`` (``{"ghsa_id", "severity", "first_patched_version"}``: changes
every alert of the advisory without touching its ``updated_at``, as GitHub's Dependabot
``sort=updated`` follows state changes only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol

from .http_util import BadJsonError, Request, Response, error, json_response
from .store import NotFoundError


class Controllable(Protocol):
    """What the control API drives. ``FakeGitHub`` (fake.py) is the one there is; it is
    named by what it offers here so that this module does not import fake.py, which
    imports this one."""

    clock: Any
    config: Any
    faults: Any
    org: Any
    state: Any
    stats: Any
    add_alert: Callable[..., Any]
    add_token: Callable[..., Any]
    archive_repo: Callable[..., Any]
    blank_alerts: Callable[..., Any]
    change_advisory: Callable[..., Any]
    churn: Callable[..., Any]
    delete_issue: Callable[..., Any]
    grant_permission: Callable[..., Any]
    null_field: Callable[..., Any]
    remove_permission: Callable[..., Any]
    rename_repo: Callable[..., Any]
    reset_stats: Callable[..., Any]
    revoke_token: Callable[..., Any]
    set_alert_state: Callable[..., Any]
    set_faults: Callable[..., Any]
    set_feature: Callable[..., Any]
    set_rate_limit_remaining: Callable[..., Any]
    transfer_issue: Callable[..., Any]


Action = Callable[[dict[str, Any]], Any]


def make_control(fake: Controllable) -> Callable[[Request], Response]:
    def clock(body: dict[str, Any]) -> Any:
        if "advance" in body:
            fake.clock.advance(float(body["advance"]))
        if "set" in body:
            fake.clock.set(float(body["set"]))
        return {"now": fake.clock.now(), "simulated": fake.clock.simulated}

    def config(body: dict[str, Any]) -> Any:
        names = {f.name for f in dataclasses.fields(fake.config)} - {"faults"}
        for key, value in body.items():
            if key not in names:
                raise ValueError(f"unknown setting {key!r}")
            setattr(fake.config, key, value)
        return {k: v for k, v in dataclasses.asdict(fake.config).items() if k != "faults"}

    def permissions(body: dict[str, Any]) -> Any:
        if "remove" in body:
            fake.remove_permission(body["token"], body["remove"])
        if "grant" in body:
            fake.grant_permission(body["token"], body["grant"], body.get("level", "write"))
        return {"permissions": fake.state.tokens[body["token"]].permissions}

    def faults(body: dict[str, Any]) -> Any:
        fake.set_faults(**body)
        return dataclasses.asdict(fake.faults.config)

    def reset_stats(body: dict[str, Any]) -> Any:
        fake.reset_stats()
        return {"ok": True}

    def revoke(body: dict[str, Any]) -> Any:
        fake.revoke_token(body["token"])
        return {"ok": True}

    def rate_limit(body: dict[str, Any]) -> Any:
        fake.set_rate_limit_remaining(
            body["token"], int(body["remaining"]), body.get("resource", "core")
        )
        return {"ok": True}

    def archive(body: dict[str, Any]) -> Any:
        fake.archive_repo(body["repo"], bool(body.get("archived", True)))
        return {"ok": True}

    def feature(body: dict[str, Any]) -> Any:
        fake.set_feature(body["repo"], body["feature"], bool(body.get("enabled", False)))
        return {"ok": True}

    def rename(body: dict[str, Any]) -> Any:
        return {"id": fake.rename_repo(body["repo"], body["to"])}

    def delete_issue(body: dict[str, Any]) -> Any:
        fake.delete_issue(body["repo"], int(body["number"]))
        return {"ok": True}

    def transfer_issue(body: dict[str, Any]) -> Any:
        return {"number": fake.transfer_issue(body["repo"], int(body["number"]), body["to"])}

    def blank(body: dict[str, Any]) -> Any:
        kinds = tuple(body.get("kinds", ("code-scanning", "dependabot", "secret-scanning")))
        fake.blank_alerts(body.get("org", fake.org), kinds, bool(body.get("blank", True)))
        return {"ok": True}

    def add_alert(body: dict[str, Any]) -> Any:
        return {"number": fake.add_alert(body.pop("repo"), body.pop("kind"), **body)}

    def alert_state(body: dict[str, Any]) -> Any:
        fake.set_alert_state(
            body["repo"],
            body["kind"],
            int(body["number"]),
            body["state"],
            reason=body.get("reason"),
        )
        return {"ok": True}

    def null_field(body: dict[str, Any]) -> Any:
        fake.null_field(body["repo"], body["kind"], int(body["number"]), body["field"])
        return {"ok": True}

    def advisory(body: dict[str, Any]) -> Any:
        fake.change_advisory(
            body["ghsa_id"],
            severity=body.get("severity"),
            first_patched_version=body.get("first_patched_version"),
        )
        return {"ok": True}

    def churn(body: dict[str, Any]) -> Any:
        return fake.churn(float(body["fraction"]), int(body.get("seed", 0)), body.get("org"))

    posts: dict[str, Action] = {
        "/_fake/clock": clock,
        "/_fake/config": config,
        "/_fake/faults": faults,
        "/_fake/stats/reset": reset_stats,
        "/_fake/tokens": lambda body: {"token": fake.add_token(**body)},
        "/_fake/tokens/revoke": revoke,
        "/_fake/tokens/permissions": permissions,
        "/_fake/rate-limit": rate_limit,
        "/_fake/repos/archive": archive,
        "/_fake/repos/feature": feature,
        "/_fake/repos/rename": rename,
        "/_fake/issues/delete": delete_issue,
        "/_fake/issues/transfer": transfer_issue,
        "/_fake/orgs/blank": blank,
        "/_fake/alerts": add_alert,
        "/_fake/alerts/state": alert_state,
        "/_fake/alerts/churn": churn,
        "/_fake/alerts/null": null_field,
        "/_fake/advisories": advisory,
    }
    gets: dict[str, Callable[[Request], Any]] = {
        "/_fake/stats": lambda req: {**fake.stats.snapshot(), "now": fake.clock.now()},
        "/_fake/log": lambda req: fake.stats.entries(int(req.arg("since") or 0)),
        "/_fake/clock": lambda req: {"now": fake.clock.now(), "simulated": fake.clock.simulated},
    }

    def handle(req: Request) -> Response:
        try:
            if req.method == "GET" and req.path in gets:
                return json_response(200, gets[req.path](req))
            if req.method == "POST" and req.path in posts:
                body = req.json() or {}
                if not isinstance(body, dict):
                    return error(400, "expected a JSON object")
                return json_response(200, posts[req.path](body))
        except BadJsonError:
            return error(400, "Problems parsing JSON")
        except (KeyError, NotFoundError) as exc:
            return error(404, f"not found: {exc}")
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
        return error(404, "Not Found")

    return handle
