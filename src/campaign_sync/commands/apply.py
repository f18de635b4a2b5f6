"""`campaign-sync apply`: plan, check the safety rails, carry the plan out, write the ledger."""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from campaign_sync.apply import ActionOutcome, apply_plan
from campaign_sync.commands.plan import make
from campaign_sync.committed import uncommitted
from campaign_sync.config.loader import YAML_SUFFIXES, campaigns_folder
from campaign_sync.delivery import DeliveryFailed, deliver, preflight
from campaign_sync.destinations import KINDS
from campaign_sync.errors import ConfigError, GitHubError, UnsafePlan, UsageProblem
from campaign_sync.gitcommit import Identity, run_url_from_env
from campaign_sync.github.transport import Transport
from campaign_sync.ledger import read_ledger
from campaign_sync.planned import Planned
from campaign_sync.render.applied import outcome_json, outcome_url, render_apply_json
from campaign_sync.render.plan import PLAN_FORMATS, render_markdown
from campaign_sync.render.summary import write_step_summary
from campaign_sync.reports.links import web_url
from campaign_sync.reports.write import ReportsWritten, read_ledgers, write_reports
from campaign_sync.saved_plan import changed_since, fingerprint
from campaign_sync.saved_plan import load as load_saved
from campaign_sync.sources.base import AlertSource
from campaign_sync.untrusted.markdown import escape_inline
from campaign_sync.untrusted.terminal import printable
from campaign_sync.wording import plural

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANCELLED = 1  # as terraform apply answered no


