"""`campaign-sync templates`: list the built-in templates."""

from __future__ import annotations

import json
from typing import TextIO

from campaign_sync.config.templates import builtin_templates


def list_templates(*, output_format: str, out: TextIO) -> int:
    templates = builtin_templates()
    if output_format == "json":
        rows = [
            {"name": t.name, "description": t.summary, "campaign_name": t.title, **t.fragment}
            for t in templates.values()
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return 0
    width = max(len(name) for name in templates)
    for template in templates.values():
        out.write(f"{template.name:<{width}}  {template.summary}\n")
    return 0
