"""One world of a scenario: a fake GitHub, a campaigns repository, and the daily reconcile.

Two worlds built from the same scenario (one clean, one under faults or crashes) live the
same days; ``state.capture`` then says whether they ended the same.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from testing.fake_github import FakeGitHub

from .interpose import Interposer
from .runner import REQUEST_TIMEOUT, TOKEN, Run, run_inprocess
from .scenario import (
    ORG,
    AlertChange,
    Scenario,
    change_alerts,
    edits,
    git_date,
    initial_files,
    instant,
)
from .workspace import Workspace

APPLY = ("apply", "--commit", "--source", f"github:{ORG}")
# The alert store's folder (campaign-sync.yml's ``cache:``, default), gitignored.
STORE = ".campaign-sync-cache"
# A cycle whose apply still fails after this many runs did not converge: that is a finding.
MAX_RUNS = 40


class World:
    def __init__(self, base: Path, scenario: Scenario, *, timeout: float = REQUEST_TIMEOUT) -> None:
        self.scenario = scenario
        self.timeout = timeout  # seconds before a request counts as timed out
        self.fake = FakeGitHub(
            repos=scenario.repos,
            alerts=scenario.alerts,
            seed=scenario.seed,
            org=ORG,
            simulated_clock=True,
        ).start()
        try:
            self.fake.add_token(value=TOKEN)
            self.interposer = Interposer(self.fake)
            self.fake.clock.set(instant(0).timestamp())
            self.workspace = Workspace.create(
                base,
                initial_files(self.fake.url, native=scenario.native),
                date=git_date(0, minute=-30),
            )
        except BaseException:
            self.fake.stop()
            raise
        self.runs: list[Run] = []  # every campaign-sync run, in order
        self.changes: list[list[AlertChange]] = []  # what changed before each cycle

    def close(self) -> None:
        self.fake.stop()

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self, cycle: int) -> None:
        """The morning of ``cycle``: the fake's clock moves to the day, a merged pull request
        (if the scenario has one that day) lands on main, developers change alerts, and the
        reconcile job checks out main afresh."""
        self.fake.clock.set(instant(cycle).timestamp() - 3600)
        edit = edits(cycle, native=self.scenario.native)
        if edit is not None:
            message, files = edit
            self.workspace.commit(files, message, date=git_date(cycle, minute=-60))
        self.changes.append(change_alerts(self.fake, self.scenario, cycle) if cycle else [])
        self.fake.clock.set(instant(cycle).timestamp())
        self.checkout()

    def checkout(self) -> None:
        """What a reconcile job starts from: a fresh checkout of main, and the alert store
        as the last successful run saved it (the workflow's ``actions/cache`` step: a failed
        or killed job saves nothing)."""
        self.workspace.fresh_clone()
        if self._saved_store.exists():
            shutil.copytree(self._saved_store, self.workspace.work / STORE)

    @property
    def _saved_store(self) -> Path:
        return self.workspace.base / "actions-cache"

    def _save_store(self) -> None:
        store = self.workspace.work / STORE
        if store.exists():
            shutil.rmtree(self._saved_store, ignore_errors=True)
            shutil.copytree(store, self._saved_store)

    def run(self, cycle: int, argv: Sequence[str] = APPLY, *, token: str = TOKEN) -> Run:
        """One ``campaign-sync`` run on the day of ``cycle``, in this process."""
        run = run_inprocess(
            self.workspace.work,
            argv,
            now=instant(cycle),
            sleep=self.fake.clock.advance,
            clock=self.fake.clock.now,
            token=token,
            date=git_date(cycle),
            timeout=self.timeout,
        )
        self.runs.append(run)
        if run.code == 0:
            self._save_store()
        return run

    def converge(self, cycle: int, *, fresh: bool = True) -> list[Run]:
        """Run apply until it succeeds, as the daily workflow would be re-run; each re-run
        starts from a fresh checkout (``fresh``) as a re-run of a GitHub Actions job does."""
        runs: list[Run] = []
        for attempt in range(MAX_RUNS):
            if attempt and fresh:
                self.checkout()
            run = self.run(cycle)
            runs.append(run)
            if run.code == 0:
                return runs
        return runs
