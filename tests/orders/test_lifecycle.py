"""An order's life: confirm, cancel, list; illegal moves answer 409. (Shipping and delivering
after it: tests/fulfilment.)"""

import pytest

from dinghuo.inventory.models import StockMovement
from tests.invariants import assert_stock_consistent
from tests.orders.support import place, stock_of


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
