"""GitHub Actions workflow commands (``::error file=...::message``).

Escaped as actions/toolkit does, so a message cannot end the command early.
"""

from __future__ import annotations


def escape_data(text: str) -> str:
    # packages/core/src/command.ts: escapeData
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    # packages/core/src/command.ts: escapeProperty
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    separator = " " if props else ""
    return f"::{command}{separator}{props}::{escape_data(message)}"
