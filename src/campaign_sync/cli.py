"""The command line. Thin: parse options, call a command function, return its exit code.

Exit codes: 0 success, 1 invalid input or a reported error, 2 usage error (and, for `plan`,
changes pending), 3 internal error (a bug: please report it), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import date, datetime
from pathlib import Path

import click

from campaign_sync import __version__, cli_env
from campaign_sync.cli_github import alerts, campaign_option, comment
from campaign_sync.cli_reconcile import apply, plan
from campaign_sync.commands.new import new_campaign
from campaign_sync.commands.templates import list_templates
from campaign_sync.commands.validate import validate as validate_command
from campaign_sync.config.checks import PLACEHOLDER_CONTACT, PLACEHOLDER_MANAGER
from campaign_sync.config.loader import campaigns_folder
from campaign_sync.config.schema import SCHEMA_NAMES, schema_text
from campaign_sync.errors import CampaignSyncError, UsageProblem
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
@campaign_option
def report(root: Path, today: datetime | None, only: tuple[str, ...]) -> None:
    """Rebuild every report under reports/ from the ledgers, without the network.

    Writes reports/README.md and, per campaign, README.md, history.csv (today's row
    added or replaced) and details.tsv; a file is rewritten only when it changes.
    On the day of an apply it writes exactly what apply wrote.
    """
    from campaign_sync.commands.report import run_report

    day = today.date() if today is not None else cli_env.now().date()
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


for command in (alerts, plan, apply, comment):
    cli.add_command(command)


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
