"""Built-in campaign templates: documented starting points a campaign file can name.

A template supplies defaults for ``select``, ``sla``, ``tracking`` and ``github``; a campaign
that names it (``select.template``) overrides any of them key by key. Mappings merge, lists
and scalars replace, so ``severity: [critical]`` in the campaign replaces the template's list.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from campaign_sync.config.yaml_loader import decode_text, load_yaml

# The parts of a campaign a template may supply.
TEMPLATE_SECTIONS = ("select", "sla", "tracking", "github")


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    summary: str
    # A suggested name and description for `campaign-sync new`; not merged into campaigns.
    title: str
    description: str
    fragment: Mapping[str, Any]


@functools.cache
def builtin_templates() -> dict[str, Template]:
    """Every built-in template by name, sorted by name."""
    folder = resources.files("campaign_sync") / "templates"
    templates: dict[str, Template] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yml"):
            continue
        name = entry.name.removesuffix(".yml")
        doc = load_yaml(decode_text(entry.read_bytes(), entry.name), entry.name)
        data = doc.data
        templates[name] = Template(
            name=name,
            summary=data["summary"],
            title=data["name"],
            description=data["description"],
            fragment={k: data[k] for k in TEMPLATE_SECTIONS if k in data},
        )
    return templates


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` over ``base``: mappings merge, everything else replaces."""
    result = dict(base)
    for key, value in override.items():
        current = result.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            result[key] = merge(current, value)
        else:
            result[key] = value
    return result


def apply_template(data: Mapping[str, Any], template: Template) -> dict[str, Any]:
    """The campaign's data with the template's sections underneath it."""
    return merge(template.fragment, data)
