"""What the count services share: the locked count, its status checks and its events."""

from typing import Any

from django.db.models import QuerySet

from dinghuo.core import actors, clock
from dinghuo.core.errors import Conflict
from dinghuo.core.writes import locked_tenant_row
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.stocktaking import count_states
from dinghuo.stocktaking.models import StockCount


def locked_count(tenant_id: int, count_id: int) -> StockCount:
    """The tenant's count, locked for this transaction (404 for another tenant's)."""
    counts: QuerySet[StockCount] = StockCount.objects.select_related("warehouse")
    return locked_tenant_row(counts, tenant_id, count_id, "No such stock count.")


def refuse_status(count: StockCount, doing: str) -> Conflict:
    """409 `invalid_count_status`: the count's status does not allow `doing`."""
    return Conflict(
        f"The count {count.reference} is {count.status}; it cannot {doing} now.",
        code="invalid_count_status",
    )


def move(count: StockCount, target: str, doing: str) -> None:
    """Move the locked count to `target` (409 `invalid_count_status` when the table forbids)."""
    if not count_states.may_move(count.status, target):
        raise refuse_status(count, doing)
    count.status = target
    count.updated_at = clock.now()


def acting_user() -> int | None:
    """The person behind this write, when it is a person (an API key is not)."""
    return actors.current().user_id


def count_event(count: StockCount, type: str, **extra: Any) -> Event:
    """An unsaved event of the count (`stock_count.started`, …)."""
    return events.new(
        count.tenant_id,
        type,
        "stock_count",
        count.pk,
        {
            "reference": count.reference,
            "warehouse": count.warehouse.code,
            "status": count.status,
            **extra,
        },
    )
