"""Reorder: an earlier order's lines go into a cart at today's prices, with a report of how
each price moved and of the lines that can no longer be ordered."""

import json

import pytest

from tests.buying.support import add_buyer, cart_lines, second_company, snapshot


@pytest.fixture
def bob(world):
    return add_buyer(world, "bob@buyer.test")


def _order(world, *lines, company=None, ship_to=None):
    body = world.order_body(*lines)
    if company is not None:
        body.update(company_id=company.pk, ship_to_id=ship_to.pk)
    r = world.client().place(body, key=f"o-{lines}-{body['company_id']}")
    assert r.status_code == 201, r.content
    return r.json()["id"]


def _reprice(world, sku, tiers):
    r = world.client().send(
        "PUT",
        f"/price-lists/{world.price_list.pk}/prices",
        json.dumps({"entries": [{"sku": sku, "tiers": tiers}]}),
    )
    assert r.status_code == 200, r.content


def _rows(report):
    return [
        (
            ln["sku"],
            ln["quantity"],
            ln["previous_unit_price"],
            ln["current_unit_price"],
            ln["change"],
            ln["added"],
            [p["code"] for p in ln["problems"]],
        )
        for ln in report["lines"]
    ]


def test_reorder_copies_lines_at_todays_prices_and_says_how_they_moved(world, bob):
    order_id = _order(world, ("A-1", 10), ("B-2", 6), ("C-3", 3), ("D-4", 1))
    _reprice(
        world,
        "A-1",
        [{"min_quantity": 1, "unit_price": "11.00"}, {"min_quantity": 10, "unit_price": "9.90"}],
    )
    _reprice(world, "B-2", [{"min_quantity": 1, "unit_price": "2.00"}])
    world.client().post(f"/skus/{world.skus['C-3'].pk}/deactivate")

    r = bob[1].post(f"/my/orders/{order_id}/reorder")

    assert r.status_code == 200, r.content
    report = r.json()
    assert _rows(report) == [
        (
            "A-1",
            10,
            "9.00",
            "9.90",
            {"direction": "up", "difference": "0.90", "percent": "10.00"},
            True,
            [],
        ),
        (
            "B-2",
            6,
            "2.50",
            "2.00",
            {"direction": "down", "difference": "-0.50", "percent": "-20.00"},
            True,
            [],
        ),
        ("C-3", 3, "0.3333", None, None, False, ["inactive_sku"]),
        (
            "D-4",
            1,
            "100.00",
            "100.00",
            {"direction": "same", "difference": "0.00", "percent": "0.00"},
            True,
            [],
        ),
    ]
    assert (report["added"], report["not_added"]) == (3, 1)
    assert cart_lines(report["cart"]) == [("A-1", 10), ("B-2", 6), ("D-4", 1)]
    assert report["cart"]["subtotal"] == "211.00"


def test_reorder_adds_to_what_the_cart_holds(world, bob):
    order_id = _order(world, ("A-1", 5))
    api = bob[1]
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 5})

    report = api.post(f"/my/orders/{order_id}/reorder").json()

    line = report["lines"][0]
    assert (line["quantity"], line["cart_quantity"], line["current_unit_price"]) == (5, 10, "9.00")
    assert cart_lines(api.get("/my/cart").json()) == [("A-1", 10)]


def test_staff_reorder_fills_the_company_staff_cart(world, bob):
    order_id = _order(world, ("A-1", 2))
    r = world.client().post(f"/orders/{order_id}/reorder", key="r1")
    assert r.status_code == 200, r.content
    assert cart_lines(world.client().get(f"/companies/{world.company.pk}/cart").json()) == [
        ("A-1", 2)
    ]
    assert bob[1].get("/my/cart").json()["lines"] == []


def test_another_company_or_tenant_cannot_reorder_an_order(world, other_world, bob):
    other, other_ship_to = second_company(world)
    theirs = _order(world, ("A-1", 2), company=other, ship_to=other_ship_to)
    ours = _order(world, ("A-1", 3))
    before = snapshot(world)

    r = bob[1].post(f"/my/orders/{theirs}/reorder")
    assert r.status_code == 404
    assert other_world.client().post(f"/orders/{ours}/reorder").status_code == 404
    assert world.client().post("/orders/999999/reorder").status_code == 404
    assert snapshot(world) == before
