"""Code scanning rules: real CodeQL query ids with their CWE tags and security severities,
plus Semgrep rules and Trivy checks (whose tags do not follow CodeQL's conventions).

The data lives in ``catalog_data.json`` (sections ``codeql``, ``semgrep``, ``trivy``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .model import Rule, Tool

CODEQL = Tool(name="CodeQL", version="2.20.1")
SEMGREP = Tool(name="Semgrep OSS", version="1.102.0")
TRIVY = Tool(name="Trivy", version="0.58.1")
_QUALITY_TAGS = ("maintainability", "useless-code")
_DATA = Path(__file__).with_name("catalog_data.json")


@cache
def catalog_data() -> dict[str, Any]:
    """The static catalog (rules, known advisories, CWE names)."""
    loaded: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return loaded


def _full(description: str) -> str:
    return f"{description}. Flagged code may be exploitable or lead to incorrect behaviour."


def _codeql(entry: dict[str, Any]) -> Rule:
    rid: str = entry["id"]
    language = rid.split("/", 1)[0]
    level = entry["level"]
    if level is None:
        tags: tuple[str, ...] = _QUALITY_TAGS
    else:
        tags = ("security", *(f"external/cwe/cwe-{c:03d}" for c in entry["cwes"]))
    slug = rid.replace("/", "-")
    help_uri = f"https://codeql.github.com/codeql-query-help/{language}/{slug}/"
    desc = entry["description"]
    return Rule(
        rid,
        CODEQL,
        language,
        entry["severity"],
        level,
        desc,
        _full(desc),
        tags,
        entry["message"],
        help_uri,
    )


def _semgrep(entry: dict[str, Any], cwe_names: dict[str, str]) -> Rule:
    cwe = entry["cwe"]
    level = entry["level"]
    tags = (
        f"CWE-{cwe}: {cwe_names.get(str(cwe), 'Weakness')}",
        "OWASP-A03:2021 - Injection",
        "security",
        level.upper(),
        "LOW CONFIDENCE",
    )
    desc = entry["description"]
    return Rule(
        entry["id"],
        SEMGREP,
        f"semgrep-{entry['language']}",
        entry["severity"],
        level,
        desc,
        _full(desc),
        tags,
        entry["message"],
        f"https://semgrep.dev/r/{entry['id']}",
    )


def _trivy(entry: dict[str, Any]) -> Rule:
    rid, level = entry["id"], entry["level"]
    category = "vulnerability" if rid.startswith("CVE-") else "misconfiguration"
    kind = "nvd" if category == "vulnerability" else "misconfig"
    severity = "error" if level in ("critical", "high") else "warning"
    title = entry["title"]
    return Rule(
        rid,
        TRIVY,
        f"trivy-{entry['paths']}",
        severity,
        level,
        title,
        _full(title),
        (category, "security", level.upper()),
        entry["message"],
        f"https://avd.aquasec.com/{kind}/{rid.lower()}",
    )


def build_rules() -> list[tuple[Rule, int]]:
    """Every rule with its relative frequency, in a fixed order."""
    data = catalog_data()
    names: dict[str, str] = data["rule_cwe_names"]
    rules = [(_codeql(e), int(e["weight"])) for e in data["codeql"]]
    rules += [(_semgrep(e, names), int(e["weight"])) for e in data["semgrep"]]
    rules += [(_trivy(e), int(e["weight"])) for e in data["trivy"]]
    return rules
