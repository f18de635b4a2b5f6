"""Plan 50 campaigns over a million alerts in 10,000 repositories: time and peak RSS of
matching and planning, against the targets of issue 4 (under 10 s and 1.5 GB).

    python bench/plan.py [--repos 10000] [--alerts 1000000] [--campaigns 50] [--seed 1]
                         [--runs 3] [--json]

Everything is generated in-process, deterministically from --seed: Alert values of the
three types (about 60% code scanning, 25% Dependabot, 15% secret scanning; mostly open),
Repository values (topics, custom properties, about 2% archived, mixed visibility), and
varied Campaign values built with Campaign.from_data. Strings that GitHub's alerts repeat
(repository, rule, tool, path, package...) are shared, as the GitHub source interns them;
ids, URLs, timestamps and messages are one string per alert, as decoded JSON gives them.

Each measurement runs in a fresh child process, so imports and generation do not count:
the child generates the data, collects garbage, resets its peak RSS (Linux
/proc/self/clear_refs), reads its RSS, then times one of:

  match   AlertIndex.build + match.select of every campaign that is not closed
  plan    make_plan for a first run (empty ledgers)
  replan  make_plan for the second run. Once, before the runs, a "prepare" child makes
          the first plan, applies it without I/O (each CreateIssue becomes a TrackedIssue
          with a fresh number and the action's digest) and writes the ledgers with
          write_ledger to a temporary folder; the replan child reads them back with
          read_ledger before the timer starts, as a real second run would. It should find
          nothing to do for every campaign that apply touches (drafts are planned on every
          run but never applied, so their actions come back).

Reported per measurement: wall time (median, min, max of --runs), the child's peak RSS
(ru_maxrss, counted from after generation: data + work), its RSS after generation and
after the work, and the deltas over the data. The checks: every median under 10 s and
every peak under 1.5 GB (1.5e9 bytes, the data included). Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import gc
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORG = "acme"
NOW = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)
MEASUREMENTS = ("match", "plan", "replan")
TARGET_SECONDS = 10.0
TARGET_RSS_BYTES = 1.5e9
MIB = 1024 * 1024

# --------------------------------------------------------------------------- vocabulary

# Repository languages: (code, weight, ecosystem of its Dependabot alerts).
LANGUAGES = [("py", 28, "pip"), ("js", 30, "npm"), ("java", 16, "maven"), ("go", 12, "go"),
             ("rb", 6, "rubygems"), ("cs", 8, "nuget")]  # fmt: skip

# CodeQL rules: (id, security severity or None for a quality rule, CWEs, weight).
CODEQL: dict[str, list[tuple[str, str | None, tuple[int, ...], int]]] = {
    "py": [
        ("py/sql-injection", "high", (89,), 30),
        ("py/command-line-injection", "critical", (78, 88), 12),
        ("py/path-injection", "high", (22, 23, 36, 73, 99), 25),
        ("py/reflective-xss", "medium", (79, 116), 14),
        ("py/code-injection", "critical", (94, 95, 116), 5),
        ("py/unsafe-deserialization", "critical", (502,), 6),
        ("py/full-ssrf", "critical", (918,), 6),
        ("py/partial-ssrf", "medium", (918,), 9),
        ("py/clear-text-logging-sensitive-data", "high", (312, 359, 532), 18),
        ("py/weak-sensitive-data-hashing", "high", (327, 328, 916), 8),
        ("py/flask-debug", "high", (215, 489), 5),
        ("py/url-redirection", "medium", (601,), 9),
        ("py/stack-trace-exposure", "medium", (209, 497), 16),
        ("py/polynomial-redos", "high", (1333, 730, 400), 10),
        ("py/insecure-protocol", "medium", (327,), 4),
        ("py/unused-import", None, (), 12),
    ],
    "js": [
        ("js/sql-injection", "high", (89, 90, 943), 18),
        ("js/xss", "high", (79, 116), 16),
        ("js/reflected-xss", "high", (79, 116), 14),
        ("js/stored-xss", "high", (79, 116), 6),
        ("js/xss-through-dom", "medium", (79, 116), 12),
        ("js/path-injection", "high", (22, 23, 36, 73, 99), 14),
        ("js/command-line-injection", "critical", (78, 88), 6),
        ("js/prototype-pollution-utility", "medium", (1321, 915), 8),
        ("js/request-forgery", "critical", (918,), 6),
        ("js/missing-rate-limiting", "high", (770, 307, 400), 20),
        ("js/polynomial-redos", "high", (1333, 730, 400), 16),
        ("js/hardcoded-credentials", "critical", (259, 321, 798), 5),
        ("js/incomplete-sanitization", "high", (20, 80, 116), 14),
        ("js/insecure-randomness", "high", (338,), 6),
        ("js/clear-text-logging", "high", (312, 359, 532), 10),
        ("js/code-injection", "critical", (94, 95, 79, 116), 4),
        ("js/unused-local-variable", None, (), 14),
    ],
    "java": [
        ("java/sql-injection", "high", (89, 564), 20),
        ("java/path-injection", "high", (22, 23, 36, 73), 14),
        ("java/xss", "medium", (79,), 10),
        ("java/unsafe-deserialization", "critical", (502,), 8),
        ("java/ssrf", "critical", (918,), 6),
        ("java/xxe", "critical", (611, 776, 827), 6),
        ("java/log-injection", "medium", (117,), 18),
        ("java/hardcoded-credential-api-call", "critical", (798,), 5),
        ("java/weak-cryptographic-algorithm", "high", (327, 328), 8),
        ("java/spring-disabled-csrf-protection", "high", (352,), 4),
        ("java/unused-parameter", None, (), 8),
    ],
    "go": [
        ("go/sql-injection", "high", (89,), 14),
        ("go/path-injection", "high", (22, 23, 36, 73, 99), 14),
        ("go/command-injection", "critical", (78,), 6),
        ("go/request-forgery", "critical", (918,), 8),
        ("go/reflected-xss", "high", (79, 116), 8),
        ("go/incomplete-hostname-regexp", "high", (20,), 6),
        ("go/disabled-certificate-check", "high", (295,), 6),
        ("go/allocation-size-overflow", "high", (190,), 8),
        ("go/log-injection", "medium", (117,), 14),
    ],
    "rb": [
        ("rb/sql-injection", "high", (89,), 16),
        ("rb/reflected-xss", "high", (79, 116), 12),
        ("rb/command-line-injection", "critical", (78, 88), 6),
        ("rb/unsafe-deserialization", "critical", (502,), 6),
        ("rb/path-injection", "high", (22, 23, 36, 73, 99), 8),
        ("rb/log-injection", "medium", (117,), 6),
    ],
    "cs": [
        ("cs/sql-injection", "high", (89,), 14),
        ("cs/web/xss", "high", (79, 116), 10),
        ("cs/path-injection", "high", (22, 23, 36, 73, 99), 8),
        ("cs/command-line-injection", "critical", (78, 88), 4),
        ("cs/unsafe-deserialization-untrusted-input", "critical", (502,), 4),
        ("cs/log-forging", "medium", (117,), 10),
    ],
}
ACTIONS_RULES = [
    ("actions/untrusted-checkout/critical", "critical", (829,), 4),
    ("actions/code-injection/critical", "critical", (94,), 4),
    ("actions/code-injection/medium", "medium", (94,), 8),
    ("actions/missing-workflow-permissions", "medium", (275,), 20),
    ("actions/unpinned-tag", "medium", (829,), 14),
]
SEMGREP = [
    (
        "python.django.security.injection.sql.sql-injection-using-db-cursor-execute",
        "high",
        (89,),
        10,
    ),
    ("python.lang.security.audit.dangerous-subprocess-use-audit", "high", (78,), 8),
    ("python.lang.security.deserialization.pickle.avoid-pickle", "medium", (502,), 6),
    ("javascript.express.security.audit.xss.direct-response-write", "medium", (79,), 8),
    (
        "javascript.lang.security.audit.path-traversal.path-join-resolve-traversal",
        "medium",
        (22,),
        8,
    ),
    ("java.lang.security.audit.formatted-sql-string", "high", (89,), 6),
    ("go.lang.security.audit.net.use-tls", "medium", (319,), 4),
    ("generic.secrets.security.detected-generic-secret", "high", (798,), 6),
]
TRIVY = [
    ("AVD-DS-0002", "high", (), 10),
    ("AVD-DS-0001", "medium", (), 6),
    ("AVD-DS-0026", "low", (), 6),
    ("AVD-KSV-0014", "high", (), 5),
    ("AVD-KSV-0017", "high", (), 4),
    ("AVD-AWS-0086", "critical", (), 3),
    ("AVD-AWS-0088", "medium", (), 4),
]
TOOLS = [("CodeQL", 80), ("Semgrep OSS", 12), ("Trivy", 8)]
TRIVY_PATHS = ["Dockerfile", "docker/Dockerfile", "deploy/k8s/deployment.yaml",
               "charts/app/templates/deployment.yaml", "infra/terraform/s3.tf"]  # fmt: skip

DIRS = {
    "py": ["src/app", "src/app/api", "src/app/db", "app/views", "services/worker", "lib/utils",
           "scripts", "src/app/auth"],
    "js": ["src", "src/routes", "src/components", "lib", "server", "api/handlers", "scripts",
           "src/utils", "packages/web/src", "packages/api/src"],
    "java": ["src/main/java/com/acme/api", "src/main/java/com/acme/db",
             "src/main/java/com/acme/web", "src/main/java/com/acme/util",
             "service/src/main/java/com/acme/service"],
    "go": ["cmd/server", "internal/api", "internal/store", "pkg/util", "internal/auth",
           "pkg/client"],
    "rb": ["app/controllers", "app/models", "lib", "app/helpers"],
    "cs": ["src/Api/Controllers", "src/Data", "src/Web"],
}  # fmt: skip
TEST_DIRS = {
    "py": ["tests", "tests/integration", "src/app/tests"],
    "js": ["test", "__tests__", "src/__tests__", "e2e"],
    "java": ["src/test/java/com/acme/api", "src/test/java/com/acme/db"],
    "go": ["internal/api/testdata", "test/e2e"],
    "rb": ["spec/controllers", "test/models"],
    "cs": ["tests/Api.Tests"],
}
FILES = {
    "py": ["views.py", "models.py", "queries.py", "handlers.py", "utils.py", "settings.py",
           "client.py", "tasks.py", "serializers.py"],
    "js": ["index.js", "app.ts", "router.ts", "user.js", "render.tsx", "api.js", "db.ts",
           "helpers.js", "upload.ts"],
    "java": ["UserController.java", "OrderRepository.java", "FileService.java",
             "LoginFilter.java", "ReportController.java", "XmlImporter.java"],
    "go": ["main.go", "handler.go", "store.go", "exec.go", "files.go", "auth.go"],
    "rb": ["users_controller.rb", "orders_controller.rb", "report.rb", "search_helper.rb"],
    "cs": ["UsersController.cs", "OrderRepository.cs", "FileController.cs", "Startup.cs"],
}  # fmt: skip
TEST_FILES = {
    "py": ["test_views.py", "test_api.py", "conftest.py"],
    "js": ["auth.test.js", "api.spec.ts", "fixtures.js"],
    "java": ["UserControllerTest.java", "OrderRepositoryIT.java"],
    "go": ["handler_test.go", "store_test.go"],
    "rb": ["users_controller_spec.rb"],
    "cs": ["UsersControllerTests.cs"],
}
WORKFLOWS = [".github/workflows/ci.yml", ".github/workflows/release.yml",
             ".github/workflows/pr-comment.yml", ".github/workflows/deploy.yml"]  # fmt: skip

PACKAGES = {
    "npm": ["lodash", "express", "axios", "minimist", "semver", "jsonwebtoken", "ws", "tar",
            "node-fetch", "moment", "handlebars", "webpack", "next", "undici", "cookie",
            "body-parser", "follow-redirects", "qs", "xml2js", "postcss", "@babel/traverse",
            "@aws-sdk/client-s3"],
    "pip": ["django", "flask", "requests", "urllib3", "jinja2", "pyyaml", "pillow",
            "cryptography", "werkzeug", "sqlalchemy", "aiohttp", "paramiko", "setuptools",
            "gunicorn", "numpy"],
    "maven": ["org.apache.logging.log4j:log4j-core",
              "com.fasterxml.jackson.core:jackson-databind", "org.springframework:spring-web",
              "org.yaml:snakeyaml", "com.google.guava:guava",
              "org.apache.tomcat.embed:tomcat-embed-core", "io.netty:netty-codec-http"],
    "go": ["golang.org/x/net", "golang.org/x/crypto", "github.com/gin-gonic/gin",
           "google.golang.org/grpc", "github.com/golang-jwt/jwt/v4", "golang.org/x/text"],
    "rubygems": ["rails", "nokogiri", "rack", "actionpack", "activesupport"],
    "nuget": ["Newtonsoft.Json", "System.Text.Encodings.Web", "Microsoft.Data.SqlClient"],
    "actions": ["actions/checkout", "tj-actions/changed-files", "actions/download-artifact"],
}  # fmt: skip
MANIFESTS = {
    "npm": ["package-lock.json", "web/package-lock.json", "frontend/yarn.lock", "package.json",
            "test/fixtures/package-lock.json"],
    "pip": ["requirements.txt", "poetry.lock", "requirements/dev.txt",
            "services/api/Pipfile.lock", "tests/requirements.txt"],
    "maven": ["pom.xml", "service/pom.xml", "build.gradle"],
    "go": ["go.mod", "tools/go.mod"],
    "rubygems": ["Gemfile.lock"],
    "nuget": ["src/App/App.csproj", "packages.lock.json"],
    "actions": [".github/workflows/ci.yml", ".github/workflows/release.yml"],
}  # fmt: skip
# Advisory titles: (template, CWEs, severity).
WEAKNESSES = [
    ("Prototype Pollution in {p}", (1321,), "high"),
    ("Regular Expression Denial of Service in {p}", (1333, 400), "medium"),
    ("{p} vulnerable to Path Traversal", (22,), "high"),
    ("Remote code execution in {p}", (94, 502), "critical"),
    ("{p} allows SQL injection", (89,), "critical"),
    ("Cross-site scripting in {p}", (79,), "medium"),
    ("Server-Side Request Forgery in {p}", (918,), "high"),
    ("{p} Uncontrolled Resource Consumption", (400, 770), "medium"),
    ("Improper Input Validation in {p}", (20,), "low"),
    ("Exposure of sensitive information in {p}", (200,), "medium"),
    ("{p} vulnerable to Open Redirect", (601,), "low"),
    ("Deserialization of untrusted data in {p}", (502,), "critical"),
]
# Secret types: (slug, display name, weight).
SECRET_TYPES = [
    ("github_personal_access_token", "GitHub Personal Access Token", 20),
    ("github_app_installation_access_token", "GitHub App Installation Access Token", 5),
    ("aws_access_key_id", "AWS Access Key ID", 15),
    ("aws_secret_access_key", "AWS Secret Access Key", 10),
    ("slack_api_token", "Slack API Token", 10),
    ("slack_incoming_webhook_url", "Slack Incoming Webhook URL", 6),
    ("google_api_key", "Google API Key", 10),
    ("stripe_api_key", "Stripe API Key", 5),
    ("azure_storage_account_key", "Azure Storage Account Access Key", 6),
    ("npm_access_token", "npm Access Token", 5),
    ("openai_api_key", "OpenAI API Key", 4),
    ("twilio_api_key", "Twilio API Key", 2),
    ("private_key", "Private Key", 6),
    ("password", "Password", 6),
]
SECRET_PATHS = ["config/settings.py", ".env", "deploy/values.yaml", "scripts/deploy.sh",
                "docker-compose.yml", "src/config.js", "README.md", "terraform/main.tf",
                "tests/fixtures/credentials.json", "test/fixtures/.env.test",
                "notebooks/explore.ipynb", ".github/workflows/deploy.yml"]  # fmt: skip
VALIDITY = [("active", 20), ("inactive", 35), ("unknown", 45)]
RESOLUTIONS = [("revoked", 45), ("false_positive", 20), ("wont_fix", 10), ("used_in_tests", 20),
               ("pattern_edited", 5)]  # fmt: skip
DISMISSED = [("false positive", 45), ("won't fix", 30), ("used in tests", 25)]
DEPENDABOT_DISMISSED = [("tolerable_risk", 30), ("no_bandwidth", 20), ("not_used", 30),
                        ("inaccurate", 20)]  # fmt: skip

REPO_PREFIXES = ["payments", "billing", "auth", "identity", "search", "catalog", "checkout",
                 "orders", "inventory", "shipping", "notifications", "analytics", "reporting",
                 "web", "mobile", "admin", "gateway", "ledger", "risk", "fraud", "pricing",
                 "recommendations", "media", "docs", "infra", "platform", "data", "ml",
                 "legacy", "sandbox"]  # fmt: skip
REPO_SUFFIXES = ["api", "service", "web", "worker", "frontend", "backend", "lib", "sdk", "cli",
                 "jobs", "pipeline", "proxy", "app", "ui", "core", "infra", "tools", "bot",
                 "etl", "dashboard"]  # fmt: skip
TOPICS = [("production", 0.45), ("internal", 0.30), ("frontend", 0.15), ("backend", 0.30),
          ("customer-facing", 0.20), ("pci", 0.08), ("hipaa", 0.03), ("legacy", 0.10),
          ("tier-1", 0.15)]  # fmt: skip
TIERS = [("tier-0", 5), ("tier-1", 20), ("tier-2", 45), ("tier-3", 30)]
DATA_CLASSES = [("public", 15), ("internal", 45), ("confidential", 30), ("restricted", 10)]
BUSINESS_UNITS = ["retail", "payments", "platform", "data", "corporate"]
TEAMS = ["appsec", "payments", "platform", "web", "mobile", "data", "sre", "identity"]
REGIONS = ["eu", "us", "apac"]
VISIBILITY = [("private", 55), ("internal", 35), ("public", 10)]
USERS = ["mona", "octocat", "hubot", "jdoe", "a-smith", "kchen", "rpatel", "lgarcia"]


class Picker:
    """Weighted choice from a fixed list: one rng.random() and a bisect."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def _weighted(entries: Sequence[tuple[Any, ...]]) -> Picker:
    """Entries whose last field is the weight."""
    return Picker([e[:-1] if len(e) > 2 else e[0] for e in entries], [e[-1] for e in entries])


