"""`campaign-sync comment`: keep one sticky comment on a pull request up to date.

Made for the pull-request workflow: `plan --format markdown > plan.md`, then
`comment --pr N --body-file plan.md`. The first run creates the comment; every later run
edits the same comment in place (and makes no write when the text did not change).
"""

from __future__ import annotations

from typing import TextIO

from campaign_sync.github.pr_comment import DEFAULT_KEY, upsert_sticky_comment
from campaign_sync.github.transport import Transport
from campaign_sync.untrusted.terminal import printable

EXIT_OK = 0


def run_comment(
    transport: Transport,
    repository: str,
    number: int,
    text: str,
    *,
    out: TextIO,
    err: TextIO,
    key: str = DEFAULT_KEY,
    author: str | None = None,
) -> int:
    result = upsert_sticky_comment(transport, repository, number, text, key=key, author=author)
    where = printable(result.html_url) or f"comment {result.comment_id}"
    out.write(f"{result.outcome} the {key} comment on {repository}#{number}: {where}\n")
    if result.truncated:
        err.write(
            f"warning: the text is longer than a comment may be; the comment shows the "
            f"first part and says so ({repository}#{number})\n"
        )
    return EXIT_OK
