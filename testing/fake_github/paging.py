"""Page-number pagination with GitHub's ``Link`` header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .http_util import fail, link_header
from .routing import Ctx

T = TypeVar("T")
MAX_PER_PAGE = 100


def per_page(ctx: Ctx, default: int = 30) -> int:
    raw = ctx.req.arg("per_page")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return max(1, min(MAX_PER_PAGE, value))


def page_number(ctx: Ctx) -> int:
    raw = ctx.req.arg("page")
    if raw is None or raw == "":
        return 1
    try:
        return max(1, int(raw))
    except ValueError:
        raise fail(400, "Invalid page number", ctx.route.doc) from None


def page_links(ctx: Ctx, page: int, size: int, total: int) -> str | None:
    last = max(1, -(-total // size))
    rels: list[tuple[str, dict[str, str]]] = []
    if page > 1:
        rels.append(("prev", {"page": str(min(page - 1, last)), "per_page": str(size)}))
    if page < last:
        rels.append(("next", {"page": str(page + 1), "per_page": str(size)}))
        rels.append(("last", {"page": str(last), "per_page": str(size)}))
    if page > 1:
        rels.append(("first", {"page": "1", "per_page": str(size)}))
    if not rels:
        return None
    return link_header(ctx.base_url, ctx.req.path, ctx.req.query, rels)


def paginate(ctx: Ctx, items: Sequence[T], default: int = 30) -> list[T]:
    """The requested page of ``items``; adds the Link header to the context."""
    size = per_page(ctx, default)
    page = page_number(ctx)
    start = (page - 1) * size
    link = page_links(ctx, page, size, len(items))
    if link:
        ctx.headers.append(("link", link))
    return list(items[start : start + size])
