"""Replenishment suggestions over the API: below the reorder point, backorders stock and
incoming cannot cover, the lead time's forecast from what shipped, packs and minimums; and
a query count that does not grow with the SKUs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.purchasing import services, suggestions
from tests.purchasing.support import sent_po, supplier, supplies


def _rule(world, sku: str, point: int, quantity: int) -> None:
    services.set_reorder_rule(
        tenant_id=world.tenant.pk,
        sku_id=world.skus[sku].pk,
        warehouse_id=world.warehouses[0].pk,
        reorder_point=point,
        reorder_quantity=quantity,
    )


def _suggested(world, **query):
    r = world.client().get("/replenishment/suggestions", **query)
    assert r.status_code == 200, r.json()
    return {item["sku"]: item for item in r.json()["items"]}


def test_below_the_point_suggests_the_reorder_quantity_in_whole_packs(world):
    sup = supplier(world)
    supplies(world, sup, "A-1", pack_size=6)
    _rule(world, "A-1", 100, 50)
    assert _suggested(world) == {}  # 100 available: at the point
    _rule(world, "A-1", 101, 50)
    found = _suggested(world)["A-1"]
    assert (found["quantity"], found["reason"], found["supplier_id"]) == (
        54,
        "below_reorder_point",
        sup,
    )
    assert (found["available"], found["incoming"], found["unit_cost"]) == (100, 0, "5.00")


def test_incoming_on_a_sent_po_covers_the_gap(world):
    _rule(world, "A-1", 101, 50)
    sent_po(world, ("A-1", 1))
    assert _suggested(world) == {}


def test_backorders_stock_cannot_cover_are_suggested_with_the_minimum_order(world):
    sup = supplier(world)
    supplies(world, sup, "D-4", minimum_order_quantity=10)
    api = world.client()
    assert api.place(world.order_body(("D-4", 3)), key="bo").status_code == 201
    found = _suggested(world)["D-4"]
    assert (found["quantity"], found["reason"], found["backordered"]) == (10, "backorders", 3)
    assert found["warehouse_id"] == world.warehouses[0].pk


def test_a_sku_no_supplier_sells_is_suggested_without_one(world):
    world.client().place(world.order_body(("D-4", 2)), key="bo")
    found = _suggested(world)["D-4"]
    assert (found["supplier_id"], found["quantity"], found["unit_cost"]) == (None, 2, None)
    sup = supplier(world)
    assert _suggested(world, supplier_id=sup) == {}


def test_the_forecast_adds_what_ships_during_the_lead_time(world):
    sup = supplier(world)
    supplies(world, sup, "A-1", lead_time_days=15)
    api = world.client()
    order = api.place(world.order_body(("A-1", 20)), key="o").json()["id"]
    assert api.post(f"/orders/{order}/confirm").status_code == 200
    shipped = api.post(f"/orders/{order}/shipments", {"carrier": "DHL", "tracking_number": "1"})
    assert shipped.status_code == 201, shipped.json()
    # 80 available; 20 shipped in 30 days × 15 days' lead time: 10 more will ship.
    _rule(world, "A-1", 70, 10)
    assert _suggested(world) == {}  # 80 − 10 is the point itself
    _rule(world, "A-1", 71, 10)
    found = _suggested(world)["A-1"]
    assert (found["lead_demand"], found["quantity"]) == (10, 10)


def test_the_query_count_does_not_grow_with_the_skus(world):
    sup = supplier(world)
    supplies(world, sup, "A-1")
    _rule(world, "A-1", 500, 1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert suggestions.suggestions(world.tenant.pk)
        return len(queries)

    few = count()
    for sku in ("B-2", "C-3"):
        supplies(world, sup, sku)
        _rule(world, sku, 500, 1)
    assert count() == few
