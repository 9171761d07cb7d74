"""An order's life: confirm, ship in parts, deliver, cancel; illegal moves answer 409."""

import pytest

from dinghuo.inventory.models import StockLevel, StockMovement
from tests.invariants import assert_stock_consistent


def place(world, *lines, key="k1"):
    r = world.client().place(world.order_body(*lines), key=key)
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def stock_of(world, sku):
    level = StockLevel.objects.get(sku=world.skus[sku], warehouse__code="main")
    return level.on_hand, level.reserved


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


def test_cancel_releases_every_reservation(world):
    api = world.client()
    order_id = place(world, ("A-1", 10), ("B-2", 12))
    assert stock_of(world, "A-1") == (100, 10)
    r = api.post(f"/orders/{order_id}/cancel", {"reason": "customer changed mind"})
    assert (r.status_code, r.json()["status"]) == (200, "cancelled")
    assert stock_of(world, "A-1") == (100, 0)
    assert stock_of(world, "B-2") == (100, 0)
    assert StockMovement.objects.filter(kind="release").count() == 2
    assert_stock_consistent(world.tenant.pk)
    timeline = api.get(f"/orders/{order_id}/timeline").json()
    assert timeline[-1]["type"] == "order.cancelled"
    assert timeline[-1]["data"]["reason"] == "customer changed mind"


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "ship"),
        ([], "deliver"),
        (["confirm"], "confirm"),
        (["confirm"], "deliver"),
        (["cancel"], "confirm"),
        (["cancel"], "cancel"),
        (["cancel"], "ship"),
        (["confirm", "ship"], "cancel"),
        (["confirm", "ship"], "confirm"),
        (["confirm", "ship", "deliver"], "deliver"),
    ],
)
def test_illegal_transitions_answer_409_and_change_nothing(world, setup, action):
    api = world.client()
    order_id = place(world, ("A-1", 2))
    for step in setup:
        path = "shipments" if step == "ship" else step
        body = {"carrier": "DHL", "tracking_number": "1"} if step == "ship" else None
        assert api.post(f"/orders/{order_id}/{path}", body).status_code in (200, 201)
    before = (
        api.get(f"/orders/{order_id}").json(),
        stock_of(world, "A-1"),
        StockMovement.objects.count(),
    )
    path = "shipments" if action == "ship" else action
    body = {"carrier": "DHL", "tracking_number": "2"} if action == "ship" else None
    r = api.post(f"/orders/{order_id}/{path}", body)
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_transition"
    assert (
        api.get(f"/orders/{order_id}").json(),
        stock_of(world, "A-1"),
        StockMovement.objects.count(),
    ) == before


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


def test_unknown_order_is_404(world):
    api = world.client()
    for method, path in [("get", "/orders/999999"), ("post", "/orders/999999/confirm")]:
        r = getattr(api, method)(path)
        assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_list_orders_filters_and_pages(world):
    api = world.client()
    ids = [place(world, ("A-1", 1), key=f"k{n}") for n in range(5)]
    api.post(f"/orders/{ids[0]}/cancel")
    page1 = api.get("/orders", limit=2).json()
    assert [o["id"] for o in page1["items"]] == ids[:2]
    page2 = api.get("/orders", limit=2, after=page1["next_cursor"]).json()
    assert [o["id"] for o in page2["items"]] == ids[2:4]
    page3 = api.get("/orders", limit=2, after=page2["next_cursor"]).json()
    assert ([o["id"] for o in page3["items"]], page3["next_cursor"]) == (ids[4:], None)
    assert [o["id"] for o in api.get("/orders", status="cancelled").json()["items"]] == [ids[0]]
    r = api.get("/orders", after="abc")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_cursor")
