"""The marker protocol of a tracking issue's body: the tool's section and its event comments.

The tool owns one section of a tracking issue's body, between a versioned hidden marker
line and an end marker line::

    <!-- campaign-sync:v1 campaign=ID repository=OWNER/REPO -->
    ...
    <!-- campaign-sync:end -->

Only that section is ever rewritten; whatever a human wrote before or after it is kept
byte for byte. The markers are recognised only as whole lines. Every comment the tool
posts about an event ends with EVENT_MARKER. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_CAMPAIGN_ID = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"


_REPOSITORY = r"[A-Za-z0-9._-]{1,100}/[A-Za-z0-9._-]{1,100}"


START_LINE = re.compile(
    rf"<!-- campaign-sync:v1 campaign=(?P<campaign>{_CAMPAIGN_ID}) "
    rf"repository=(?P<repository>{_REPOSITORY}) -->"
)


END_MARKER = "<!-- campaign-sync:end -->"
# Every tracking issue carries this label, so issues can be found again by listing it.
TOOL_LABEL = "campaign-sync"


# The last line of every comment the tool posts about an event (closed, reopened, due date,
# campaign closed). "Posted already?" asks whether the newest of these is the one to post:
# so a second close after a reopen gets its own comment, and a run that died after
# commenting does not comment twice.
EVENT_MARKER = "<!-- campaign-sync:event -->"


_NEWLINE = re.compile(r"\r\n|\r|\n")


def start_marker(campaign_id: str, repository: str) -> str:
    """The hidden first line of the tool's section. ValueError if either cannot be one."""
    marker = f"<!-- campaign-sync:v1 campaign={campaign_id} repository={repository} -->"
    if not START_LINE.fullmatch(marker):
        raise ValueError(
            f"cannot mark a section for campaign {campaign_id!r} and repository "
            f"{repository!r}: expected a campaign id and an OWNER/REPO name"
        )
    return marker


def can_mark(campaign_id: str, repository: str) -> bool:
    """Whether ``start_marker`` can mark a section for this campaign and repository."""
    marker = f"<!-- campaign-sync:v1 campaign={campaign_id} repository={repository} -->"
    return START_LINE.fullmatch(marker) is not None


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line's content; any of \\r\\n, \\r, \\n ends a line."""
    pos = 0
    for match in _NEWLINE.finditer(text):
        yield pos, match.start()
        pos = match.end()
    yield pos, len(text)


def _sections(body: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, campaign, repository) of each complete tool section in ``body``.

    A section runs from a start marker line to the next end marker line. When start
    markers repeat before an end marker (a section a human cut short), the last one counts.
    """
    opened: tuple[int, str, str] | None = None
    for start, end in _lines(body):
        line = body[start:end]
        if line == END_MARKER:
            if opened is not None:
                yield opened[0], end, opened[1], opened[2]
                opened = None
            continue
        match = START_LINE.fullmatch(line)
        if match:
            opened = (start, match["campaign"], match["repository"])


def find_marker(body: str) -> tuple[str, str] | None:
    """(campaign id, repository) of the tool's section in ``body``, if it has one.

    Only whole marker lines count, and only a start marker that an end marker follows.
    """
    for _, _, campaign, repository in _sections(body):
        return campaign, repository
    return None


def find_markers(body: str) -> tuple[tuple[str, str], ...]:
    """(campaign id, repository) of every start marker line in ``body``, complete section
    or not: whoever reads an issue to decide whose it is reads them all, not the first."""
    found = []
    for start, end in _lines(body):
        match = START_LINE.fullmatch(body[start:end])
        if match:
            found.append((match["campaign"], match["repository"]))
    return tuple(found)


def extract_section(body: str, campaign_id: str, repository: str) -> str | None:
    """The tool's section for this campaign and repository in ``body``, markers included."""
    for start, end, campaign, repo in _sections(body):
        if (campaign, repo) == (campaign_id, repository):
            return body[start:end]
    return None


def merge_body(existing: str | None, section: str, previous_names: Sequence[str] = ()) -> str:
    """``existing`` with its tool section replaced by ``section``; the rest byte for byte.

    No existing body: the section alone. A body without a complete section for the same
    campaign and repository: the section on top, a blank line, then the body as it was.
    ``previous_names`` are names the repository had (renamed or transferred since): a
    section of the same campaign marked with one of them is the one replaced.
    """
    first = section.split("\n", 1)[0]
    match = START_LINE.fullmatch(first)
    if match is None or not section.endswith("\n" + END_MARKER):
        raise ValueError("not a campaign-sync section: it must start and end with its markers")
    if not existing:
        return section
    names = {match["repository"], *previous_names}
    for start, end, campaign, repository in _sections(existing):
        if campaign == match["campaign"] and repository in names:
            return existing[:start] + section + existing[end:]
    return section + "\n\n" + existing


def event_comment(text: str) -> str:
    return f"{text}\n\n{EVENT_MARKER}"


def is_latest_event(comments: Sequence[str], body: str) -> bool:
    """Whether ``body`` is the newest event comment of ``comments`` (oldest first): posted
    already, with no other event since. Line endings and outer blanks do not count."""
    for comment in reversed(comments):
        lines = _NEWLINE.split(comment.strip())
        if lines and lines[-1] == EVENT_MARKER:
            return _normalized(comment) == _normalized(body)
    return False


def _normalized(text: str) -> str:
    return _NEWLINE.sub("\n", text).strip()
