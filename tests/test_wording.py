"""One rule for counted nouns: "all 1 alerts" and "in 1 repositories" read as slips."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.wording import plural


def test_singular_for_exactly_one() -> None:
    assert plural(1, "alert") == "1 alert"
    assert plural(1, "repository", "repositories") == "1 repository"


def test_plural_for_anything_else() -> None:
    assert plural(0, "alert") == "0 alerts"
    assert plural(2, "repository", "repositories") == "2 repositories"


@given(st.integers(min_value=-(10**6), max_value=10**6).filter(lambda n: n != 1))
def test_every_count_but_one_takes_the_plural(count: int) -> None:
    assert plural(count, "day") == f"{count} days"
