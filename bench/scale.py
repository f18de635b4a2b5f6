"""Organization scale: the whole reconcile (`campaign-sync apply --commit`, in a campaigns
repository on disk) against the fake GitHub seeded with a generated organization.

    python bench/scale.py [--repos 10000] [--alerts 1000000] [--campaigns 50] [--seed 1] [--json]

The fake runs in its own process on a simulated clock that each write moves 0.75 s (80
writes a minute), so GitHub's secondary limits (80 content-creating requests a minute, 500
an hour) hold without real waiting; the client runs with `limits.write-interval: 0`. Every
campaign-sync run is a whole process under /usr/bin/time -v (wall time, peak RSS). In turn:

- the limit: the bare pagination loop of bench/fetch.py over every alert page;
- scenario 1, the first apply, then the backlog: further applies, the clock one hour on
  between runs, until the plan has nothing left for the applied campaigns (runs and hours
  against the `runs_needed` the first plan predicted);
- scenario 2, an apply with nothing changed (clock +1 h), twice: with the token of the
  run before (its stored ETags answer 304) and then, as measured, with a new one;
- scenario 3, an apply after the fake churned 1% of the alerts (clock +1 h).

Each apply gets a new installation token, as in Actions, where the reconcile workflow
mints a new App token each run; GitHub's ETags belong to the token that got them, so the
alert store's ETags give no 304 across runs (`--same-token` runs every apply with one
token, as before). Requests come from the fake's counters: reads the primary rate limit
counted, free 304s, writes, and secondary-limit refusals. Each scenario is compared with
its minimum, and the checks of issue 6 decide the exit status (1 if one fails).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(1, str(ROOT))

from testing.environment import CLEARED_ENV  # noqa: E402

FETCH = Path(__file__).resolve().with_name("fetch.py")
ALERT_TYPES = ("code-scanning", "dependabot", "secret-scanning")
# GitHub's 80 content-creating requests a minute, on the fake's clock.
WRITE_CLOCK_STEP = 0.75
HOUR = 3600.0
CACHE_DIR = ".campaign-sync-cache"
# An App installation on a GitHub Enterprise Cloud organization gets 15,000 requests an
# hour (elsewhere 5,000 to 12,500, with the repositories and users); a PAT's 5,000 cannot
# even list a million alerts (10,000 pages) in one hour.
TOKEN_BUDGET = 15_000
TARGET_RSS_BYTES = 1.5e9
FIRST_APPLY_FACTOR = 1.05
NO_CHANGE_READ_SHARE = 0.01
CHURN_SLACK = 50
CHURN_FRACTION = 0.01
MIB = 1024 * 1024
COUNTERS = (
    "total",
    "reads",
    "reads_counted",
    "not_modified",
    "writes",
    "writes_succeeded",
    "secondary_limited",
    "primary_limited",
)
# With --profile: the first apply, a typical backlog run, the no-change and the churn apply.
PROFILED = ("first_apply", "backlog_2", "no_change_apply", "churn_apply")
LEFT_FOR_LATER = re.compile(r"(\d+) actions? left for the next run")

# -- campaigns -----------------------------------------------------------------------------
#
# Selections name what the fake seeds (testing/fake_github/catalog_data.json): CodeQL,
# Semgrep and Trivy rules, advisories per ecosystem, secret types, repository names made of
# a prefix and a suffix, topics and custom properties (tier, team, data_classification and
# the multi-select compliance). Most campaigns are narrow, as real ones are: a rule family
# over a slice of the organization, a few percent of its repositories each, so a 10,000
# repository organization needs a few thousand tracking issues in all.

PREFIXES = ("payments", "billing", "auth", "checkout", "orders", "gateway", "identity", "fraud")
TEAMS = ("payments", "platform", "identity", "data", "web", "infra")
# Repository filters, each one to three percent of the organization's repositories.
SCOPES: tuple[dict[str, Any], ...] = (
    {"topics": ["pci"], "properties": {"data_classification": ["restricted", "confidential"]}},
    {"topics": ["production"], "properties": {"tier": "tier-0"}},
    {"include": ["acme/{prefix}-*"], "topics": ["production"]},
    {"topics": ["customer-facing", "pci"], "properties": {"tier": "tier-0"}},
    {"properties": {"team": "{team}", "data_classification": "restricted"}},
    {
        "properties": {"compliance": "pci", "tier": ["tier-0", "tier-1"]},
        "exclude": ["acme/sandbox-*", "acme/legacy-*"],
    },
    {"include": ["acme/*-api"], "exclude": ["acme/sandbox-*"], "topics": ["production"]},
)


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    id: str
    data: dict[str, Any]

    @property
    def draft(self) -> bool:
        return bool(self.data["state"] == "draft")


def _scope(index: int, rng: random.Random, org: str) -> dict[str, Any]:
    # Every scope in turn, shifted each round of archetypes so a family meets several.
    chosen = json.loads(json.dumps(SCOPES[(index + index // len(ARCHETYPES)) % len(SCOPES)]))
    prefix, team = rng.choice(PREFIXES), rng.choice(TEAMS)

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return (
                value.replace("{prefix}", prefix)
                .replace("{team}", team)
                .replace("acme/", f"{org}/")
            )
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return dict(fill(chosen))


# (slug, name, select without repositories) — the rule families security teams run.
ARCHETYPES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("sql-injection", "SQL injection", {"alerts": ["code-scanning"], "cwe": [89]}),
    (
        "xss",
        "Cross-site scripting",
        {"alerts": ["code-scanning"], "cwe": [79], "paths": {"exclude": ["**/test*/**"]}},
    ),
    (
        "command-injection",
        "Command injection",
        {
            "alerts": ["code-scanning"],
            "rules": ["*/command-line-injection", "go/command-injection", "*dangerous-subprocess*"],
        },
    ),
    (
        "leaked-cloud-keys",
        "Leaked cloud and GitHub keys that still work",
        {
            "alerts": ["secret-scanning"],
            "secret-types": [
                "aws_access_key_id",
                "aws_secret_access_key",
                "github_personal_access_token",
            ],
            "secret-validity": ["active", "unknown"],
        },
    ),
    (
        "npm-critical",
        "Critical npm advisories with a fix",
        {
            "alerts": ["dependabot"],
            "ecosystems": ["npm"],
            "severity": ["critical", "high"],
            "fix-available": True,
        },
    ),
    (
        "java-libraries",
        "Log4j, Jackson and Spring",
        {
            "alerts": ["dependabot"],
            "packages": [
                "org.apache.logging.log4j:*",
                "com.fasterxml.jackson.core:jackson-databind",
                "org.springframework:*",
            ],
        },
    ),
    (
        "container-cves",
        "Critical CVEs in container images",
        {"alerts": ["code-scanning"], "tools": ["Trivy"], "severity": ["critical", "high"]},
    ),
    (
        "semgrep-findings",
        "Semgrep findings in application code",
        {
            "alerts": ["code-scanning"],
            "tools": ["Semgrep OSS"],
            "paths": {"include": ["src/**", "app/**", "lib/**"]},
        },
    ),
    (
        "workflow-injection",
        "Injection in GitHub Actions workflows",
        {"alerts": ["code-scanning"], "rules": ["actions/*"], "severity": ["critical"]},
    ),
    (
        "path-traversal",
        "Path traversal outside tests",
        {
            "alerts": ["code-scanning"],
            "cwe": [22, 23],
            "paths": {"exclude": ["tests/**", "test/**", "**/testdata/**", "src/test/**"]},
        },
    ),
    (
        "python-web-deps",
        "Python web framework advisories",
        {
            "alerts": ["dependabot"],
            "ecosystems": ["pip"],
            "packages": ["django", "flask", "jinja2", "werkzeug"],
            "severity": ["critical", "high", "medium"],
        },
    ),
    (
        "deserialization",
        "Unsafe deserialization",
        {"alerts": ["code-scanning", "dependabot"], "cwe": [502], "severity": ["critical"]},
    ),
    (
        "ssrf",
        "Server-side request forgery",
        {"alerts": ["code-scanning"], "cwe": [918]},
    ),
    (
        "chat-webhooks",
        "Slack tokens and webhooks",
        {
            "alerts": ["secret-scanning"],
            "secret-types": ["slack_api_token", "slack_incoming_webhook_url"],
        },
    ),
    (
        "go-modules",
        "Go module advisories",
        {"alerts": ["dependabot"], "ecosystems": ["go"], "severity": ["critical", "high"]},
    ),
)
# Special cases, placed at fixed positions of the campaign list.
NATIVE_SMALL: dict[str, Any] = {"alerts": ["code-scanning"], "rules": ["java/xxe", "java/ssrf"]}
NATIVE_LARGE: dict[str, Any] = {"alerts": ["code-scanning"], "severity": ["critical"]}
AUTOFIX: dict[str, Any] = {
    "alerts": ["code-scanning"],
    "rules": ["py/code-injection", "js/code-injection"],
}


def generate_campaigns(count: int, seed: int, org: str) -> list[CampaignSpec]:
    """``count`` campaigns of varied selections, deterministic for a seed."""
    rng = random.Random(f"campaigns:{seed}")
    specs: list[CampaignSpec] = []
    for index in range(count):
        slug, name, select = ARCHETYPES[index % len(ARCHETYPES)]
        select = json.loads(json.dumps(select))
        repositories = _scope(index, rng, org)
        github: dict[str, bool] = {}
        tracking: dict[str, Any] = {
            "labels": ["security", slug[:40]],
            "mention": [f"@{org}/appsec"],
        }
        if index == 1:  # a native campaign that fits GitHub's 1,000 alerts
            slug, name, select = "xml-and-ssrf-tier0", "XXE and SSRF in tier-0 Java", NATIVE_SMALL
            select = json.loads(json.dumps(select))
            repositories = {"properties": {"tier": "tier-0"}}
            github = {"native-campaign": True}
        elif index == 3:  # one that does not fit: a note, no native campaign; reports only
            slug, name, select = "critical-code", "Every critical code scanning alert", NATIVE_LARGE
            select = json.loads(json.dumps(select))
            repositories = {"topics": ["production"]}
            github = {"native-campaign": True}
            tracking = {"issues": "off"}
        elif index == 5:  # Copilot Autofix, once per open member
            slug, name, select = "code-injection-autofix", "Code injection, with Autofix", AUTOFIX
            select = json.loads(json.dumps(select))
            repositories = {"properties": {"tier": "tier-0"}, "topics": ["production"]}
            github = {"autofix": True}
        elif index % 13 == 12:
            tracking = {"issues": "off"}
        select["repositories"] = repositories
        select["membership"] = "rolling" if index % 3 else "snapshot"
        ends = datetime(2027, 1, 31, tzinfo=UTC).date() + timedelta(days=14 * (index % 12))
        data: dict[str, Any] = {
            "name": f"{name} ({index + 1})"[:50],
            "description": f"Fix every {name.lower()} alert in scope before {ends.isoformat()}.",
            "managers": ["mona", f"@{org}/appsec"],
            "contact": f"https://github.com/orgs/{org}/discussions/{100 + index}",
            "ends": ends.isoformat(),
            "state": "draft" if index % 10 == 9 else "active",
            "select": select,
            "sla": {"critical": 14, "high": 30, "medium": 90},
            "tracking": tracking,
        }
        if github:
            data["github"] = github
        specs.append(CampaignSpec(f"{index + 1:02d}-{slug}", data))
    return specs


# -- the campaigns repository ----------------------------------------------------------------


def git_env() -> dict[str, str]:
    """Git as on a fresh machine: no user or system config changes what the bench measures."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    return env


