"""The event feed: every business change, in commit order, resumable by cursor."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from dinghuo.api.auth import tenant_id
from dinghuo.api.pagination import parse_cursor
from dinghuo.integrations import events, queries

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    position: int
    type: str
    aggregate_type: str
    aggregate_id: int
    occurred_at: datetime
    data: dict[str, Any]


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: str = Field(
        description="Pass as `after` to read on; unchanged when nothing is new"
    )


class EventFilters(Schema):
    after: str | None = None
    limit: int = Field(100, ge=1, le=1000)
    type: list[str] | None = Field(None, description="Only these event types")


@router.get("", response=EventPageOut, summary="Read the event feed")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """Events after the cursor, oldest first. Poll with the returned `next_cursor`."""
    after = parse_cursor(filters.after)
    events.sequence_pending()
    rows = queries.events_after(tenant_id(request), after, filters.limit, filters.type)
    return {
        "items": [
            {
                "id": e.pk,
                "position": e.position,
                "type": e.type,
                "aggregate_type": e.aggregate_type,
                "aggregate_id": e.aggregate_id,
                "occurred_at": e.occurred_at,
                "data": e.payload,
            }
            for e in rows
        ],
        "next_cursor": str(rows[-1].position if rows else after),
    }
