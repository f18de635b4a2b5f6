"""`campaign-sync new ID`: write a commented, valid campaign file to start from."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from campaign_sync.config.checks import campaign_id_problem
from campaign_sync.config.templates import Template, builtin_templates
from campaign_sync.errors import ConfigError
from campaign_sync.files import write_atomically

DEFAULT_DURATION = timedelta(days=90)


def _flow(value: Any) -> str:
    """A YAML flow value; JSON is valid YAML and quotes whatever needs quoting."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return _scalar(value)
    return json.dumps(value)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# A URL without whitespace is a safe plain scalar: '#' only starts a comment after a space.
_PLAIN_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s'\"]+\Z")
# Words YAML 1.1 readers (and so some editors and tools) take for booleans or null.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan"})


def _scalar(text: str) -> str:
    """Text as a YAML scalar: bare when unambiguous, otherwise double-quoted.

    JSON strings are valid YAML double-quoted scalars; ensure_ascii=False keeps non-ASCII
    text as it is (libyaml rejects JSON's surrogate-pair escapes).
    """
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    if _PLAIN_URL.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str = "  ") -> str:
    return "\n".join(f"{indent}{line}" if line else "" for line in text.rstrip().splitlines())


def _commented(section: Mapping[str, Any], indent: str) -> list[str]:
    return [f"{indent}# {key}: {_flow(value)}" for key, value in section.items()]


def render_campaign(
    campaign_id: str,
    *,
    template: Template | None,
    managers: Sequence[str],
    contact: str,
    ends: date,
    name: str | None = None,
) -> str:
    """The text of a new campaign file. Pure, so tests can validate exactly what is written."""
    title = name or (template.title if template else campaign_id.replace("-", " ").capitalize())
    description = (
        template.description
        if template
        else "Describe the goal in a sentence or two: which alerts, why now, what done means."
    )
    fragment = template.fragment if template else {}
    lines = ["# yaml-language-server: $schema=../schemas/campaign.schema.json"]
    if template:
        lines += [
            f"# Campaign {campaign_id!r}, started from the built-in template {template.name!r}:",
            f"#   {template.summary}",
            "# The template supplies the values shown in comments below; any key set in this",
            "# file overrides the template's. Check the file with `campaign-sync validate`.",
        ]
    else:
        lines += [f"# Campaign {campaign_id!r}. Check it with `campaign-sync validate`."]
    lines += [
        "",
        f"name: {_scalar(title)}",
        "description: |",
        _block(description),
        "# Who runs the campaign: GitHub users, or teams as '@org/team-slug'.",
        "managers:",
        *(f"  - {_flow(m)}" for m in managers),
        "# The named point of contact for developers' questions and reviews.",
        f"contact: {_scalar(contact)}",
        "# The due date (YYYY-MM-DD).",
        f"ends: {ends.isoformat()}",
        "# draft: planned, never applied; active: reconciled on every run; closed: wound down.",
        "state: draft",
        "select:",
    ]
    if template:
        lines += [f"  template: {template.name}", "  # From the template:"]
        lines += _commented(fragment.get("select", {}), "  ")
    else:
        lines += [
            "  alerts: [code-scanning]",
            "  severity: [critical, high]",
            "  # cwe: [89]",
            "  # rules: [py/sql-injection]",
        ]
    lines += [
        "  # Narrow it to some repositories or paths, for example:",
        '  # repositories: {include: ["my-org/*"], exclude: ["my-org/sandbox-*"]}',
        '  # paths: {exclude: ["**/test/**"]}',
        "  # snapshot: members fixed when the campaign becomes active; rolling: new matches join.",
        "  membership: snapshot",
        "# Days to fix an alert, by severity, from when it joined the campaign.",
    ]
    if "sla" in fragment:
        lines += ["# From the template:", *_commented({"sla": fragment["sla"]}, "")]
    else:
        lines += ["sla: {critical: 7, high: 30}"]
    lines += ["tracking:", "  issues: per-repository"]
    lines += _commented(fragment.get("tracking", {}), "  ")
    lines += [
        "  # mention: ['@my-org/team']",
        "github:",
        "  # Mirror into a native GitHub security campaign (code scanning alerts only).",
        "  native-campaign: false",
        "  # Ask Copilot Autofix for a fix for each open code scanning alert.",
        "  autofix: false",
        "",
    ]
    return "\n".join(lines)


def new_campaign(
    campaign_id: str,
    *,
    template_name: str | None,
    folder: Path,
    managers: Sequence[str],
    contact: str,
    ends: date | None,
    today: date,
    name: str | None,
    force: bool,
    out: TextIO,
) -> int:
    problem = campaign_id_problem(campaign_id)
    if problem is not None:
        raise ConfigError(problem)
    template = None
    if template_name is not None:
        templates = builtin_templates()
        if template_name not in templates:
            raise ConfigError(
                f"unknown template {template_name!r}; `campaign-sync templates` lists them"
            )
        template = templates[template_name]
    path = folder / f"{campaign_id}.yml"
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    text = render_campaign(
        campaign_id,
        template=template,
        managers=managers,
        contact=contact,
        ends=ends or today + DEFAULT_DURATION,
        name=name,
    )
    # Through the one checked writer: a committed link at campaigns/ID.yml is not followed.
    write_atomically(path, text.encode("utf-8"), root=folder)
    out.write(f"wrote {path}; edit it, then run `campaign-sync validate {path}`\n")
    return 0
