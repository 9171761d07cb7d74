"""Backorders filled on arrival while new orders are placed, cancelled and shipped, on
PostgreSQL: no unit is reserved twice, no line gets more than it waits for, no deadlock,
and whatever is left waiting afterwards has no stock to take."""

import random
from collections import Counter
from functools import partial

import pytest
from django.db.models import F, Sum

from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import Busy
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockLevel
from dinghuo.orders import services
from dinghuo.orders.models import OrderLine
from tests.builders import ApiClient, build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.invariants import assert_stock_consistent

pytestmark = pytest.mark.postgres


def _receive_and_fill(tenant_id: int, sku_id: int, warehouse: str, quantity: int) -> int:
    """A receipt followed by the fill in the same transaction (the wiring the API and the
    stock page get): the fill runs after the receipt has locked its stock level."""
    stock.receive_stock(
        tenant_id=tenant_id,
        warehouse_code=warehouse,
        sku_id=sku_id,
        quantity=quantity,
        reason="race",
    )
    return services.fill_backorders(tenant_id=tenant_id, sku_ids=[sku_id]).units


def test_filling_racing_new_orders_never_oversells():
    world = build_world("fillrace", stock_per_sku=0)
    tenant_id, d4 = world.tenant.pk, world.skus["D-4"].pk
    api = ApiClient(world.key)
    for n in range(12):  # orders already waiting when the goods arrive
        assert api.place(world.order_body(("D-4", 1 + n % 4)), key=f"w{n}").status_code == 201

    def receiver(i: int) -> Counter[str]:
        seen: Counter[str] = Counter()
        for n in range(6):
            warehouse = "main" if (i + n) % 2 else "north"
            try:
                atomic_with_retry(partial(_receive_and_fill, tenant_id, d4, warehouse, 3))
                seen["received"] += 1
            except Busy:
                seen["busy"] += 1
        return seen

    def placer(i: int) -> Counter[str]:
        rng, client, seen = random.Random(i), ApiClient(world.key), Counter[str]()
        for n in range(6):
            r = client.place(world.order_body(("D-4", rng.randint(1, 4))), key=f"p{i}-{n}")
            seen[f"place {r.status_code}"] += 1
            if r.status_code == 201 and rng.random() < 0.3:
                cancelled = client.post(f"/orders/{r.json()['id']}/cancel")
                seen[f"cancel {cancelled.status_code}"] += 1
        return seen

    def housekeeper(_i: int) -> Counter[str]:
        return Counter({"filled": sum(services.fill_waiting_backorders() for _ in range(8))})

    work = [receiver] * 3 + [placer] * 4 + [housekeeper]
    results = run_together(len(work), lambda i: work[i](i))
    totals: Counter[str] = sum(results, Counter())
    assert totals["received"] > 0, totals
    allowed = {"received", "busy", "filled", "place 201", "place 503", "cancel 200", "cancel 503"}
    assert set(totals) <= allowed, totals
    assert totals["filled"] + totals["received"] > 0, totals

    assert_stock_consistent(tenant_id)
    # Every open line holds exactly what it does not wait for: no unit given twice.
    lines = OrderLine.objects.filter(tenant_id=tenant_id).exclude(order__status="cancelled")
    for line in lines:
        held = Reservation.objects.filter(order_line=line).aggregate(n=Sum("quantity"))["n"] or 0
        assert held + line.backordered_quantity == line.quantity, line
    # Fair to the end: after a last round nothing waits while stock is free.
    services.fill_waiting_backorders()
    waiting = OrderLine.objects.filter(
        tenant_id=tenant_id, backordered_quantity__gt=0, order__status__in=services.FILLED_STATUSES
    ).exists()
    free = StockLevel.objects.filter(
        tenant_id=tenant_id, sku_id=d4, warehouse__is_active=True, on_hand__gt=F("reserved")
    ).exists()
    assert not (waiting and free)
    assert_stock_consistent(tenant_id)
