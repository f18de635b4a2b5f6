"""End to end: campaign_sync.cli.main([...]) (the error boundary) and click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from campaign_sync import __version__, cli
from campaign_sync.config.templates import builtin_templates

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_NAMES = sorted(builtin_templates())

BROKEN = (
    "name: Broken\n"
    "description: A broken campaign.\n"
    "managers: [mona]\n"
    "contact: not a link\n"
    "ends: 2027-01-31\n"
    "state: active\n"
    "select:\n"
    "  severity: [critical, urgent]\n"
)
BROKEN_TEXT = (
    "campaigns/broken.yml:4:10: error: 'not a link' is not an absolute URL (https://...) "
    "[contact]\n"
    "campaigns/broken.yml:8:24: error: 'urgent' is not allowed; use one of: critical, high, "
    "medium, low [select.severity[1]]\n"
    "2 errors in 1 of 2 files\n"
)
VALID = (
    "name: Valid\n"
    "description: A valid campaign.\n"
    "managers: [mona]\n"
    "contact: https://github.com/orgs/acme/discussions/1\n"
    "ends: 2099-01-31\n"
    "state: active\n"
    "select:\n"
    "  template: xss\n"
)


@pytest.fixture
def repo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A campaigns repository with one broken and one valid campaign; the working directory."""
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "broken.yml").write_text(BROKEN, encoding="utf-8")
    (folder / "valid.yml").write_text(VALID, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(catch_exceptions=False)


# --- validate ---------------------------------------------------------------------------


def test_validate_this_repository(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    campaigns = sorted((REPO / "campaigns").glob("*.yml"))
    assert campaigns
    assert cli.main(["validate"]) == 0
    captured = capsys.readouterr()
    # The config file plus every campaign; warnings (a due date passing) would not fail it.
    assert captured.out.startswith(f"ok: {len(campaigns) + 1} files valid")
    assert captured.err == ""


def test_validate_this_repository_campaigns_folder(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(cli.cli, ["validate", "campaigns"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_validate_broken_file(repo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out == BROKEN_TEXT
    assert captured.err == ""


def test_validate_broken_file_with_cli_runner(repo_dir: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli.cli, ["validate", "campaigns"])
    assert result.exit_code == 1
    assert result.stdout == BROKEN_TEXT


def test_validate_one_valid_file(repo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "campaigns/valid.yml"]) == 0
    assert capsys.readouterr().out == "ok: 1 file valid\n"


def test_validate_nonexistent_path_is_a_usage_error(
    repo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "campaigns/nope.yml"]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Path 'campaigns/nope.yml' does not exist." in captured.err
    assert "Traceback" not in captured.err


def test_validate_bad_format_is_a_usage_error(
    repo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "--format", "xml"]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        "Invalid value for '--format': 'xml' is not one of 'github', 'json', 'text'."
        in captured.err
    )


def test_usage_errors_with_cli_runner(repo_dir: Path, runner: CliRunner) -> None:
    assert runner.invoke(cli.cli, ["validate", "nope"]).exit_code == 2
    assert runner.invoke(cli.cli, ["validate", "--format", "xml"]).exit_code == 2


def test_validate_json(repo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    assert [(r["file"], r["line"], r["column"], r["path"]) for r in rows] == [
        ("campaigns/broken.yml", 4, 10, "contact"),
        ("campaigns/broken.yml", 8, 24, "select.severity[1]"),
    ]
    assert all(
        set(r) == {"file", "line", "column", "path", "message", "severity", "code"} for r in rows
    )


def test_validate_json_when_valid(repo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--format", "json", "campaigns/valid.yml"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_github(
    repo_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = repo_dir / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert cli.main(["validate", "--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::error file=campaigns/broken.yml,line=4,col=10,title=campaign-sync validate::"
        "'not a link' is not an absolute URL (https://...) (contact)\n"
        "::error file=campaigns/broken.yml,line=8,col=24,title=campaign-sync validate::"
        "'urgent' is not allowed; use one of: critical, high, medium, low (select.severity[1])\n"
        "2 errors in 1 of 2 files\n"
    )
    assert summary.read_text(encoding="utf-8") == (
        "earlier step\n"
        "### campaign-sync validate: 2 errors in 1 of 2 files\n"
        "\n"
        "| Location | Severity | Problem |\n"
        "| --- | --- | --- |\n"
        "| campaigns/broken\\.yml:4:10 | error | 'not a link' is not an absolute URL "
        "\\(https:\u2060//\\.\\.\\.\\) |\n"
        "| campaigns/broken\\.yml:8:24 | error | 'urgent' is not allowed; use one of: "
        "critical, high, medium, low |\n"
        "\n"
    )


def test_validate_github_without_step_summary(
    repo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "--format", "github", "campaigns/valid.yml"]) == 0
    assert capsys.readouterr().out == "ok: 1 file valid\n"
    assert sorted(p.name for p in repo_dir.iterdir()) == ["campaigns"]


def test_text_format_writes_no_step_summary(
    repo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = repo_dir / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert cli.main(["validate"]) == 1
    assert not summary.exists()


def test_validate_without_a_campaigns_folder_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: no campaigns folder in {tmp_path.resolve()}; run this in a campaigns "
        "repository or name the files and folders to validate\n"
    )


# --- schema -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["campaign", "config"])
def test_schema_prints_the_shipped_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", name]) == 0
    out = capsys.readouterr().out
    shipped = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert out == shipped
    assert json.loads(out) == json.loads(shipped)


@pytest.mark.parametrize("name", ["campaign", "config"])
def test_schema_with_cli_runner(name: str, runner: CliRunner) -> None:
    result = runner.invoke(cli.cli, ["schema", name])
    assert result.exit_code == 0
    shipped = json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout) == shipped


def test_schema_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "plan"]) == cli.EXIT_USAGE
    assert "'plan' is not one of 'campaign', 'config'" in capsys.readouterr().err


# --- templates --------------------------------------------------------------------------


def test_templates_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["templates"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(TEMPLATE_NAMES)
    width = max(map(len, TEMPLATE_NAMES))
    for line, name in zip(lines, TEMPLATE_NAMES, strict=True):
        assert line == f"{name:<{width}}  {builtin_templates()[name].summary}"


def test_templates_json(runner: CliRunner) -> None:
    result = runner.invoke(cli.cli, ["templates", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    assert [(r["name"], r["description"]) for r in rows] == [
        (name, builtin_templates()[name].summary) for name in TEMPLATE_NAMES
    ]
    assert all(r["select"] == builtin_templates()[r["name"]].fragment["select"] for r in rows)


# --- new --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *TEMPLATE_NAMES])
def test_new_then_validate(
    name: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_ACTOR", "mona")
    folder = tmp_path / "campaigns"
    args = ["new", "my-campaign", "--dir", str(folder)]
    if name is not None:
        args += ["--template", name]
    assert cli.main(args) == 0
    path = folder / "my-campaign.yml"
    assert capsys.readouterr().out == (
        f"wrote {path}; edit it, then run `campaign-sync validate {path}`\n"
    )
    assert "managers:\n  - mona\n" in path.read_text(encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == "ok: 1 file valid\n"


def test_new_options_with_cli_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.delenv("GITHUB_ACTOR", raising=False)
    folder = tmp_path / "campaigns"
    result = runner.invoke(
        cli.cli,
        [
            "new",
            "payments-sqli",
            "--template",
            "sql-injection",
            "--manager",
            "mona",
            "--manager",
            "@acme/appsec",
            "--contact",
            "https://github.com/orgs/acme/discussions/9",
            "--ends",
            "2099-03-31",
            "--name",
            "SQL injection in payments",
            "--dir",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (folder / "payments-sqli.yml").read_text(encoding="utf-8")
    assert 'name: "SQL injection in payments"\n' in text
    assert 'managers:\n  - mona\n  - "@acme/appsec"\n' in text
    assert "contact: https://github.com/orgs/acme/discussions/9\n" in text
    assert "ends: 2099-03-31\n" in text
    assert "  template: sql-injection\n" in text
    check = runner.invoke(cli.cli, ["validate", str(folder)])
    assert check.exit_code == 0, check.output
    assert check.stdout == "ok: 1 file valid\n"


def test_new_default_manager_is_a_placeholder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_ACTOR", raising=False)
    assert cli.main(["new", "x", "--dir", str(tmp_path)]) == 0
    text = (tmp_path / "x.yml").read_text(encoding="utf-8")
    assert "managers:\n  - your-github-login\n" in text
    assert "contact: https://github.com/orgs/your-org/discussions\n" in text


def test_placeholders_pass_in_a_draft_and_are_refused_once_active(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A campaign activated with `new`'s placeholders used to validate, and its tracking
    issues would have named a manager nobody is."""
    monkeypatch.delenv("GITHUB_ACTOR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "x"]) == 0
    path = tmp_path / "campaigns" / "x.yml"
    assert cli.main(["validate"]) == 0
    path.write_text(
        path.read_text(encoding="utf-8").replace("state: draft", "state: active"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli.main(["validate"]) == 1
    out = capsys.readouterr().out.splitlines()
    lines = path.read_text(encoding="utf-8").splitlines()
    manager_line = lines.index("  - your-github-login") + 1
    contact_line = next(i for i, line in enumerate(lines, 1) if line.startswith("contact:"))
    assert out == [
        f"campaigns/x.yml:{manager_line}:5: error: 'your-github-login' is the placeholder "
        "`new` wrote; name a real manager (a login or @org/team) before the campaign is "
        "active [managers[0]]",
        f"campaigns/x.yml:{contact_line}:10: error: "
        "'https://github.com/orgs/your-org/discussions' is the placeholder `new` wrote; link "
        "the real point of contact (a discussion, a chat channel) before the campaign is "
        "active [contact]",
        "2 errors in 1 of 1 file",
    ]


def test_new_writes_into_the_campaigns_folder_the_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "campaign-sync.yml").write_text(
        "organizations: [acme]\ncampaigns: security/campaigns\n", encoding="utf-8"
    )
    assert cli.main(["new", "x", "--manager", "mona"]) == 0
    assert (tmp_path / "security" / "campaigns" / "x.yml").is_file()
    assert not (tmp_path / "campaigns").exists()
    assert cli.main(["validate"]) == 0  # validate reads the same folder


def test_new_bad_ends_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new", "x", "--ends", "31/03/2027", "--dir", str(tmp_path)]) == cli.EXIT_USAGE
    assert "Invalid value for '--ends'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new", "x", "--dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert cli.main(["new", "x", "--template", "xss", "--dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: {tmp_path / 'x.yml'} already exists; pass --force to overwrite it\n"
    )
    assert cli.main(["new", "x", "--template", "xss", "--force", "--dir", str(tmp_path)]) == 0
    assert "  template: xss\n" in (tmp_path / "x.yml").read_text(encoding="utf-8")


# --- the error boundary -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["new", "Bad_Id"],
            "error: campaign id 'Bad_Id' must be 1 to 64 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit\n",
        ),
        (
            ["new", "x", "--template", "nope"],
            "error: unknown template 'nope'; `campaign-sync templates` lists them\n",
        ),
    ],
)
def test_config_error_is_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*args, "--dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == message
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_unexpected_exception_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(**kwargs: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "list_templates", broken)
    assert cli.main(["templates"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "internal error: this is a bug in campaign-sync, please report it with the "
        "traceback below\n"
    )
    assert "RuntimeError: boom" in captured.err


def test_keyboard_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(**kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "list_templates", interrupted)
    assert cli.main(["templates"]) == 130
    captured = capsys.readouterr()
    assert "interrupted" in captured.err
    assert "Traceback" not in captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"campaign-sync, version {__version__}\n"


# --- help -------------------------------------------------------------------------------

COMMANDS = sorted(cli.cli.commands)


def test_the_commands_under_test_exist() -> None:
    # The help tests below cover every command the group has, including later ones.
    assert {"new", "schema", "templates", "validate"} <= set(COMMANDS)


def test_group_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: campaign-sync [OPTIONS] COMMAND [ARGS]...")
    for name in COMMANDS:
        assert f"  {name} " in out


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help(name: str, runner: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    command = cli.cli.commands[name]
    options = [p for p in command.params if isinstance(p, click.Option)]
    for flag in ("--help", "-h"):
        result = runner.invoke(cli.cli, [name, flag])
        assert result.exit_code == 0
        assert result.stdout.startswith(f"Usage: cli {name} ")
        for option in options:
            for opt in option.opts:
                assert opt in result.stdout, (name, opt)
    # Also through main, which names the program.
    assert cli.main([name, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"Usage: campaign-sync {name} ")


def test_validate_refuses_a_campaign_id_windows_reserves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "campaigns").mkdir()
    good = REPO / "campaigns" / sorted(p.name for p in (REPO / "campaigns").glob("*.yml"))[0]
    (tmp_path / "campaigns" / "nul.yml").write_text(good.read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "campaigns"]) == 1
    out = capsys.readouterr().out
    assert (
        "campaigns/nul.yml:1:1: error: campaign id 'nul' (the file name without .yml) is a " in out
    )


@pytest.mark.parametrize(
    "argv",
    [["plan", "--formt", "markdown"], ["nosuch"], ["plan", "--source", "snapshot:no-such"]],
)
def test_a_usage_error_never_exits_2_which_is_plans_changes(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --formt markdown` exited 2, and the action read it as "changes" and passed."""
    assert cli.main(argv) == cli.EXIT_USAGE == 64
    assert capsys.readouterr().err
