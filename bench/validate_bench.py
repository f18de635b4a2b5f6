"""Benchmark `campaign-sync validate` against `check-jsonschema`, as whole processes.

Generates N realistic campaign files (deterministic from --seed; about 5% carry a schema
error of the kind people make: a bad enum value, an unknown key, a wrong type, a missing
required key), then times, side by side in one run:

  A) campaign-sync validate DIR
  B) check-jsonschema --schemafile schemas/campaign.schema.json FILE...   (every file)
  C) campaign-sync validate DIR --format json

Both tools exit 1 on the invalid files; that is expected. Timing uses hyperfine when it
is on PATH (--warmup 1, -N, -i), else the median of --runs subprocess runs (after one
warmup). Before timing, it checks that both tools flag exactly the generated invalid
files and that every campaign-sync error carries a line and column.

    python bench/validate_bench.py [--files 1000] [--runs 10] [--seed 1] [--json] [--keep DIR]

Standard library only; the tools come from the venv of the Python running this script.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "campaign.schema.json"
INVALID_SHARE = 0.05

# --------------------------------------------------------------------------- vocabulary

ORGS = ["acme", "acme-labs", "globex", "initech", "umbrella-corp", "hooli"]
USERS = ["mona", "hubot", "octocat", "jdoe", "a-smith", "kchen", "rpatel", "lgarcia", "tnguyen"]
TEAM_SLUGS = ["appsec", "payments", "platform", "security-champions", "sre", "web", "mobile"]
REPO_NAMES = ["payments-api", "billing", "web", "mobile-app", "infra", "auth", "search", "data"]
TOPICS = ["production", "pci", "customer-facing", "internal", "tier-1", "hipaa", "legacy"]
CONTACTS = [
    "https://github.com/orgs/{org}/discussions/{n}",
    "https://{org}.slack.com/archives/C0{n}ABCD",
    "mailto:appsec@{org}.example",
    "https://teams.microsoft.com/l/channel/19%3a{n}%40thread.tacv2/AppSec",
    "https://wiki.{org}.example/security/campaigns/{n}",
]
THEMES = {
    # theme: (name, alerts, cwe, rules, severities)
    "sqli": ("SQL injection", ["code-scanning"], [89, 564], ["py/sql-injection", "js/sql-*"]),
    "xss": ("Cross-site scripting", ["code-scanning"], [79, 80], ["js/xss", "js/reflected-xss"]),
    "path": ("Path traversal", ["code-scanning"], [22, 23, 36], ["py/path-injection"]),
    "ssrf": ("Server-side request forgery", ["code-scanning"], [918], ["java/ssrf", "go/*"]),
    "deser": ("Unsafe deserialization", ["code-scanning"], [502], ["java/unsafe-deser*"]),
    "cmdi": ("Command injection", ["code-scanning"], [78, 77], ["py/command-line-injection"]),
    "creds": ("Hard-coded credentials", ["code-scanning", "secret-scanning"], [798, 259], []),
    "deps": ("Vulnerable dependencies", ["dependabot"], [], []),
    "secrets": ("Leaked secrets", ["secret-scanning"], [], []),
    "actions": ("Workflow hardening", ["code-scanning"], [94, 829], ["actions/*"]),
}
# Built-in templates (`campaign-sync templates`) that fit each theme.
_CODE = ["critical-high-code-scanning", "cwe-top-25"]
THEME_TEMPLATES = {
    "sqli": ["sql-injection", *_CODE],
    "xss": ["xss", *_CODE],
    "path": ["path-traversal", *_CODE],
    "ssrf": _CODE,
    "deser": _CODE,
    "cmdi": _CODE,
    "creds": ["hardcoded-credentials"],
    "deps": ["dependabot-critical-patched", "dependabot-high-patched"],
    "secrets": ["leaked-secrets-valid"],
    "actions": ["actions-workflows"],
}
SEVERITIES = ["critical", "high", "medium", "low"]
ECOSYSTEMS = ["composer", "go", "maven", "npm", "nuget", "pip", "pub", "rubygems", "rust"]
PACKAGES = [
    "lodash",
    "@babel/*",
    "org.apache.logging.log4j:log4j-core",
    "django",
    "requests",
    "golang.org/x/net",
    "jackson-databind",
    "minimist",
    "@aws-sdk/*",
    "urllib3",
]
SECRET_TYPES = [
    "github_personal_access_token",
    "aws_access_key_id",
    "slack_api_token",
    "google_api_key",
    "stripe_api_key",
    "azure_storage_account_key",
]
TOOLS = ["CodeQL", "Semgrep", "Snyk Code", "ESLint"]
PATH_INCLUDES = ["src/**", "services/*/app/**", "lib/**", "cmd/**", "packages/*/src/**"]
PATH_EXCLUDES = [
    "**/test/**",
    "**/*_test.go",
    "vendor/**",
    "**/node_modules/**",
    "docs/**",
    "**/fixtures/**",
    "third_party/**",
]
LABELS = ["security", "appsec", "campaign", "tech-debt", "priority:high", "sla", "q1-2027"]
PROPERTIES = {
    "tier": ["1", "2", "3"],
    "data-classification": ["restricted", "confidential"],
    "business_unit": ["retail", "payments", "platform"],
    "deployed": ["true"],
}
DESCRIPTIONS = [
    "Fix every {what} alert in our production services before the audit. Use the guidance "
    "in the secure coding handbook; ask in the contact channel if a fix is unclear.",
    "{what} is our most frequent finding this quarter. A fix usually takes less than an "
    "hour: see https://wiki.example/secure-coding for patterns that work with our stack.",
    "Burn down {what} findings. Each tracking issue lists the alerts of its repository; "
    "close them by fixing the code, or dismiss false positives with a comment.",
]
DESCRIPTION_EXTRA = [
    "Why now: the pen test found two of these in externally reachable services.",
    "What done means: no open alert of this kind in a repository tagged production.",
    "Owners: the repository's CODEOWNERS; the AppSec team reviews tricky fixes.",
    "Links:\n- https://cwe.mitre.org/\n- https://owasp.org/Top10/",
]


# --------------------------------------------------------------------------- generation


@dataclass
class Generated:
    relpath: str  # relative to the work folder, e.g. campaigns/0001-sqli.yml
    text: str
    invalid: bool
    mutations: list[str]


def _team(rng: random.Random) -> str:
    return f"@{rng.choice(ORGS)}/{rng.choice(TEAM_SLUGS)}"


def _subset(rng: random.Random, items: list[Any], lo: int = 1, hi: int | None = None) -> list[Any]:
    hi = min(hi or len(items), len(items))
    return rng.sample(items, rng.randint(lo, hi))


def _selection(rng: random.Random, theme: str, template: str | None) -> dict[str, Any]:
    _, alerts, cwe, rules = THEMES[theme]
    sel: dict[str, Any] = {}
    if template:
        sel["template"] = template
    if not template or rng.random() < 0.3:
        sel["alerts"] = list(alerts)
    if rng.random() < 0.7:
        sel["severity"] = sorted(_subset(rng, SEVERITIES, 1, 3), key=SEVERITIES.index)
    if cwe and (not template or rng.random() < 0.3):
        sel["cwe"] = _subset(rng, cwe)
    if rules and rng.random() < 0.6:
        sel["rules"] = _subset(rng, rules)
    if "code-scanning" in alerts and rng.random() < 0.25:
        sel["tools"] = _subset(rng, TOOLS, 1, 2)
    if "secret-scanning" in alerts:
        if rng.random() < 0.5:
            sel["secret-types"] = _subset(rng, SECRET_TYPES, 1, 3)
        if rng.random() < 0.5:
            sel["secret-validity"] = _subset(rng, ["active", "inactive", "unknown"], 1, 2)
    if "dependabot" in alerts:
        if rng.random() < 0.6:
            sel["ecosystems"] = _subset(rng, ECOSYSTEMS, 1, 3)
        if rng.random() < 0.4:
            sel["packages"] = _subset(rng, PACKAGES, 1, 3)
        if rng.random() < 0.5:
            sel["fix-available"] = rng.random() < 0.8
    if rng.random() < 0.75:
        org = rng.choice(ORGS)
        repos: dict[str, Any] = {}
        repos["include"] = rng.choice(
            [
                [f"{org}/*"],
                [f"{org}/{n}" for n in _subset(rng, REPO_NAMES, 1, 4)],
                [f"{org}/*", f"{rng.choice(ORGS)}/{rng.choice(REPO_NAMES)}-*"],
            ]
        )
        if rng.random() < 0.5:
            repos["exclude"] = [f"{org}/sandbox-*", f"{org}/archived-*"][: rng.randint(1, 2)]
        if rng.random() < 0.4:
            repos["topics"] = _subset(rng, TOPICS, 1, 3)
        if rng.random() < 0.3:
            props = {}
            for key in _subset(rng, list(PROPERTIES), 1, 2):
                values = _subset(rng, PROPERTIES[key], 1, 2)
                props[key] = values[0] if len(values) == 1 and rng.random() < 0.5 else values
            repos["properties"] = props
        sel["repositories"] = repos
    if rng.random() < 0.5:
        paths: dict[str, Any] = {}
        if rng.random() < 0.4:
            paths["include"] = _subset(rng, PATH_INCLUDES, 1, 2)
        paths["exclude"] = _subset(rng, PATH_EXCLUDES, 1, 4)
        sel["paths"] = paths
    if rng.random() < 0.6:
        sel["membership"] = rng.choice(["snapshot", "rolling"])
    return sel


def _campaign(rng: random.Random, index: int) -> tuple[str, dict[str, Any]]:
    theme = rng.choice(list(THEMES))
    what = THEMES[theme][0]
    template = rng.choice(THEME_TEMPLATES[theme]) if rng.random() < 0.45 else None
    org = rng.choice(ORGS)
    state = rng.choices(["draft", "active", "closed"], weights=[3, 6, 1])[0]
    if state == "closed":
        ends = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    else:
        ends = date(2027, 1, 1) + timedelta(days=rng.randint(0, 700))
    starts = ends - timedelta(days=rng.choice([30, 60, 90, 120, 180]))
    scope = rng.choice(["", f" in {org}", " (Q1)", " for payments", " for web services"])
    paragraphs = [rng.choice(DESCRIPTIONS).format(what=what)]
    if rng.random() < 0.5:
        paragraphs += _subset(rng, DESCRIPTION_EXTRA, 1, 3)
    description = "\n\n".join(
        p if "\n" in p else textwrap.fill(p, rng.choice([72, 80, 88])) for p in paragraphs
    )
    data: dict[str, Any] = {}
    if rng.random() < 0.15:
        data["$schema"] = "../schemas/campaign.schema.json"
    data["name"] = f"{what} burn-down{scope}"
    data["description"] = description
    managers = _subset(rng, USERS, 0, 2) + [_team(rng) for _ in range(rng.randint(0, 2))]
    data["managers"] = list(dict.fromkeys(managers or [rng.choice(USERS)]))
    data["contact"] = rng.choice(CONTACTS).format(org=org, n=rng.randint(1, 9999))
    if rng.random() < 0.7:
        data["starts"] = starts.isoformat()
    data["ends"] = ends.isoformat()
    data["state"] = state
    data["select"] = _selection(rng, theme, template)
    if rng.random() < 0.7:
        days = {"critical": 7, "high": 30, "medium": 90, "low": 180}
        chosen = _subset(rng, SEVERITIES, 1, 4)
        data["sla"] = {s: days[s] * rng.choice([1, 1, 2]) for s in SEVERITIES if s in chosen}
    if rng.random() < 0.8:
        tracking: dict[str, Any] = {}
        if rng.random() < 0.7:
            tracking["issues"] = rng.choices(["per-repository", "off"], weights=[9, 1])[0]
        if rng.random() < 0.6:
            tracking["labels"] = _subset(rng, LABELS, 1, 3)
        if rng.random() < 0.3:
            tracking["assignees"] = _subset(rng, USERS, 1, 3)
        if rng.random() < 0.4:
            tracking["mention"] = list(dict.fromkeys([_team(rng), *_subset(rng, USERS, 0, 1)]))
        if rng.random() < 0.2:
            tracking["public-details"] = rng.random() < 0.3
        if tracking:
            data["tracking"] = tracking
    if rng.random() < 0.5:
        # A native mirror holds code scanning alerts only, and GitHub allows 10 open ones.
        native = "code-scanning" in THEMES[theme][1] and rng.random() < 0.04
        data["github"] = {"native-campaign": native}
        if rng.random() < 0.5:
            data["github"]["autofix"] = rng.random() < 0.5
    slug = f"{template or theme}-{org}" if rng.random() < 0.5 else (template or theme)
    return f"{index:04d}-{slug}", data


# Realistic mistakes that both tools must flag as schema errors. Each edits the data.
def _mut_state(rng: random.Random, d: dict[str, Any]) -> None:
    d["state"] = rng.choice(["paused", "archived", "open", "Active"])


def _mut_severity(rng: random.Random, d: dict[str, Any]) -> None:
    d["select"]["severity"] = [
        *d["select"].get("severity", ["high"]),
        rng.choice(["severe", "urgent", "info", "error"]),
    ]


def _mut_alerts(rng: random.Random, d: dict[str, Any]) -> None:
    d["select"]["alerts"] = [rng.choice(["code_scanning", "secrets", "dependabot-alerts"])]


def _mut_ecosystem(rng: random.Random, d: dict[str, Any]) -> None:
    d["select"]["ecosystems"] = ["npm", rng.choice(["pypi", "cargo", "gradle", "yarn"])]


def _mut_top_key(rng: random.Random, d: dict[str, Any]) -> None:
    key, value = rng.choice(
        [
            ("owner", _team(rng)),
            ("due", "2027-06-30"),
            ("labels", ["security"]),
            ("status", "active"),
        ]
    )
    d[key] = value


def _mut_select_key(rng: random.Random, d: dict[str, Any]) -> None:
    key, value = rng.choice(
        [
            ("severities", ["high"]),
            ("repos", {"include": ["acme/*"]}),
            ("cwes", [89]),
            ("rule", "py/sql-injection"),
        ]
    )
    d["select"][key] = value


def _mut_tracking_key(rng: random.Random, d: dict[str, Any]) -> None:
    key, value = rng.choice([("label", "security"), ("assignee", "mona"), ("mentions", ["mona"])])
    d.setdefault("tracking", {})[key] = value


def _mut_sla(rng: random.Random, d: dict[str, Any]) -> None:
    sla = d.setdefault("sla", {})
    key, value = rng.choice([("urgent", 3), ("high", "30d"), ("critical", 0), ("medium", 5000)])
    sla[key] = value


def _mut_cwe(rng: random.Random, d: dict[str, Any]) -> None:
    d["select"]["cwe"] = [rng.choice(["CWE-89", "CWE-79", "cwe-22"])]


def _mut_missing(rng: random.Random, d: dict[str, Any]) -> None:
    del d[rng.choice(["contact", "ends", "managers", "description"])]


def _mut_team(rng: random.Random, d: dict[str, Any]) -> None:
    d["managers"] = [*d.get("managers", []), f"{rng.choice(ORGS)}/{rng.choice(TEAM_SLUGS)}"]


def _mut_empty(rng: random.Random, d: dict[str, Any]) -> None:
    d["select"][rng.choice(["severity", "rules", "cwe"])] = []


def _mut_date(rng: random.Random, d: dict[str, Any]) -> None:
    d["ends"] = rng.choice(["31/03/2027", "March 2027", "2027-3-31"])


def _mut_membership(rng: random.Random, d: dict[str, Any]) -> None:
    d["select"]["membership"] = rng.choice(["dynamic", "static"])


def _mut_issues(rng: random.Random, d: dict[str, Any]) -> None:
    d.setdefault("tracking", {})["issues"] = rng.choice(["per-repo", "per-alert", "none"])


MUTATIONS: dict[str, Callable[[random.Random, dict[str, Any]], None]] = {
    "bad-state": _mut_state,
    "bad-severity": _mut_severity,
    "bad-alert-type": _mut_alerts,
    "bad-ecosystem": _mut_ecosystem,
    "unknown-top-level-key": _mut_top_key,
    "unknown-select-key": _mut_select_key,
    "unknown-tracking-key": _mut_tracking_key,
    "bad-sla": _mut_sla,
    "cwe-as-text": _mut_cwe,
    "missing-required": _mut_missing,
    "team-without-at": _mut_team,
    "empty-list": _mut_empty,
    "bad-date": _mut_date,
    "bad-membership": _mut_membership,
    "bad-tracking-issues": _mut_issues,
}

# ---- rendering: hand-written-looking YAML (block and flow lists, comments, quoting)

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./:-]*\Z")
# Scalars YAML 1.1 or 1.2 would read as something other than text.
_SPECIAL = re.compile(
    r"(?i:y|n|yes|no|on|off|true|false|null|~)\Z|[-+]?[0-9._]+\Z|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
)


def _scalar(value: Any, *, keep_dates: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if keep_dates and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return text  # an unquoted date, as people write it
    if _PLAIN.match(text) and not _SPECIAL.match(text) and ": " not in text:
        return text
    return json.dumps(text)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _emit(rng: random.Random, key: str, value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        if value and rng.random() < 0.15 and all(not isinstance(v, dict) for v in value.values()):
            out.append(f"{pad}{key}: {_flow(value)}")
            return
        out.append(f"{pad}{key}:" + (" {}" if not value else ""))
        for k, v in value.items():
            _emit(rng, k, v, indent + 2, out)
        return
    if isinstance(value, list):
        if not value or rng.random() < 0.55:
            out.append(f"{pad}{key}: {_flow(value)}")
        else:
            out.append(f"{pad}{key}:")
            item_pad = pad + ("  " if rng.random() < 0.5 else "")
            out.extend(f"{item_pad}- {_flow(v)}" for v in value)
        return
    if key == "description":
        if rng.random() < 0.8:
            out.append(f"{pad}description: |")
            out.extend(f"{pad}  {line}" if line else "" for line in value.splitlines())
        else:
            out.append(f"{pad}description: {json.dumps(value)}")
        return
    out.append(f"{pad}{key}: {_scalar(value, keep_dates=key in ('starts', 'ends'))}")


COMMENTS = {
    "managers": "# Who runs the campaign: users, or teams as '@org/team-slug'.",
    "ends": "# The due date (YYYY-MM-DD).",
    "select": "# Which alerts this campaign targets.",
    "sla": "# Days to fix, by severity, from when the alert joined.",
    "tracking": "# Tracking issues in the affected repositories.",
}


def render(rng: random.Random, campaign_id: str, data: dict[str, Any]) -> str:
    out: list[str] = []
    if rng.random() < 0.6:
        out.append("# yaml-language-server: $schema=../schemas/campaign.schema.json")
    if rng.random() < 0.4:
        out.append(f"# Campaign {campaign_id}. Owned by AppSec; edit through a pull request.")
    if out:
        out.append("")
    commented = rng.random() < 0.5
    for key, value in data.items():
        if commented and key in COMMENTS:
            out.append(COMMENTS[key])
        _emit(rng, key, value, 0, out)
    return "\n".join(out) + "\n"


def generate(count: int, seed: int) -> list[Generated]:
    rng = random.Random(seed)
    invalid = set(rng.sample(range(count), round(count * INVALID_SHARE)))
    files: list[Generated] = []
    for i in range(count):
        campaign_id, data = _campaign(rng, i)
        mutations: list[str] = []
        if i in invalid:
            kinds = rng.sample(sorted(MUTATIONS), 2 if rng.random() < 0.2 else 1)
            for kind in kinds:
                MUTATIONS[kind](rng, data)
                mutations.append(kind)
        text = render(rng, campaign_id, data)
        files.append(Generated(f"campaigns/{campaign_id}.yml", text, bool(mutations), mutations))
    return files


# --------------------------------------------------------------------------- checks


def _tool(name: str) -> str:
    """The console script next to this Python (same venv), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if not found:
        sys.exit(f"error: {name} is not installed next to {sys.executable} nor on PATH")
    return found


