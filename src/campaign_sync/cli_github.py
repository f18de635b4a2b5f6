"""The options of the commands that read GitHub (the alert sources, the alert store, the
campaigns to work on), and the commands `alerts` and `comment`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from campaign_sync import cli_env
from campaign_sync.errors import CampaignSyncError
from campaign_sync.model import ALERT_STATES, ALERT_TYPES, SEVERITIES


def campaign_option(function: Any) -> Any:
    return click.option(
        "--campaign",
        "only",
        multiple=True,
        metavar="ID",
        help="Only this campaign (its id); repeatable. The others are left as they are: "
        "not planned nor written, still listed in the reports index.",
    )(function)


def source_options(function: Any) -> Any:
    function = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="SOURCE",
        help="github:ORG, github:OWNER/REPO, snapshot:PATH or sarif:PATH[#OWNER/REPO]; "
        "repeatable. Default: github:ORG for each organization in campaign-sync.yml.",
    )(function)
    function = click.option(
        "--api-url", help="REST API URL (default: config, $GITHUB_API_URL, github.com)."
    )(function)
    function = click.option(
        "--full-listing",
        is_flag=True,
        help="List every alert again instead of only those updated since the last run "
        "(the alert store, `cache:` in campaign-sync.yml, is rewritten). A full listing "
        "also happens by itself once a week.",
    )(function)
    return click.option(
        "--force", is_flag=True, help="Carry on even when a safety rail refuses the plan."
    )(function)


def _store_options(full_listing: bool) -> Any:
    """The alert store the config names (``cache:``), or None when it is turned off."""
    from campaign_sync.config.repo_config import DEFAULT_CACHE_DIR
    from campaign_sync.sources.incremental import StoreOptions

    folder = cli_env.config_value("cache")
    if folder is None:
        folder = DEFAULT_CACHE_DIR
    if not isinstance(folder, str) or not folder:
        return None
    return StoreOptions(
        Path.cwd() / folder, now=cli_env.now(), full_listing=full_listing, root=Path.cwd()
    )


def build_sources(
    sources: tuple[str, ...], api_url: str | None, full_listing: bool = False
) -> tuple[list[Any], Any]:
    from campaign_sync.render.progress import ProgressReporter
    from campaign_sync.sources.registry import SourceContext, build_sources

    specs = list(sources)
    if not specs:
        organizations = cli_env.config_organizations()
        if not organizations:
            raise click.UsageError(
                "no --source given and campaign-sync.yml names no organizations; try "
                "--source snapshot:examples/snapshot"
            )
        specs = [f"github:{org}" for org in organizations]
    progress = ProgressReporter(sys.stderr)
    context = SourceContext(
        api_url=api_url,
        config_api_url=cli_env.config_api_url(),
        on_page=progress,
        store=_store_options(full_listing),
    )
    return build_sources(specs, context), progress


@click.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    required=True,
    metavar="SOURCE",
    help="github:ORG, github:OWNER/REPO, snapshot:PATH or sarif:PATH[#OWNER/REPO]; repeatable.",
)
@click.option(
    "--type", "types", multiple=True, type=click.Choice(ALERT_TYPES), help="Only this type."
)
@click.option(
    "--state", "states", multiple=True, type=click.Choice(ALERT_STATES), help="Only this state."
)
@click.option(
    "--severity", "severities", multiple=True, type=click.Choice(SEVERITIES), help="Only this."
)
@click.option("--repo", "repositories", multiple=True, help="Only repositories matching a glob.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
)
@click.option("--count", is_flag=True, help="Print totals by type and state instead.")
@click.option("--api-url", help="REST API URL (default: config, $GITHUB_API_URL, github.com).")
def alerts(
    sources: tuple[str, ...],
    types: tuple[str, ...],
    states: tuple[str, ...],
    severities: tuple[str, ...],
    repositories: tuple[str, ...],
    output_format: str,
    count: bool,
    api_url: str | None,
) -> None:
    """List or count the alerts of one or more sources.

    Credentials for github: sources come from GITHUB_TOKEN or GH_TOKEN (or a GitHub
    App: CAMPAIGN_SYNC_APP_ID, CAMPAIGN_SYNC_APP_PRIVATE_KEY[_FILE],
    CAMPAIGN_SYNC_APP_INSTALLATION_ID). Secret values are never fetched or printed.
    """
    # Imported here: the GitHub client pulls in PyGithub, jwt and cryptography, which
    # `validate` and the other offline commands should not pay for at start-up.
    from campaign_sync.commands.alerts import AlertFilter, list_alerts
    from campaign_sync.github.listing import AlertQuery
    from campaign_sync.render.progress import ProgressReporter
    from campaign_sync.sources.registry import SourceContext, build_sources

    alert_filter = AlertFilter(types, states, severities, repositories)
    progress = ProgressReporter(sys.stderr)
    context = SourceContext(
        api_url=api_url,
        config_api_url=cli_env.config_api_url(),
        alert_types=tuple(t for t in ALERT_TYPES if not types or t in types),
        queries={t: AlertQuery(states=states, severities=severities) for t in ALERT_TYPES},
        on_page=progress,
        include_repositories=False,
    )
    built = build_sources(sources, context)
    try:
        code = list_alerts(
            built,
            alert_filter=alert_filter,
            output_format=output_format,
            count=count,
            out=sys.stdout,
            err=sys.stderr,
            on_fetched=progress.finish,
        )
    finally:
        progress.finish()
    sys.exit(code)


@click.command()
@click.option(
    "--repo",
    "repository",
    envvar="GITHUB_REPOSITORY",
    show_envvar=True,
    required=True,
    metavar="OWNER/NAME",
    help="The repository of the pull request (default in Actions: $GITHUB_REPOSITORY).",
)
@click.option(
    "--pr", "number", type=click.IntRange(min=1), required=True, help="The pull request number."
)
@click.option(
    "--body-file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="The markdown to show, e.g. the output of `plan --format markdown`; - for stdin.",
)
@click.option(
    "--key",
    default="plan",
    show_default=True,
    help="Which sticky comment: one comment per key and pull request.",
)
@click.option(
    "--author",
    metavar="LOGIN",
    help="The login the comment is posted as, when it is not a bot (a machine user's "
    "token). Default: any bot account, such as github-actions[bot] or your app's.",
)
@click.option("--api-url", help="REST API URL (default: config, $GITHUB_API_URL, github.com).")
def comment(
    repository: str,
    number: int,
    body_file: Any,
    key: str,
    author: str | None,
    api_url: str | None,
) -> None:
    """Show a text as ONE comment on a pull request, edited in place on every run.

    The comment carries a hidden marker (<!-- campaign-sync:KEY -->); the next run finds
    it by that marker and its author, and edits it instead of adding another. A comment
    in which a person pasted the marker is never touched. The token comes from
    GITHUB_TOKEN or GH_TOKEN and needs to write pull requests (in Actions:
    `permissions: pull-requests: write`).
    """
    from campaign_sync.commands.comment import run_comment
    from campaign_sync.github.auth import auth_from_env, resolve_api_url
    from campaign_sync.github.transport import Transport, notices_to_stderr

    try:
        text = body_file.read()
    except UnicodeDecodeError as exc:
        raise CampaignSyncError(
            f"--body-file {body_file.name}: not UTF-8 text ({exc.reason})"
        ) from exc
    url = resolve_api_url(api_url, cli_env.config_api_url(), os.environ)
    transport = Transport(
        auth=auth_from_env(os.environ, url, repository), api_url=url, notices=notices_to_stderr
    )
    try:
        code = run_comment(
            transport,
            repository,
            number,
            text,
            out=sys.stdout,
            err=sys.stderr,
            key=key,
            author=author,
        )
    finally:
        transport.close()
    sys.exit(code)
