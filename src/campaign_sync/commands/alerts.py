"""`campaign-sync alerts`: list or count the alerts of one or more sources."""

from __future__ import annotations

import csv
import dataclasses
import fnmatch
import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from campaign_sync.model import ALERT_STATES, ALERT_TYPES, Alert
from campaign_sync.sources.base import AlertSource, SourceResult
from campaign_sync.sources.registry import fetch_all
from campaign_sync.untrusted.terminal import printable

# The documented JSON/CSV fields, in order. Adding a field is compatible; renaming is not.
ALERT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Alert))


@dataclasses.dataclass(frozen=True, slots=True)
class AlertFilter:
    types: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    repositories: tuple[str, ...] = ()  # globs on owner/name

    @property
    def active(self) -> bool:
        return bool(self.types or self.states or self.severities or self.repositories)

    def matches(self, alert: Alert) -> bool:
        if self.types and alert.type not in self.types:
            return False
        if self.states and alert.state not in self.states:
            return False
        if self.severities and alert.severity not in self.severities:
            return False
        return not self.repositories or any(
            fnmatch.fnmatchcase(alert.repository, pattern) for pattern in self.repositories
        )


def alert_json(alert: Alert) -> dict[str, Any]:
    record = dataclasses.asdict(alert)
    record["cwes"] = list(alert.cwes)
    return record


def _write_text(alerts: Sequence[Alert], out: TextIO) -> None:
    for alert in alerts:
        where = f"{alert.path}:{alert.start_line}" if alert.start_line else (alert.path or "")
        rule = alert.rule_id or alert.secret_type or alert.package or ""
        fields = (alert.id, alert.state, alert.severity or "-", rule, where)
        # Paths and rule ids come from scanned code: no escape sequences on the terminal.
        out.write("\t".join(printable(f) for f in fields) + "\n")


def _write_csv(alerts: Sequence[Alert], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALERT_FIELDS)
    for alert in alerts:
        record = alert_json(alert)
        record["cwes"] = " ".join(str(c) for c in alert.cwes)
        writer.writerow(["" if record[f] is None else record[f] for f in ALERT_FIELDS])


def _counts(alerts: Sequence[Alert]) -> dict[str, dict[str, int]]:
    counter = Counter((a.type, a.state) for a in alerts)
    return {
        alert_type: {state: counter[(alert_type, state)] for state in ALERT_STATES}
        for alert_type in ALERT_TYPES
        if any(counter[(alert_type, s)] for s in ALERT_STATES)
    }


def _write_counts(alerts: Sequence[Alert], output_format: str, out: TextIO) -> None:
    counts = _counts(alerts)
    if output_format == "json":
        json.dump({"total": len(alerts), "by_type": counts}, out, indent=2)
        out.write("\n")
        return
    if output_format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["type", *ALERT_STATES, "total"])
        for alert_type, by_state in counts.items():
            writer.writerow([alert_type, *by_state.values(), sum(by_state.values())])
        return
    width = max([len("total"), *(len(t) for t in counts)])
    out.write(f"{'type':<{width}}  " + "  ".join(f"{s:>9}" for s in ALERT_STATES) + "      total\n")
    for alert_type, by_state in counts.items():
        cells = "  ".join(f"{n:>9,}" for n in by_state.values())
        out.write(f"{alert_type:<{width}}  {cells}  {sum(by_state.values()):>9,}\n")
    out.write(f"{'total':<{width}}  {'':>{11 * len(ALERT_STATES) - 2}}  {len(alerts):>9,}\n")


def list_alerts(
    sources: Sequence[AlertSource],
    *,
    alert_filter: AlertFilter,
    output_format: str,
    count: bool,
    out: TextIO,
    err: TextIO,
    on_fetched: Callable[[], None] | None = None,
) -> int:
    result: SourceResult = fetch_all(sources)
    if on_fetched is not None:
        on_fetched()  # e.g. clear the progress line before anything else is printed
    alerts = (
        [a for a in result.alerts if alert_filter.matches(a)]
        if alert_filter.active
        else result.alerts
    )
    for skipped in result.skipped:
        err.write(f"skipped {skipped.alert_type} alerts of {skipped.scope}: {skipped.reason}\n")
    for note in result.notes:
        err.write(f"note: {note}\n")
    if count:
        _write_counts(alerts, output_format, out)
    elif output_format == "json":
        json.dump([alert_json(a) for a in alerts], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif output_format == "csv":
        _write_csv(alerts, out)
    else:
        _write_text(alerts, out)
    return 0
