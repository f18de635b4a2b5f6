"""`campaign-sync alerts` end to end, through campaign_sync.cli.main([...]) (the error boundary).

Sources: the shipped example snapshot, SARIF fixtures, and the fake GitHub over real HTTP.
Every run checks that no traceback, no token and no secret value reaches stdout or stderr.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import itertools
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from github import Auth
from testing.fake_github import FakeGitHub
from testing.fake_github.http_client import walk

from campaign_sync import cli
from campaign_sync.commands.alerts import ALERT_FIELDS, AlertFilter, list_alerts
from campaign_sync.github.listing import GENERIC_SECRET_TYPES
from campaign_sync.github.transport import Transport
from campaign_sync.model import ALERT_STATES, ALERT_TYPES
from campaign_sync.render.progress import ProgressReporter
from campaign_sync.sources.registry import SourceContext, build_sources

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = "snapshot:examples/snapshot"
CODEQL_SARIF = "sarif:tests/data/sarif/codeql/scan-1.sarif#acme/payments-api"
ENVIRONMENT = (
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_API_URL",
    "CAMPAIGN_SYNC_APP_ID",
    "CAMPAIGN_SYNC_APP_PRIVATE_KEY",
    "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE",
    "CAMPAIGN_SYNC_APP_INSTALLATION_ID",
)
FEATURES = {
    "code-scanning": "code_scanning",
    "secret-scanning": "secret_scanning",
    "dependabot": "dependabot",
}
# GitHub's answers for a repository without the feature.
DISABLED = {
    "code-scanning": "Advanced Security must be enabled for this repository to use code scanning.",
    "secret-scanning": "Secret scanning is disabled on this repository.",
    "dependabot": "Dependabot alerts are disabled for this repository.",
}


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def lines(self) -> list[str]:
        return self.out.splitlines()

    def json(self) -> Any:
        return json.loads(self.out)

    def csv(self) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.out)))


class AlertsCommand:
    """``campaign-sync alerts ARGS`` through cli.main, checking what must never be printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.never_printed: list[str] = []

    def __call__(self, *args: str) -> Run:
        code = cli.main(["alerts", *args])
        out, err = self._capsys.readouterr()
        assert "Traceback" not in err
        assert "internal error" not in err
        for value in self.never_printed:
            assert value not in out
            assert value not in err
        return Run(code, out, err)


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def alerts(capsys: pytest.CaptureFixture[str]) -> AlertsCommand:
    return AlertsCommand(capsys)


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root, where examples/ and tests/data/ are."""
    monkeypatch.chdir(REPO_ROOT)


def secret_values(fake: FakeGitHub, path: str = "/orgs/acme/secret-scanning/alerts") -> list[str]:
    """The secrets the fake gives out when asked without hide_secret (as we never ask)."""
    generic = "&secret_type=" + ",".join(GENERIC_SECRET_TYPES)  # listed only by name
    values = [
        item["secret"]
        for query in ("", generic)
        for reply in walk(fake.url, f"{path}?per_page=100{query}", token=fake.token)
        for item in reply.body
    ]
    assert values
    assert all(isinstance(v, str) and len(v) >= 16 for v in values)
    return values


def last_seq(fake: FakeGitHub) -> int:
    return max((e["seq"] for e in fake.requests()), default=0)


@pytest.fixture
def github(
    fake_github: FakeGitHub,
    alerts: AlertsCommand,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> FakeGitHub:
    """The fake, GITHUB_TOKEN set to its token, and a working directory without a config."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", fake_github.token)
    alerts.never_printed += [fake_github.token, *secret_values(fake_github)]
    return fake_github


def gh(fake: FakeGitHub, *args: str, source: str = "github:acme") -> tuple[str, ...]:
    return ("--source", source, "--api-url", fake.url, *args)


def fake_counts(fake: FakeGitHub) -> dict[str, int]:
    return {kind: fake.alert_count(kind) for kind in ALERT_TYPES}


