"""Reading JSON of any size as a stream of values: gh's merged arrays, pages back to
back, `--jq '.[]'` lines, and GitHub's error bodies told apart from data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

_CHUNK = 1 << 16


_WHITESPACE = re.compile(r"[ \t\n\r]*")


# A decode error this close to the end of the buffer may only mean the value continues in
# the next chunk (a number, literal or escape cut in half), so read more and try again.
_TAIL = 16


# The keys of GitHub's error body, e.g. {"message": "Not Found", "documentation_url": ...}.
_ERROR_BODY_KEYS = frozenset({"message", "documentation_url", "status", "errors"})


class _Malformed(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _JsonStream:
    """Reads a stream of JSON values, descending into arrays, one item at a time.

    Top-level values may follow each other (``[...][...]``, or one object per line), and
    arrays at any depth are flattened, so ``--slurp``'s array of pages yields the alerts.
    Only the item being decoded (plus one chunk) is held in memory.
    """

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._chunk = _CHUNK
        # Positions in errors are absolute though the buffer is not: the line and column
        # (1-based) of the buffer's start, and of the last position asked for, from which
        # the next one is counted (counting from the start each time would be quadratic).
        self._start = (1, 1)
        self._mark = (0, 1, 1)

    def _fill(self) -> bool:
        """Read more, dropping what was consumed; False (and nothing changed) at end of file."""
        if self._eof:
            return False
        # Read at least as much as is buffered, so one large item costs linear time.
        data = self._handle.read(max(self._chunk, len(self._buf) - self._pos))
        if not data:
            self._eof = True
            return False
        if self._pos:
            self._start = self.location(self._pos)
            self._mark = (0, *self._start)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += data
        return True

    def location(self, pos: int) -> tuple[int, int]:
        """1-based line and column of a position in the buffer."""
        mark, line, column = self._mark
        if pos < mark:
            mark, (line, column) = 0, self._start
        newlines = self._buf.count("\n", mark, pos)
        if newlines:
            line += newlines
            column = pos - self._buf.rfind("\n", mark, pos)
        else:
            column += pos - mark
        self._mark = (pos, line, column)
        return line, column

    def _malformed(self, message: str, pos: int | None = None) -> _Malformed:
        line, column = self.location(self._pos if pos is None else pos)
        return _Malformed(message, line, column)

    def _peek(self) -> str | None:
        """The next character that is not whitespace, or None at end of file."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return None

    def _decode(self) -> tuple[Any, int, int]:
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as error:
                malformed = self._malformed(error.msg, error.pos)
                incomplete = error.pos >= len(self._buf) - _TAIL or error.msg.startswith(
                    "Unterminated string"
                )
                if incomplete and self._fill():
                    continue
                raise malformed from None
            except RecursionError:
                raise self._malformed("JSON nested too deeply") from None
            except ValueError as error:  # e.g. an integer of more than 4300 digits
                raise self._malformed(str(error)) from None
            if end >= len(self._buf) and self._fill():
                continue  # a number or literal at the end of the buffer may go on
            line, column = self.location(self._pos)
            self._pos = end
            return value, line, column

    def items(self) -> Iterator[tuple[Any, int, int]]:
        """Each value that is not an array, with its line and column."""
        depth = 0
        expect_value = True  # False: inside an array, after an item (',' or ']' next)
        while True:
            char = self._peek()
            if char is None:
                if depth:
                    raise self._malformed("unexpected end of file inside an array")
                return
            if depth and not expect_value:
                self._pos += 1
                if char == ",":
                    expect_value = True
                    if self._peek() == "]":
                        raise self._malformed("Expecting value")
                elif char == "]":
                    depth -= 1
                else:
                    raise self._malformed("Expecting ',' delimiter", self._pos - 1)
            elif char == "[":
                self._pos += 1
                if self._peek() == "]":
                    self._pos += 1
                    expect_value = False
                else:
                    depth += 1
                    expect_value = True
            elif char == "]":
                raise self._malformed("unexpected ']'")
            else:
                yield self._decode()
                expect_value = False
