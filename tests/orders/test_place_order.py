"""Placing orders through POST /api/v1/orders: pricing, validation, stock, idempotency."""

from decimal import Decimal

import pytest

from dinghuo.integrations.models import Event
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement
from dinghuo.orders.models import Order
from tests.invariants import assert_stock_consistent


def level(world, sku, warehouse="main"):
    return StockLevel.objects.get(sku=world.skus[sku], warehouse__code=warehouse)


def snapshot(world):
    """Everything a refused order must leave untouched."""
    return (
        Order.objects.count(),
        Event.objects.count(),
        StockMovement.objects.count(),
        Reservation.objects.count(),
        sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
    )


def test_prices_come_from_the_tier_the_quantity_reaches(world):
    r = world.client().place(world.order_body(("A-1", 9), ("B-2", 12), ("C-3", 3)))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert [(x["sku"], x["unit_price"], x["line_total"]) for x in body["lines"]] == [
        ("A-1", "10.00", "90.00"),
        ("B-2", "2.50", "30.00"),
        ("C-3", "0.3333", "1.00"),  # 0.9999 rounds half-up to the cent
    ]
    assert body["total"] == "121.00"
    assert body["status"] == "placed"
    assert body["number"] == f"SO-{body['id']:07d}"
    order = Order.objects.get(pk=body["id"])
    assert order.total == Decimal("121.00")


@pytest.mark.parametrize(
    ("quantity", "price"), [(9, "10.00"), (10, "9.00"), (99, "9.00"), (100, "8.00")]
)
def test_tier_boundaries(world, quantity, price):
    r = world.client().place(world.order_body(("A-1", quantity)))
    assert r.json()["lines"][0]["unit_price"] == price


def test_prices_are_frozen_on_the_order(world):
    from dinghuo.pricing.models import PriceTier

    r = world.client().place(world.order_body(("A-1", 1)))
    PriceTier.objects.filter(sku=world.skus["A-1"], min_quantity=1).update(unit_price=Decimal("99"))
    again = world.client().get(f"/orders/{r.json()['id']}")
    assert again.json()["lines"][0]["unit_price"] == "10.00"


def test_stock_is_reserved_and_ledgered(world):
    r = world.client().place(world.order_body(("A-1", 30), ("B-2", 12)))
    assert r.status_code == 201
    assert (level(world, "A-1").on_hand, level(world, "A-1").reserved) == (100, 30)
    assert (level(world, "B-2").on_hand, level(world, "B-2").reserved) == (100, 12)
    assert (
        StockMovement.objects.filter(
            kind="reservation", reference=f"order:{r.json()['id']}"
        ).count()
        == 2
    )
    assert_stock_consistent(world.tenant.pk)


def test_reservation_splits_across_warehouses_in_priority_order(world):
    from dinghuo.inventory import services as stock

    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="north",
        sku_id=world.skus["C-3"].pk,
        quantity=50,
        reason="x",
    )
    r = world.client().place(world.order_body(("C-3", 130)))
    assert r.status_code == 201, r.json()
    held = dict(Reservation.objects.values_list("warehouse__code", "quantity"))
    assert held == {"main": 100, "north": 30}
    assert_stock_consistent(world.tenant.pk)


def test_every_problem_is_reported_at_once_and_nothing_changes(world):
    from dinghuo.catalog.models import Sku

    Sku.objects.filter(pk=world.skus["C-3"].pk).update(is_active=False)
    before = snapshot(world)
    body = world.order_body(
        ("NOPE", 0), ("A-1", 0), ("B-2", 3), ("C-3", 1), ("D-4", -2), currency="EUR"
    )
    body["ship_to_id"] = world.ship_to.pk + 999
    r = world.client().place(body)
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "validation_failed"
    found = {(e["field"], e["code"]) for e in problem["errors"]}
    assert found == {
        ("ship_to_id", "unknown_ship_to"),
        ("currency", "currency_mismatch"),
        ("lines[0].sku", "unknown_sku"),
        ("lines[0].quantity", "quantity_not_positive"),
        ("lines[1].quantity", "quantity_not_positive"),
        ("lines[2].quantity", "below_minimum"),
        ("lines[2].quantity", "not_pack_multiple"),
        ("lines[3].sku", "inactive_sku"),
        ("lines[4].quantity", "quantity_not_positive"),
    }
    assert snapshot(world) == before


def test_currency_must_be_that_of_the_price_list(world):
    before = snapshot(world)
    r = world.client().place(world.order_body(("A-1", 1), currency="EUR"))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "currency",
            "code": "currency_mismatch",
            "message": "This company buys in USD",
            "expected": "USD",
        }
    ]
    assert snapshot(world) == before
    assert (
        world.client().place(world.order_body(("A-1", 1), currency="USD"), key="k2").status_code
        == 201
    )


def test_duplicate_sku_lines_are_refused(world):
    r = world.client().place(world.order_body(("A-1", 1), ("A-1", 2)))
    assert r.status_code == 422
    assert {e["code"] for e in r.json()["errors"]} == {"duplicate_sku"}


def test_ship_to_of_another_company_is_unknown(world):
    from dinghuo.customers.models import Company, Location

    other = Company.objects.create(
        tenant=world.tenant, code="C2", name="Other", price_list=world.price_list
    )
    theirs = Location.objects.create(
        tenant=world.tenant,
        company=other,
        kind="ship_to",
        name="X",
        line1="x",
        city="x",
        country="HK",
    )
    r = world.client().place(world.order_body(("A-1", 1), ship_to_id=theirs.pk))
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "unknown_ship_to"


