"""The filters an integrator syncs orders with on GET /orders and /my/orders: number, PO
number, company, one or several statuses, `updated_since`; with the cursor pages."""

from datetime import UTC, datetime, timedelta

import pytest

from dinghuo.orders.models import Order
from tests.builders import World, add_buyer
from tests.buying.support import second_company

pytestmark = pytest.mark.django_db


def _place(world: World, po: str, key: str) -> dict:
    response = world.client().place(world.order_body(("A-1", 1), purchase_order_number=po), key=key)
    assert response.status_code == 201, response.json()
    return response.json()


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["number"] for item in response.json()["items"]]


def test_by_number_and_po_number_whatever_the_case(world: World) -> None:
    first = _place(world, "PO-Alpha", "k1")
    second = _place(world, "PO-beta", "k2")
    api = world.client()
    assert _numbers(api.get("/orders", number=second["number"])) == [second["number"]]
    assert _numbers(api.get("/orders", purchase_order_number="po-ALPHA")) == [first["number"]]
    assert _numbers(api.get("/orders", purchase_order_number="PO-Al")) == []
    # A number with one zero too many is not the order's number.
    padded = "SO-0" + second["number"][3:]
    assert _numbers(api.get("/orders", number=padded)) == []


def test_several_statuses_and_the_company(world: World) -> None:
    first = _place(world, "PO-1", "k1")
    second = _place(world, "PO-2", "k2")
    api = world.client()
    assert api.post(f"/orders/{first['id']}/cancel", {"reason": "no"}).status_code == 200
    statuses = {o["status"] for o in (first, second)}
    cancelled = _numbers(api.get("/orders", status="cancelled"))
    assert cancelled == [first["number"]]
    both = _numbers(api.get("/orders", status=["cancelled", *statuses]))
    assert both == [first["number"], second["number"]]
    other, _ = second_company(world)
    assert _numbers(api.get("/orders", company_id=other.pk)) == []
    mine = _numbers(api.get("/orders", company_id=world.company.pk, status="cancelled"))
    assert mine == [first["number"]]


def test_updated_since_reads_offsets_and_utc(world: World) -> None:
    first = _place(world, "PO-1", "k1")
    second = _place(world, "PO-2", "k2")
    moment = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    Order.objects.filter(pk=first["id"]).update(updated_at=moment - timedelta(seconds=1))
    Order.objects.filter(pk=second["id"]).update(updated_at=moment)
    api = world.client()
    assert _numbers(api.get("/orders", updated_since="2026-03-01T08:00:00Z")) == [second["number"]]
    # The same moment written in Hong Kong time, and without an offset (read as UTC).
    assert _numbers(api.get("/orders", updated_since="2026-03-01T16:00:00+08:00")) == [
        second["number"]
    ]
    assert _numbers(api.get("/orders", updated_since="2026-03-01T08:00:00")) == [second["number"]]
    assert len(_numbers(api.get("/orders", updated_since="2026-03-01T07:59:59Z"))) == 2


def test_a_change_moves_updated_at_forward(world: World) -> None:
    placed = _place(world, "PO-1", "k1")
    api = world.client()
    since = api.get("/orders").json()["items"][0]["updated_at"]
    Order.objects.filter(pk=placed["id"]).update(updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert _numbers(api.get("/orders", updated_since=since)) == []
    assert api.post(f"/orders/{placed['id']}/cancel", {"reason": "no"}).status_code == 200
    assert _numbers(api.get("/orders", updated_since=since)) == [placed["number"]]


def test_pages_keep_the_filters(world: World) -> None:
    placed = [_place(world, f"PO-{n % 2}", f"k{n}") for n in range(5)]
    api = world.client()
    wanted = [o["number"] for n, o in enumerate(placed) if n % 2 == 0]
    seen, cursor = [], None
    while True:
        query = {"purchase_order_number": "po-0", "limit": 2}
        if cursor:
            query["after"] = cursor
        body = api.get("/orders", **query).json()
        seen += [item["number"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == wanted


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status[0]"),
        ({"status": ["placed", "lost"]}, "status[1]"),
        ({"number": "SO-12"}, "number"),
        ({"number": "0000123"}, "number"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-02-30T00:00:00Z"}, "updated_since"),
    ],
)
def test_bad_filters_are_refused(world: World, query: dict, field: str) -> None:
    response = world.client().get("/orders", **query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    # Ninja names a list parameter under the filters' schema ("filters.status[0]").
    assert [e["field"].removeprefix("filters.") for e in body["errors"]] == [field]


def test_buyers_filter_their_own_orders(world: World) -> None:
    mine = _place(world, "PO-Shared", "k1")
    other, dock = second_company(world)
    body = world.order_body(("A-1", 1), purchase_order_number="PO-Shared")
    theirs = world.client().place({**body, "company_id": other.pk, "ship_to_id": dock.pk}, key="k2")
    assert theirs.status_code == 201, theirs.json()
    _, buyer = add_buyer(world, "amy@buyer.example")
    found = buyer.get("/my/orders", purchase_order_number="po-shared", status=mine["status"])
    assert _numbers(found) == [mine["number"]]
    assert buyer.get("/my/orders", status="lost").status_code == 422


def test_a_backorder_filled_on_arrival_counts_as_a_change(world: World) -> None:
    body = world.order_body(("D-4", 2), purchase_order_number="PO-W")  # D-4 has no stock
    waiting = world.client().place(body, key="k1").json()
    since = "2026-02-01T00:00:00Z"
    Order.objects.filter(pk=waiting["id"]).update(updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    api = world.client()
    assert _numbers(api.get("/orders", updated_since=since)) == []
    d4 = world.skus["D-4"].pk
    receipt = {"warehouse": "main", "sku_id": d4, "quantity": 1, "reason": "arrival"}
    assert api.post("/stock/receipts", receipt, key="r1").status_code == 201
    assert _numbers(api.get("/orders", updated_since=since)) == [waiting["number"]]