def _json_output(cmd: list[str], work: Path, label: str) -> tuple[Any, int]:
    """Run ``cmd`` in ``work`` and parse its stdout as JSON; stop with its stderr if it fails."""
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
    try:
        return json.loads(proc.stdout), proc.returncode
    except json.JSONDecodeError:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        sys.exit(f"error: {label} exited {proc.returncode} without JSON output:\n{tail}")


def check_agreement(
    work: Path, files: list[Generated], ours_cmd: list[str], theirs_cmd: list[str]
) -> dict[str, Any]:
    """Run each tool once with JSON output and compare the invalid files they report."""
    expected = {f.relpath for f in files if f.invalid}

    problems, ours_exit = _json_output([*ours_cmd, "--format", "json"], work, "campaign-sync")
    errors = [p for p in problems if p["severity"] == "error"]
    ours_bad = {os.path.normpath(p["file"]) for p in errors}
    no_line = [p for p in errors if not (isinstance(p.get("line"), int) and p["line"] >= 1)]
    no_column = [p for p in errors if not (isinstance(p.get("column"), int) and p["column"] >= 1)]

    report, theirs_exit = _json_output(
        [theirs_cmd[0], "-o", "json", *theirs_cmd[1:]], work, "check-jsonschema"
    )
    theirs_bad = {os.path.normpath(e["filename"]) for e in report["errors"]}
    theirs_bad |= {os.path.normpath(e["filename"]) for e in report.get("parse_errors", [])}

    return {
        "expected_invalid": len(expected),
        "campaign_sync_invalid": len(ours_bad),
        "check_jsonschema_invalid": len(theirs_bad),
        "campaign_sync_errors": len(errors),
        "campaign_sync_warnings": len(problems) - len(errors),
        "check_jsonschema_errors": len(report["errors"]),
        "campaign_sync_exit": ours_exit,
        "check_jsonschema_exit": theirs_exit,
        "same_invalid_set": ours_bad == theirs_bad == expected,
        "only_campaign_sync": sorted(ours_bad - theirs_bad),
        "only_check_jsonschema": sorted(theirs_bad - ours_bad),
        "missed_by_both": sorted(expected - ours_bad - theirs_bad),
        "errors_without_line": len(no_line),
        "errors_without_column": len(no_column),
        "every_error_has_line": not no_line,
    }


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    tool: str
    command: str
    median: float
    min: float
    max: float
    runs: int
    exit_codes: list[int]


