"""The command line. Thin: parse options, call a command function, return its exit code.

Exit codes: 0 success, 1 invalid input or a reported error, 2 usage error (and, for `plan`,
changes pending), 3 internal error (a bug: please report it), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from campaign_sync import __version__
from campaign_sync.commands.new import new_campaign
from campaign_sync.commands.templates import list_templates
from campaign_sync.commands.validate import validate as validate_command
from campaign_sync.config.checks import PLACEHOLDER_CONTACT, PLACEHOLDER_MANAGER
from campaign_sync.config.loader import campaigns_folder
from campaign_sync.config.repo_config import CONFIG_FILENAMES
from campaign_sync.config.schema import SCHEMA_NAMES, schema_text
from campaign_sync.config.yaml_loader import DocumentError, load_yaml_file
from campaign_sync.errors import CampaignSyncError, UsageProblem
from campaign_sync.model import ALERT_STATES, ALERT_TYPES, SEVERITIES
from campaign_sync.render.problems import REPORTERS

EXIT_INTERNAL = 3
# A usage error (unknown option, missing path): not 2, which is plan's "changes to apply",
# so a mistyped command in CI can never read as news. 64 is EX_USAGE of sysexits.h.
EXIT_USAGE = 64
EXIT_INTERRUPTED = 130


def _today() -> date:
    return date.today()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="campaign-sync")
def cli() -> None:
    """Security campaigns as code.

    Campaigns are YAML files under campaigns/. Validate them, preview the plan,
    and reconcile them with GitHub's code scanning, secret scanning and
    Dependabot alerts.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="text for people, json for machines, github for annotations on a pull request.",
)
def validate(paths: tuple[Path, ...], output_format: str) -> None:
    """Check campaign files and the config against the schema.

    PATHS are files or folders (default: campaign-sync.yml and campaigns/).
    Every problem is reported as FILE:LINE:COLUMN with the path of the value
    (e.g. select.severity[2]). Exit status: 0 valid (warnings allowed),
    1 invalid, 2 usage error.
    """
    sys.exit(
        validate_command(list(paths), output_format=output_format, out=sys.stdout, today=_today())
    )


@cli.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES))
def schema(name: str) -> None:
    """Print the JSON Schema for a campaign file or the config.

    Save it next to your campaigns for editor completion, e.g.
    `campaign-sync schema campaign > schemas/campaign.schema.json`.
    """
    click.echo(schema_text(name), nl=False)  # type: ignore[arg-type]


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def templates(output_format: str) -> None:
    """List the built-in campaign templates."""
    sys.exit(list_templates(output_format=output_format, out=sys.stdout))


@cli.command()
@click.argument("campaign_id", metavar="ID")
@click.option("--template", "template_name", help="Start from this built-in template.")
@click.option(
    "--manager",
    "managers",
    multiple=True,
    help="A manager (user login or @org/team); repeat for several. Default: $GITHUB_ACTOR.",
)
@click.option("--contact", help="Link to the point of contact (discussion, chat channel).")
@click.option("--ends", type=click.DateTime(formats=["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
@click.option("--name", help="The campaign's display name (default: the template's).")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the campaign file to. Default: the `campaigns:` folder of "
    "campaign-sync.yml, else campaigns/.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(
    campaign_id: str,
    template_name: str | None,
    managers: tuple[str, ...],
    contact: str | None,
    ends: object,
    name: str | None,
    folder: Path | None,
    force: bool,
) -> None:
    """Write ID.yml in the campaigns folder, a commented campaign file that passes validate.

    The file starts as a draft: nothing is written to GitHub until you set
    state: active. Replace the placeholder managers and contact link: validate
    refuses them in an active campaign.
    """
    due = ends.date() if hasattr(ends, "date") else None
    sys.exit(
        new_campaign(
            campaign_id,
            template_name=template_name,
            folder=folder if folder is not None else campaigns_folder(Path.cwd()),
            managers=managers or (os.environ.get("GITHUB_ACTOR") or PLACEHOLDER_MANAGER,),
            contact=contact or PLACEHOLDER_CONTACT,
            ends=due,
            today=_today(),
            name=name,
            force=force,
            out=sys.stdout,
        )
    )


@cli.command()
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
        config_api_url=_config_api_url(),
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


def _campaign_option(function: Any) -> Any:
    return click.option(
        "--campaign",
        "only",
        multiple=True,
        metavar="ID",
        help="Only this campaign (its id); repeatable. The others are left as they are: "
        "not planned nor written, still listed in the reports index.",
    )(function)


def _source_options(function: Any) -> Any:
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
    from campaign_sync.sources.github import StoreOptions

    folder = _config_value("cache")
    if folder is None:
        folder = DEFAULT_CACHE_DIR
    if not isinstance(folder, str) or not folder:
        return None
    return StoreOptions(Path.cwd() / folder, now=_now(), full_listing=full_listing, root=Path.cwd())


def _build_sources(
    sources: tuple[str, ...], api_url: str | None, full_listing: bool = False
) -> tuple[list[Any], Any]:
    from campaign_sync.render.progress import ProgressReporter
    from campaign_sync.sources.registry import SourceContext, build_sources

    specs = list(sources)
    if not specs:
        organizations = _config_organizations()
        if not organizations:
            raise click.UsageError(
                "no --source given and campaign-sync.yml names no organizations; try "
                "--source snapshot:examples/snapshot"
            )
        specs = [f"github:{org}" for org in organizations]
    progress = ProgressReporter(sys.stderr)
    context = SourceContext(
        api_url=api_url,
        config_api_url=_config_api_url(),
        on_page=progress,
        store=_store_options(full_listing),
    )
    return build_sources(specs, context), progress


@cli.command()
@_source_options
@_campaign_option
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

    built, progress = _build_sources(sources, api_url, full_listing)
    try:
        code = run_plan(
            Path.cwd(),
            built,
            output_format=output_format,
            out=sys.stdout,
            now=_now(),
            force=force,
            on_fetched=progress.finish,
            save_to=save_to,
            only=only,
        )
    finally:
        progress.finish()
    sys.exit(code)


@cli.command()
@click.argument(
    "planfile",
    required=False,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="[PLANFILE]",
)
@_source_options
@_campaign_option
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

    built, progress = _build_sources(sources, api_url, full_listing)
    transport = None
    offline_because = None
    if not dry_run:
        url = resolve_api_url(api_url, _config_api_url(), os.environ)
        try:
            auth = auth_from_env(os.environ, url, _app_scope(sources))
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
            now=_now(),
            force=force,
            dry_run=dry_run,
            on_fetched=progress.finish,
            commit=commit,
            push=not no_push,
            offline_because=offline_because,
            committed_only=_in_ci(),
            confirm=None if assume_yes or _in_ci() or not _on_terminal() else _ask,
            saved=planfile,
            only=only,
            output_format=output_format,
        )
    finally:
        progress.finish()
    sys.exit(code)


@cli.command()
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
    url = resolve_api_url(api_url, _config_api_url(), os.environ)
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


@cli.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The campaigns repository (where campaign-sync.yml and campaigns/ are).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to write the reports for, YYYY-MM-DD (default: today, UTC, as apply).",
)
@_campaign_option
def report(root: Path, today: datetime | None, only: tuple[str, ...]) -> None:
    """Rebuild every report under reports/ from the ledgers, without the network.

    Writes reports/README.md and, per campaign, README.md, history.csv (today's row
    added or replaced) and details.tsv; a file is rewritten only when it changes.
    On the day of an apply it writes exactly what apply wrote.
    """
    from campaign_sync.commands.report import run_report

    day = today.date() if today is not None else _now().date()
    sys.exit(run_report(root, today=day, out=sys.stdout, err=sys.stderr, only=only))


