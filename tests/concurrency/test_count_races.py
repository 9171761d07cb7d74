"""A stock count counted and posted on PostgreSQL while orders are placed and shipped: after
posting, each level is what the count rule says (on hand without the count, moved by the
variance of the moment each line was counted), and the ledger adds up to the levels."""

import threading

import pytest
from django.db import connections

from dinghuo.inventory.models import StockLevel
from dinghuo.stocktaking import services as counts
from dinghuo.stocktaking.models import CountLine
from tests.builders import build_world
from tests.invariants import assert_stock_consistent

pytestmark = pytest.mark.postgres
ORDERS = 8


def _on_hand(tenant_id: int, sku: str) -> int:
    return StockLevel.objects.get(
        tenant_id=tenant_id, sku__code=sku, warehouse__code="main"
    ).on_hand


def test_orders_shipped_during_a_count_are_kept_when_it_is_posted() -> None:
    world = build_world("countrace")
    tenant = world.tenant.pk
    count = counts.start_count(tenant_id=tenant, warehouse_code="main")
    counts.record_count(tenant_id=tenant, count_id=count.pk, sku_code="A-1", counted=95)
    errors: list[BaseException] = []
    halfway = threading.Barrier(2)

    def sell() -> None:
        try:
            api = world.client()
            for n in range(ORDERS):
                placed = api.place(world.order_body(("A-1", 2), ("C-3", 1)), key=f"race-{n}")
                assert placed.status_code == 201, placed.json()
                order = placed.json()["id"]
                assert api.post(f"/orders/{order}/confirm").status_code == 200
                shipped = api.post(
                    f"/orders/{order}/shipments", {"carrier": "DHL", "tracking_number": f"T{n}"}
                )
                assert shipped.status_code == 201, shipped.json()
                if n == ORDERS // 2:
                    halfway.wait(timeout=60)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    def count_and_post() -> None:
        try:
            halfway.wait(timeout=60)
            counts.record_count(tenant_id=tenant, count_id=count.pk, sku_code="C-3", counted=90)
            counts.submit_count(tenant_id=tenant, count_id=count.pk)
            counts.post_count(tenant_id=tenant, count_id=count.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sell), threading.Thread(target=count_and_post)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a writer did not finish"
    assert not errors, errors
    lines = {
        line.sku.code: line
        for line in CountLine.objects.filter(count=count, counted__isnull=False).select_related(
            "sku"
        )
    }
    # counted 95 when the ledger said 100, then 16 units shipped: 100 − 16 − 5.
    assert _on_hand(tenant, "A-1") == 100 - 2 * ORDERS - 5
    c3 = lines["C-3"]
    assert c3.on_hand_at_count is not None and c3.counted is not None
    assert _on_hand(tenant, "C-3") == 100 - ORDERS + (c3.counted - c3.on_hand_at_count)
    assert_stock_consistent(tenant)
