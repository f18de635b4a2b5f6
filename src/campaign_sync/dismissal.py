"""Who closed an alert without a fix, why, and what they wrote: the rules that keep it. Pure.

GitHub records a dismissal (code scanning, Dependabot) or a resolution (secret scanning)
with a reason, a comment and the user who made it. The ledger keeps the three on the
member's line, because they are what an auditor asks next about a dismissed alert.

- **The comment** is text a person typed: untrusted. It is kept as written, cut to
  ``MAX_COMMENT`` characters (GitHub's own limit for code scanning and Dependabot
  dismissal comments; secret scanning sets none, so one rule for all three): a longer one
  keeps its first ``MAX_COMMENT - 1`` characters and ends with ``…``. Blank is none.
  Wherever it is shown it is escaped (``untrusted/terminal.py`` on a terminal, JSON's own
  escapes in JSON); in the ledger its tabs, line breaks and other control characters are
  written as backslash escapes (``ledger.py``), so it stays on its one line.
- **Who** is a GitHub login (letters, digits, ``-`` and ``_``, up to 100, and ``[bot]``
  for an App). Anything else is no login, and is left out rather than shown.
- **The reason** is one of GitHub's values (``won't fix``, ``tolerable_risk``,
  ``revoked``...): kept when it has that shape (up to 40 letters, digits, spaces, ``'``,
  ``_``, ``.`` or ``-``), left out otherwise.
"""

from __future__ import annotations

import re
from typing import Any

MAX_COMMENT = 280
_ELLIPSIS = "…"
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,99})(?:\[bot\])?")
_REASON = re.compile(r"[A-Za-z0-9 '_.-]{1,40}")


def comment(value: Any) -> str | None:
    """A dismissal comment as the ledger keeps it: at most ``MAX_COMMENT`` characters."""
    if not isinstance(value, str) or not value.strip():
        return None
    if len(value) > MAX_COMMENT:
        return value[: MAX_COMMENT - 1] + _ELLIPSIS
    return value


def login(value: Any) -> str | None:
    """The login of a user object GitHub sent (``{"login": ...}``) or of a plain string."""
    if isinstance(value, dict):
        value = value.get("login")
    return value if isinstance(value, str) and _LOGIN.fullmatch(value) else None


def reason(value: Any) -> str | None:
    return value if isinstance(value, str) and _REASON.fullmatch(value) else None