@cli.command()
@click.argument("target", metavar="ALERT_ID|CAMPAIGN")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="A folder of the clone of the campaigns repository.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def history(target: str, root: Path, output_format: str) -> None:
    """What git's history says of an alert or a campaign, for auditors.

    \b
    ALERT_ID (TYPE:OWNER/REPO:NUMBER, e.g. code-scanning:acme/web:42): each
    campaign it was a member of, the commit and date it joined, every change
    of its state after, each with its commit and date, and for a dismissal the
    reason, who dismissed it and their comment, where the ledger recorded them.
    The id is matched whole: code-scanning:acme/web:1 is never :11.

    \b
    CAMPAIGN (the campaign file's name without .yml): each commit that changed
    its campaign file, with date, author and subject, and the pull request that
    merged it when git can tell (a "Merge pull request #N" commit, or a squashed
    commit ending "(#N)"); then its member count over time.

    Reads the branch's own history (reports/ and campaigns/, as
    campaign-sync.yml names them) with git alone: no network, no token, nothing
    written. Exit status: 0 found; 1 not found, or not a git repository.
    """
    from campaign_sync.commands.history import run_history

    sys.exit(run_history(root, target, output_format=output_format, out=sys.stdout, err=sys.stderr))


def _in_ci() -> bool:
    """GitHub Actions, and most CI systems, set CI=true (GITHUB_ACTIONS=true in Actions)."""
    return any(os.environ.get(name, "").lower() == "true" for name in ("CI", "GITHUB_ACTIONS"))


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(question: str) -> bool:
    answer = click.prompt(question, default="", show_default=False, err=True)
    return str(answer).strip() == "yes"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _config_value(key: str) -> object:
    """A value of ./campaign-sync.yml, if the file exists and loads (`validate` reports
    a broken one; these commands only need a default)."""
    for name in CONFIG_FILENAMES:
        path = Path(name)
        if path.is_file():
            try:
                return load_yaml_file(path).data.get(key)
            except DocumentError:
                return None
    return None


def _config_organizations() -> tuple[str, ...]:
    value = _config_value("organizations")
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _app_scope(sources: tuple[str, ...]) -> str | None:
    """Where a GitHub App without a configured installation finds it: the first github:
    source's organization or repository, else the config's first organization."""
    for spec in sources:
        if spec.startswith("github:"):
            return spec.removeprefix("github:").strip("/") or None
    organizations = _config_organizations()
    return organizations[0] if organizations else None


def _config_api_url() -> str | None:
    value = _config_value("api-url")
    return value if isinstance(value, str) else None


def main(argv: list[str] | None = None) -> int:
    """The error boundary: known errors become one line, bugs become exit 3."""
    try:
        # standalone_mode=False: click hands back errors instead of exiting, so this
        # boundary decides every exit code.
        result = cli.main(args=argv, prog_name="campaign-sync", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except UsageProblem as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except CampaignSyncError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except BrokenPipeError:
        # `campaign-sync ... | head`: the reader left; nothing more to say.
        return 1
    except Exception:
        click.echo(
            "internal error: this is a bug in campaign-sync, please report it with the "
            "traceback below",
            err=True,
        )
        click.echo(traceback.format_exc(), err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0
