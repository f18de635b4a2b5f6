"""Copilot Autofix requested for a code scanning alert."""

from __future__ import annotations

from collections.abc import Mapping

from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.tracker.common import (
    Deferred,
    Handled,
    checked_number,
    error_message,
    expect_status,
    failure,
    repo_path,
)
from campaign_sync.github.transport import Transport

# request_autofix's answers besides GitHub's own statuses (pending, success, error, ...).
AUTOFIX_UNSUPPORTED = "unsupported"  # GitHub cannot autofix this alert (tool, rule, language)


AUTOFIX_NOT_OPEN = "not_open"  # the alert is no longer open


_NOT_SUPPORTED = ("not supported", "not available", "unsupported", "not eligible", "cannot")


def request_autofix(transport: Transport, repository: str, alert_number: int) -> str:
    """Ask Copilot Autofix for a fix of a code scanning alert; returns the autofix status.

    GitHub's status (``pending``, ``success``, ...) when it accepted the request, or when an
    autofix exists already (asking again is harmless, so a lost answer is simply asked
    again). ``unsupported`` when GitHub says it cannot autofix this alert, ``not_open`` when
    the alert is no longer open: neither is an error for a campaign.
    """
    path = f"{repo_path(repository)}/code-scanning/alerts/{checked_number(alert_number)}/autofix"
    what = f"requesting an autofix for code scanning alert #{alert_number} of {repository}"
    try:
        with failure(what, repository, target=f"code scanning alert #{alert_number}"):
            response = transport.request("POST", path, idempotent=True)
    except Handled as error:
        cause = error.__cause__
        if not isinstance(cause, RequestFailed):
            raise
        message = error_message(cause).lower()
        if cause.status == 403 and "rate limit" in message:
            # "Response if the repository is archived, if GitHub Advanced Security is not
            # enabled for this repository or if rate limit is exceeded": Autofix's own budget,
            # with no word on when it resets.
            raise Deferred(
                f"{what}: Copilot Autofix's rate limit is exceeded", status=403
            ) from cause
        if cause.status in (400, 403, 422) and any(p in message for p in _NOT_SUPPORTED):
            return AUTOFIX_UNSUPPORTED
        if cause.status == 422 and "open" in message:
            return AUTOFIX_NOT_OPEN
        raise
    expect_status(response, (200, 202), what)
    data = response.data
    status = data.get("status") if isinstance(data, Mapping) else None
    return str(status or "pending")