def _git(cwd: Path, *args: str) -> None:
    env = git_env() | {
        "GIT_AUTHOR_NAME": "Sec Team",
        "GIT_AUTHOR_EMAIL": "appsec@example.com",
        "GIT_COMMITTER_NAME": "Sec Team",
        "GIT_COMMITTER_EMAIL": "appsec@example.com",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")


def make_repository(
    base: Path, campaigns: list[CampaignSpec], *, org: str, api_url: str, writes_per_run: int
) -> Path:
    """A bare origin and the clone the reconcile runs in, with the campaigns committed."""
    origin, work = base / "origin.git", base / "work"
    _git(base, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(base, "clone", "-q", str(origin), str(work))
    _git(work, "checkout", "-q", "-B", "main")
    config = {
        "organizations": [org],
        "api-url": api_url,
        "safety": {"max-writes-per-run": writes_per_run},
        "limits": {"write-interval": 0, "reserve-requests": 100},
        "cache": CACHE_DIR,
    }
    header = "# yaml-language-server: $schema=schemas/config.schema.json\n"
    (work / "campaign-sync.yml").write_text(header + yaml.safe_dump(config, sort_keys=False))
    (work / ".gitignore").write_text(f"{CACHE_DIR}/\n")
    folder = work / "campaigns"
    folder.mkdir()
    for spec in campaigns:
        text = yaml.safe_dump(spec.data, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"{spec.id}.yml").write_text(
            "# yaml-language-server: $schema=../schemas/campaign.schema.json\n" + text
        )
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", f"{len(campaigns)} campaigns")
    _git(work, "push", "-q", "-u", "origin", "main")
    return work


# -- the fake and timed processes --------------------------------------------------------------


class Fake:
    """The fake GitHub in its own process, and its /_fake/ control API."""

    def __init__(self, args: argparse.Namespace) -> None:
        command = [
            sys.executable,
            "-m",
            "testing.fake_github",
            "--repos",
            str(args.repos),
            "--alerts",
            str(args.alerts),
            "--seed",
            str(args.seed),
            "--simulated-clock",
            "--write-clock-step",
            str(WRITE_CLOCK_STEP),
            "--token-budget",
            str(args.token_budget),
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the fake GitHub did not start")
        ready = json.loads(line)
        self.url: str = ready["url"]
        self.token: str = ready["token"]
        self.org: str = ready["org"]
        # The simulated clock starts at the real time, so that what campaign-sync takes
        # from the machine's clock and what the fake dates agree; then it moves only when
        # told (an hour between runs) or when a write is admitted.
        self.control("clock", {"set": time.time()})
        # Plan probes and the bare loop read with a token of their own, so they take
        # nothing from the budget the applies are measured against.
        self.observer: str = self.control("tokens", {"budget": 10**9})["token"]

    def control(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.url}/_fake/{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.load(response)

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/_fake/stats", timeout=60) as response:
            result: dict[str, Any] = json.load(response)
            return result

    def now(self) -> float:
        return float(self.stats()["now"])

    def advance(self, seconds: float) -> None:
        self.control("clock", {"advance": seconds})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass(frozen=True, slots=True)
class Timed:
    code: int
    wall: float
    rss_kib: int
    stdout: str
    stderr: str


def timed(command: list[str], *, cwd: Path, env: dict[str, str]) -> Timed:
    """A whole process under /usr/bin/time -v: its exit code, wall time and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", "-o", report.name, *command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        text = report.read()
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return Timed(
        done.returncode, wall, int(found.group(1)) if found else 0, done.stdout, done.stderr
    )


def _delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    counts = {name: int(after[name]) - int(before[name]) for name in COUNTERS}
    routes = Counter(after["by_route"])
    routes.subtract(before["by_route"])
    counts["by_route"] = {k: v for k, v in sorted(routes.items()) if v}
    # Batched issue reads: part of the counted reads, shown apart so the batching is visible.
    counts["graphql"] = counts["by_route"].get("POST /graphql", 0)
    return counts


# -- scenarios ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, fake: Fake, work: Path, drafts: set[str]) -> None:
        self.args, self.fake, self.work, self.drafts = args, fake, work, drafts
        # `python -m campaign_sync` with this checkout's src/ first on the path: the
        # venv's console script may import another checkout (an editable install).
        self.campaign_sync = [sys.executable, "-m", "campaign_sync"]
        self.profile_dir: Path | None = args.profile
        self.token = fake.token  # the token of the last apply

    def env(self, token: str) -> dict[str, str]:
        path = os.pathsep.join(filter(None, (str(ROOT / "src"), os.environ.get("PYTHONPATH"))))
        return git_env() | {"GH_TOKEN": token, "PYTHONPATH": path}

    def new_token(self) -> str:
        """A token for the next apply: a new installation token, unless --same-token."""
        if self.args.same_token:
            return self.fake.token
        body = {"kind": "installation", "budget": self.args.token_budget}
        token: str = self.fake.control("tokens", body)["token"]
        return token

    def apply(self, name: str, token: str | None = None) -> dict[str, Any]:
        """One `apply --commit` as a whole process; its figures from the fake's counters.
        ``token``: the token to run with; by default a new one (see ``new_token``)."""
        self.token = token or self.new_token()
        arguments = ["apply", "--source", f"github:{self.fake.org}", "--commit"]
        command = [*self.campaign_sync, *arguments]
        if self.profile_dir is not None and name in PROFILED:
            # Sampled stacks (py-spy's raw format: one collapsed stack and count a line).
            spy = str(Path(sys.executable).with_name("py-spy"))
            out = str(self.profile_dir / f"{name}.txt")
            command = [spy, "record", "--format", "raw", "-r", "50", "-o", out, "--"]
            command += [sys.executable, "-m", "campaign_sync", *arguments]
        clock_before = self.fake.now()
        before = self.fake.stats()
        run = timed(command, cwd=self.work, env=self.env(self.token))
        after = self.fake.stats()
        lines = run.stdout.strip().splitlines()
        summary = next((line for line in reversed(lines) if line.startswith("Applied")), "")
        left = LEFT_FOR_LATER.search(run.stdout)
        figures: dict[str, Any] = {
            "exit": run.code,
            "wall_seconds": round(run.wall, 3),
            "peak_rss_mib": round(run.rss_kib / 1024, 1),
            **_delta(before, after),
            "left_for_next_run": int(left.group(1)) if left else 0,
            "simulated_seconds": round(float(after["now"]) - clock_before, 2),
            "summary": summary,
        }
        if run.code not in (0, 1):
            raise SystemExit(f"{name}: apply exited {run.code}:\n{run.stderr[-3000:]}")
        if run.code == 1:
            figures["stderr_tail"] = run.stderr[-2000:]
        _progress(
            f"{name}: {run.wall:.1f} s, {run.rss_kib / 1024:.0f} MiB, {figures['total']:,} "
            f"requests ({figures['reads_counted']:,} counted reads of which "
            f"{figures['graphql']:,} GraphQL, {figures['not_modified']:,} 304s, "
            f"{figures['writes']:,} writes), exit {run.code}"
        )
        return figures

    def probe_plan(self, name: str) -> dict[str, Any]:
        """`plan --format json` in a copy of the repository (cache included), with the
        observer token: what is left, without touching the measured run's state."""
        probe = self.work.parent / f"probe-{name}"
        shutil.rmtree(probe, ignore_errors=True)
        shutil.copytree(self.work, probe, symlinks=True)
        command = [*self.campaign_sync, "plan", "--source", f"github:{self.fake.org}"]
        command += ["--format", "json"]
        run = timed(command, cwd=probe, env=self.env(self.fake.observer))
        shutil.rmtree(probe, ignore_errors=True)
        if run.code not in (0, 2):
            raise SystemExit(f"plan ({name}) exited {run.code}:\n{run.stderr[-3000:]}")
        document = json.loads(run.stdout)
        applied = [a for a in document["actions"] if a["campaign"] not in self.drafts]
        budget = document.get("budget") or {}
        _progress(
            f"plan ({name}): {run.wall:.1f} s, {len(applied):,} actions for applied "
            f"campaigns, {budget.get('writes', '?')} writes, runs needed "
            f"{budget.get('runs_needed', '?')}"
        )
        return {
            "wall_seconds": round(run.wall, 3),
            "peak_rss_mib": round(run.rss_kib / 1024, 1),
            "applied_actions": len(applied),
            "applied_by_kind": dict(sorted(Counter(a["kind"] for a in applied).items())),
            "draft_actions": len(document["actions"]) - len(applied),
            "budget": budget,
            "campaigns": {
                c["campaign"]: {"state": c["state"], "repositories": c["repositories"]}
                for c in document["campaigns"]
            },
            "tracking_issues": sum(1 for a in applied if a["kind"] == "create_issue"),
            "notes": document.get("notes", []),
        }


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def bare_loop(fake: Fake) -> dict[str, Any]:
    """bench/fetch.py's bare pagination loop over every alert page: the limit."""
    command = [sys.executable, str(FETCH), "--bare", fake.url, fake.observer, fake.org, "json"]
    before = fake.stats()
    run = timed(command, cwd=ROOT, env=git_env())
    after = fake.stats()
    if run.code != 0:
        raise SystemExit(f"bare loop failed:\n{run.stderr[-2000:]}")
    counts: dict[str, int] = json.loads(run.stdout)
    _progress(f"bare loop: {run.wall:.1f} s, {sum(counts.values()):,} alerts")
    return {
        "wall_seconds": round(run.wall, 3),
        "peak_rss_mib": round(run.rss_kib / 1024, 1),
        "requests": int(after["total"]) - int(before["total"]),
        "alerts_by_type": counts,
    }


def pages(count: int) -> int:
    return math.ceil(count / 100)


def run_once(args: argparse.Namespace, base: Path) -> dict[str, Any]:
    """The whole sequence on a fresh fake and a fresh campaigns repository."""
    started = time.perf_counter()
    fake = Fake(args)
    _progress(
        f"fake GitHub: {args.repos:,} repositories, {args.alerts:,} alerts, ready in "
        f"{time.perf_counter() - started:.1f} s"
    )
    try:
        return _scenarios(args, base, fake)
    finally:
        fake.stop()


def _scenarios(args: argparse.Namespace, base: Path, fake: Fake) -> dict[str, Any]:
    limit = bare_loop(fake)
    alerts_by_type = limit["alerts_by_type"]
    listing_pages = sum(pages(n) for n in alerts_by_type.values())
    repository_pages = pages(args.repos)
    campaigns = generate_campaigns(args.campaigns, args.seed, fake.org)
    drafts = {c.id for c in campaigns if c.draft}
    work = make_repository(
        base, campaigns, org=fake.org, api_url=fake.url, writes_per_run=args.writes_per_run
    )
    bench = Bench(args, fake, work, drafts)

    predicted = bench.probe_plan("before")
    first = bench.apply("first_apply")
    runs = [first]
    converged = False
    cap = max(5, int(predicted["budget"].get("runs_needed") or 1) + 5)
    while len(runs) < cap:
        last = runs[-1]
        if last["left_for_next_run"] == 0 and last["exit"] == 0:
            left = bench.probe_plan(f"after-{len(runs)}")
            if left["applied_actions"] == 0:
                converged = True
                break
        fake.advance(HOUR)
        runs.append(bench.apply(f"backlog_{len(runs) + 1}"))
    backlog_seconds = sum(r["simulated_seconds"] for r in runs) + HOUR * (len(runs) - 1)

    same_token: dict[str, Any] | None = None
    if not args.same_token:
        # The last run's token again: what the stored ETags save when the token stays.
        fake.advance(HOUR)
        same_token = bench.apply("no_change_apply_same_token", token=bench.token)
    fake.advance(HOUR)
    no_change = bench.apply("no_change_apply")

    fake.advance(HOUR)
    churned = fake.control("alerts/churn", {"fraction": CHURN_FRACTION, "seed": args.seed})
    _progress(f"churn: {churned['changed']:,} alerts changed state {churned['by_type']}")
    churn_plan = bench.probe_plan("churn")
    churn = bench.apply("churn_apply")

    changed_by_type = {t: sum(kinds.values()) for t, kinds in churned["by_type"].items()}
    # Each issue created costs two label listings, the look right before and right after
    # the create (two runs at once: issue 13, finding 4); part of the floor, not overhead.
    looks = 2 * first["by_route"].get("POST /repos/{owner}/{repo}/issues", 0)
    first_minimum = listing_pages + repository_pages + first["writes_succeeded"] + looks
    churn_minimum = sum(pages(n) for n in changed_by_type.values()) + churn["writes_succeeded"]
    applies = [*runs, no_change, churn, *([same_token] if same_token else [])]
    return {
        "token_per_run": not args.same_token,
        "limit": limit,
        "plan_before": predicted,
        "first_apply": first,
        "backlog": {
            "runs": len(runs),
            "converged": converged,
            "predicted_runs": predicted["budget"].get("runs_needed"),
            "predicted_hours": predicted["budget"].get("hours_needed"),
            "predicted_writes": predicted["budget"].get("writes"),
            "simulated_hours": round(backlog_seconds / HOUR, 2),
            "writes": [r["writes"] for r in runs],
            "writes_succeeded": sum(r["writes_succeeded"] for r in runs),
            "wall_seconds": [r["wall_seconds"] for r in runs],
            "reads_counted": [r["reads_counted"] for r in runs],
            "runs_detail": runs[1:],
        },
        "no_change_apply": no_change,
        "no_change_apply_same_token": same_token,
        "churn": {
            "fraction": CHURN_FRACTION,
            "changed": churned["changed"],
            "changed_by_type": changed_by_type,
            "by_type": churned["by_type"],
            "planned_writes": churn_plan["budget"].get("writes"),
        },
        "churn_apply": churn,
        "minimums": {
            "listing_pages": listing_pages,
            "repository_pages": repository_pages,
            "first_apply": first_minimum,
            "no_change_writes": 0,
            "no_change_reads_counted": math.floor(first["reads_counted"] * NO_CHANGE_READ_SHARE),
            "churn_apply": churn_minimum,
            "churn_apply_allowed": churn_minimum + CHURN_SLACK,
        },
        "secondary_limited": sum(r["secondary_limited"] for r in applies),
        "primary_limited": sum(r["primary_limited"] for r in applies),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in applies),
    }


def checks(result: dict[str, Any]) -> dict[str, bool]:
    """Issue 6's targets."""
    first, no_change, churn = (
        result["first_apply"],
        result["no_change_apply"],
        result["churn_apply"],
    )
    minimums = result["minimums"]
    return {
        "first_apply_requests_within_1.05x_minimum": first["total"]
        <= FIRST_APPLY_FACTOR * minimums["first_apply"],
        "peak_rss_under_1.5_GB": result["peak_rss_mib"] * MIB < TARGET_RSS_BYTES,
        "no_change_zero_writes": no_change["writes"] == 0,
        "no_change_counted_reads_within_1pct_of_first": no_change["reads_counted"]
        <= NO_CHANGE_READ_SHARE * first["reads_counted"],
        "churn_requests_within_minimum_plus_50": churn["total"] <= minimums["churn_apply_allowed"],
        "zero_secondary_limit_refusals": result["secondary_limited"] == 0,
        # apply must stop before the token's quota runs out, not be refused by GitHub.
        "zero_primary_limit_refusals": result["primary_limited"] == 0,
        "backlog_converged": result["backlog"]["converged"],
        "every_apply_exited_0": all(
            r["exit"] == 0 for r in (first, *result["backlog"]["runs_detail"], no_change, churn)
        ),
    }


# -- output ------------------------------------------------------------------------------------


def median_of(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run's figures with wall times and peak RSS replaced by medians over runs."""
    merged = json.loads(json.dumps(results[0]))
    for key in ("first_apply", "no_change_apply", "churn_apply", "limit"):
        for field in ("wall_seconds", "peak_rss_mib"):
            values = [r[key][field] for r in results]
            merged[key][field] = statistics.median(values)
            merged[key][f"{field}_all"] = values
    for key in ("first_apply", "no_change_apply", "churn_apply"):
        requests = {r[key]["total"] for r in results}
        if len(requests) > 1:
            merged[key]["requests_differ_between_runs"] = sorted(requests)
    merged["peak_rss_mib"] = max(r["peak_rss_mib"] for r in results)
    return merged


def table(result: dict[str, Any]) -> str:
    m = result["minimums"]
    rows = [
        ("bare loop (limit)", result["limit"], None),
        ("first apply", result["first_apply"], m["first_apply"]),
        ("no-change apply", result["no_change_apply"], 0),
        ("1% churn apply", result["churn_apply"], m["churn_apply"]),
    ]
    if result.get("no_change_apply_same_token"):
        rows.insert(3, ("no change, old token", result["no_change_apply_same_token"], 0))
    out = [
        f"{'':20}{'wall s':>9}{'RSS MiB':>9}{'requests':>10}{'counted':>9}{'304s':>8}"
        f"{'graphql':>8}{'writes':>8}{'refused':>8}{'minimum':>9}{'x min':>7}"
    ]
    for name, r, minimum in rows:
        if "total" not in r:
            out.append(
                f"{name:20}{r['wall_seconds']:>9.2f}{r['peak_rss_mib']:>9.0f}{r['requests']:>10,}"
            )
            continue
        ratio = f"{r['total'] / minimum:>7.3f}" if minimum else f"{'-':>7}"
        out.append(
            f"{name:20}{r['wall_seconds']:>9.2f}{r['peak_rss_mib']:>9.0f}{r['total']:>10,}"
            f"{r['reads_counted']:>9,}{r['not_modified']:>8,}{r.get('graphql', 0):>8,}"
            f"{r['writes']:>8,}"
            f"{r['secondary_limited']:>8,}{minimum:>9,}{ratio}"
        )
    b = result["backlog"]
    first_wall = result["first_apply"]["wall_seconds"]
    out += [
        "",
        f"first apply / bare loop wall time: {first_wall / result['limit']['wall_seconds']:.2f}x",
        f"minimums: first apply = {m['listing_pages']:,} alert pages + {m['repository_pages']:,} "
        f"repository pages + {result['first_apply']['writes_succeeded']:,} writes made + 2 "
        "label listings per issue created (the looks before and after); "
        f"churn = ceil(changed/100) per type + {result['churn_apply']['writes_succeeded']:,} "
        f"writes made (allowed +{CHURN_SLACK}); no-change counted reads allowed "
        f"{m['no_change_reads_counted']:,}",
        f"backlog: {b['runs']} runs (the first plan predicted {b['predicted_runs']}), "
        f"{b['simulated_hours']} simulated hours (predicted {b['predicted_hours']}), "
        f"{b['writes_succeeded']:,} writes (predicted {b['predicted_writes']}), "
        f"{'converged' if b['converged'] else 'NOT converged'}",
        _later_runs(b["runs_detail"]),
        f"tracking issues planned at first: {result['plan_before']['tracking_issues']:,}; "
        f"churn changed {result['churn']['changed']:,} alerts, planned writes "
        f"{result['churn']['planned_writes']}",
        f"tokens: {'a new one each apply' if result.get('token_per_run') else 'one for all'}; "
        f"no-change counted reads {result['no_change_apply']['reads_counted']:,} = "
        f"{_share(result['no_change_apply']['reads_counted'], result['first_apply'])} of the "
        f"first apply's {result['first_apply']['reads_counted']:,}",
    ]
    for name, ok in result["checks"].items():
        out.append(f"{'ok  ' if ok else 'FAIL'} {name}")
    return "\n".join(out)


def _share(reads: int, first: dict[str, Any]) -> str:
    counted = int(first["reads_counted"])
    return f"{100 * reads / counted:.2f}%" if counted else "-"


def _later_runs(runs: list[dict[str, Any]]) -> str:
    """The backlog's runs after the first: what a scheduled incremental run costs."""
    if not runs:
        return "backlog: the first apply did it all"

    def median(field: str) -> float:
        return float(statistics.median(r[field] for r in runs))

    return (
        f"backlog runs 2 to {len(runs) + 1}, medians: {median('wall_seconds'):.2f} s, "
        f"{median('peak_rss_mib'):.0f} MiB, {median('total'):,.0f} requests, "
        f"{median('reads_counted'):,.0f} counted reads, {median('writes'):,.0f} writes"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole sequence")
    parser.add_argument("--writes-per-run", type=int, default=500, help="safety.max-writes-per-run")
    parser.add_argument("--token-budget", type=int, default=TOKEN_BUDGET)
    parser.add_argument(
        "--same-token",
        action="store_true",
        help="run every apply with one token (its stored ETags answer 304); by default each "
        "apply gets a new installation token, as the reconcile workflow's App token",
    )
    parser.add_argument("--keep", type=Path, help="keep the campaigns repositories here")
    parser.add_argument("--profile", type=Path, help="record some applies with py-spy (raw format)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    results = []
    for index in range(args.runs):
        base = Path(tempfile.mkdtemp(prefix="scale-bench-"))
        try:
            results.append(run_once(args, base))
        finally:
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.move(str(base), str(args.keep / f"run-{index + 1}"))
            else:
                shutil.rmtree(base, ignore_errors=True)
    result = median_of(results)
    result["checks"] = checks(result)
    result["parameters"] = {
        "repos": args.repos,
        "alerts": args.alerts,
        "campaigns": args.campaigns,
        "seed": args.seed,
        "runs": args.runs,
        "writes_per_run": args.writes_per_run,
        "token_budget": args.token_budget,
        "same_token": args.same_token,
        "write_clock_step": WRITE_CLOCK_STEP,
    }
    result["first_apply_over_bare_loop"] = round(
        result["first_apply"]["wall_seconds"] / result["limit"]["wall_seconds"], 3
    )
    print(table(result))
    if args.json:
        print(json.dumps(result, sort_keys=True))
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
