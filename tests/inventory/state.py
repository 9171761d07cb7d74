"""Everything a stock request could change, to prove that a refused one changed nothing."""

from typing import Any

from dinghuo.core.models import IdempotencyRecord
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse


def stock_state() -> dict[str, Any]:
    return {
        "warehouses": list(Warehouse.objects.order_by("id").values()),
        "levels": list(StockLevel.objects.order_by("id").values()),
        "movements": StockMovement.objects.count(),
        "events": list(Event.objects.order_by("id").values_list("id", flat=True)),
        "idempotency": IdempotencyRecord.objects.count(),
    }


def events_since(last_id: int) -> list[Event]:
    return list(Event.objects.filter(id__gt=last_id).order_by("id"))


def last_event_id() -> int:
    last = Event.objects.order_by("-id").first()
    return last.pk if last else 0


def all_pages(api: Any, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged list, following next_cursor."""
    items: list[dict[str, Any]] = []
    after = None
    while True:
        query = {**params, **({"after": after} if after else {})}
        r = api.get(path, **query)
        assert r.status_code == 200, r.content
        items += r.json()["items"]
        after = r.json()["next_cursor"]
        if after is None:
            return items
