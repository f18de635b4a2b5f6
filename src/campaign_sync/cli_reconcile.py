"""The `plan` and `apply` commands: what they are asked (the campaigns, a saved plan,
whether to ask, commit, wait for the lock) and how they connect to GitHub."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from campaign_sync import cli_env
from campaign_sync.cli_github import build_sources, campaign_option, source_options


@click.command()
@source_options
@campaign_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull request comment, json for machines.",
)
@click.option(
    "--out",
    "save_to",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Also save the plan to FILE, for `campaign-sync apply FILE` to carry out exactly "
    "that plan (refused if the campaign files, ledgers or alerts changed since).",
)
def plan(
    sources: tuple[str, ...],
    api_url: str | None,
    full_listing: bool,
    force: bool,
    output_format: str,
    save_to: Path | None,
    only: tuple[str, ...],
) -> None:
    """Show what apply would change: tracking issues to open, update, close or reopen.

    Exit status (like terraform plan -detailed-exitcode): 0 nothing to do,
    2 changes to apply, 1 error or a plan refused by a safety rail.
    """
    from campaign_sync.commands.plan import run_plan

    built, progress = build_sources(sources, api_url, full_listing)
    try:
        code = run_plan(
            Path.cwd(),
            built,
            output_format=output_format,
            out=sys.stdout,
            now=cli_env.now(),
            force=force,
            on_fetched=progress.finish,
            save_to=save_to,
            only=only,
        )
    finally:
        progress.finish()
    sys.exit(code)


@click.command()
@click.argument(
    "planfile",
    required=False,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="[PLANFILE]",
)
@source_options
@campaign_option
@click.option("--dry-run", is_flag=True, help="Show the plan and change nothing.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: each action as it is done ([3/12] done ...: URL); json: one document on "
    "stdout at the end (every action, what became of it, its URL), the text on stderr.",
)
@click.option(
    "--commit",
    is_flag=True,
    help="Commit the reports folder (and nothing else) with a bot identity "
    "($CAMPAIGN_SYNC_COMMIT_AUTHOR) and push it; no commit when no report changed.",
)
@click.option("--no-push", is_flag=True, help="With --commit: commit locally, do not push.")
@click.option(
    "--yes",
    "-y",
    "assume_yes",
    is_flag=True,
    help="Do not ask before writing. On a terminal apply shows the plan and asks; in CI "
    "(no terminal) it never asks.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another apply in this checkout to finish (one apply at a "
    "time holds the checkout's lock); 0: fail at once, naming who holds it.",
)
def apply(
    planfile: Path | None,
    sources: tuple[str, ...],
    api_url: str | None,
    full_listing: bool,
    force: bool,
    dry_run: bool,
    commit: bool,
    no_push: bool,
    lock_timeout: float,
    assume_yes: bool,
    only: tuple[str, ...],
    output_format: str,
) -> None:
    """Carry out the plan: open, update, close and reopen tracking issues; write the ledger.

    Runs the same plan `campaign-sync plan` shows, most urgent first, and stops at
    safety.max-writes-per-run writes or before the token's rate limit falls below
    limits.reserve-requests: the next run continues from the ledger. A second apply with
    nothing changed makes no write request. Exit status: 0 done (also with actions left
    for the next run), 1 error or some actions failed (they are retried on the next run).

    On a terminal the plan is shown and nothing is written before you answer yes
    (--yes skips the question). PLANFILE, from `plan --out PLANFILE`: apply exactly that
    plan, or refuse if the campaign files, ledgers or alerts changed since. In CI only
    campaign files committed at HEAD are applied.
    """
    from campaign_sync.lock import checkout_lock

    options = (sources, api_url, full_listing, force, dry_run, commit, no_push, assume_yes)
    if not dry_run:  # a dry run writes nothing: it needs no lock
        with checkout_lock(Path.cwd(), timeout=lock_timeout):
            _apply(*options, planfile, only, output_format)
        return
    _apply(*options, planfile, only, output_format)


def _apply(
    sources: tuple[str, ...],
    api_url: str | None,
    full_listing: bool,
    force: bool,
    dry_run: bool,
    commit: bool,
    no_push: bool,
    assume_yes: bool,
    planfile: Path | None,
    only: tuple[str, ...],
    output_format: str,
) -> None:
    from campaign_sync.commands.apply import run_apply
    from campaign_sync.github.auth import NoCredentials, auth_from_env, resolve_api_url
    from campaign_sync.github.transport import Transport, notices_to_stderr

    built, progress = build_sources(sources, api_url, full_listing)
    transport = None
    offline_because = None
    if not dry_run:
        url = resolve_api_url(api_url, cli_env.config_api_url(), os.environ)
        try:
            auth = auth_from_env(os.environ, url, cli_env.app_scope(sources))
        except NoCredentials as error:
            # Reports from offline sources need no token: apply refuses later, before any
            # write, only if the plan has something to do on GitHub.
            offline_because = str(error)
        else:
            transport = Transport(auth=auth, api_url=url, notices=notices_to_stderr)
    try:
        code = run_apply(
            Path.cwd(),
            built,
            transport,
            out=sys.stdout,
            err=sys.stderr,
            now=cli_env.now(),
            force=force,
            dry_run=dry_run,
            on_fetched=progress.finish,
            commit=commit,
            push=not no_push,
            offline_because=offline_because,
            committed_only=cli_env.in_ci(),
            confirm=(
                None if assume_yes or cli_env.in_ci() or not cli_env.on_terminal() else cli_env.ask
            ),
            saved=planfile,
            only=only,
            output_format=output_format,
        )
    finally:
        progress.finish()
    sys.exit(code)
