"""Quotes (RFQ): a buyer asks, staff answer with prices and an expiry, the buyer accepts and
the quote becomes an order at the quoted prices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dinghuo.buying import services
from dinghuo.buying.models import Quote
from dinghuo.core import clock
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order, OrderLine
from tests.buying.support import add_buyer, second_company, snapshot, unpriced_sku


@pytest.fixture
def bob(world):
    return add_buyer(world, "bob@buyer.test")


def _ask(api, world, lines=None, **extra):
    body = {
        "lines": lines
        or [{"sku": "A-1", "quantity": 50, "note": "monthly"}, {"sku": "C-3", "quantity": 30}],
        "ship_to_id": world.ship_to.pk,
        "note": "Best price?",
        **extra,
    }
    r = api.post("/my/quotes", body, key="rfq")
    assert r.status_code == 201, r.content
    return r.json()


def _answer(world, quote_id, prices=("7.50", "0.25"), days=7):
    expires = (timezone.now() + timedelta(days=days)).isoformat()
    body = {
        "lines": [{"line_number": i, "unit_price": p} for i, p in enumerate(prices, 1)],
        "expires_at": expires,
        "note": "Valid a week",
    }
    return world.client().post(f"/quotes/{quote_id}/answer", body)


def _types(quote_id):
    return list(
        Event.objects.filter(aggregate_type="quote", aggregate_id=quote_id)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_ask_answer_accept_becomes_an_order_at_the_quoted_prices(world, bob):
    member_id, api = bob
    asked = _ask(api, world)
    assert asked["status"] == "requested"
    assert asked["number"] == f"Q-{asked['id']:07d}"
    assert asked["allowed_actions"] == ["withdraw"]
    assert asked["requested_by_id"] == member_id
    assert [
        (ln["line_number"], ln["sku"], ln["quantity"], ln["note"], ln["unit_price"])
        for ln in asked["lines"]
    ] == [
        (1, "A-1", 50, "monthly", None),
        (2, "C-3", 30, "", None),
    ]
    inbox = world.client().get("/quotes", status="requested").json()["items"]
    assert [q["id"] for q in inbox] == [asked["id"]]

    r = _answer(world, asked["id"])
    assert r.status_code == 200, r.content
    answered = r.json()
    assert answered["status"] == "answered"
    assert answered["allowed_actions"] == ["answer", "reject"]
    assert [
        (ln["unit_price"], ln["list_unit_price"], ln["line_total"]) for ln in answered["lines"]
    ] == [
        ("7.50", "9.00", "375.00"),
        ("0.25", "0.3333", "7.50"),
    ]
    assert answered["total"] == "382.50"
    assert answered["seller_note"] == "Valid a week"
    mine = api.get(f"/my/quotes/{asked['id']}").json()
    assert mine["allowed_actions"] == ["accept", "decline", "counter"]

    r = api.post(f"/my/quotes/{asked['id']}/accept", {"purchase_order_number": "PO-Q"})
    assert r.status_code == 201, r.content
    order = r.json()
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [
        ("A-1", 50, "7.50"),
        ("C-3", 30, "0.25"),
    ]
    assert order["total"] == "382.50"
    assert order["ship_to_id"] == world.ship_to.pk
    placed = Order.objects.get(pk=order["id"])
    assert placed.placed_by_id == member_id
    pricing = OrderLine.objects.filter(order=placed).values_list("pricing", flat=True)
    assert all(p.get("quote") == asked["number"] for p in pricing)
    accepted = api.get(f"/my/quotes/{asked['id']}").json()
    assert (accepted["status"], accepted["order_id"], accepted["order_number"]) == (
        "accepted",
        order["id"],
        order["number"],
    )
    assert accepted["allowed_actions"] == []
    assert _types(asked["id"]) == ["quote.requested", "quote.answered", "quote.accepted"]

    again = api.post(f"/my/quotes/{asked['id']}/accept")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert Order.objects.count() == 1


def test_a_sku_without_a_list_price_can_be_quoted_and_ordered(world, bob):
    api = bob[1]
    unpriced_sku(world)
    asked = _ask(api, world, lines=[{"sku": "E-5", "quantity": 4}])
    answered = _answer(world, asked["id"], prices=("12.3456",)).json()
    assert answered["lines"][0]["list_unit_price"] is None
    assert answered["lines"][0]["unit_price"] == "12.3456"

    r = api.post(f"/my/quotes/{asked['id']}/accept")
    assert r.status_code == 201, r.content
    assert r.json()["total"] == "49.38"


def test_an_expired_quote_cannot_be_accepted_and_reads_expired(world, bob):
    api = bob[1]
    asked = _ask(api, world)
    _answer(world, asked["id"], days=2)
    before = snapshot(world)

    with clock.as_of(timezone.now() + timedelta(days=3)):
        r = api.post(f"/my/quotes/{asked['id']}/accept")
        read = api.get(f"/my/quotes/{asked['id']}").json()
        expired_page = world.client().get("/quotes", status="expired").json()["items"]
        answered_page = world.client().get("/quotes", status="answered").json()["items"]

    assert r.status_code == 409
    assert r.json()["code"] == "quote_expired"
    assert snapshot(world) == before
    assert (read["status"], read["allowed_actions"]) == ("expired", [])
    assert [q["id"] for q in expired_page] == [asked["id"]]
    assert answered_page == []

    assert services.expire_quotes(now=timezone.now() + timedelta(days=1)) == 0
    assert services.expire_quotes(now=timezone.now() + timedelta(days=3)) == 1
    assert Quote.objects.get(pk=asked["id"]).status == "expired"
    assert _types(asked["id"])[-1] == "quote.expired"
    assert services.expire_quotes(now=timezone.now() + timedelta(days=3)) == 0


def test_withdraw_before_an_answer_decline_after_it_reject_either(world, bob):
    api = bob[1]
    first = _ask(api, world)
    r = api.post(f"/my/quotes/{first['id']}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert _answer(world, first["id"]).status_code == 409

    second = (
        world.client()
        .post("/quotes", {"company_id": world.company.pk, "lines": [{"sku": "A-1", "quantity": 5}]})
        .json()
    )
    assert second["requested_by_id"] is None
    _answer(world, second["id"], prices=("8.00",))
    withdraw = api.post(f"/my/quotes/{second['id']}/withdraw")
    assert withdraw.status_code == 409
    assert withdraw.json()["code"] == "invalid_transition"
    assert api.post(f"/my/quotes/{second['id']}/decline").json()["status"] == "declined"

    third = (
        world.client()
        .post("/quotes", {"company_id": world.company.pk, "lines": [{"sku": "A-1", "quantity": 5}]})
        .json()
    )
    r = world.client().post(f"/quotes/{third['id']}/reject", {"reason": "Discontinued soon"})
    assert (r.json()["status"], r.json()["reject_reason"]) == ("rejected", "Discontinued soon")
    assert _types(third["id"]) == ["quote.requested", "quote.rejected"]
    assert [q["status"] for q in api.get("/my/quotes").json()["items"]] == [
        "withdrawn",
        "declined",
        "rejected",
    ]


def test_a_bad_request_for_a_quote_is_refused_and_changes_nothing(world, bob):
    api = bob[1]
    _, other_ship_to = second_company(world)
    before = snapshot(world)
    body = {
        "lines": [
            {"sku": "NOPE", "quantity": 1},
            {"sku": "A-1", "quantity": 0},
            {"sku": "C-3", "quantity": 1},
            {"sku": "C-3", "quantity": 2},
        ],
        "ship_to_id": other_ship_to.pk,
    }

    r = api.post("/my/quotes", body)

    assert r.status_code == 422, r.content
    assert sorted((e["field"], e["code"]) for e in r.json()["errors"]) == [
        ("lines[0].sku", "unknown_sku"),
        ("lines[1].quantity", "quantity_not_positive"),
        ("lines[2].sku", "duplicate_sku"),
        ("lines[3].sku", "duplicate_sku"),
        ("ship_to_id", "unknown_ship_to"),
    ]
    empty = api.post("/my/quotes", {"lines": []})
    assert empty.status_code == 422 and empty.json()["code"] == "no_lines"
    staff = world.client().post(
        "/quotes", {"company_id": 999999, "lines": [{"sku": "A-1", "quantity": 1}]}
    )
    assert staff.status_code == 422 and staff.json()["errors"][0]["code"] == "unknown_company"
    assert snapshot(world) == before


def test_a_bad_answer_is_refused_and_changes_nothing(world, bob):
    asked = _ask(bob[1], world)
    before = snapshot(world)
    path = f"/quotes/{asked['id']}/answer"
    later = (timezone.now() + timedelta(days=1)).isoformat()
    staff = world.client()

    negative = staff.post(
        path,
        {
            "lines": [
                {"line_number": 1, "unit_price": "-1"},
                {"line_number": 2, "unit_price": "1"},
            ],
            "expires_at": later,
        },
    )
    missing = staff.post(
        path,
        {
            "lines": [{"line_number": 1, "unit_price": "1"}, {"line_number": 9, "unit_price": "1"}],
            "expires_at": later,
        },
    )
    past = staff.post(
        path,
        {
            "lines": [{"line_number": 1, "unit_price": "1"}, {"line_number": 2, "unit_price": "1"}],
            "expires_at": "2020-01-01T00:00:00Z",
        },
    )
    naive = staff.post(
        path,
        {"lines": [{"line_number": 1, "unit_price": "1"}], "expires_at": "2030-01-01T00:00:00"},
    )
    far = staff.post(
        path,
        {
            "lines": [{"line_number": 1, "unit_price": "1"}],
            "expires_at": "9999-12-31T23:59:59-14:00",
        },
    )

    assert [(e["field"], e["code"]) for e in negative.json()["errors"]] == [
        ("lines[0].unit_price", "negative_price")
    ]
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [
        ("lines[1].line_number", "unknown_line"),
        ("lines", "line_not_priced"),
    ]
    assert missing.json()["errors"][1]["line_number"] == 2
    assert [(e["field"], e["code"]) for e in past.json()["errors"]] == [
        ("expires_at", "expiry_not_in_future")
    ]
    for r in (negative, missing, past, naive, far):
        assert r.status_code == 422, r.content
    assert snapshot(world) == before


def test_accept_needs_a_ship_to_and_a_refused_order_leaves_the_quote_answered(world, bob):
    api = bob[1]
    asked = _ask(api, world, lines=[{"sku": "C-3", "quantity": 150}], ship_to_id=None)
    _answer(world, asked["id"], prices=("0.20",))
    before = snapshot(world)

    nowhere = api.post(f"/my/quotes/{asked['id']}/accept")
    short = api.post(f"/my/quotes/{asked['id']}/accept", {"ship_to_id": world.ship_to.pk})

    assert nowhere.status_code == 422 and nowhere.json()["code"] == "ship_to_required"
    assert short.status_code == 409 and short.json()["code"] == "insufficient_stock"
    assert snapshot(world) == before
    assert api.get(f"/my/quotes/{asked['id']}").json()["status"] == "answered"


def test_another_company_or_tenant_never_reaches_a_quote(world, other_world, bob):
    asked = _ask(bob[1], world)
    _answer(world, asked["id"])
    other, _ = second_company(world)
    _, dave = add_buyer(world, "dave@two.test", company=other)
    before = snapshot(world)

    for path in ("accept", "decline", "withdraw"):
        assert dave.post(f"/my/quotes/{asked['id']}/{path}").status_code == 404
    assert dave.get(f"/my/quotes/{asked['id']}").status_code == 404
    assert dave.get("/my/quotes").json()["items"] == []
    intruder = other_world.client()
    assert intruder.get(f"/quotes/{asked['id']}").status_code == 404
    assert intruder.post(f"/quotes/{asked['id']}/reject", {"reason": "x"}).status_code == 404
    assert intruder.get("/quotes").json()["items"] == []
    assert snapshot(world) == before


def test_staff_list_quotes_by_company(world, bob):
    other, _ = second_company(world)
    mine = _ask(bob[1], world)
    theirs = (
        world.client()
        .post("/quotes", {"company_id": other.pk, "lines": [{"sku": "A-1", "quantity": 1}]})
        .json()
    )
    staff = world.client()
    assert [q["id"] for q in staff.get("/quotes", company_id=world.company.pk).json()["items"]] == [
        mine["id"]
    ]
    assert [q["id"] for q in staff.get("/quotes").json()["items"]] == [mine["id"], theirs["id"]]
    assert staff.get("/quotes").json()["items"][0]["line_count"] == 2


def test_a_price_can_carry_four_decimals_and_totals_round_per_line(world, bob):
    asked = _ask(bob[1], world, lines=[{"sku": "C-3", "quantity": 3}])
    answered = _answer(world, asked["id"], prices=("0.3333",)).json()
    assert answered["total"] == "1.00"
    assert Quote.objects.get(pk=asked["id"]).lines.get().unit_price == Decimal("0.3333")