# --------------------------------------------------------------------------- generation


@dataclasses.dataclass
class Generated:
    result: Any  # SourceResult
    campaigns: list[Any]  # Campaign


def _stamp(days: Sequence[str], rng: random.Random, lo: int = 0, hi: int | None = None) -> str:
    """A fresh ISO 8601 string (one object per alert, as decoded JSON gives)."""
    day = days[rng.randrange(lo, hi if hi is not None else len(days))]
    second = rng.randrange(86_400)
    return f"{day}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


def generate_repositories(count: int, rng: random.Random) -> list[Any]:
    from campaign_sync.model import Repository

    language = _weighted([(code, weight) for code, weight, _ in LANGUAGES])
    tier, data_class = _weighted(TIERS), _weighted(DATA_CLASSES)
    visibility = _weighted(VISIBILITY)
    repos = []
    used: Counter[str] = Counter()
    for i in range(count):
        base = f"{rng.choice(REPO_PREFIXES)}-{rng.choice(REPO_SUFFIXES)}"
        used[base] += 1
        name = sys.intern(f"{ORG}/{base}" if used[base] == 1 else f"{ORG}/{base}-{used[base]}")
        topics = [t for t, share in TOPICS if rng.random() < share]
        topics.append(f"lang-{language(rng)}")
        properties: dict[str, tuple[str, ...]] = {
            "business-unit": (rng.choice(BUSINESS_UNITS),),
            "data-classification": (data_class(rng),),
            "team": (rng.choice(TEAMS),),
            "tier": (tier(rng),),
        }
        if rng.random() < 0.6:
            properties["regions"] = tuple(sorted(rng.sample(REGIONS, rng.randint(1, 3))))
        archived = rng.random() < 0.02 or (name.startswith(f"{ORG}/legacy") and rng.random() < 0.3)
        repos.append(
            Repository(
                full_name=name,
                id=100_000 + i,
                archived=archived,
                visibility=visibility(rng),
                topics=tuple(sorted(topics)),
                properties=tuple(sorted(properties.items())),
            )
        )
    repos.sort(key=lambda r: r.full_name)
    return repos


