"""Shipping an order through POST /orders/{id}/shipments: in parts, from a named warehouse,
backorders once stock arrives; every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dinghuo.inventory.models import StockLevel, StockMovement
from tests.invariants import assert_stock_consistent
from tests.orders.support import place, stock_of


def test_confirm_ship_twice_deliver(world):
    api = world.client()
    order_id = place(world, ("A-1", 10), ("C-3", 4))
    r = api.post(f"/orders/{order_id}/confirm")
    assert (r.status_code, r.json()["status"]) == (200, "confirmed")
    assert r.json()["allowed_actions"] == ["cancel", "ship"]

    first = api.post(
        f"/orders/{order_id}/shipments",
        {
            "carrier": "SF Express",
            "tracking_number": "SF100",
            "lines": [{"line_number": 1, "quantity": 4}],
        },
    )
    assert first.status_code == 201, first.json()
    assert first.json()["lines"] == [{"line_number": 1, "quantity": 4}]
    assert api.get(f"/orders/{order_id}").json()["status"] == "partially_shipped"
    assert stock_of(world, "A-1") == (96, 6)

    second = api.post(
        f"/orders/{order_id}/shipments", {"carrier": "DHL", "tracking_number": "DHL200"}
    )
    assert second.status_code == 201
    assert sorted((x["line_number"], x["quantity"]) for x in second.json()["lines"]) == [
        (1, 6),
        (2, 4),
    ]
    order = api.get(f"/orders/{order_id}").json()
    assert order["status"] == "shipped"
    assert [s["tracking_number"] for s in order["shipments"]] == ["SF100", "DHL200"]
    assert [x["shipped_quantity"] for x in order["lines"]] == [10, 4]
    assert stock_of(world, "A-1") == (90, 0)
    assert stock_of(world, "C-3") == (96, 0)

    r = api.post(f"/orders/{order_id}/deliver")
    assert (r.status_code, r.json()["status"]) == (200, "delivered")
    assert all(s["delivered_at"] for s in r.json()["shipments"])

    timeline = api.get(f"/orders/{order_id}/timeline").json()
    assert [t["type"] for t in timeline] == [
        "order.placed",
        "order.confirmed",
        "order.shipped",
        "order.shipped",
        "order.delivered",
    ]
    assert timeline[2]["data"]["tracking_number"] == "SF100"
    assert_stock_consistent(world.tenant.pk)


class TestShipmentInput:
    @pytest.fixture
    def confirmed(self, world):
        order_id = place(world, ("A-1", 5))
        world.client().post(f"/orders/{order_id}/confirm")
        return order_id

    @pytest.mark.parametrize(
        ("lines", "code"),
        [
            ([{"line_number": 9, "quantity": 1}], "unknown_line"),
            ([{"line_number": 1, "quantity": 6}], "exceeds_open_quantity"),
            ([{"line_number": 1, "quantity": 0}], "quantity_not_positive"),
            (
                [{"line_number": 1, "quantity": 1}, {"line_number": 1, "quantity": 1}],
                "duplicate_line",
            ),
        ],
    )
    def test_bad_lines(self, world, confirmed, lines, code):
        r = world.client().post(
            f"/orders/{confirmed}/shipments",
            {"carrier": "DHL", "tracking_number": "1", "lines": lines},
        )
        assert r.status_code == 422
        assert code in {e["code"] for e in r.json()["errors"]}
        assert world.client().get(f"/orders/{confirmed}").json()["shipments"] == []
        assert stock_of(world, "A-1") == (100, 5)

    def test_blank_tracking_number(self, world, confirmed):
        r = world.client().post(
            f"/orders/{confirmed}/shipments", {"carrier": "DHL", "tracking_number": "  "}
        )
        assert r.status_code == 422
        assert {e["field"] for e in r.json()["errors"]} == {"tracking_number"}

    def test_unknown_warehouse(self, world, confirmed):
        r = world.client().post(
            f"/orders/{confirmed}/shipments",
            {"carrier": "DHL", "tracking_number": "1", "warehouse": "moon"},
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["code"] == "unknown_warehouse"


def test_backordered_units_ship_once_stock_arrives(world):
    from dinghuo.inventory import services as stock

    api = world.client()
    order_id = place(world, ("D-4", 3))
    api.post(f"/orders/{order_id}/confirm")
    r = api.post(f"/orders/{order_id}/shipments", {"carrier": "DHL", "tracking_number": "1"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "nothing_to_ship"
    r = api.post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "1", "lines": [{"line_number": 1, "quantity": 3}]},
    )
    assert (r.status_code, r.json()["code"]) == (409, "insufficient_stock")
    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="north",
        sku_id=world.skus["D-4"].pk,
        quantity=2,
        reason="po",
    )
    r = api.post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "1", "lines": [{"line_number": 1, "quantity": 2}]},
    )
    assert r.status_code == 201, r.json()
    order = api.get(f"/orders/{order_id}").json()
    assert (order["status"], order["lines"][0]["backordered_quantity"]) == ("partially_shipped", 1)
    level = StockLevel.objects.get(sku=world.skus["D-4"], warehouse__code="north")
    assert (level.on_hand, level.reserved) == (0, 0)
    assert_stock_consistent(world.tenant.pk)


def _receive(world, sku, quantity, warehouse="north"):
    from dinghuo.inventory import services as stock

    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code=warehouse,
        sku_id=world.skus[sku].pk,
        quantity=quantity,
        reason="po",
    )


def test_a_shipment_records_the_order_event_then_the_stock_event(world):
    api = world.client()
    order_id = place(world, ("A-1", 10))
    api.post(f"/orders/{order_id}/confirm")
    cursor = api.get("/events").json()["next_cursor"]
    r = api.post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "D1", "lines": [{"line_number": 1, "quantity": 4}]},
    )
    assert r.status_code == 201, r.json()
    # Shipping also bills the shipment (one invoice per shipment, the default policy).
    shipped, changed, issued_event = api.get("/events", after=cursor).json()["items"]
    assert (shipped["type"], shipped["aggregate_id"]) == ("order.shipped", order_id)
    assert shipped["data"] == {
        "order": f"SO-{order_id:07d}",
        "status": "partially_shipped",
        "shipment": r.json()["id"],
        "carrier": "DHL",
        "tracking_number": "D1",
        "lines": [{"line_number": 1, "quantity": 4}],
    }
    assert changed["type"] == "stock.changed"
    assert changed["data"] == {
        "reference": f"order:{order_id}",
        "levels": [
            {"sku": "A-1", "warehouse": "main", "on_hand": 96, "reserved": 6, "available": 90}
        ],
    }
    # 4 of the 10 units at the 10+ tier's 9.00, no tax in Hong Kong, net 30 from today.
    today = timezone.localdate()
    assert (issued_event["type"], issued_event["data"]) == (
        "invoice.issued",
        {
            "invoice": "INV-000001",
            "company": "C001",
            "currency": "USD",
            "net_total": "36.00",
            "tax_total": "0.00",
            "total": "36.00",
            "exchange_rate": "1",
            "base_total": "36.00",
            "credit_applied": "0.00",
            "open_amount": "36.00",
            "issued_on": today.isoformat(),
            "due_on": (today + timedelta(days=30)).isoformat(),
            "orders": [f"SO-{order_id:07d}"],
            "shipment": r.json()["id"],
        },
    )
    issued = StockMovement.objects.filter(kind="issue", reference=f"order:{order_id}")
    assert list(issued.values_list("on_hand_delta", "reserved_delta", "reason")) == [
        (-4, -4, "shipped")
    ]
    assert_stock_consistent(world.tenant.pk)


def test_a_named_warehouse_ships_only_what_it_holds(world):
    _receive(world, "C-3", 50)
    api = world.client()
    order_id = place(world, ("C-3", 130))  # 100 reserved in main, 30 in north
    api.post(f"/orders/{order_id}/confirm")
    r = api.post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "N1", "warehouse": "north"},
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["warehouse"], r.json()["lines"]) == (
        "north",
        [{"line_number": 1, "quantity": 30}],
    )
    north = StockLevel.objects.get(sku=world.skus["C-3"], warehouse__code="north")
    assert (north.on_hand, north.reserved) == (20, 0)
    assert stock_of(world, "C-3") == (100, 100)
    order = api.get(f"/orders/{order_id}").json()
    assert (order["status"], order["lines"][0]["shipped_quantity"]) == ("partially_shipped", 30)
    assert order["shipments"] == [r.json()]
    assert_stock_consistent(world.tenant.pk)


def test_a_shipment_short_of_stock_changes_nothing(world):
    from dinghuo.core.errors import Conflict
    from dinghuo.fulfilment.models import Shipment
    from dinghuo.fulfilment.services import ShipLine, ship_order
    from dinghuo.integrations.models import Event
    from dinghuo.orders.models import Order, OrderLine

    order_id = place(world, ("A-1", 2), ("D-4", 3))  # D-4 is backordered: nothing in stock
    world.client().post(f"/orders/{order_id}/confirm")
    _receive(world, "D-4", 2)

    def state():
        return (
            Shipment.objects.count(),
            Event.objects.count(),
            StockMovement.objects.count(),
            sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
            sorted(OrderLine.objects.values_list("id", "shipped_quantity", "backordered_quantity")),
            Order.objects.get(pk=order_id).status,
        )

    before = state()
    with pytest.raises(Conflict) as refused:
        ship_order(
            tenant_id=world.tenant.pk,
            order_id=order_id,
            carrier="DHL",
            tracking_number="1",
            lines=[ShipLine(1, 2), ShipLine(2, 3)],
        )
    assert refused.value.code == "insufficient_stock"
    assert [(e.field, e.code, e.message) for e in refused.value.errors] == [
        ("lines", "insufficient_stock", "D-4: 1 units are neither reserved nor in stock")
    ]
    assert state() == before