def time_hyperfine(
    hyperfine: str, work: Path, commands: dict[str, list[str]], runs: int, export: Path, quiet: bool
) -> list[Timing]:
    argv = [
        hyperfine,
        "-N",
        "-i",
        "--warmup",
        "1",
        "--runs",
        str(runs),
        "--export-json",
        str(export),
        "--style",
        "basic" if quiet else "full",
    ]
    for name, cmd in commands.items():
        argv += ["--command-name", name, shlex.join(cmd)]
    # hyperfine's report goes to stderr, so stdout stays ours (the table, the JSON line).
    subprocess.run(argv, cwd=work, check=True, stdout=sys.stderr)
    results = json.loads(export.read_text())["results"]
    return [
        Timing(
            r["command"],
            shlex.join(commands[r["command"]]),
            r["median"],
            r["min"],
            r["max"],
            len(r["times"]),
            sorted(set(r.get("exit_codes") or [])),
        )
        for r in results
    ]


def time_subprocess(work: Path, commands: dict[str, list[str]], runs: int) -> list[Timing]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    for round_ in range(runs + 1):  # round 0 is the warmup; tools interleave per round
        for name, cmd in commands.items():
            start = time.perf_counter()
            proc = subprocess.run(
                cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            elapsed = time.perf_counter() - start
            if round_:
                times[name].append(elapsed)
                codes[name].add(proc.returncode)
        print(f"  round {round_}/{runs}{' (warmup)' if not round_ else ''}", file=sys.stderr)
    return [
        Timing(
            name, shlex.join(cmd), statistics.median(t), min(t), max(t), len(t), sorted(codes[name])
        )
        for (name, cmd), t in zip(commands.items(), times.values(), strict=True)
    ]


# --------------------------------------------------------------------------- main


def _short_command(cmd: list[str], count: int) -> str:
    shown = [Path(cmd[0]).name, *cmd[1:]]
    if len(shown) > 6:
        return shlex.join(shown[:4]) + f" ... ({count} files)"
    return shlex.join(shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="campaign files to generate")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated files")
    parser.add_argument("--json", action="store_true", help="end with one JSON object line")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="generate into DIR (kept) instead of a temporary folder",
    )
    args = parser.parse_args(argv)
    if args.files < 1 or args.runs < 1:
        parser.error("--files and --runs must be at least 1")

    if args.keep:
        work = args.keep.resolve()
        if (work / "campaigns").exists() and any((work / "campaigns").iterdir()):
            parser.error(f"{work / 'campaigns'} is not empty; pick another --keep folder")
        work.mkdir(parents=True, exist_ok=True)
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="campaign-bench-")
        work = Path(cleanup.name)
    try:
        return _run(args, work)
    finally:
        if cleanup is not None:
            cleanup.cleanup()