def _advisories(rng: random.Random) -> dict[str, list[tuple[Any, ...]]]:
    """Per ecosystem: (package, GHSA id, summary, severity, CWEs, patched) advisories."""
    alphabet = "23456789cfghjmpqrvwx"
    found: dict[str, list[Any]] = {}
    for ecosystem, packages in PACKAGES.items():
        entries = []
        for package in packages:
            for _ in range(rng.randint(1, 4)):
                ghsa = "GHSA-" + "-".join(
                    "".join(rng.choice(alphabet) for _ in range(4)) for _ in range(3)
                )
                title, cwes, severity = rng.choice(WEAKNESSES)
                if rng.random() < 0.25:  # the advisory's own rating differs from the usual
                    severity = rng.choice(["critical", "high", "medium", "low"])
                patched = rng.random() < 0.85
                entries.append((package, ghsa, title.format(p=package), severity, cwes, patched))
        found[ecosystem] = entries
    return found


def generate_alerts(repos: Sequence[Any], total: int, rng: random.Random) -> list[Any]:
    from campaign_sync.model import Alert

    intern = sys.intern
    days = [(NOW.date() - timedelta(days=d)).isoformat() for d in range(730, 0, -1)]
    advisories = _advisories(rng)
    # Heavy-tailed alerts per repository (a few monorepos hold thousands); 10% have none.
    weights = [0.0 if rng.random() < 0.10 else rng.paretovariate(1.3) for _ in repos]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(len(repos)), k=len(repos)):
        if sum(counts) >= total:
            break
        if weights[i]:
            counts[i] += 1
    overflow = sum(counts) - total
    for i in sorted(range(len(counts)), key=lambda j: -counts[j])[: max(overflow, 0)]:
        counts[i] -= 1

    alert_type = Picker(["code-scanning", "dependabot", "secret-scanning"], [60, 25, 15])
    tool = _weighted(TOOLS)
    secret = _weighted(SECRET_TYPES)
    validity, resolution = _weighted(VALIDITY), _weighted(RESOLUTIONS)
    dismissed, dependabot_dismissed = _weighted(DISMISSED), _weighted(DEPENDABOT_DISMISSED)
    rules = {lang: _weighted(entries + ACTIONS_RULES) for lang, entries in CODEQL.items()}
    semgrep, trivy = _weighted(SEMGREP), _weighted(TRIVY)
    ecosystem_of = {code: eco for code, _, eco in LANGUAGES}
    paths = {lang: [intern(f"{d}/{f}") for d in DIRS[lang] for f in FILES[lang]] for lang in DIRS}
    test_paths = {
        lang: [intern(f"{d}/{f}") for d in TEST_DIRS[lang] for f in TEST_FILES[lang]]
        for lang in TEST_DIRS
    }
    alerts: list[Any] = []
    for repo, count in zip(repos, counts, strict=True):
        name = repo.full_name
        lang = next(t[5:] for t in repo.topics if t.startswith("lang-"))
        numbers = {"code-scanning": 0, "dependabot": 0, "secret-scanning": 0}
        own_ecosystem = ecosystem_of[lang]
        for _ in range(count):
            kind = alert_type(rng)
            numbers[kind] += 1
            number = numbers[kind]
            created = _stamp(days, rng, 0, 700)
            updated = _stamp(days, rng, 700)
            fixed_at = dismissed_at = reason = None
            state: Any
            url = f"https://github.com/{name}/security/{kind}/{number}"
            if kind == "code-scanning":
                used_tool = tool(rng)
                if used_tool == "CodeQL":
                    rule_id, severity, cwes = rules[lang](rng)
                    if rule_id.startswith("actions/"):
                        path = rng.choice(WORKFLOWS)
                    elif rng.random() < 0.15:
                        path = rng.choice(test_paths[lang])
                    else:
                        path = rng.choice(paths[lang])
                elif used_tool == "Semgrep OSS":
                    rule_id, severity, cwes = semgrep(rng)
                    path = rng.choice(test_paths[lang] if rng.random() < 0.15 else paths[lang])
                else:
                    rule_id, severity, cwes = trivy(rng)
                    path = rng.choice(TRIVY_PATHS)
                roll = rng.random()
                state = "open" if roll < 0.80 else "fixed" if roll < 0.92 else "dismissed"
                if state == "fixed":
                    fixed_at = updated
                elif state == "dismissed":
                    dismissed_at, reason = updated, dismissed(rng)
                alerts.append(
                    Alert(
                        id=f"code-scanning:{name}:{number}",
                        type="code-scanning",
                        repository=name,
                        repository_id=repo.id,
                        number=number,
                        state=state,
                        state_reason=reason,
                        rule_id=rule_id,
                        rule_name=rule_id,
                        tool=used_tool,
                        severity=severity,
                        cwes=cwes,
                        path=path,
                        start_line=rng.randint(1, 2000),
                        created_at=created,
                        updated_at=updated,
                        fixed_at=fixed_at,
                        dismissed_at=dismissed_at,
                        html_url=url,
                        message=f"This query depends on a user-provided value ({number}).",
                    )
                )
            elif kind == "dependabot":
                ecosystem = (
                    own_ecosystem
                    if rng.random() < 0.8
                    else "actions"
                    if rng.random() < 0.5
                    else rng.choice(("npm", "pip"))
                )
                package, ghsa, summary, severity, cwes, patched = rng.choice(advisories[ecosystem])
                manifest = rng.choice(MANIFESTS[ecosystem])
                roll = rng.random()
                state = "open" if roll < 0.75 else "fixed" if roll < 0.93 else "dismissed"
                if state == "fixed":
                    fixed_at = updated
                elif state == "dismissed":
                    dismissed_at = updated
                    reason = "auto_dismissed" if roll > 0.98 else dependabot_dismissed(rng)
                alerts.append(
                    Alert(
                        id=f"dependabot:{name}:{number}",
                        type="dependabot",
                        repository=name,
                        repository_id=repo.id,
                        number=number,
                        state=state,
                        state_reason=reason,
                        rule_id=ghsa,
                        rule_name=summary,
                        tool="Dependabot",
                        severity=severity,
                        cwes=cwes,
                        path=manifest,
                        package=package,
                        ecosystem=ecosystem,
                        manifest=manifest,
                        fix_available=patched,
                        created_at=created,
                        updated_at=updated,
                        fixed_at=fixed_at,
                        dismissed_at=dismissed_at,
                        html_url=url,
                        message=summary,
                    )
                )
            else:
                slug, display = secret(rng)
                state = "open" if rng.random() < 0.80 else "resolved"
                if state == "resolved":
                    reason = resolution(rng)
                    if reason == "revoked":
                        fixed_at = updated
                    else:
                        dismissed_at = updated
                alerts.append(
                    Alert(
                        id=f"secret-scanning:{name}:{number}",
                        type="secret-scanning",
                        repository=name,
                        repository_id=repo.id,
                        number=number,
                        state=state,
                        state_reason=reason,
                        rule_id=slug,
                        rule_name=display,
                        tool="secret-scanning",
                        path=rng.choice(SECRET_PATHS),
                        start_line=rng.randint(1, 300),
                        secret_type=slug,
                        secret_validity=validity(rng),
                        created_at=created,
                        updated_at=updated,
                        fixed_at=fixed_at,
                        dismissed_at=dismissed_at,
                        html_url=url,
                    )
                )
    alerts.sort(key=lambda a: a.id)  # the source contract: sorted by id
    return alerts


