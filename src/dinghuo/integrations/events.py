"""Recording events (the outbox) and giving them their place in the feed.

Why positions are given after commit: ids come from a sequence when a row is inserted, so a
transaction that started first may commit last. A consumer that had read past its id would
never see it. Instead, `sequence_pending` (run under one lock, by the feed reader) numbers only
events it can see — committed ones — after every number already given. A position therefore
never appears behind a cursor a consumer already holds: the feed is in commit order, and a
crash can neither lose an event (it is in the same transaction as the change) nor invent one.
"""

from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.integrations.models import Event

_SEQUENCER_LOCK = 7_206_540_001  # pg advisory lock id for the sequencer
_BATCH = 5_000


def new(
    tenant_id: int, type: str, aggregate_type: str, aggregate_id: int, payload: dict[str, Any]
) -> Event:
    """An event not yet written: what changed (`type`), on which row, with what payload."""
    return Event(
        tenant_id=tenant_id,
        type=type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        payload=payload,
    )


def record(*events: Event) -> None:
    """Write events in the caller's transaction, all in one INSERT, stamped with the time of
    the change (`clock.now()`). The one way every service records what it changed."""
    if not events:
        return
    now = clock.now()
    insert_rows(
        Event,
        ["tenant_id", "type", "aggregate_type", "aggregate_id", "payload", "occurred_at"],
        [(e.tenant_id, e.type, e.aggregate_type, e.aggregate_id, e.payload, now) for e in events],
    )


def sequence_pending() -> int:
    """Give feed positions to committed events that have none; return how many were numbered."""
    numbered = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK])
            pending = list(
                Event.objects.filter(position__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)[:_BATCH]
            )
            if not pending:
                return numbered
            top = Event.objects.aggregate(top=Max("position"))["top"] or 0
            events = [Event(id=event_id, position=top + i) for i, event_id in enumerate(pending, 1)]
            Event.objects.bulk_update(events, ["position"], batch_size=1000)
            numbered += len(events)
            if len(pending) < _BATCH:
                return numbered