def _run(args: argparse.Namespace, work: Path) -> int:
    files = generate(args.files, args.seed)
    (work / "campaigns").mkdir(parents=True, exist_ok=True)
    for f in files:
        (work / f.relpath).write_text(f.text, encoding="utf-8")
    size = sum(len(f.text.encode()) for f in files)
    invalid = [f for f in files if f.invalid]
    print(
        f"generated {len(files)} files ({size / 1024:.0f} KiB, {len(invalid)} invalid, "
        f"seed {args.seed}) in {work / 'campaigns'}",
        file=sys.stderr,
    )

    ours = [_tool("campaign-sync"), "validate", "campaigns"]
    theirs = [
        _tool("check-jsonschema"),
        "--schemafile",
        str(SCHEMA),
        *sorted(f.relpath for f in files),
    ]
    commands = {
        "campaign-sync": ours,
        "check-jsonschema": theirs,
        "campaign-sync --format json": [*ours, "--format", "json"],
    }

    agreement = check_agreement(work, files, ours, theirs)

    hyperfine = shutil.which("hyperfine")
    if hyperfine:
        timer = "hyperfine"
        timings = time_hyperfine(
            hyperfine, work, commands, args.runs, work / "hyperfine.json", quiet=args.json
        )
    else:
        timer = "subprocess"
        print(
            f"hyperfine not found; timing subprocess runs (median of {args.runs})", file=sys.stderr
        )
        timings = time_subprocess(work, commands, args.runs)
    by_name = {t.tool: t for t in timings}
    ratio = by_name["check-jsonschema"].median / by_name["campaign-sync"].median
    json_cost = by_name["campaign-sync --format json"].median / by_name["campaign-sync"].median

    print(
        f"\nvalidate {len(files)} campaign files ({len(invalid)} invalid), "
        f"timer: {timer}, {args.runs} runs after 1 warmup, cwd {work}"
    )
    print(f"{'tool':<28} {'median s':>9} {'min s':>8} {'max s':>8} {'runs':>5}  exit")
    for t in timings:
        codes = ",".join(map(str, t.exit_codes))
        print(f"{t.tool:<28} {t.median:>9.3f} {t.min:>8.3f} {t.max:>8.3f} {t.runs:>5}  {codes}")
    print(f"ratio check-jsonschema / campaign-sync (median): {ratio:.2f}x")
    print(f"ratio campaign-sync json / text (median): {json_cost:.2f}x")
    for name, cmd in commands.items():
        print(f"  {name}: {_short_command(cmd, len(files))}")
    a = agreement
    print(
        f"invalid files: generated {a['expected_invalid']}, campaign-sync "
        f"{a['campaign_sync_invalid']} ({a['campaign_sync_errors']} errors, "
        f"{a['campaign_sync_warnings']} warnings), check-jsonschema "
        f"{a['check_jsonschema_invalid']} ({a['check_jsonschema_errors']} errors)"
    )
    print(
        f"same invalid set: {'yes' if a['same_invalid_set'] else 'NO'}"
        + "".join(
            f"; {k}: {a[k]}"
            for k in ("only_campaign_sync", "only_check_jsonschema", "missed_by_both")
            if a[k]
        )
    )
    print(
        f"every campaign-sync error has a line: {'yes' if a['every_error_has_line'] else 'NO'}"
        f" ({a['errors_without_line']} without)"
    )

    # Exit 1 means "some file is invalid"; anything else (3: a crash) makes the times moot.
    expected_exit = [1] if invalid else [0]
    exits_ok = all(t.exit_codes == expected_exit for t in timings)
    if not exits_ok:
        print(f"UNEXPECTED exit codes (expected {expected_exit[0]} for every run); see above")
    ok = a["same_invalid_set"] and a["every_error_has_line"] and exits_ok
    if args.json:
        print(
            json.dumps(
                {
                    "files": len(files),
                    "invalid_files": len(invalid),
                    "seed": args.seed,
                    "runs": args.runs,
                    "timer": timer,
                    "results": [
                        {
                            "tool": t.tool,
                            "median_s": round(t.median, 6),
                            "min_s": round(t.min, 6),
                            "max_s": round(t.max, 6),
                            "runs": t.runs,
                            "exit_codes": t.exit_codes,
                        }
                        for t in timings
                    ],
                    "ratio_check_jsonschema_over_campaign_sync": round(ratio, 4),
                    "ratio_json_over_text": round(json_cost, 4),
                    "agreement": a,
                    "ok": ok,
                },
                sort_keys=False,
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