def check_listing(records: list[dict[str, Any]]) -> list[str]:
    """Every documented field, in order; ids sorted and unique; no secret. Returns the ids."""
    assert isinstance(records, list)
    for record in records:
        # Every documented field, in the documented order (more fields would be compatible).
        assert tuple(f for f in record if f in ALERT_FIELDS) == ALERT_FIELDS
        assert "secret" not in record
    ids = [r["id"] for r in records]
    assert ids == sorted(set(ids))
    return ids


# The fields of the JSON and CSV output when this test was written. Adding a field is
# compatible; renaming, removing or reordering one is not, and fails here.
DOCUMENTED_FIELDS = (
    "id",
    "type",
    "repository",
    "state",
    "repository_id",
    "number",
    "state_reason",
    "rule_id",
    "rule_name",
    "tool",
    "severity",
    "cwes",
    "path",
    "start_line",
    "secret_type",
    "secret_validity",
    "package",
    "ecosystem",
    "manifest",
    "fix_available",
    "created_at",
    "updated_at",
    "fixed_at",
    "dismissed_at",
    "html_url",
    "message",
)


def test_the_documented_fields_are_stable() -> None:
    assert tuple(f for f in ALERT_FIELDS if f in DOCUMENTED_FIELDS) == DOCUMENTED_FIELDS
    assert "secret" not in ALERT_FIELDS


# --- the example snapshot -----------------------------------------------------------------------


SNAPSHOT_COUNT_TEXT = (
    "type                  open      fixed  dismissed   resolved      total\n"
    "code-scanning           21          3          2          0         26\n"
    "secret-scanning          7          0          0          2          9\n"
    "dependabot              13          3          2          0         18\n"
    "total                                                               53\n"
)


