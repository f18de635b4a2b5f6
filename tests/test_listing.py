"""github/listing.py's pure parts: where an incremental listing stops."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.github.listing import until_watermark

stamps = st.integers(0, 50).map(lambda n: f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:00:00Z")


@st.composite
def newest_first_pages(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A page sorted by `updated` newest first, with null `updated_at`s anywhere."""
    dated = sorted(draw(st.lists(stamps, max_size=30)), reverse=True)
    items: list[dict[str, Any]] = [{"updated_at": stamp} for stamp in dated]
    for _ in range(draw(st.integers(0, 5))):
        items.insert(draw(st.integers(0, len(items))), {"updated_at": None})
    return items


@given(newest_first_pages(), st.none() | stamps)
def test_a_null_updated_at_never_ends_the_listing_early(
    page: list[dict[str, Any]], since: str | None
) -> None:
    kept = until_watermark(page, since)
    assert kept == page[: len(kept)]  # a prefix, in GitHub's order
    # Every alert updated at or after the watermark is read, wherever the nulls are.
    wanted = [i for i in page if since is None or (i["updated_at"] or "~") >= since]
    assert all(item in kept for item in wanted if item["updated_at"])
    # And nothing older than the watermark is.
    assert all(since is None or i["updated_at"] is None or i["updated_at"] >= since for i in kept)
    # The listing stops only at an alert that is really older.
    if len(kept) < len(page):
        assert since is not None
        assert page[len(kept)]["updated_at"] is not None
        assert page[len(kept)]["updated_at"] < since
