"""Carts: a buyer's own, and the one staff fill for a company; priced when read, ordered at
checkout in one go."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.core.services import create_api_key, create_tenant
from dinghuo.customers import services as customers
from dinghuo.orders.models import Order
from dinghuo.pricing import services as pricing
from tests.buying.support import add_buyer, cart_lines, patch, second_company, snapshot


@pytest.fixture
def bob(world):
    return add_buyer(world, "bob@buyer.test")


def test_an_added_line_is_priced_now_and_adding_again_sums_at_the_tier(world, bob):
    _, api = bob
    r = api.post("/my/cart/lines", {"sku": "A-1", "quantity": 5})
    assert r.status_code == 200, r.content
    line = r.json()["lines"][0]
    assert (line["sku"], line["quantity"], line["unit_price"], line["line_total"]) == (
        "A-1",
        5,
        "10.00",
        "50.00",
    )
    assert line["sku_id"] == world.skus["A-1"].pk
    assert line["problems"] == []

    r = api.post("/my/cart/lines", {"sku": "A-1", "quantity": 5})
    body = r.json()
    assert cart_lines(body) == [("A-1", 10)]
    assert body["lines"][0]["unit_price"] == "9.00"  # the 10-unit tier
    assert body["subtotal"] == "90.00"
    assert body["currency"] == "USD"
    assert body["can_checkout"] is True
    assert api.get("/my/cart").json() == body


def test_an_empty_cart_reads_as_empty_without_being_created(world, bob):
    before = snapshot(world)
    body = bob[1].get("/my/cart").json()
    assert body == {
        "company_id": world.company.pk,
        "currency": "USD",
        "lines": [],
        "subtotal": "0.00",
        "ship_to_id": world.ship_to.pk,
        "prices_include_tax": False,
        "tax_total": "0.00",
        "total": "0.00",
        "can_checkout": False,
    }
    assert snapshot(world) == before


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ({"sku": "NOPE", "quantity": 1}, ["unknown_sku"]),
        ({"sku": "Z-9", "quantity": 1}, ["unknown_sku"]),  # another tenant's SKU
        ({"sku": "A-1", "quantity": 0}, ["quantity_not_positive"]),
        ({"sku": "A-1", "quantity": -3}, ["quantity_not_positive"]),
        ({"sku": "B-2", "quantity": 3}, ["below_minimum", "not_pack_multiple"]),
        ({"sku": "B-2", "quantity": 8}, ["not_pack_multiple"]),
    ],
)
def test_a_line_that_could_not_be_ordered_is_refused_and_changes_nothing(
    world, other_world, bob, line, codes
):
    from dinghuo.catalog.models import Product, Sku

    product = Product.objects.create(
        tenant=other_world.tenant, seller=other_world.seller, code="P-Z", name_en="Z"
    )
    Sku.objects.create(
        tenant=other_world.tenant, seller=other_world.seller, product=product, code="Z-9"
    )
    api = bob[1]
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})
    before = snapshot(world)

    r = api.post("/my/cart/lines", line)

    assert r.status_code == 422, r.content
    assert [e["code"] for e in r.json()["errors"]] == codes
    assert snapshot(world) == before


def test_the_sum_in_the_cart_is_what_is_judged(world, bob):
    api = bob[1]
    assert api.post("/my/cart/lines", {"sku": "B-2", "quantity": 6}).status_code == 200
    r = api.post("/my/cart/lines", {"sku": "B-2", "quantity": 3})
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "not_pack_multiple"
    assert cart_lines(api.get("/my/cart").json()) == [("B-2", 6)]


def test_change_and_remove_a_line(world, bob):
    api = bob[1]
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})
    api.post("/my/cart/lines", {"sku": "C-3", "quantity": 3})
    a1, c3 = world.skus["A-1"].pk, world.skus["C-3"].pk

    r = patch(api, f"/my/cart/lines/{a1}", {"quantity": 100})
    assert r.status_code == 200, r.content
    assert r.json()["lines"][0]["unit_price"] == "8.00"
    assert r.json()["subtotal"] == "801.00"  # 800.00 + 3 × 0.3333 = 0.9999 → 1.00

    r = api.send("DELETE", f"/my/cart/lines/{c3}")
    assert r.status_code == 200
    assert cart_lines(r.json()) == [("A-1", 100)]

    assert api.send("DELETE", f"/my/cart/lines/{c3}").status_code == 404
    assert patch(api, f"/my/cart/lines/{c3}", {"quantity": 1}).status_code == 404
    refused = patch(api, f"/my/cart/lines/{a1}", {"quantity": 0})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "quantity_not_positive"


def test_the_cart_shows_why_a_line_can_no_longer_be_ordered(world, bob):
    api = bob[1]
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})
    api.post("/my/cart/lines", {"sku": "C-3", "quantity": 150})  # 100 in stock: a warning only
    world.client().post(f"/skus/{world.skus['A-1'].pk}/deactivate")

    body = api.get("/my/cart").json()

    a1, c3 = body["lines"]
    assert [p["code"] for p in a1["problems"]] == ["inactive_sku"]
    assert a1["unit_price"] is None and a1["line_total"] is None
    assert [p["code"] for p in c3["problems"]] == ["insufficient_stock"]
    assert c3["problems"][0]["available"] == 100
    assert c3["available"] == 100
    assert body["can_checkout"] is False


def test_checkout_places_one_order_and_empties_the_cart(world, bob):
    member_id, api = bob
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 10})
    api.post("/my/cart/lines", {"sku": "B-2", "quantity": 12})
    body = {"ship_to_id": world.ship_to.pk, "purchase_order_number": "PO-7"}

    r = api.post("/my/cart/checkout", body, key="co-1")

    assert r.status_code == 201, r.content
    order = r.json()
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [
        ("A-1", 10, "9.00"),
        ("B-2", 12, "2.50"),
    ]
    assert order["total"] == "120.00"
    assert order["channel"] == "api"
    assert order["purchase_order_number"] == "PO-7"
    assert Order.objects.get(pk=order["id"]).placed_by_id == member_id
    assert api.get("/my/cart").json()["lines"] == []

    replay = api.post("/my/cart/checkout", body, key="co-1")
    assert replay.status_code == 201
    assert replay.json()["id"] == order["id"]
    assert replay["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_a_refused_checkout_leaves_the_cart_as_it_was(world, bob):
    api = bob[1]
    _, other_ship_to = second_company(world)
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})
    api.post("/my/cart/lines", {"sku": "C-3", "quantity": 150})
    before = snapshot(world)

    short = api.post("/my/cart/checkout", {"ship_to_id": world.ship_to.pk}, key="a")
    elsewhere = api.post("/my/cart/checkout", {"ship_to_id": other_ship_to.pk}, key="b")
    no_key = api.post("/my/cart/checkout", {"ship_to_id": world.ship_to.pk})

    assert short.status_code == 409
    assert short.json()["code"] == "insufficient_stock"
    assert elsewhere.status_code == 422
    assert "unknown_ship_to" in [e["code"] for e in elsewhere.json()["errors"]]
    assert no_key.status_code == 422
    assert no_key.json()["code"] == "idempotency_key_required"
    assert snapshot(world) == before


def test_checkout_of_an_empty_cart_is_refused(world, bob):
    r = bob[1].post("/my/cart/checkout", {"ship_to_id": world.ship_to.pk}, key="e")
    assert r.status_code == 422
    assert r.json()["code"] == "cart_empty"


def test_each_buyer_has_a_cart_of_their_own_and_staff_one_per_company(world, bob):
    _, carol = add_buyer(world, "carol@buyer.test")
    bob[1].post("/my/cart/lines", {"sku": "A-1", "quantity": 1})
    carol.post("/my/cart/lines", {"sku": "C-3", "quantity": 2})
    staff = world.client()
    r = staff.post(f"/companies/{world.company.pk}/cart/lines", {"sku": "D-4", "quantity": 3})
    assert r.status_code == 200, r.content

    assert cart_lines(bob[1].get("/my/cart").json()) == [("A-1", 1)]
    assert cart_lines(carol.get("/my/cart").json()) == [("C-3", 2)]
    assert cart_lines(staff.get(f"/companies/{world.company.pk}/cart").json()) == [("D-4", 3)]


def test_staff_order_a_company_cart_on_its_behalf(world):
    staff = world.client()
    cid = world.company.pk
    staff.post(f"/companies/{cid}/cart/lines", {"sku": "A-1", "quantity": 3})
    d4 = world.skus["D-4"].pk
    staff.post(f"/companies/{cid}/cart/lines", {"sku": "D-4", "quantity": 1})
    assert patch(staff, f"/companies/{cid}/cart/lines/{d4}", {"quantity": 2}).status_code == 200
    assert staff.send("DELETE", f"/companies/{cid}/cart/lines/{d4}").status_code == 200

    r = staff.post(f"/companies/{cid}/cart/checkout", {"ship_to_id": world.ship_to.pk}, key="s1")

    assert r.status_code == 201, r.content
    order = Order.objects.get(pk=r.json()["id"])
    assert (order.channel, order.placed_by_id, order.company_id) == ("staff", None, cid)
    assert staff.get(f"/companies/{cid}/cart").json()["lines"] == []


def test_nobody_reaches_another_company_or_tenant_cart(world, other_world, bob):
    other, _ = second_company(world)
    _, dave = add_buyer(world, "dave@two.test", company=other)
    bob[1].post("/my/cart/lines", {"sku": "A-1", "quantity": 1})
    a1 = world.skus["A-1"].pk

    # Dave's cart is his own: he cannot touch Bob's line, even by its SKU id.
    assert dave.get("/my/cart").json()["lines"] == []
    assert dave.send("DELETE", f"/my/cart/lines/{a1}").status_code == 404
    intruder = other_world.client()
    assert intruder.get(f"/companies/{world.company.pk}/cart").status_code == 404
    r = intruder.post(f"/companies/{world.company.pk}/cart/lines", {"sku": "A-1", "quantity": 1})
    assert r.status_code == 404
    assert cart_lines(bob[1].get("/my/cart").json()) == [("A-1", 1)]


def test_a_staff_key_cannot_use_buyer_routes_nor_a_buyer_key_staff_routes(world, bob):
    assert world.client().get("/my/cart").status_code == 403
    assert bob[1].get(f"/companies/{world.company.pk}/cart").status_code == 403


def _queries(api, path):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_reading_a_cart_costs_the_same_queries_whatever_its_size(
    world, bob, django_assert_num_queries
):
    api = bob[1]
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 1})
    one_line = _queries(api, "/my/cart")
    for sku, quantity in (("B-2", 6), ("C-3", 2), ("D-4", 1)):
        api.post("/my/cart/lines", {"sku": sku, "quantity": quantity})

    with django_assert_num_queries(one_line):
        assert len(api.get("/my/cart").json()["lines"]) == 4


def test_tenants_are_apart_even_with_a_key_of_their_own(world):
    tenant = create_tenant(slug="third", name="Third")
    intruder = create_api_key(tenant=tenant, name="x", scopes={"read", "write"}).secret
    from tests.builders import ApiClient

    assert ApiClient(intruder).get(f"/companies/{world.company.pk}/cart").status_code == 404


def test_the_cart_answers_its_tax_to_the_first_ship_to_or_the_one_asked_for(world, bob):
    """9% GST to a Singapore ship-to; the world's own ship-to (Hong Kong) has none."""
    pricing.create_tax_rate(
        tenant_id=world.tenant.pk,
        country="SG",
        name={"en": "GST"},
        percent=Decimal(9),
        valid_from=date(2020, 1, 1),
    )
    singapore = customers.create_location(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        kind="ship_to",
        name="A Singapore dock",  # first by name: the default
        line1="1 Pier",
        city="Singapore",
        country="SG",
    )
    api = bob[1]
    api.post("/my/cart/lines", {"sku": "A-1", "quantity": 10})  # 90.00
    body = api.get("/my/cart").json()
    assert (body["ship_to_id"], body["subtotal"], body["tax_total"], body["total"]) == (
        singapore.pk,
        "90.00",
        "8.10",
        "98.10",
    )
    hong_kong = api.get("/my/cart", ship_to_id=world.ship_to.pk).json()
    assert (hong_kong["tax_total"], hong_kong["total"]) == ("0.00", "90.00")
    staff = world.client().get(f"/companies/{world.company.pk}/cart", ship_to_id=singapore.pk)
    assert staff.status_code == 200


def test_a_ship_to_not_the_companys_is_refused(world, other_world, bob):
    r = bob[1].get("/my/cart", ship_to_id=other_world.ship_to.pk)
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("ship_to_id", "unknown_ship_to")
    ]
