"""The event feed: every business change, in commit order, resumable by cursor."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.integrations import cursors, queries

router = Router(tags=["events"])

FeedCursor = Annotated[str, StringConstraints(pattern=cursors.PATTERN, max_length=40)]


class EventOut(Schema):
    id: int
    cursor: str = Field(description="This event's place in the feed: pass as `after` to go on")
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
    after: FeedCursor | None = Field(
        None, description="`next_cursor` (or an event's `cursor`) from an earlier read"
    )
    limit: int = Field(100, ge=1, le=1000)
    type: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = Field(
        None, description="Only these event types"
    )


@router.get(
    "", response=EventPageOut, summary="Read the event feed", auth=staff_may("integrations.view")
)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """Events after the cursor, in commit order. Poll with the returned `next_cursor`."""
    after = cursors.read(filters.after)
    rows = queries.events_after(tenant_id(request), after, filters.limit, filters.type)
    items = [
        {
            "id": e.pk,
            "cursor": cursors.write(e.txid, e.pk),
            "type": e.type,
            "aggregate_type": e.aggregate_type,
            "aggregate_id": e.aggregate_id,
            "occurred_at": e.occurred_at,
            "data": e.payload,
        }
        for e in rows
    ]
    return {
        "items": items,
        "next_cursor": items[-1]["cursor"] if items else filters.after or cursors.START,
    }
