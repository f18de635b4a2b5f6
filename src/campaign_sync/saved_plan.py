"""`plan --out FILE` and `apply FILE`: a plan saved for review, applied only as it was.

As with ``terraform plan -out``: the file holds the plan (its JSON form) and digests of
what it was computed from: the campaign files and config, the ledgers, and the alerts.
``apply FILE`` computes the plan again from the same sources and applies it only when
every digest and the plan itself are the same; otherwise it refuses, naming what changed
since, so what runs is exactly what was reviewed. The file holds no token and no secret
value (the plan never does); its JSON is written by the tool and read back only for its
digests, never executed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaign_sync.config.loader import default_paths, discover
from campaign_sync.errors import ConfigError
from campaign_sync.files import write_atomically
from campaign_sync.planned import Planned
from campaign_sync.render.plan import PLAN_FORMATS

KIND = "campaign-sync saved plan"
VERSION = 1
INPUTS = ("campaigns", "ledgers", "alerts")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a plan was computed from, and the plan, each as a SHA-256 digest."""

    campaigns: str
    ledgers: str
    alerts: str
    plan: str


@dataclass(frozen=True, slots=True)
class SavedPlan:
    fingerprint: Fingerprint
    only: tuple[str, ...]  # the campaigns --campaign named (empty: every campaign)


def fingerprint(root: Path, planned: Planned) -> Fingerprint:
    return Fingerprint(
        campaigns=_files_digest(root, discover(default_paths(root), root=root)),
        ledgers=_files_digest(
            root, sorted(p for p in planned.reports.rglob("ledger.*") if p.is_file())
        )
        if planned.reports.is_dir()
        else _digest(b""),
        alerts=_digest("\n".join(repr(alert) for alert in planned.result.alerts).encode("utf-8")),
        plan=_digest(json.dumps(_stable(planned), sort_keys=True).encode("utf-8")),
    )


def _stable(planned: Planned) -> Any:
    """The plan's JSON without what moves between two readings of the same inputs: the
    token's rate limit left, which every request spends."""
    document = json.loads(PLAN_FORMATS["json"](planned.plan))
    budget = document.get("budget")
    if isinstance(budget, dict):
        budget.pop("rate_limit_remaining", None)
    return document


def save(path: Path, root: Path, planned: Planned, only: Collection[str] = ()) -> None:
    """``only``: the campaigns ``--campaign`` selected; ``apply FILE`` plans them again."""
    printed = fingerprint(root, planned)
    document = {
        "kind": KIND,
        "version": VERSION,
        "campaigns_selected": sorted(only),
        "inputs": {name: getattr(printed, name) for name in INPUTS},
        "plan_digest": printed.plan,
        "plan": json.loads(PLAN_FORMATS["json"](planned.plan)),
    }
    # A path the user named on the command line: theirs to choose, like any output file.
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    write_atomically(path, text.encode("utf-8"), root=None)


def load(path: Path) -> SavedPlan:
    """The fingerprint and selection a saved plan holds, or ConfigError naming what is
    wrong."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the saved plan: {error.strerror}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not a saved plan (not JSON: {error})") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise ConfigError(f"{path}: not a saved plan; make one with `campaign-sync plan --out`")
    if document.get("version") != VERSION:
        raise ConfigError(
            f"{path}: a saved plan of another version ({str(document.get('version'))[:20]}); "
            "make it again with this campaign-sync"
        )
    inputs = document.get("inputs")
    digests = [inputs.get(name) if isinstance(inputs, dict) else None for name in INPUTS]
    plan = document.get("plan_digest")
    campaigns, ledgers, alerts = digests
    if not (
        isinstance(campaigns, str)
        and isinstance(ledgers, str)
        and isinstance(alerts, str)
        and isinstance(plan, str)
    ):
        raise ConfigError(f"{path}: the saved plan is incomplete; make it again")
    only = document.get("campaigns_selected", [])
    if not isinstance(only, list) or not all(isinstance(c, str) for c in only):
        raise ConfigError(f"{path}: the saved plan's campaigns_selected is not a list of ids")
    return SavedPlan(Fingerprint(campaigns, ledgers, alerts, plan), tuple(only))


def changed_since(saved: Fingerprint, now: Fingerprint) -> list[str]:
    """What differs between the saved plan's fingerprint and one taken now."""
    changed = [name for name in INPUTS if getattr(saved, name) != getattr(now, name)]
    if not changed and saved.plan != now.plan:
        changed.append("the plan itself (a new day: due dates and notices)")
    return changed


def _files_digest(root: Path, files: list[Path]) -> str:
    hasher = hashlib.sha256()
    for path in files:
        try:
            name = str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            name = str(path)
        hasher.update(name.encode("utf-8", "surrogateescape") + b"\0")
        hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
