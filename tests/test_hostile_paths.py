"""Hostile paths: campaign files, folders and sources that point out of the repository.

The rule (docs/reliability.md): a campaign file, the config, the campaigns folder or the
reports folder that lies inside the repository as written but resolves outside it (a
symbolic link out) is refused with a located error and never read; `validate`, `plan` and
`apply` exit 1. The config may only name relative folders without `..`. Paths named on the
command line (`validate /some/file.yml`, `--source snapshot:../dir`) are the operator's
choice and are read, but a file inside a snapshot or SARIF folder that links out of that
folder is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaign_sync import cli
from campaign_sync.config.repo_config import DEFAULT_CACHE_DIR

CAMPAIGN = """\
name: Fine
description: A campaign.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
"""
SNAPSHOT = Path(__file__).resolve().parents[1] / "examples" / "snapshot"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/repo (the campaigns repository, the working directory) and tmp/outside."""
    repo = tmp_path / "repo"
    (repo / "campaigns").mkdir(parents=True)
    (repo / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (repo / "campaigns" / "fine.yml").write_text(CAMPAIGN, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outside.yml").write_text(CAMPAIGN.replace("Fine", "Outside"), encoding="utf-8")
    (outside / "secret.yml").write_text("github.com:\n  oauth_token: gho_SECRET\n", "utf-8")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return repo


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _link_file_to_outside(repo: Path) -> str:
    (repo / "campaigns" / "linked.yml").symlink_to(repo.parent / "outside" / "outside.yml")
    return "campaigns/linked.yml"


def _link_file_relative(repo: Path) -> str:
    (repo / "campaigns" / "up.yml").symlink_to(Path("..") / ".." / "outside" / "secret.yml")
    return "campaigns/up.yml"


def _link_to_etc_passwd(repo: Path) -> str:
    (repo / "campaigns" / "passwd.yml").symlink_to("/etc/passwd")
    return "campaigns/passwd.yml"


def _link_folder_inside_campaigns(repo: Path) -> str:
    (repo / "campaigns" / "more").symlink_to(repo.parent / "outside", target_is_directory=True)
    # rglob does not descend into linked folders, and a file reached through one is refused
    return "campaigns/more"


def _campaigns_folder_is_a_link(repo: Path) -> str:
    for child in (repo / "campaigns").iterdir():
        child.unlink()
    (repo / "campaigns").rmdir()
    (repo / "campaigns").symlink_to(repo.parent / "outside", target_is_directory=True)
    return "campaigns"


def _campaigns_folder_is_the_root(repo: Path) -> str:
    for child in (repo / "campaigns").iterdir():
        child.unlink()
    (repo / "campaigns").rmdir()
    (repo / "campaigns").symlink_to("/", target_is_directory=True)  # must not walk the disk
    return "campaigns"


def _config_is_a_link(repo: Path) -> str:
    (repo / "campaign-sync.yml").unlink()
    (repo.parent / "outside" / "campaign-sync.yml").write_text("organizations: [evil]\n", "utf-8")
    (repo / "campaign-sync.yml").symlink_to(repo.parent / "outside" / "campaign-sync.yml")
    return "campaign-sync.yml"


LINKS: dict[str, Callable[[Path], str]] = {
    "file-to-outside": _link_file_to_outside,
    "file-relative-up": _link_file_relative,
    "file-to-etc-passwd": _link_to_etc_passwd,
    "folder-in-campaigns": _link_folder_inside_campaigns,
    "campaigns-folder": _campaigns_folder_is_a_link,
    "campaigns-folder-to-root": _campaigns_folder_is_the_root,
    "config-file": _config_is_a_link,
}


@pytest.mark.parametrize("layout", sorted(LINKS))
def test_validate_refuses_links_out_of_the_repository(
    world: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    shown = LINKS[layout](world)
    code, out, err = run(capsys, "validate")
    if layout == "folder-in-campaigns":
        # Not walked at all: nothing from outside is read, the rest validates.
        assert (code, err) == (0, "")
        assert "Outside" not in out
        return
    assert code == 1
    assert f"{shown}:1:1: error: this " in out
    assert "symbolic link that leads outside the repository" in out
    assert "gho_SECRET" not in out + err
    assert "root:" not in out  # nothing of /etc/passwd


@pytest.mark.parametrize("layout", sorted(set(LINKS) - {"folder-in-campaigns"}))
def test_plan_refuses_links_out_of_the_repository(
    world: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    shown = LINKS[layout](world)
    code, out, err = run(capsys, "plan", "--source", f"snapshot:{SNAPSHOT}")
    assert code == 1
    assert out == ""
    assert err.startswith("error: campaign files are invalid:\n")
    assert f"{shown}:1:1: this " in err
    assert "gho_SECRET" not in err


def test_a_reports_folder_linked_out_is_refused_before_anything_is_written(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world / "reports").symlink_to(world.parent / "outside", target_is_directory=True)
    code, _, err = run(capsys, "apply", "--dry-run", "--source", f"snapshot:{SNAPSHOT}")
    assert code == 1
    assert "the reports folder 'reports' is a symbolic link that leads outside" in err
    assert sorted(p.name for p in (world.parent / "outside").iterdir()) == [
        "outside.yml",
        "secret.yml",
    ]


@pytest.mark.parametrize(
    "folder", ["/", "/etc", "../outside", "campaigns/../../outside", "..", "a/./../../b"]
)
def test_the_config_names_only_folders_inside_the_repository(
    world: Path, capsys: pytest.CaptureFixture[str], folder: str
) -> None:
    (world / "campaign-sync.yml").write_text(
        f"organizations: [acme]\ncampaigns: '{folder}'\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "validate")
    assert code == 1
    assert "campaign-sync.yml:2:" in out
    assert "Outside" not in out  # ../outside/outside.yml was not validated
    assert "/etc" not in out.replace(folder, "")  # and nothing under /etc was walked
    (world / "campaign-sync.yml").write_text(
        f"organizations: [acme]\nreports: '{folder}'\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "plan", "--source", f"snapshot:{SNAPSHOT}")
    assert code == 1
    assert "campaign-sync.yml:2:" in err


def test_links_inside_the_repository_are_fine(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world / "shared").mkdir()
    (world / "shared" / "base.yml").write_text(CAMPAIGN.replace("Fine", "Shared"), "utf-8")
    (world / "campaigns" / "shared.yml").symlink_to(Path("..") / "shared" / "base.yml")
    code, out, _ = run(capsys, "validate")
    assert code == 0, out


def test_a_file_named_on_the_command_line_is_the_operators_choice(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "validate", str(world.parent / "outside" / "outside.yml"))
    assert code == 0, out


@pytest.mark.parametrize("kind", ["snapshot", "sarif"])
def test_a_source_folder_with_a_link_out_is_refused(
    world: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    folder = world / "scans"
    folder.mkdir()
    name = "a.json" if kind == "snapshot" else "a.sarif"
    (world.parent / "outside" / name).write_text('{"message": "gho_SECRET"}', "utf-8")
    (folder / name).symlink_to(world.parent / "outside" / name)
    code, out, err = run(capsys, "alerts", "--source", f"{kind}:scans", "--count")
    assert code == 1
    assert "a symbolic link that leads outside scans" in err
    assert "gho_SECRET" not in out + err


@pytest.mark.parametrize(
    "spec",
    [
        "snapshot:../../../../../../../../etc/passwd",
        "snapshot:/etc",
        "snapshot:/dev/zero",
        "sarif:/etc/passwd",
        "sarif:/dev/zero",
        "sarif:examples/snapshot/code-scanning.json#../..",
        "sarif:x.sarif#acme/..",
        "github:../..",
        "github:acme/..",
        "github:acme/web/../../../orgs",
        "github:acme%2F..",
        "snapshot:",
        "snapshot:\x00",
    ],
)
def test_sources_pointing_at_traversal_paths_fail_cleanly(
    world: Path, capsys: pytest.CaptureFixture[str], spec: str
) -> None:
    code, out, err = run(capsys, "alerts", "--source", spec, "--count")
    # 64 where the argument is malformed or names no path that exists (a usage error),
    # 1 where it names something that cannot be read as alerts.
    assert code == (64 if "no such file" in err or ": expected " in err else 1), (out, err)
    assert err.startswith("error: ")
    assert "root:x:" not in err  # nothing of /etc/passwd is echoed
    assert len(err) < 1_000


# --- writes: reports, ledgers and the alert store never go through a link -----------------


def _outside_files(world: Path) -> list[tuple[str, bytes]]:
    outside = world.parent / "outside"
    return sorted((p.name, p.read_bytes()) for p in outside.iterdir())


def test_apply_refuses_a_report_folder_linked_out_and_writes_nothing_there(
    world: Path,
    fake_github: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A committed `reports/<campaign> -> elsewhere` made apply write its ledger there."""
    monkeypatch.setenv("GH_TOKEN", fake_github.token)
    (world / "reports").mkdir()
    (world / "reports" / "fine").symlink_to(world.parent / "outside", target_is_directory=True)
    before = _outside_files(world)
    code, _, err = run(capsys, "apply", "--api-url", fake_github.url, "--source", "github:acme")
    assert code == 1
    assert "reports/fine is a symbolic link: the tool writes no file through a link" in err
    assert _outside_files(world) == before


def test_a_linked_alert_store_is_a_miss_said_on_stderr_and_never_written_through(
    world: Path,
    fake_github: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A restored cache can hold a link in place of the store's folder."""
    monkeypatch.setenv("GH_TOKEN", fake_github.token)
    (world / DEFAULT_CACHE_DIR).symlink_to(world.parent / "outside", target_is_directory=True)
    before = _outside_files(world)
    code, _, err = run(capsys, "plan", "--api-url", fake_github.url, "--source", "github:acme")
    assert code == 2, err  # the run goes on: the store is a cache, not the truth
    assert "alert store not written" in err
    assert "is a symbolic link" in err
    assert _outside_files(world) == before