# Campaign archetypes: (id, name, select). Instances past the first round get a scope.
_CODE_TOP = ["critical", "high"]
ARCHETYPES: list[tuple[str, str, dict[str, Any]]] = [
    ("sql-injection", "SQL injection burn-down",
     {"alerts": ["code-scanning"], "cwe": [89, 564]}),
    ("xss", "Cross-site scripting", {"alerts": ["code-scanning"], "cwe": [79, 80, 116]}),
    ("path-traversal", "Path traversal", {"alerts": ["code-scanning"], "cwe": [22, 23, 36]}),
    ("command-injection", "Command injection",
     {"alerts": ["code-scanning"], "cwe": [77, 78, 88]}),
    ("ssrf", "Server-side request forgery", {"alerts": ["code-scanning"], "cwe": [918]}),
    ("deserialization", "Unsafe deserialization",
     {"alerts": ["code-scanning", "dependabot"], "cwe": [502]}),
    ("cwe-top-25", "CWE Top 25", {"alerts": ["code-scanning", "dependabot"],
     "cwe": [79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200,
             863, 918, 119, 476, 798, 190, 400, 306]}),
    ("critical-high-code", "Critical and high code scanning alerts",
     {"alerts": ["code-scanning"], "severity": _CODE_TOP}),
    ("critical-everything", "Every critical alert",
     {"alerts": ["code-scanning", "dependabot"], "severity": ["critical"]}),
    ("injection-rules", "Injection queries",
     {"alerts": ["code-scanning"], "rules": ["*/sql-injection", "*/*command*injection",
                                             "js/code-injection", "py/code-injection"]}),
    ("semgrep-findings", "Semgrep findings",
     {"alerts": ["code-scanning"], "tools": ["Semgrep OSS"], "severity": _CODE_TOP}),
    ("container-hardening", "Container and IaC hardening",
     {"alerts": ["code-scanning"], "tools": ["Trivy"]}),
    ("actions-workflows", "Workflow hardening",
     {"alerts": ["code-scanning"], "rules": ["actions/*"]}),
    ("leaked-secrets-valid", "Revoke leaked secrets that still work",
     {"alerts": ["secret-scanning"], "secret-validity": ["active"]}),
    ("cloud-keys", "Cloud provider keys",
     {"alerts": ["secret-scanning"], "secret-types": ["aws_access_key_id",
      "aws_secret_access_key", "azure_storage_account_key", "google_api_key"],
      "secret-validity": ["active", "unknown"]}),
    ("hardcoded-credentials", "Hard-coded credentials",
     {"alerts": ["code-scanning", "secret-scanning"], "cwe": [259, 321, 798],
      "secret-types": ["password", "private_key", "github_personal_access_token"]}),
    ("dependabot-critical-patched", "Critical dependencies with a fix",
     {"alerts": ["dependabot"], "severity": ["critical"], "fix-available": True}),
    ("dependabot-high-patched", "Critical and high dependencies with a fix",
     {"alerts": ["dependabot"], "severity": _CODE_TOP, "fix-available": True}),
    ("npm-upgrades", "npm upgrades",
     {"alerts": ["dependabot"], "ecosystems": ["npm"], "severity": ["critical", "high",
      "medium"]}),
    ("java-libraries", "log4j, Jackson and Spring",
     {"alerts": ["dependabot"], "packages": ["org.apache.logging.log4j:*",
      "com.fasterxml.jackson.core:*", "org.springframework:*"]}),
    ("python-web", "Django and Flask upgrades",
     {"alerts": ["dependabot"], "ecosystems": ["pip"], "packages": ["django", "flask",
      "werkzeug", "jinja2"]}),
    ("no-fix-yet", "Vulnerable dependencies without a patch",
     {"alerts": ["dependabot"], "fix-available": False, "severity": _CODE_TOP}),
    ("production-high", "Production services: high and critical",
     {"severity": _CODE_TOP, "repositories": {"topics": ["production"]}}),
    ("pci-scope", "PCI scope",
     {"severity": _CODE_TOP, "repositories": {"properties": {"data-classification":
      ["restricted"]}, "topics": ["pci", "production"]}}),
    ("payments-team", "Payments and billing",
     {"repositories": {"include": ["acme/payments-*", "acme/billing-*", "acme/checkout-*"]},
      "severity": ["critical", "high", "medium"]}),
    ("not-legacy", "Everything but legacy and sandboxes",
     {"alerts": ["code-scanning"], "severity": ["critical"],
      "repositories": {"exclude": ["acme/legacy-*", "acme/sandbox-*"]}}),
    ("src-only", "Source code, not tests",
     {"alerts": ["code-scanning"], "severity": _CODE_TOP,
      "paths": {"include": ["src/**", "app/**", "lib/**", "internal/**", "cmd/**"],
                "exclude": ["**/tests/**", "**/__tests__/**", "**/*_test.go"]}}),
    ("go-services", "Go services",
     {"alerts": ["code-scanning", "dependabot"], "rules": ["go/*"], "ecosystems": ["go"]}),
    ("tier-0-1", "Tier 0 and 1 services",
     {"repositories": {"properties": {"tier": ["tier-0", "tier-1"]}}}),
    ("eu-region", "Services deployed in the EU",
     {"alerts": ["code-scanning", "dependabot"], "severity": ["critical"],
      "repositories": {"properties": {"regions": ["eu"]}}}),
]  # fmt: skip
SCOPES: list[tuple[str, dict[str, Any]]] = [
    ("payments", {"repositories": {"properties": {"business-unit": ["payments"]}}}),
    ("web", {"repositories": {"include": ["acme/web-*", "acme/*-frontend*", "acme/*-ui*"]}}),
    ("customer-facing", {"repositories": {"topics": ["customer-facing"]}}),
    ("platform", {"repositories": {"properties": {"team": ["platform", "sre"]}}}),
    ("no-tests", {"paths": {"exclude": ["tests/**", "test/**", "**/__tests__/**", "spec/**",
                                        "**/*_test.go", "src/test/**", "**/fixtures/**"]}}),
    ("identity", {"repositories": {"include": ["acme/auth-*", "acme/identity-*"]}}),
    ("data", {"repositories": {"properties": {"business-unit": ["data"]},
                               "exclude": ["acme/sandbox-*"]}}),
]  # fmt: skip


