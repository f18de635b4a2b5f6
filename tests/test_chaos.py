"""Chaos: daily reconcile cycles under 20-30% injected faults end exactly as the same cycles
without faults, with no duplicate and no lost transition (bench/chaos.py's check, on the CI
budget: a few days of a small organization). `python bench/chaos.py --cycles N --fault-rate
R` runs it at any size. The last tests show that each check catches what it looks for."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.chaos import FAILURES, run_chaos
from testing.clients import transport_for
from testing.reconcile import checks
from testing.reconcile.interpose import FAULT_KINDS
from testing.reconcile.scenario import Scenario
from testing.reconcile.state import Normalizer, capture_fake, differences
from testing.reconcile.world import World


def test_cycles_under_faults_end_as_the_clean_cycles(tmp_path: Path) -> None:
    report = run_chaos(cycles=5, fault_rate=0.3, seed=11, base=tmp_path)
    assert {name: report[name] for name in FAILURES} == dict.fromkeys(FAILURES, 0), report[
        "samples"
    ]
    # The faults were real and of every kind, and some hit writes.
    assert report["faults_injected"] >= 15
    assert set(report["faults"]) >= {*FAULT_KINDS, "ambiguous_write"}
    assert any(key.startswith(("POST", "PATCH")) for key in report["faulted_requests"])
    assert report["issues"] > 0


def test_the_checks_see_a_difference_a_duplicate_and_a_lost_transition(tmp_path: Path) -> None:
    with World(tmp_path / "a", Scenario()) as a, World(tmp_path / "b", Scenario()) as b:
        for world in (a, b):
            world.begin(0)
            assert world.converge(0)[-1].code == 0
        normalize_a = Normalizer(a.fake.url, renumber=True)
        normalize_b = Normalizer(b.fake.url, renumber=True)
        clean = capture_fake(a.fake, normalize_a)
        assert differences("github", clean, capture_fake(b.fake, normalize_b)) == []
        assert checks.lost_transitions(b.fake, b.workspace.work) == []

        # An alert fixed on GitHub after the run: neither the ledger nor the issue says so.
        ledger = b.workspace.work / "reports" / "critical-code" / "ledger.tsv"
        line = next(x for x in ledger.read_text(encoding="utf-8").splitlines() if "\topen\t" in x)
        alert_id = line.split("\t")[0]
        kind, repository, number = alert_id.split(":")
        b.fake.set_alert_state(repository, kind, int(number), "fixed")
        lost = checks.lost_transitions(b.fake, b.workspace.work)
        assert f"critical-code: {alert_id} is fixed on GitHub, open in the ledger" in lost
        assert f"critical-code: {alert_id} is fixed but shown as open" in lost

        # A second issue with the same marker, and one comment posted twice.
        api = transport_for(b.fake)
        issue = api.get(f"/repos/{repository}/issues", {"labels": "campaign-sync"}).data[0]
        api.request(
            "POST", f"/repos/{repository}/issues", body={"title": "x", "body": issue["body"]}
        )
        for _ in range(2):
            api.request(
                "POST",
                f"/repos/{repository}/issues/{issue['number']}/comments",
                body={"body": "hi"},
            )
        state = capture_fake(b.fake, Normalizer(b.fake.url, renumber=True))
        found = checks.duplicates(state)
        assert any(d.startswith("2 tracking issues for ") for d in found), found
        assert any(d.startswith("comment posted twice in a row") for d in found), found
        assert differences("github", clean, state)


@pytest.mark.parametrize("text", ["Triage: on it", "x"])
def test_normalizing_keeps_what_differs(tmp_path: Path, text: str) -> None:
    normalizer = Normalizer("http://127.0.0.1:5000", renumber=True)
    normalizer.numbers["acme/web"] = {3: "sqli acme/web"}
    link = "[#3](http://127.0.0.1:5000/acme/web/issues/3)"
    assert (
        normalizer.text(link)
        == "[#<sqli acme/web>](http://fake-github.invalid/acme/web/issues/<sqli acme/web>)"
    )
    # An unknown issue number, and any other text, stay as they are.
    assert normalizer.text("acme/web/issues/4 " + text) == "acme/web/issues/4 " + text