def test_insufficient_stock_reserves_nothing(world):
    before = snapshot(world)
    r = world.client().place(world.order_body(("A-1", 5), ("B-2", 102)))
    assert r.status_code == 409
    problem = r.json()
    assert problem["code"] == "insufficient_stock"
    assert problem["errors"] == [
        {
            "field": "lines[1].quantity",
            "code": "insufficient_stock",
            "message": "B-2: 100 available, 102 wanted",
            "available": 100,
            "wanted": 102,
        }
    ]
    assert snapshot(world) == before


def test_backorder_when_the_product_allows_it(world):
    r = world.client().place(world.order_body(("D-4", 5), ("A-1", 1)))
    assert r.status_code == 201
    lines = {x["sku"]: x for x in r.json()["lines"]}
    assert lines["D-4"]["backordered_quantity"] == 5
    assert lines["A-1"]["backordered_quantity"] == 0
    assert_stock_consistent(world.tenant.pk)


def test_jpy_has_no_minor_units(db):
    from tests.builders import build_world

    yen = build_world("yen", currency="JPY")
    r = yen.client().place(yen.order_body(("C-3", 3)))
    assert r.json()["lines"][0]["line_total"] == "1"
    assert r.json()["total"] == "1"


class TestIdempotency:
    def test_same_key_same_body_replays_the_same_answer(self, world):
        api = world.client()
        body = world.order_body(("A-1", 2))
        first = api.place(body, key="order-77")
        second = api.place(body, key="order-77")
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second["Idempotent-Replayed"] == "true"
        assert Order.objects.count() == 1
        assert level(world, "A-1").reserved == 2

    def test_same_key_other_body_is_a_conflict(self, world):
        api = world.client()
        api.place(world.order_body(("A-1", 2)), key="order-77")
        r = api.place(world.order_body(("A-1", 3)), key="order-77")
        assert r.status_code == 409
        assert r.json()["code"] == "idempotency_key_reused"
        assert Order.objects.count() == 1

    def test_a_refused_order_does_not_burn_the_key(self, world):
        api = world.client()
        assert api.place(world.order_body(("A-1", 500)), key="k").status_code == 409
        from dinghuo.inventory import services as stock

        stock.receive_stock(
            tenant_id=world.tenant.pk,
            warehouse_code="main",
            sku_id=world.skus["A-1"].pk,
            quantity=400,
            reason="x",
        )
        assert api.place(world.order_body(("A-1", 500)), key="k").status_code == 201

    def test_key_is_required(self, world):
        r = world.client().post("/orders", world.order_body(("A-1", 1)))
        assert r.status_code == 422
        assert r.json()["code"] == "idempotency_key_required"
        assert Order.objects.count() == 0

    def test_keys_are_per_tenant(self, world, other_world):
        a = world.client().place(world.order_body(("A-1", 1)), key="same")
        b = other_world.client().place(other_world.order_body(("A-1", 1)), key="same")
        assert a.status_code == b.status_code == 201
        assert a.json()["id"] != b.json()["id"]


def test_query_count_does_not_grow_with_lines(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dinghuo.catalog.models import Product, Sku
    from dinghuo.inventory import services as stock
    from dinghuo.pricing.models import PriceTier

    product = Product.objects.get(code="P-A-1")
    for n in range(15):
        sku = Sku.objects.create(
            tenant=world.tenant, seller=world.seller, product=product, code=f"X-{n}"
        )
        PriceTier.objects.create(
            tenant=world.tenant, price_list=world.price_list, sku=sku, min_quantity=1, unit_price=1
        )
        stock.receive_stock(
            tenant_id=world.tenant.pk, warehouse_code="main", sku_id=sku.pk, quantity=10, reason="x"
        )
    api = world.client()
    api.place(world.order_body(("A-1", 1)), key="warm")
    with CaptureQueriesContext(connection) as one:
        api.place(world.order_body(("X-0", 1)), key="one")
    with CaptureQueriesContext(connection) as fifteen:
        api.place(world.order_body(*[(f"X-{n}", 1) for n in range(15)]), key="fifteen")
    assert len(one) == len(fifteen)
    assert len(fifteen) <= 20


def test_amounts_too_large_to_store_are_refused(world):
    from dinghuo.pricing.models import PriceTier

    PriceTier.objects.filter(sku=world.skus["D-4"]).update(unit_price=Decimal("99999999999"))
    r = world.client().place(world.order_body(("D-4", 2000)))  # backorderable: no stock needed
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "amount_too_large"
    assert Order.objects.count() == 0


def test_line_text_is_in_the_default_language_whatever_the_caller_speaks(world):
    api = world.client()
    api.headers["Accept-Language"] = "zh-hant"
    r = api.place(world.order_body(("A-1", 1)))
    assert r.json()["lines"][0]["description"] == "Item A-1"


def test_the_requested_delivery_date_is_kept_and_a_past_one_refused(world):
    from datetime import date, timedelta

    wanted = date.today() + timedelta(days=7)
    r = world.client().place(world.order_body(("A-1", 1), requested_delivery_date=str(wanted)))
    assert r.status_code == 201, r.json()
    assert r.json()["requested_delivery_date"] == wanted.isoformat()
    assert r.json()["entered_by_id"] is None  # a system placed it, no staff member
    assert Order.objects.get(pk=r.json()["id"]).requested_delivery_date == wanted

    before = snapshot(world)
    yesterday = date.today() - timedelta(days=1)
    body = world.order_body(("A-1", 1), requested_delivery_date=str(yesterday))
    r = world.client().place(body, key="k-past")
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("requested_delivery_date", "delivery_date_past")
    ]
    assert snapshot(world) == before
    bad = world.client().place(
        world.order_body(("A-1", 1), requested_delivery_date="31/12/2026"), key="k-shape"
    )
    assert bad.status_code == 422 and snapshot(world) == before
