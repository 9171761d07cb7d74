"""Cursor pagination over ascending ids: stable under inserts, cheap at any depth."""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from dinghuo.api.schemas import CURSOR_PATTERN, PageFilters
from dinghuo.core.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=Model)
_CURSOR = re.compile(CURSOR_PATTERN)


def parse_cursor(cursor: str | None) -> int:
    """The id after which the next page starts; 0 for the first page."""
    if not cursor:
        return 0
    # ASCII digits only: str.isdigit() would take "²", which int() then refuses.
    if _CURSOR.fullmatch(cursor) is None:
        raise ValidationFailed(
            "Not a cursor this API gave out.",
            code="invalid_cursor",
            errors=[FieldError("after", "invalid_cursor", "Use next_cursor from a previous page")],
        )
    return int(cursor)


def page(
    queryset: QuerySet[M], after: str | None, limit: int, key: str = "id"
) -> tuple[list[M], str | None]:
    """One page of `queryset` ordered by `key`, and the next page's cursor (None at the end)."""
    start = parse_cursor(after)
    rows = list(queryset.filter(**{f"{key}__gt": start}).order_by(key)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = str(getattr(rows[-1], key)) if more and rows else None
    return rows, next_cursor


def page_body(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}


def paged(queryset: QuerySet[M], filters: PageFilters, item: Callable[[M], Any]) -> dict[str, Any]:
    """The body of a list answer: the page `filters` asks for, each row shaped by `item`."""
    rows, next_cursor = page(queryset, filters.after, filters.limit)
    return page_body([item(row) for row in rows], next_cursor)