def generate_campaigns(count: int, rng: random.Random) -> list[Any]:
    from campaign_sync.model import Campaign

    campaigns = []
    drafts = set(rng.sample(range(count), k=max(1, count // 10)))
    for i in range(count):
        cid, name, select = ARCHETYPES[i % len(ARCHETYPES)]
        select = json.loads(json.dumps(select))
        if i >= len(ARCHETYPES):  # a second campaign of the same kind, for another scope
            scope, extra = SCOPES[(i - len(ARCHETYPES)) % len(SCOPES)]
            cid, name = f"{cid}-{scope}", f"{name} ({scope})"
            for key, value in extra.items():
                select.setdefault(key, {}).update(value)
        select["membership"] = "rolling" if rng.random() < 0.35 else "snapshot"
        ends = NOW.date() + timedelta(days=rng.choice([-20, 45, 90, 120, 180, 365]))
        sla = rng.choice(
            [{"critical": 7, "high": 30}, {"critical": 14, "high": 45, "medium": 90, "low": 180},
             {"critical": 30, "high": 90}, {"high": 60}]
        )  # fmt: skip
        tracking: dict[str, Any] = {
            "labels": ["security", cid[:50]],
            "mention": [f"@{ORG}/{rng.choice(TEAMS)}"],
        }
        if rng.random() < 0.3:
            tracking["assignees"] = rng.sample(USERS, 2)
        if rng.random() < 0.2:
            tracking["public-details"] = True
        data = {
            "name": name,
            "description": (
                f"Fix every {name.lower()} alert before {ends.isoformat()}. The tracking issue"
                " lists the alerts of your repository; ask in the contact channel if a fix is"
                " unclear, and dismiss false positives with a comment."
            ),
            "managers": [rng.choice(USERS), f"@{ORG}/appsec"],
            "contact": f"https://github.com/orgs/{ORG}/discussions/{100 + i}",
            "starts": (NOW.date() - timedelta(days=rng.randint(0, 60))).isoformat(),
            "ends": ends.isoformat(),
            "state": "draft" if i in drafts else "active",
            "select": select,
            "sla": sla,
            "tracking": tracking,
        }
        if cid in ("sql-injection", "injection-rules"):
            data["github"] = {"autofix": True}
        if cid == "critical-high-code":  # too many alerts for GitHub: a note, no mirror
            data["github"] = {"native-campaign": True}
        if i >= len(ARCHETYPES) and select.get("rules") == ["actions/*"]:
            # Narrow enough for a native campaign (at most 1,000 alerts) at the full size.
            select["rules"] = ["actions/untrusted-checkout/*"]
            data["github"] = {"native-campaign": True, "autofix": True}
        campaigns.append(Campaign.from_data(cid, data, source=f"campaigns/{cid}.yml"))
    return campaigns


def generate(args: argparse.Namespace) -> Generated:
    from campaign_sync.sources.base import SourceResult

    rng = random.Random(args.seed)
    repos = generate_repositories(args.repos, rng)
    alerts = generate_alerts(repos, args.alerts, rng)
    campaigns = generate_campaigns(args.campaigns, rng)
    result = SourceResult(alerts=tuple(alerts), repositories=tuple(repos))
    return Generated(result, campaigns)


# --------------------------------------------------------------------------- the child


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _reset_peak() -> bool:
    """Reset the peak RSS to the current RSS (Linux >= 4.0): generation's garbage is not ours."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def _applied(plan: Any, numbers: Counter[str]) -> dict[str, Any]:
    """The ledgers a successful apply of ``plan`` writes (the draft ones left as they were):
    each CreateIssue (and CreateNativeCampaign) gets a fresh number; the rest the plan's
    own next ledgers already hold."""
    from campaign_sync.actions import CreateIssue
    from campaign_sync.model import CampaignLedger, TrackedIssue

    created: dict[str, list[Any]] = {}
    native: dict[str, dict[str, Any]] = {}
    has_organization = "native_organization" in {f.name for f in dataclasses.fields(CampaignLedger)}
    for action in plan.actions:
        if action.campaign not in plan.applies:
            continue
        if isinstance(action, CreateIssue):
            numbers[action.repository] += 1
            issue = TrackedIssue(action.repository, numbers[action.repository], "open",
                                 action.digest)  # fmt: skip
            created.setdefault(action.campaign, []).append(issue)
        elif action.kind == "create_native_campaign":
            numbers[f"native:{action.repository}"] += 1
            native[action.campaign] = {
                "native_campaign": numbers[f"native:{action.repository}"],
                "native_digest": action.fields.digest(),
            }
            if has_organization:
                native[action.campaign]["native_organization"] = action.repository
    ledgers = {}
    for ledger in plan.ledgers:
        if ledger.campaign in plan.applies:
            issues = {i.repository: i for i in ledger.issues}
            issues.update({i.repository: i for i in created.get(ledger.campaign, ())})
            ledger = dataclasses.replace(
                ledger,
                issues=tuple(issues[k] for k in sorted(issues)),
                **native.get(ledger.campaign, {}),
            )
        ledgers[ledger.campaign] = ledger
    return ledgers


def _plan_figures(plan: Any) -> dict[str, Any]:
    members: Counter[str] = Counter()
    for summary in plan.campaigns:
        members.update(summary.members)
    applied = [a for a in plan.actions if a.campaign in plan.applies]
    return {
        "actions": len(plan.actions),
        "actions_by_kind": plan.counts(),
        "actions_of_applied_campaigns": len(applied),
        "actions_of_drafts": len(plan.actions) - len(applied),
        "requests": plan.requests,
        "members": sum(members.values()),
        "members_by_state": dict(sorted(members.items())),
        "members_by_campaign": {s.campaign: sum(s.members.values()) for s in plan.campaigns},
        "issue_repositories": sum(s.repositories for s in plan.campaigns),
        "notes": len(getattr(plan, "notes", ())),
    }


def child(args: argparse.Namespace) -> dict[str, Any]:
    from campaign_sync.ledger import read_ledger, write_ledger
    from campaign_sync.match import AlertIndex, select
    from campaign_sync.plan import make_plan

    started = time.perf_counter()
    data = generate(args)
    result, campaigns = data.result, data.campaigns
    figures: dict[str, Any] = {"measurement": args.child}
    if args.child == "prepare":
        # The first run, then a successful apply: the ledgers the second run starts from.
        first = make_plan(campaigns, result, {}, now=NOW)
        reports = Path(args.ledgers)
        for ledger in _applied(first, Counter()).values():
            write_ledger(reports, ledger)
        figures["ledger_bytes"] = sum(p.stat().st_size for p in reports.rglob("*.*"))
        figures["seconds"] = round(time.perf_counter() - started, 1)
        return figures
    if args.child == "replan":
        gc.collect()
        rss_alerts = _rss_bytes()
        read_started = time.perf_counter()
        ledgers = {c.id: read_ledger(Path(args.ledgers), c.id) for c in campaigns}
        figures["ledger_read_seconds"] = round(time.perf_counter() - read_started, 3)
        gc.collect()
        figures["ledger_rss_bytes"] = _rss_bytes() - rss_alerts
        figures["ledger_members"] = sum(len(ledger.members) for ledger in ledgers.values())
    gc.collect()
    figures["setup_seconds"] = round(time.perf_counter() - started, 1)
    figures["generation_peak_bytes"] = _peak_bytes()
    figures["peak_reset"] = _reset_peak()
    rss_data = _rss_bytes()

    if args.child == "match":
        began, cpu_began = time.perf_counter(), time.process_time()
        index = AlertIndex.build(result.alerts)
        repositories = {r.full_name: r for r in result.repositories}
        selected = {
            c.id: len(select(c.select, index, repositories))
            for c in campaigns
            if c.state != "closed"
        }
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        figures["selected"] = sum(selected.values())
        figures["selected_by_campaign"] = selected
    else:
        later = NOW + timedelta(hours=1) if args.child == "replan" else NOW
        began, cpu_began = time.perf_counter(), time.process_time()
        plan = make_plan(campaigns, result, ledgers if args.child == "replan" else {}, now=later)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        figures.update(_plan_figures(plan))
    rss_after = _rss_bytes()
    peak = _peak_bytes()
    alerts = Counter(a.type for a in result.alerts)
    figures.update(
        seconds=wall,
        cpu_seconds=cpu,
        rss_data_bytes=rss_data,
        rss_after_bytes=rss_after,
        peak_bytes=peak,
        alerts=len(result.alerts),
        alerts_by_type=dict(sorted(alerts.items())),
        open_alerts=sum(1 for a in result.alerts if a.is_open),
        repositories=len(result.repositories),
        archived=sum(1 for r in result.repositories if r.archived),
        campaigns=len(campaigns),
        drafts=sum(1 for c in campaigns if c.state == "draft"),
        rolling=sum(1 for c in campaigns if c.select.membership == "rolling"),
    )
    return figures


# --------------------------------------------------------------------------- the parent


def _run_child(args: argparse.Namespace, measurement: str, ledgers: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        measurement,
        *("--repos", str(args.repos), "--alerts", str(args.alerts)),
        *("--campaigns", str(args.campaigns), "--seed", str(args.seed)),
        *("--ledgers", ledgers),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{measurement} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


LABELS = {
    "match": "a) index + match",
    "plan": "b) plan, 1st run",
    "replan": "c) plan, 2nd run",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--child", choices=(*MEASUREMENTS, "prepare"), help=argparse.SUPPRESS)
    parser.add_argument("--ledgers", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0

    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in MEASUREMENTS}
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as ledgers:
        prepared = _run_child(args, "prepare", ledgers)
        print(
            f"ledgers of the first run, applied: {prepared['ledger_bytes'] / MIB:.0f} MiB, "
            f"written in {prepared['seconds']:.0f} s",
            file=sys.stderr,
        )
        for run in range(args.runs):
            for measurement in MEASUREMENTS:
                figures = _run_child(args, measurement, ledgers)
                runs[measurement].append(figures)
                print(
                    f"run {run + 1}/{args.runs} {measurement}: {figures['seconds']:.2f} s, "
                    f"peak {figures['peak_bytes'] / MIB:.0f} MiB "
                    f"(data {figures['rss_data_bytes'] / MIB:.0f} MiB), "
                    f"setup {figures['setup_seconds']:.0f} s",
                    file=sys.stderr,
                )

    first = runs["plan"][0]
    report: dict[str, Any] = {
        "repos": first["repositories"],
        "archived": first["archived"],
        "alerts": first["alerts"],
        "alerts_by_type": first["alerts_by_type"],
        "open_alerts": first["open_alerts"],
        "campaigns": first["campaigns"],
        "drafts": first["drafts"],
        "rolling": first["rolling"],
        "seed": args.seed,
        "runs": args.runs,
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_bytes": TARGET_RSS_BYTES},
    }
    print(
        f"\n{report['alerts']:,} alerts ({', '.join(f'{k} {v:,}' for k, v in report['alerts_by_type'].items())}; "  # noqa: E501
        f"{report['open_alerts']:,} open) in {report['repos']:,} repositories "
        f"({report['archived']} archived); {report['campaigns']} campaigns "
        f"({report['drafts']} drafts, {report['rolling']} rolling); seed {args.seed}, "
        f"{args.runs} runs\n"
    )
    print(
        f"{'':18}{'median s':>9}{'min s':>8}{'max s':>8}{'cpu s':>7}"
        f"{'peak MiB':>10}{'data MiB':>10}"
        f"{'after MiB':>11}{'peak-data':>11}{'after-data':>12}"
    )
    checks: dict[str, bool] = {}
    for measurement, results in runs.items():
        seconds = [r["seconds"] for r in results]
        peak = max(r["peak_bytes"] for r in results)
        data = statistics.median(r["rss_data_bytes"] for r in results)
        after = statistics.median(r["rss_after_bytes"] for r in results)
        median = statistics.median(seconds)
        entry = {
            "median_seconds": round(median, 3),
            "min_seconds": round(min(seconds), 3),
            "max_seconds": round(max(seconds), 3),
            # CPU time of the work: what the machine's other load does not change.
            "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in results), 3),
            "peak_rss_mib": round(peak / MIB, 1),
            "rss_data_mib": round(data / MIB, 1),
            "rss_after_mib": round(after / MIB, 1),
            "peak_over_data_mib": round((peak - data) / MIB, 1),
            "after_over_data_mib": round((after - data) / MIB, 1),
            "generation_peak_rss_mib": round(
                max(r["generation_peak_bytes"] for r in results) / MIB, 1
            ),
            "peak_counted_from_after_generation": all(r["peak_reset"] for r in results),
        }
        for key in (
            "selected", "members", "members_by_state", "actions", "actions_by_kind",
            "actions_of_applied_campaigns", "actions_of_drafts", "requests",
            "issue_repositories", "notes", "ledger_read_seconds", "ledger_members",
        ):  # fmt: skip
            if key in results[0]:
                entry[key] = results[0][key]
        if measurement == "replan":
            entry["ledger_bytes"] = prepared["ledger_bytes"]
            entry["ledger_rss_mib"] = round(
                statistics.median(r["ledger_rss_bytes"] for r in results) / MIB, 1
            )
        report[measurement] = entry
        checks[f"{measurement}_under_{TARGET_SECONDS:g}_s"] = median < TARGET_SECONDS
        checks[f"{measurement}_under_1.5_GB"] = peak < TARGET_RSS_BYTES
        print(
            f"{LABELS[measurement]:18}{median:>9.2f}{min(seconds):>8.2f}{max(seconds):>8.2f}"
            f"{entry['median_cpu_seconds']:>7.2f}"
            f"{peak / MIB:>10.0f}{data / MIB:>10.0f}{after / MIB:>11.0f}"
            f"{(peak - data) / MIB:>11.0f}{(after - data) / MIB:>12.0f}"
        )
    report["selected_by_campaign"] = runs["match"][0]["selected_by_campaign"]
    report["members_by_campaign"] = first["members_by_campaign"]

    match, plan, replan = report["match"], report["plan"], report["replan"]
    second_clean = replan["actions_of_applied_campaigns"] == 0
    checks["second_plan_empty_for_applied_campaigns"] = second_clean
    print(
        f"\nmatching selects {match['selected']:,} alerts over {report['campaigns']} campaigns; "
        f"the first plan: {plan['members']:,} members "
        f"({', '.join(f'{k} {v:,}' for k, v in plan['members_by_state'].items())}), "
        f"{plan['actions']:,} actions "
        f"({', '.join(f'{k} {v:,}' for k, v in plan['actions_by_kind'].items())}; "
        f"{plan['actions_of_drafts']:,} of them in drafts), {plan['requests']:,} requests"
    )
    print(
        f"the second plan: {replan['actions']:,} actions, "
        f"{replan['actions_of_applied_campaigns']} of them in applied campaigns "
        f"({replan['actions_of_drafts']:,} in drafts, which are never applied so plan again); "
        f"its ledgers: {replan['ledger_members']:,} members, "
        f"{replan['ledger_bytes'] / MIB:.0f} MiB on disk, {replan['ledger_rss_mib']:.0f} MiB "
        f"in memory (part of its data), read in {replan['ledger_read_seconds']:.2f} s "
        "(not in the timing)"
    )
    failed = [name for name, ok in checks.items() if not ok]
    print(
        f"targets: under {TARGET_SECONDS:g} s and 1.5 GB (1.5e9 bytes, data included): "
        + ("all met" if not failed else "NOT met: " + ", ".join(failed))
    )
    if not all(r["peak_reset"] for rs in runs.values() for r in rs):
        print("note: peak RSS could not be reset after generation: it includes generation")
    report["checks"] = checks
    if args.json:
        print(json.dumps(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
