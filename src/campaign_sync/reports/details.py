"""``reports/<id>/details.tsv``: what a report needs to know of each alert beyond the ledger.

The ledger records an alert's id, state and dates, not its severity, and the report's SLA
section needs the severity. ``campaign-sync report`` runs without the network, so the
report keeps what it needs in its own file, written from the alerts of each apply::

    # campaign-sync report details v1: alert, severity, closed as
    code-scanning:acme/web:42<TAB>high<TAB>-
    secret-scanning:acme/api:3<TAB>-<TAB>dismissed

One member alert a line, sorted by alert id, the same ids as ``ledger.tsv``.

- ``severity``: ``critical``, ``high``, ``medium`` or ``low``, or ``-`` when the alert has
  none (secret scanning) or was never seen with one.
- ``closed as``: only for secret scanning alerts in the ledger state ``resolved``, which
  may be a fix (revoked) or a dismissal (false positive, won't fix, used in tests): the
  same rule as the tracking issue's task list. ``-`` otherwise, and a ``resolved`` alert
  whose reason is unknown counts as fixed, as in the tracking issue.

An apply takes each field from the alert as it saw it this run; an alert it did not see
(incremental listing, a repository that could not be read) keeps what the file said. So
the file only changes when an alert joins, leaves, changes severity or is resolved, and
``report`` rebuilds exactly what apply wrote. Nothing else of an alert is kept: no rule,
path or message (text from scanned code stays out of the repository).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from campaign_sync.errors import ConfigError
from campaign_sync.model import SEVERITIES, Alert, Member

VERSION = 1
FILENAME = "details.tsv"
HEADER = f"# campaign-sync report details v{VERSION}: alert, severity, closed as"
UNKNOWN = "-"
_CLOSED_AS = ("fixed", "dismissed")


class Detail(NamedTuple):
    """One line of the file. A named tuple, as ``Member``: a campaign can hold a million
    alerts, and a tuple is built several times faster than a frozen dataclass."""

    alert_id: str
    severity: str = UNKNOWN  # one of SEVERITIES, or UNKNOWN
    closed_as: str = UNKNOWN  # "fixed" or "dismissed" for a resolved alert, else UNKNOWN


_SEVERITY = {spelling: s for s in SEVERITIES for spelling in (s, s.upper(), s.capitalize())}


def severity_of(alert: Alert) -> str:
    severity = alert.severity
    if severity is None:
        return UNKNOWN
    return _SEVERITY.get(severity) or _SEVERITY.get(severity.lower(), UNKNOWN)


def closed_as_of(alert: Alert) -> str:
    """How a resolved secret scanning alert was closed; UNKNOWN for any other state.

    Revoked, or no reason given, is a fix; any other resolution is a dismissal
    (``render/issue.py`` classifies the tracking issue's items the same way).
    """
    if alert.state != "resolved":
        return UNKNOWN
    reason = alert.state_reason
    return "dismissed" if reason and reason != "revoked" else "fixed"


def merge_details(
    members: Iterable[Member],
    previous: Mapping[str, Detail],
    alerts: Mapping[str, Alert] | None,
) -> dict[str, Detail]:
    """One detail per member: from this run's alert if seen, else as recorded before."""
    merged: dict[str, Detail] = {}
    for member in members:
        alert_id = member.alert_id
        alert = alerts.get(alert_id) if alerts is not None else None
        known = previous.get(alert_id)
        if alert is not None:
            severity = severity_of(alert)
            # The alert may have been listed before its state reached the ledger: only a
            # resolution seen on a resolved alert counts.
            if alert.state == member.state:
                closed_as = closed_as_of(alert)
            else:
                closed_as = known.closed_as if known is not None else UNKNOWN
        elif known is not None:
            severity, closed_as = known.severity, known.closed_as
        else:
            severity, closed_as = UNKNOWN, UNKNOWN
        if member.state != "resolved":
            closed_as = UNKNOWN
        if known is not None and known.severity == severity and known.closed_as == closed_as:
            merged[alert_id] = known  # unchanged: no new value for each of a million alerts
        else:
            merged[alert_id] = Detail(alert_id, severity, closed_as)
    return merged


def render_details(details: Mapping[str, Detail]) -> str:
    lines = [HEADER]
    for alert_id in sorted(details):
        detail = details[alert_id]
        lines.append(f"{alert_id}\t{detail.severity}\t{detail.closed_as}")
    return "\n".join(lines) + "\n"


def parse_details(text: str, source: str) -> dict[str, Detail]:
    """The file's details by alert id; ConfigError naming the line of anything else."""
    details: dict[str, Detail] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if number == 1:
            if line != HEADER:
                raise ConfigError(
                    f"{source}:1: not a campaign-sync report details file of version "
                    f"{VERSION}; delete it and run `campaign-sync apply` to write it again"
                )
            continue
        if not line:
            continue
        fields = line.split("\t")
        if (
            len(fields) != 3
            or fields[0].count(":") < 2
            or fields[1] not in (*SEVERITIES, UNKNOWN)
            or fields[2] not in (*_CLOSED_AS, UNKNOWN)
            or fields[0] in details
        ):
            raise ConfigError(
                f"{source}:{number}: not a details line (alert, severity, closed as separated "
                "by tabs, one line per alert); fix the line or restore the file from git"
            )
        details[fields[0]] = Detail(fields[0], fields[1], fields[2])
    return details
