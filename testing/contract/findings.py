"""What the judge reports and what it judges: plain values, cheap to import (the pytest
controller process needs them without loading openapi-core)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a pair is off the description."""

    operation: str  # "POST /repos/{owner}/{repo}/issues", or the method and the raw path
    side: str  # "request" | "response"
    status: int | None
    field: str  # "$.items[3].state", "query.per_page", "status", "path"
    message: str
    url: str = ""  # the request as sent, for context

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None and self.side == "response" else ""
        where = f" ({self.url})" if self.url else ""
        return f"{self.operation}: {self.side}{status}: {self.field}: {self.message}{where}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "side": self.side,
            "status": self.status,
            "field": self.field,
            "message": self.message,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Exchange:
    """What the judge needs of a pair: plain values, so tests can build one by hand."""

    method: str
    path: str  # decoded, without the query
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    status: int = 200
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""

    @property
    def url(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}{'?' + query if query else ''}"

    def response_header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)
