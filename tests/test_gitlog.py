"""gitlog's pure part: the branch's first-parent chain, and which of its commits brought
each commit in. The git-reading part is tested through `history` (tests/test_history.py)."""

from __future__ import annotations

from campaign_sync.gitlog import brought_by, mainline


def test_each_commit_is_brought_by_the_branch_commit_that_first_reached_it() -> None:
    # main: a - b - m1 - c - m2 ; m1 merges f1 - f2 (from a); m2 merges g1 (from m1), which
    # itself merged h1 (from b).
    graph = {
        "a": (),
        "b": ("a",),
        "f1": ("a",),
        "f2": ("f1",),
        "m1": ("b", "f2"),
        "c": ("m1",),
        "h1": ("b",),
        "g1": ("m1", "h1"),
        "m2": ("c", "g1"),
    }
    assert mainline("m2", graph) == ["a", "b", "m1", "c", "m2"]
    assert brought_by("m2", graph) == {
        "a": "a",
        "b": "b",
        "f1": "m1",
        "f2": "m1",
        "m1": "m1",
        "c": "c",
        "h1": "m2",
        "g1": "m2",
        "m2": "m2",
    }