@pytest.mark.usefixtures("in_repo")
class TestSnapshot:
    def test_text_is_one_tab_separated_line_per_alert(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT)
        assert (run.code, run.err) == (0, "")
        lines = run.lines()
        assert len(lines) == 53
        assert all(len(line.split("\t")) == 5 for line in lines)
        ids = [line.split("\t")[0] for line in lines]
        assert ids == sorted(set(ids))
        assert (
            "code-scanning:acme/data-pipeline:6\topen\thigh\tpy/sql-injection\tetl/load.py:81"
            in lines
        )
        # Secret scanning: no severity, the secret type as the rule.
        assert (
            "secret-scanning:acme/payments-api:1\topen\t-\tstripe_api_key\t"
            "config/settings_local.py:14" in lines
        )
        # Dependabot: the advisory, and the manifest without a line.
        assert (
            "dependabot:acme/payments-api:12\topen\tcritical\tGHSA-8q59-q68h-6hv4\t"
            "requirements.txt" in lines
        )

    def test_json_is_a_list_of_every_field(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--format", "json")
        assert (run.code, run.err) == (0, "")
        records = run.json()
        ids = check_listing(records)
        assert len(ids) == 53
        text_ids = [line.split("\t")[0] for line in alerts("--source", SNAPSHOT).lines()]
        assert ids == text_ids
        first = records[0]
        assert first["id"] == "code-scanning:acme/data-pipeline:6"
        assert first["cwes"] == [89]
        assert first["start_line"] == 81
        assert first["dismissed_at"] is None
        assert Counter(r["type"] for r in records) == {
            "code-scanning": 26,
            "secret-scanning": 9,
            "dependabot": 18,
        }

    def test_csv_header_is_the_documented_fields(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--format", "csv")
        assert (run.code, run.err) == (0, "")
        header, *rows = run.csv()
        assert tuple(header) == ALERT_FIELDS
        assert len(rows) == 53
        assert all(len(row) == len(ALERT_FIELDS) for row in rows)
        by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
        assert [row[0] for row in rows] == sorted(by_id)
        flask = by_id["code-scanning:acme/data-pipeline:7"]
        assert flask["cwes"] == "215 489"  # several CWEs, space-separated
        assert flask["state_reason"] == ""  # None is empty
        assert by_id["dependabot:acme/payments-api:12"]["fix_available"] == "True"

    def test_count_text(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--count")
        assert (run.code, run.out, run.err) == (0, SNAPSHOT_COUNT_TEXT, "")

    def test_count_json(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--count", "--format", "json")
        assert (run.code, run.err) == (0, "")
        assert run.json() == {
            "total": 53,
            "by_type": {
                "code-scanning": {"open": 21, "fixed": 3, "dismissed": 2, "resolved": 0},
                "secret-scanning": {"open": 7, "fixed": 0, "dismissed": 0, "resolved": 2},
                "dependabot": {"open": 13, "fixed": 3, "dismissed": 2, "resolved": 0},
            },
        }

    def test_count_csv(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--count", "--format", "csv")
        assert (run.code, run.err) == (0, "")
        assert run.out == (
            "type,open,fixed,dismissed,resolved,total\n"
            "code-scanning,21,3,2,0,26\n"
            "secret-scanning,7,0,0,2,9\n"
            "dependabot,13,3,2,0,18\n"
        )

    def test_count_of_nothing(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--count", "--repo", "nobody/*")
        assert run.out == (
            "type        open      fixed  dismissed   resolved      total\n"
            "total                                                      0\n"
        )
        assert alerts("--source", SNAPSHOT, "--repo", "nobody/*", "--format", "json").out == "[]\n"

    @pytest.mark.parametrize(
        ("args", "keep"),
        [
            (["--type", "secret-scanning"], lambda a: a["type"] == "secret-scanning"),
            (
                ["--type", "code-scanning", "--type", "dependabot"],
                lambda a: a["type"] != "secret-scanning",
            ),
            (["--state", "open"], lambda a: a["state"] == "open"),
            (
                ["--state", "fixed", "--state", "resolved"],
                lambda a: a["state"] in ("fixed", "resolved"),
            ),
            (["--severity", "critical"], lambda a: a["severity"] == "critical"),
            (["--repo", "acme/web-*"], lambda a: a["repository"].startswith("acme/web-")),
            (
                ["--repo", "acme/payments-api", "--repo", "*/legacy-*"],
                lambda a: a["repository"] in ("acme/payments-api", "acme/legacy-billing"),
            ),
            (
                ["--type", "secret-scanning", "--state", "open", "--repo", "acme/web-*"],
                lambda a: (
                    a["type"] == "secret-scanning"
                    and a["state"] == "open"
                    and a["repository"].startswith("acme/web-")
                ),
            ),
        ],
    )
    def test_filters(
        self, alerts: AlertsCommand, args: list[str], keep: Callable[[dict[str, Any]], bool]
    ) -> None:
        everything = alerts("--source", SNAPSHOT, "--format", "json").json()
        expected = [a["id"] for a in everything if keep(a)]
        assert expected  # each filter keeps something, and...
        assert len(expected) < len(everything)  # ...leaves something out
        run = alerts("--source", SNAPSHOT, "--format", "json", *args)
        assert (run.code, run.err) == (0, "")
        assert check_listing(run.json()) == expected
        counted = alerts("--source", SNAPSHOT, "--count", "--format", "json", *args).json()
        assert counted["total"] == len(expected)

    def test_several_sources_merge(self, alerts: AlertsCommand) -> None:
        snapshot = alerts("--source", SNAPSHOT, "--format", "json").json()
        sarif = alerts("--source", CODEQL_SARIF, "--format", "json").json()
        assert sarif
        assert {a["repository"] for a in sarif} == {"acme/payments-api"}
        assert all(a["id"].startswith("code-scanning:acme/payments-api:sarif/") for a in sarif)
        run = alerts("--source", SNAPSHOT, "--source", CODEQL_SARIF, "--format", "json")
        assert (run.code, run.err) == (0, "")
        ids = check_listing(run.json())
        assert ids == sorted(a["id"] for a in [*snapshot, *sarif])
        counted = alerts(
            "--source", CODEQL_SARIF, "--source", SNAPSHOT, "--count", "--format", "json"
        )
        assert counted.json()["total"] == len(snapshot) + len(sarif)
        assert counted.json()["by_type"]["code-scanning"]["open"] == 21 + len(sarif)

    def test_the_same_source_twice_lists_each_alert_once(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--source", "snapshot:examples/snapshot/", "--count")
        assert run.out == SNAPSHOT_COUNT_TEXT

    def test_unknown_source_kind(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", SNAPSHOT, "--source", "gitlab:acme")
        assert (run.code, run.out) == (64, "")
        assert run.err == (
            "error: unknown source 'gitlab:acme'; use one of github:..., snapshot:..., sarif:...\n"
        )

    def test_snapshot_path_missing(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", "snapshot:examples/no-such-snapshot")
        assert (run.code, run.out) == (64, "")  # a usage error: never plan's 2
        assert run.err == "error: snapshot:examples/no-such-snapshot: no such file or folder\n"

    def test_snapshot_path_empty(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", "snapshot:")
        assert (run.code, run.out) == (64, "")
        assert run.err == "error: snapshot: expected snapshot:PATH (a file or a folder)\n"

    def test_sarif_without_a_repository(self, alerts: AlertsCommand) -> None:
        run = alerts("--source", "sarif:tests/data/sarif/semgrep/scan-1.sarif")
        assert (run.code, run.out) == (1, "")
        assert run.err == (
            "error: tests/data/sarif/semgrep/scan-1.sarif: runs[0]: cannot tell which repository "
            "these results belong to: the run has no versionControlProvenance repositoryUri; "
            "name it (--source sarif:PATH#OWNER/REPO)\n"
        )

    def test_source_is_required(self, alerts: AlertsCommand) -> None:
        run = alerts()
        assert (run.code, run.out) == (64, "")
        assert "Missing option '--source'" in run.err


# --- the fake GitHub ----------------------------------------------------------------------------


def test_github_text(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github))
    # A fast fetch on a stream that is not a terminal: no progress at all.
    assert (run.code, run.err) == (0, "")
    lines = run.lines()
    assert len(lines) == sum(fake_counts(github).values())
    assert all(len(line.split("\t")) == 5 for line in lines)
    ids = [line.split("\t")[0] for line in lines]
    assert ids == sorted(set(ids))
    assert Counter(i.split(":")[0] for i in ids) == fake_counts(github)


def test_github_alerts_without_a_state_are_counted_on_stderr(
    alerts: AlertsCommand, github: FakeGitHub
) -> None:
    repo = github.repo_names(archived=False, complete=True)[0]
    number = github.add_alert(repo, "code-scanning")
    github.null_field(repo, "code-scanning", number, "state")
    run = alerts(*gh(github, "--count"))
    assert run.code == 0
    assert run.err == (
        "note: github:acme: 1 code-scanning alert without a state (GitHub sent null) was "
        "skipped: open or not is unknown, so they are left as the last run saw them\n"
    )


def test_github_json(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, "--format", "json"))
    assert (run.code, run.err) == (0, "")
    records = run.json()
    check_listing(records)
    assert Counter(r["type"] for r in records) == fake_counts(github)
    assert {r["repository"] for r in records} == set(github.repo_names())
    for record in records:
        assert record["id"] == f"{record['type']}:{record['repository']}:{record['number']}"
        assert record["state"] in ALERT_STATES
        assert isinstance(record["repository_id"], int)


def test_github_csv(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, "--format", "csv"))
    assert (run.code, run.err) == (0, "")
    header, *rows = run.csv()
    assert tuple(header) == ALERT_FIELDS
    assert len(rows) == sum(fake_counts(github).values())
    ids = [row[0] for row in rows]
    assert ids == sorted(set(ids))


def test_github_count_text(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, "--count"))
    assert (run.code, run.err) == (0, "")
    header, *rows, total = run.lines()
    assert header.split() == ["type", *ALERT_STATES, "total"]
    by_type = {row.split()[0]: [int(n.replace(",", "")) for n in row.split()[1:]] for row in rows}
    assert {t: cells[-1] for t, cells in by_type.items()} == fake_counts(github)
    assert all(sum(cells[:-1]) == cells[-1] for cells in by_type.values())
    assert total.split() == ["total", str(sum(fake_counts(github).values()))]


def test_github_count_json(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, "--count", "--format", "json"))
    assert (run.code, run.err) == (0, "")
    counted = run.json()
    assert counted["total"] == sum(fake_counts(github).values())
    assert {t: sum(s.values()) for t, s in counted["by_type"].items()} == fake_counts(github)
    assert all(list(s) == list(ALERT_STATES) for s in counted["by_type"].values())


def test_github_count_csv(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, "--count", "--format", "csv"))
    assert (run.code, run.err) == (0, "")
    header, *rows = run.csv()
    assert header == ["type", *ALERT_STATES, "total"]
    assert {row[0]: int(row[-1]) for row in rows} == fake_counts(github)
    assert all(sum(map(int, row[1:-1])) == int(row[-1]) for row in rows)


@pytest.mark.parametrize(
    "args",
    [
        ["--type", "dependabot"],
        ["--type", "code-scanning", "--type", "secret-scanning"],
        ["--state", "open"],
        ["--state", "fixed"],
        ["--state", "dismissed"],
        ["--state", "open", "--state", "dismissed"],
        ["--type", "secret-scanning", "--state", "resolved"],
        ["--severity", "high"],
        ["--severity", "critical", "--severity", "low"],
        ["--state", "open", "--severity", "critical"],
        ["--repo", "acme/*-web"],
        ["--type", "dependabot", "--state", "open", "--severity", "medium", "--repo", "acme/*"],
    ],
    ids=lambda args: " ".join(args),
)
def test_github_filters(alerts: AlertsCommand, github: FakeGitHub, args: list[str]) -> None:
    """Filtered server-side where GitHub can, the result is the full listing, filtered."""
    everything = alerts(*gh(github, "--format", "json")).json()
    wanted: dict[str, list[str]] = {}
    for option, value in itertools.pairwise(args):
        if option.startswith("--"):
            wanted.setdefault(option.removeprefix("--"), []).append(value)
    expected = [
        a["id"]
        for a in everything
        if a["type"] in wanted.get("type", ALERT_TYPES)
        and a["state"] in wanted.get("state", ALERT_STATES)
        and ("severity" not in wanted or a["severity"] in wanted["severity"])
        and any(fnmatch.fnmatchcase(a["repository"], p) for p in wanted.get("repo", ["*"]))
    ]
    assert expected
    run = alerts(*gh(github, "--format", "json", *args))
    assert (run.code, run.err) == (0, "")
    assert check_listing(run.json()) == expected
    assert alerts(*gh(github, "--count", "--format", "json", *args)).json()["total"] == len(
        expected
    )


def test_github_filters_are_sent_to_github(alerts: AlertsCommand, github: FakeGitHub) -> None:
    since = last_seq(github)
    alerts(*gh(github, "--state", "open", "--severity", "critical", "--type", "code-scanning"))
    (request,) = github.requests(since)
    assert request["route"] == "/orgs/{org}/code-scanning/alerts"
    assert "state=open" in request["path"]
    assert "severity=critical" in request["path"]


def test_github_state_resolved(alerts: AlertsCommand, github: FakeGitHub) -> None:
    everything = alerts(*gh(github, "--format", "json")).json()
    expected = [a["id"] for a in everything if a["state"] == "resolved"]
    assert expected
    run = alerts(*gh(github, "--format", "json", "--state", "resolved"))
    assert (run.code, run.err) == (0, "")
    assert check_listing(run.json()) == expected


def test_github_never_asks_for_or_prints_secrets(alerts: AlertsCommand, github: FakeGitHub) -> None:
    secrets = secret_values(github)
    since = last_seq(github)
    for output_format in ("text", "json", "csv"):
        run = alerts(*gh(github, "--type", "secret-scanning", "--format", output_format))
        assert run.code == 0
        assert run.out
        assert not [s for s in secrets if s in run.out]  # also checked by `alerts` itself
    records = alerts(*gh(github, "--type", "secret-scanning", "--format", "json")).json()
    assert len(records) == github.alert_count("secret-scanning")
    assert not [r for r in records if "secret" in r]
    asked = [e for e in github.requests(since) if "/secret-scanning/" in e["path"]]
    assert asked
    assert all("hide_secret=true" in e["path"] for e in asked)


def test_github_repository_secrets_are_not_printed(
    alerts: AlertsCommand, github: FakeGitHub
) -> None:
    repo = github.repo_names(complete=True)[0]
    secrets = secret_values(github, f"/repos/{repo}/secret-scanning/alerts")
    run = alerts(*gh(github, "--format", "json", source=f"github:{repo}"))
    assert run.code == 0
    assert not [s for s in secrets if s in run.out + run.err]
    assert {r["repository"] for r in run.json()} == {repo}


def test_github_api_url_from_the_config_file(
    alerts: AlertsCommand, github: FakeGitHub, tmp_path: Path
) -> None:
    (tmp_path / "campaign-sync.yml").write_text(f"api-url: {github.url}/\n", encoding="utf-8")
    run = alerts("--source", "github:acme", "--count", "--format", "json")
    assert (run.code, run.err) == (0, "")
    assert run.json()["total"] == sum(fake_counts(github).values())


def test_github_api_url_from_the_environment(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    run = alerts("--source", "github:acme", "--count", "--format", "json")
    assert (run.code, run.err) == (0, "")
    assert run.json()["total"] == sum(fake_counts(github).values())


def test_github_and_a_snapshot_merge(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    run = alerts(*gh(github, "--count", "--format", "json"), "--source", SNAPSHOT)
    assert (run.code, run.err) == (0, "")
    # The fake's acme and the example's acme have different repositories: no id in common.
    assert run.json()["total"] == sum(fake_counts(github).values()) + 53


def test_text_output_escapes_control_characters_from_github(
    alerts: AlertsCommand, github: FakeGitHub
) -> None:
    repo = github.repo_names(complete=True)[0]
    number = github.add_alert(
        repo, "code-scanning", path="src/\x1b]0;pwned\x07\u202eyp.evil.py", line=3
    )
    run = alerts(*gh(github, "--type", "code-scanning", "--repo", repo))
    assert run.code == 0
    (line,) = [ln for ln in run.lines() if ln.startswith(f"code-scanning:{repo}:{number}\t")]
    assert line.endswith("\tsrc/\\u{1b}]0;pwned\\u{7}\\u{202e}yp.evil.py:3")
    assert "\x1b" not in run.out
    assert "\x07" not in run.out
    assert "\u202e" not in run.out
    # JSON carries the value itself, for machines.
    records = alerts(*gh(github, "--format", "json", "--repo", repo)).json()
    (record,) = [r for r in records if r["id"] == f"code-scanning:{repo}:{number}"]
    assert record["path"] == "src/\x1b]0;pwned\x07\u202eyp.evil.py"


# --- progress on stderr -------------------------------------------------------------------------


class SteppingClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def fetch_with_progress(fake: FakeGitHub, reporter: ProgressReporter) -> str:
    context = SourceContext(
        env={},
        on_page=reporter,
        include_repositories=False,
        transport_factory=lambda _: Transport(auth=Auth.Token(fake.token), api_url=fake.url),
    )
    out, err = io.StringIO(), io.StringIO()
    code = list_alerts(
        build_sources(["github:acme"], context),
        alert_filter=AlertFilter(),
        output_format="text",
        count=True,
        out=out,
        err=err,
    )
    reporter.finish()
    assert (code, err.getvalue()) == (0, "")
    return out.getvalue()


def test_progress_in_ci_is_a_line_per_interval(fake_github: FakeGitHub) -> None:
    stream = io.StringIO()
    # Each page is "6 s" after the last: past the 5 s interval, so every page is reported.
    reporter = ProgressReporter(stream, interactive=False, interval=5, clock=SteppingClock(6))
    fetch_with_progress(fake_github, reporter)
    lines = stream.getvalue().splitlines(keepends=True)
    assert lines
    assert all(line.endswith("\n") and "\r" not in line and "\x1b" not in line for line in lines)
    assert all(line.startswith("fetching ") for line in lines)
    last: dict[str, str] = {}
    for line in lines:
        last[line.split()[1]] = line  # "fetching TYPE alerts: ..."
    assert sorted(last) == sorted(ALERT_TYPES)
    for alert_type, count in fake_counts(fake_github).items():
        assert f", {count:,} alerts, " in last[alert_type]
    # Code scanning is paged by number (a bar), Dependabot by cursor (no total).
    assert "[" in last["code-scanning"]
    assert "/" in last["code-scanning"].split("page ")[1]
    assert "[" not in last["dependabot"]


def test_progress_in_ci_is_quiet_before_the_interval(fake_github: FakeGitHub) -> None:
    stream = io.StringIO()
    reporter = ProgressReporter(stream, interactive=False, interval=5, clock=SteppingClock(0.01))
    fetch_with_progress(fake_github, reporter)
    assert stream.getvalue() == ""


def test_progress_on_a_terminal_redraws_one_line(fake_github: FakeGitHub) -> None:
    stream = Terminal()
    reporter = ProgressReporter(stream, clock=SteppingClock(1))
    fetch_with_progress(fake_github, reporter)
    drawn = stream.getvalue()
    assert "\n" not in drawn
    frames = drawn.split("\r\x1b[K")
    assert frames[0] == ""
    assert frames[-1] == ""  # finish() cleared the line
    assert all(f.startswith("fetching ") for f in frames[1:-1])
    assert len(frames) - 2 >= len(ALERT_TYPES)


def render_terminal(text: str) -> list[str]:
    """What a terminal shows for text using only CR, LF and ESC [ K (erase to end of line)."""
    lines, column = [""], 0
    index = 0
    while index < len(text):
        if text.startswith("\x1b[K", index):
            lines[-1] = lines[-1][:column]
            index += 3
            continue
        char = text[index]
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("")
            column = 0
        else:
            line = lines[-1].ljust(column)
            lines[-1] = line[:column] + char + line[column + 1 :]
            column += 1
        index += 1
    return lines[:-1] if lines[-1] == "" else lines


def test_render_terminal() -> None:
    assert render_terminal("abc\r\x1b[Kxy\nnext\n") == ["xy", "next"]
    assert render_terminal("progress\r\x1b[K") == []
    assert render_terminal("long line\rab\n") == ["abng line"]


def test_progress_on_a_terminal_does_not_garble_the_output(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = github.repo_names(complete=True)[0]
    github.set_feature(repo, "dependabot", False)
    terminal = Terminal()  # stdout and stderr both on the same terminal, as usual
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    code = cli.main(["alerts", *gh(github, source=f"github:{repo}")])
    assert code == 0
    shown = render_terminal(terminal.getvalue())
    skipped = (
        f"skipped dependabot alerts of {repo}: Dependabot alerts are disabled for this repository."
    )
    assert shown[0] == skipped
    assert all(line.startswith(("code-scanning:", "secret-scanning:")) for line in shown[1:])


# --- errors -------------------------------------------------------------------------------------


def test_github_without_credentials(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    since = last_seq(github)
    run = alerts(*gh(github))
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: no GitHub credentials: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read "
        "security alerts, or CAMPAIGN_SYNC_APP_ID, CAMPAIGN_SYNC_APP_PRIVATE_KEY and "
        "CAMPAIGN_SYNC_APP_INSTALLATION_ID for a GitHub App installation; or use an offline "
        "source (snapshot:PATH, sarif:PATH)\n"
    )
    assert github.requests(since) == []


REJECTED = (
    "error: GitHub rejected the credentials (401 Bad credentials): the token is wrong, expired "
    "or revoked. Set GITHUB_TOKEN (or GH_TOKEN) to a valid token.\n"
)


def test_github_made_up_token(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_up = "ghp_0123456789abcdefMadeUpToken0123456789"
    alerts.never_printed.append(made_up)
    monkeypatch.setenv("GITHUB_TOKEN", made_up)
    run = alerts(*gh(github))
    assert (run.code, run.out, run.err) == (1, "", REJECTED)


def test_github_revoked_token(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = github.add_token()
    alerts.never_printed.append(token)
    monkeypatch.setenv("GITHUB_TOKEN", token)
    assert alerts(*gh(github, "--count")).code == 0
    github.revoke_token(token)
    run = alerts(*gh(github, "--count"))
    assert (run.code, run.out, run.err) == (1, "", REJECTED)


def test_github_token_via_gh_token(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GH_TOKEN is read first, as the gh CLI does: a good one wins over a bad GITHUB_TOKEN."""
    monkeypatch.setenv("GH_TOKEN", github.token)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_this_one")
    run = alerts(*gh(github, "--count", "--format", "json"))
    assert (run.code, run.err) == (0, "")


def test_github_token_without_secret_scanning_permission(
    alerts: AlertsCommand, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = github.add_token(
        permissions={"metadata": "read", "security_events": "read", "vulnerability_alerts": "read"}
    )
    alerts.never_printed.append(token)
    monkeypatch.setenv("GITHUB_TOKEN", token)
    run = alerts(*gh(github))
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: the token may not read the secret-scanning alerts of acme (403 Resource not "
        "accessible by integration): it lacks a permission. GitHub wants: "
        "secret_scanning_alerts=read. Grant 'Secret scanning alerts: read "
        "(secret_scanning_alerts)'.\n"
    )
    # Without secret scanning, the same token lists the rest.
    run = alerts(*gh(github, "--type", "code-scanning", "--type", "dependabot", "--count"))
    assert (run.code, run.err) == (0, "")


def test_github_unknown_organization(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, source="github:nope"))
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: organization 'nope' was not found, or the token cannot see it (404). Check the "
        "name, and that the token has access to the organization.\n"
    )


def test_github_unknown_repository(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, source="github:acme/nope"))
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "error: repository 'acme/nope' was not found, or the token cannot see it (404). Check "
        "the name, and that the token has access to the repository.\n"
    )


def test_github_api_url_that_is_not_http(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts("--source", "github:acme", "--api-url", "ftp://example.com")
    assert (run.code, run.out) == (1, "")
    assert run.err == "error: the API URL 'ftp://example.com' is not an http(s) URL\n"


def test_github_bad_source_argument(alerts: AlertsCommand, github: FakeGitHub) -> None:
    run = alerts(*gh(github, source="github:acme/web/extra"))
    assert (run.code, run.out) == (64, "")
    assert (
        run.err == "error: source github:acme/web/extra: expected github:ORG or github:OWNER/REPO\n"
    )


def repository_alerts(fake: FakeGitHub, repo: str, kind: str) -> list[int]:
    return sorted(
        item["number"]
        for reply in walk(fake.url, f"/repos/{repo}/{kind}/alerts?per_page=100", token=fake.token)
        for item in reply.body
    )


@pytest.mark.parametrize("disabled", ALERT_TYPES)
def test_github_repository_with_a_feature_disabled(
    alerts: AlertsCommand, github: FakeGitHub, disabled: str
) -> None:
    repo = github.repo_names(complete=True)[0]
    expected = {
        kind: repository_alerts(github, repo, kind) for kind in ALERT_TYPES if kind != disabled
    }
    assert all(expected.values())
    github.set_feature(repo, FEATURES[disabled], False)
    run = alerts(*gh(github, "--format", "json", source=f"github:{repo}"))
    assert run.code == 0
    assert run.err == f"skipped {disabled} alerts of {repo}: {DISABLED[disabled]}\n"
    records = run.json()
    check_listing(records)
    listed: dict[str, list[int]] = {}
    for record in records:
        listed.setdefault(record["type"], []).append(record["number"])
    assert {kind: sorted(numbers) for kind, numbers in listed.items()} == expected


def test_github_repository_with_everything_disabled(
    alerts: AlertsCommand, github: FakeGitHub
) -> None:
    repo = github.repo_names(complete=True)[0]
    for feature in FEATURES.values():
        github.set_feature(repo, feature, False)
    run = alerts(*gh(github, "--count", source=f"github:{repo}"))
    assert run.code == 0
    assert run.err == "".join(
        f"skipped {kind} alerts of {repo}: {DISABLED[kind]}\n" for kind in sorted(ALERT_TYPES)
    )
    assert run.out.splitlines()[-1].split() == ["total", "0"]
