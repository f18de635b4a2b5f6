"""The destinations' registry (destinations/__init__.py): every action kind belongs to
exactly one destination, which says what it costs and how it shows."""

from __future__ import annotations

import dataclasses
import typing

from campaign_sync import actions
from campaign_sync.destinations import DESTINATIONS, KINDS, destination_of


def action_types() -> list[type]:
    """The action value types in actions.py (a destination may define its own beside it)."""
    return [
        cls
        for cls in vars(actions).values()
        if dataclasses.is_dataclass(cls) and "kind" in cls.__dataclass_fields__
    ]


def test_every_action_type_has_one_destination_that_executes_it() -> None:
    kinds = {typing.get_type_hints(cls)["kind"].__args__[0] for cls in action_types()}
    assert len(kinds) == 9
    assert set(KINDS) == kinds
    owners = [d.name for d in DESTINATIONS for kind in d.kinds]
    assert len(owners) == len(KINDS)  # no kind claimed twice
    for kind in kinds:
        assert kind in destination_of(kind).kinds


def test_every_kind_costs_a_write_and_shows_a_terraform_sign() -> None:
    for kind, facts in KINDS.items():
        assert facts.writes >= 1, kind
        assert facts.requests >= facts.writes, kind
        assert facts.sign in {"+", "-", "~", ">"}, kind
        assert facts.verb, kind
