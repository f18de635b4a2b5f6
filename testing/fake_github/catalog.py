"""The seeded catalog: rules, advisories, secret types and paths, with sampling helpers."""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate
from typing import Generic, TypeVar

from .catalog_advisories import build_advisories
from .catalog_misc import SECRET_TYPES, source_paths
from .catalog_rules import build_rules
from .model import Advisory, Rule, SecretType

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice driven by one ``random()`` draw."""

    def __init__(self, items: list[tuple[T, float]]) -> None:
        self.items = [item for item, _ in items]
        self.cum = list(accumulate(weight for _, weight in items))
        self.total = self.cum[-1]

    def pick(self, r: float) -> T:
        return self.items[min(bisect_right(self.cum, r * self.total), len(self.items) - 1)]


class Catalog:
    """Everything alerts are made of. Deterministic for a seed."""

    def __init__(self, seed: int = 0, synthetic_advisories_per_package: int = 6) -> None:
        rng = random.Random(f"catalog:{seed}")
        rules = build_rules()
        self.rules: list[Rule] = [rule for rule, _ in rules]
        self.rules_by_id: dict[str, Rule] = {rule.id: rule for rule in self.rules}
        by_lang: dict[str, list[tuple[Rule, float]]] = {}
        for rule, weight in rules:
            by_lang.setdefault(rule.language, []).append((rule, float(weight)))
        self.rules_by_language: dict[str, Weighted[Rule]] = {
            lang: Weighted(items) for lang, items in by_lang.items()
        }
        self.advisories: dict[str, list[Advisory]] = build_advisories(
            rng, synthetic_advisories_per_package
        )
        self.advisories_by_id: dict[str, Advisory] = {
            adv.ghsa_id: adv for advs in self.advisories.values() for adv in advs
        }
        self.advisory_pickers: dict[str, Weighted[Advisory]] = {
            eco: Weighted([(adv, 1.0 + rng.random() * 4) for adv in advs])
            for eco, advs in self.advisories.items()
        }
        self.secret_types: Weighted[SecretType] = Weighted(
            [(st, float(weight)) for st, weight in SECRET_TYPES]
        )
        self.secret_types_by_slug: dict[str, SecretType] = {st.slug: st for st, _ in SECRET_TYPES}
        self.paths: dict[str, tuple[str, ...]] = {
            lang: source_paths(lang) for lang in self.rules_by_language
        }