def run_apply(
    root: Path,
    sources: Sequence[AlertSource],
    transport: Transport | None,
    *,
    out: TextIO,
    err: TextIO,
    now: datetime,
    force: bool = False,
    dry_run: bool = False,
    on_fetched: Callable[[], None] | None = None,
    commit: bool = False,
    push: bool = True,
    offline_because: str | None = None,
    committed_only: bool = False,
    confirm: Callable[[str], bool] | None = None,
    saved: Path | None = None,
    only: Collection[str] = (),
    output_format: str = "text",
) -> int:
    """Apply the plan. ``transport`` writes to GitHub. It is None for --dry-run, and when
    there are no credentials (``offline_because`` says so): then apply goes on only if
    the plan has nothing to do on GitHub (offline sources, tracking and mirroring off),
    and otherwise fails with that message before anything is written.

    ``commit`` commits the reports folder at the end (and ``push`` pushes it).
    ``committed_only`` (in CI): campaign files not committed at HEAD are left out, and
    apply says which and why. ``confirm`` (a terminal without --yes): the plan is shown
    and applied only if it answers yes, as terraform apply asks. ``saved`` (``apply
    FILE``): the plan is applied only if it is exactly the one ``plan --out FILE`` saved,
    computed from the same campaign files, ledgers and alerts; it is not asked again.
    ``only`` (``--campaign``): apply these campaigns, leave the others as they are (a
    saved plan applies the campaigns it was made for).

    ``output_format``: ``text``, each action as it is done (``[3/12] done ...: URL``),
    or ``json``: what ``text`` says goes to ``err`` and ``out`` gets one JSON document at
    the end (``apply_json``); a dry run prints the plan's JSON. An error before or
    instead of applying (a refused plan, no credentials) prints no document: the exit
    code and stderr say why.
    """
    said = err if output_format == "json" else out  # what a person reads
    expected = load_saved(saved) if saved is not None else None
    if expected is not None:
        if only and set(only) != set(expected.only):
            raise UsageProblem(
                f"{saved}: the saved plan was made for "
                + (f"--campaign {' '.join(expected.only)}" if expected.only else "every campaign")
                + "; apply it without --campaign (it applies the campaigns it was made for)"
            )
        only = expected.only
    # Checked before anything is fetched or written: a run that could not commit its
    # reports fails while nothing has changed yet.
    identity = Identity.from_env(os.environ) if commit and not dry_run else None
    delivery = None
    if identity is not None:
        # Also brings back what an earlier run could not deliver: this run plans from it.
        delivery = preflight(
            root, push=push, identity=identity, today=now.date(), environ=os.environ
        )
        for note in delivery.notes:
            said.write(f"note: {printable(note)}\n")
    left_out = (
        tuple(
            item
            for item in uncommitted(root, campaigns_folder(root))
            if item.path.suffix in YAML_SUFFIXES
        )
        if committed_only
        else ()
    )
    for item in left_out:
        said.write(f"note: {printable(item.describe(root))}\n")
    planned = make(
        root,
        sources,
        now=now,
        on_fetched=on_fetched,
        transport=transport,
        leave_out=[item.path for item in left_out],
        only=only,
    )
    plan = planned.plan
    seen = len(planned.result.alerts)
    if saved is not None and expected is not None:
        changed = changed_since(expected.fingerprint, fingerprint(root, planned))
        if changed:
            raise ConfigError(
                f"{saved}: the saved plan no longer matches what it was computed from: "
                f"{', '.join(changed)} changed since. Nothing was written; review a new "
                "plan (`campaign-sync plan --out FILE`) and apply that"
            )
        said.write(f"note: {saved}: the saved plan matches; applying it\n")
        confirm = None  # reviewed when it was saved, as terraform apply PLANFILE
    if dry_run:
        out.write(PLAN_FORMATS[output_format](plan))
        write_step_summary(render_markdown(plan))
        return EXIT_OK
    refused = None if force else plan.unsafe(planned.config.safety, seen_alerts=seen)
    if refused is not None:
        # Said in the job summary too, where the run is read, not only on stderr.
        write_step_summary(render_markdown(dataclasses.replace(plan, refused=refused)))
        raise UnsafePlan(refused)
    on_github = [a for a in plan.actions if a.campaign in plan.applies]
    if confirm is not None and on_github:
        said.write(PLAN_FORMATS["text"](plan))
        said.flush()
        if not confirm(
            f"Apply {plural(len(on_github), 'change')} to GitHub? Only 'yes' is accepted"
        ):
            err.write("Apply cancelled: nothing was written.\n")
            return EXIT_CANCELLED
    if transport is None and on_github:
        kinds = Counter(KINDS[a.kind].verb for a in on_github)
        raise GitHubError(
            f"{offline_because or 'no GitHub connection'}. This apply has "
            f"{plural(len(on_github), 'change')} to make on GitHub ("
            + ", ".join(f"{n} {verb}" for verb, n in sorted(kinds.items()))
            + "); with every source offline and tracking and native campaigns off, "
            "apply needs no token"
        )
    if transport is not None:
        transport.write_interval = planned.config.limits.write_interval
    for line in plan.renamed:
        said.write(f"{printable(line)}\n")

    web = web_url(planned.config.api_url)
    outcomes: list[dict[str, object]] = []

    def report(told: ActionOutcome) -> None:
        action = told.action
        url = outcome_url(told, web)
        outcomes.append(outcome_json(told, url))
        what = (
            f"[{told.position}/{told.total}] {told.outcome} {action.campaign}: "
            f"{KINDS[action.kind].verb} {printable(action.target)}"
        )
        if told.outcome == "done":
            said.write(f"{what}" + (f": {url}" if url else "") + "\n")
        elif told.outcome == "failed":
            err.write(f"{what}: {printable(told.error or '')}\n")

    # What the plan could not do (a campaign not mirrored, Autofix left out) and why.
    for note in plan.notes:
        said.write(f"note: {printable(note)}\n")
    result = apply_plan(planned, transport, on_action=report, now=now)
    for note in [*result.held_notes, *result.notes, *result.healed]:
        said.write(f"note: {printable(note)}\n")
    summary = (
        f"Applied {len(result.done)} of {len(result.done) + len(result.failed)} actions"
        + (f"; {len(result.failed)} failed and will be retried next run" if result.failed else "")
        + (
            f"; {result.held_actions} not made: their repository is archived or has Issues "
            "turned off (see the notes)"
            if result.held_actions
            else ""
        )
        + (f"; {result.skipped} of draft campaigns not applied" if result.skipped else "")
        + (
            f"; {plural(len(result.healed), 'duplicate issue')} (two runs at once) closed"
            if result.healed
            else ""
        )
        + f"; {transport.stats.writes if transport is not None else 0} write requests."
        + (
            f" {result.deferred} actions left for the next runs: {result.stopped_by} was "
            "reached (most urgent first; the ledger records where this run stopped)."
            if result.deferred
            else ""
        )
    )
    said.write(summary + "\n")
    if result.postponed:
        first = result.postponed[0][1]
        said.write(
            f"{len(result.postponed)} GitHub writes left for the next run: GitHub's rate "
            f"limit for them is spent ({printable(first)}).\n"
        )
    if result.read_fallback is not None:
        err.write(
            "note: issues were read one by one through REST, as GraphQL could not batch "
            f"them ({printable(result.read_fallback)}); slower, same result\n"
        )
    # Also after failed actions: the reports show what the ledgers now say.
    reports_written = _write_reports(planned, now)
    said.write(
        (
            f"Wrote {plural(len(reports_written.changed), 'report file')} under {planned.reports}."
            if reports_written.changed
            else "Reports are up to date."
        )
        + "\n"
    )
    held = "".join(
        f"\n> {escape_inline(note)}\n"
        for note in [*result.held_notes, *result.notes, *result.healed]
    )
    write_step_summary(render_markdown(plan) + f"\n{summary}\n{held}")
    delivery_lines: list[str] = []
    if delivery is not None and identity is not None:  # last: after every report is written
        # What this run wrote, against what the branch has committed (not against what
        # this run started from: an earlier run may have written without committing).
        written = {c: read_ledger(planned.reports, c) for c in sorted(plan.applies)}
        try:
            delivered = deliver(
                delivery,
                planned.reports,
                written,
                identity=identity,
                transport=transport,
                run_url=run_url_from_env(os.environ),
            )
        except DeliveryFailed as error:
            write_step_summary(f"**The reports were not delivered.** {escape_inline(str(error))}\n")
            raise
        delivery_lines = list(delivered.lines)
        for line in delivered.lines:
            said.write(printable(line) + "\n")
        write_step_summary("".join(f"{escape_inline(line)}\n\n" for line in delivered.lines))
    if output_format == "json":
        out.write(
            render_apply_json(
                result,
                outcomes,
                writes=transport.stats.writes if transport is not None else 0,
                notes=[*plan.notes, *result.held_notes, *result.notes, *result.healed],
                reports_changed=[p.relative_to(root) for p in reports_written.changed],
                delivery=delivery_lines,
            )
        )
    # A repository archived or with Issues turned off since the plan is a note, not a
    # failure: nothing can be retried there, and the next plan leaves it out.
    return EXIT_FAILED if result.failed else EXIT_OK


def _write_reports(planned: Planned, now: datetime) -> ReportsWritten:
    """Rebuild reports/ from the ledgers apply just wrote and the alerts of this run.

    Campaigns --campaign left out keep their pages; the index lists them as their
    ledgers stand."""
    ledgers = {c: read_ledger(planned.reports, c) for c in sorted(planned.plan.applies)}
    wanted = {m.alert_id for ledger in ledgers.values() for m in ledger.members}
    alerts = {a.id: a for a in planned.result.alerts if a.id in wanted}
    written = write_reports(
        planned.reports,
        (*planned.campaigns, *planned.others),
        {**read_ledgers(planned.reports, planned.others), **ledgers},
        alerts,
        today=now.date(),
        web=web_url(planned.config.api_url),
        pages_for={c.id for c in planned.campaigns} if planned.others else None,
    )
    return written
