"""Following renamed and transferred repositories by id: the pure remap of a ledger."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.model import Alert, CampaignLedger, Member, Repository, TrackedIssue
from campaign_sync.renames import (
    Rename,
    current_names,
    follow_renames,
    learn_from_redirects,
    rename_alert_id,
)

T0, T1 = "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"


def _ledger(**kwargs: object) -> CampaignLedger:
    return CampaignLedger(campaign="crit", **kwargs)  # type: ignore[arg-type]


def test_a_renamed_repository_takes_its_members_issue_and_autofix_requests_along() -> None:
    ledger = _ledger(
        members=(
            Member("code-scanning:acme/api:3", "open", T0, T0),
            Member("code-scanning:acme/web:1", "open", T0, T0),
            Member("dependabot:acme/web:2", "fixed", T0, T1),
        ),
        issues=(
            TrackedIssue("acme/api", 4, "open", "d1"),
            TrackedIssue("acme/web", 7, "open", "d2"),
        ),
        autofix_requested=("code-scanning:acme/web:1",),
        repositories=(("acme/api", 11), ("acme/web", 12)),
    )
    followed, renames = follow_renames(ledger, {11: "acme/api", 12: "acme/web-app"})
    assert followed.members == (
        Member("code-scanning:acme/api:3", "open", T0, T0),
        Member("code-scanning:acme/web-app:1", "open", T0, T0),
        Member("dependabot:acme/web-app:2", "fixed", T0, T1),
    )
    assert followed.issues == (
        TrackedIssue("acme/api", 4, "open", "d1"),
        TrackedIssue("acme/web-app", 7, "open", "d2"),
    )
    assert followed.autofix_requested == ("code-scanning:acme/web-app:1",)
    assert followed.repositories == (("acme/api", 11), ("acme/web-app", 12))
    assert renames == (Rename("acme/web", "acme/web-app", 12, members=2, issue=7),)
    assert renames[0].describe("crit") == (
        "crit: acme/web was renamed to acme/web-app: 2 members and issue #7 follow it"
    )


def test_a_transfer_says_so_and_an_unknown_id_moves_nothing() -> None:
    ledger = _ledger(
        members=(Member("code-scanning:acme/web:1", "open", T0, T0),),
        repositories=(("acme/web", 12),),
    )
    _, (rename,) = follow_renames(ledger, {12: "labs/web"})
    assert (
        rename.describe("crit") == "crit: acme/web was transferred to labs/web: 1 members follow it"
    )
    # A repository the source does not list (gone from the token's view): left as it is.
    assert follow_renames(ledger, {99: "acme/other"}) == (ledger, ())
    # A ledger written before ids were recorded: nothing to follow.
    old = _ledger(members=ledger.members)
    assert follow_renames(old, {12: "acme/web-app"}) == (old, ())


def test_a_member_held_under_both_names_is_kept_once_joined_earliest() -> None:
    ledger = _ledger(
        members=(
            Member("code-scanning:acme/web-app:1", "fixed", T1, T1),
            Member("code-scanning:acme/web:1", "open", T0, T0),
        ),
        issues=(
            TrackedIssue("acme/web", 7, "open", "a"),
            TrackedIssue("acme/web-app", 9, "open", "b"),
        ),
        repositories=(("acme/web", 12),),
    )
    followed, _ = follow_renames(ledger, {12: "acme/web-app"})
    assert followed.members == (Member("code-scanning:acme/web-app:1", "fixed", T0, T1),)
    assert followed.issues == (TrackedIssue("acme/web-app", 9, "open", "b"),)


def test_current_names_prefer_the_repository_listing_over_alerts() -> None:
    alert = Alert("code-scanning:acme/old:1", "code-scanning", "acme/old", "open", 12)
    assert current_names([], [alert]) == {12: "acme/old"}
    assert current_names([Repository("acme/new", id=12)], [alert]) == {12: "acme/new"}


def test_rename_alert_id_keeps_the_rest_of_the_id() -> None:
    moves = {"acme/web": "labs/web"}
    assert rename_alert_id("code-scanning:acme/web:sarif/x:y", moves) == (
        "code-scanning:labs/web:sarif/x:y"
    )
    assert rename_alert_id("code-scanning:acme/api:1", moves) == "code-scanning:acme/api:1"


# -- properties ------------------------------------------------------------------------

_NAMES = [f"acme/r{i}" for i in range(6)] + ["labs/r0", "labs/r9"]
_names = st.sampled_from(_NAMES)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[CampaignLedger, dict[int, str]]:
    """A ledger over some repositories (each with an id), and this run's id -> name, where
    any repository may have been renamed, transferred, swapped with another, or vanished."""
    known = draw(st.lists(_names, unique=True, max_size=5))
    ids = {name: 100 + i for i, name in enumerate(known)}
    now_named = draw(st.permutations(_NAMES))  # names may swap between repositories
    current = {
        repo_id: now_named[i] for i, repo_id in enumerate(ids.values()) if draw(st.booleans())
    }
    members = draw(
        st.lists(
            st.tuples(st.sampled_from(["code-scanning", "dependabot"]), _names, st.integers(1, 9)),
            unique=True,
            max_size=30,
        )
    )
    ledger = _ledger(
        members=tuple(sorted(Member(f"{t}:{r}:{n}", "open", T0, T0) for t, r, n in members)),
        issues=tuple(
            TrackedIssue(name, 1 + i, "open", "d") for i, name in enumerate(sorted(known))
        ),
        repositories=tuple(sorted(ids.items())),
    )
    return ledger, current


def _key(member: Member) -> tuple[str, str]:
    kind, _, rest = member.alert_id.partition(":")
    return kind, rest.partition(":")[2]


@given(_cases())
def test_following_renames_never_loses_or_doubles_a_member_and_is_idempotent(
    case: tuple[CampaignLedger, dict[int, str]],
) -> None:
    ledger, current = case
    followed, renames = follow_renames(ledger, current)
    ids = [m.alert_id for m in followed.members]
    assert ids == sorted(set(ids))  # sorted, each once
    moves = {r.old: r.new for r in renames}
    # Every member is still there, under its repository's current name, its state and
    # times kept (the tuple ids of those that did not collide are a bijection).
    for member in ledger.members:
        target = rename_alert_id(member.alert_id, moves)
        assert target in ids
    if not set(moves.values()) & {m.repository for m in ledger.members} - set(moves):
        assert len(followed.members) == len(ledger.members)
        assert sorted(map(_key, followed.members)) == sorted(map(_key, ledger.members))
        assert {m[1:] for m in followed.members} == {m[1:] for m in ledger.members}
    # One issue a repository, each issue number kept (none renumbered or invented).
    assert len({i.repository for i in followed.issues}) == len(followed.issues)
    assert {i.number for i in followed.issues} <= {i.number for i in ledger.issues}
    # Idempotent: the ledger now records the new names.
    assert follow_renames(followed, current) == (followed, ())


def test_a_redirect_teaches_the_ledger_an_id_it_did_not_have() -> None:
    ledger = _ledger(
        members=(Member("code-scanning:acme/web:1", "open", T0, T0),),
        repositories=(("acme/api", 11),),
    )
    moved = {"acme/web": "acme/web-app", "acme/other": "acme/other-2"}
    learned = learn_from_redirects(ledger, moved, {"acme/web-app": 12, "acme/other-2": 13})
    # Only names the ledger uses, and never over an id it already had.
    assert learned.repositories == (("acme/api", 11), ("acme/web", 12))
    assert learn_from_redirects(learned, {"acme/web": "x/y"}, {"x/y": 99}) == learned
    assert learn_from_redirects(ledger, {}, {}) is ledger
