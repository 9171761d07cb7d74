"""Counter-offers and the rounds of a quote: the buyer answers the seller's answer with other
prices or quantities, the quote goes back to the seller, who answers again; every round stays
readable on both sides, and the last answer becomes the order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dinghuo.buying import services
from dinghuo.buying.models import Quote
from dinghuo.core import clock
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order
from tests.buying.support import add_buyer, snapshot


@pytest.fixture
def bob(world):
    return add_buyer(world, "bob@buyer.test")


def _ask(api, world):
    body = {
        "lines": [{"sku": "A-1", "quantity": 50}, {"sku": "C-3", "quantity": 30}],
        "ship_to_id": world.ship_to.pk,
        "note": "Best price?",
    }
    r = api.post("/my/quotes", body, key="rfq")
    assert r.status_code == 201, r.content
    return r.json()


def _answer(world, quote_id, prices=("7.50", "0.25"), days=7, note="Valid a week"):
    body = {
        "lines": [
            {"line_number": i, "unit_price": p, "note": "from stock" if i == 1 else ""}
            for i, p in enumerate(prices, 1)
        ],
        "expires_at": (timezone.now() + timedelta(days=days)).isoformat(),
        "note": note,
    }
    r = world.client().post(f"/quotes/{quote_id}/answer", body)
    assert r.status_code == 200, r.content
    return r.json()


def _types(quote_id):
    return list(
        Event.objects.filter(aggregate_type="quote", aggregate_id=quote_id)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_a_counter_offer_goes_back_to_the_seller_who_answers_again_and_the_buyer_orders(world, bob):
    api = bob[1]
    asked = _ask(api, world)
    _answer(world, asked["id"])
    r = api.post(
        f"/my/quotes/{asked['id']}/counter",
        {"lines": [{"line_number": 1, "quantity": 100, "unit_price": "7.00"}], "note": "Double"},
    )
    assert r.status_code == 200, r.content
    countered = r.json()
    assert (countered["status"], countered["allowed_actions"]) == ("countered", ["withdraw"])
    assert countered["expires_at"] is None and countered["total"] is None
    assert [
        (ln["quantity"], ln["asked_unit_price"], ln["unit_price"]) for ln in countered["lines"]
    ] == [(100, "7.00", None), (30, None, None)]
    staff_view = world.client().get(f"/quotes/{asked['id']}").json()
    assert staff_view["allowed_actions"] == ["answer", "reject"]
    waiting = world.client().get("/quotes", status="countered").json()["items"]
    assert [q["id"] for q in waiting] == [asked["id"]]

    again = _answer(world, asked["id"], prices=("7.20", "0.25"), note="Meet halfway")
    assert again["status"] == "answered"
    assert [(ln["unit_price"], ln["asked_unit_price"]) for ln in again["lines"]] == [
        ("7.20", None),
        ("0.25", None),
    ]
    rounds = api.get(f"/my/quotes/{asked['id']}").json()["rounds"]
    assert [(r["number"], r["kind"], r["party"], r["note"]) for r in rounds] == [
        (1, "request", "buyer", "Best price?"),
        (2, "answer", "seller", "Valid a week"),
        (3, "counter", "buyer", "Double"),
        (4, "answer", "seller", "Meet halfway"),
    ]
    assert [(ln["quantity"], ln["unit_price"], ln["note"]) for ln in rounds[1]["lines"]] == [
        (50, "7.50", "from stock"),
        (30, "0.25", ""),
    ]
    assert [(ln["quantity"], ln["unit_price"]) for ln in rounds[2]["lines"]] == [
        (100, "7.00"),
        (30, None),
    ]
    assert rounds[1]["expires_at"] is not None and rounds[2]["expires_at"] is None

    order = api.post(f"/my/quotes/{asked['id']}/accept").json()
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [
        ("A-1", 100, "7.20"),
        ("C-3", 30, "0.25"),
    ]
    assert _types(asked["id"]) == [
        "quote.requested",
        "quote.answered",
        "quote.countered",
        "quote.answered",
        "quote.accepted",
    ]
    countered_event = Event.objects.get(aggregate_id=asked["id"], type="quote.countered")
    assert countered_event.payload["lines"][0] == {
        "line_number": 1,
        "sku": "A-1",
        "quantity": 100,
        "unit_price": "7.00",
    }


def test_the_seller_may_answer_an_answer_again_before_the_buyer_accepts(world, bob):
    api = bob[1]
    asked = _ask(api, world)
    _answer(world, asked["id"])
    revised = _answer(world, asked["id"], prices=("7.00", "0.20"), note="Better")
    assert (revised["status"], revised["seller_note"]) == ("answered", "Better")
    assert [ln["unit_price"] for ln in revised["lines"]] == ["7.00", "0.20"]
    assert [r["kind"] for r in revised["rounds"]] == ["request", "answer", "answer"]


@pytest.mark.parametrize(
    ("lines", "note", "field", "code"),
    [
        ([{"line_number": 9, "quantity": 1}], "", "lines[0].line_number", "unknown_line"),
        (
            [{"line_number": 1, "quantity": 5}, {"line_number": 1, "quantity": 6}],
            "",
            "lines[0].line_number lines[1].line_number",
            "duplicate_line",
        ),
        (
            [{"line_number": 1, "quantity": 50, "unit_price": "-1"}],
            "",
            "lines[0].unit_price",
            "negative_price",
        ),
        (
            [{"line_number": 1, "quantity": 50, "unit_price": "7.50"}],
            "",
            "lines",
            "nothing_proposed",
        ),
        ([], "  ", "lines", "nothing_proposed"),
    ],
)
def test_a_bad_counter_offer_is_refused_and_changes_nothing(world, bob, lines, note, field, code):
    api = bob[1]
    asked = _ask(api, world)
    _answer(world, asked["id"])
    before = snapshot(world)
    r = api.post(f"/my/quotes/{asked['id']}/counter", {"lines": lines, "note": note})
    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        (at, code) for at in field.split()
    ]
    assert snapshot(world) == before


def test_a_note_alone_is_a_counter_offer(world, bob):
    api = bob[1]
    asked = _ask(api, world)
    _answer(world, asked["id"])
    r = api.post(f"/my/quotes/{asked['id']}/counter", {"lines": [], "note": "Free delivery?"})
    assert r.status_code == 200 and r.json()["status"] == "countered"


def test_no_counter_offer_before_an_answer_after_its_expiry_or_on_another_company(world, bob):
    api = bob[1]
    asked = _ask(api, world)
    body = {"lines": [{"line_number": 1, "quantity": 60}]}
    r = api.post(f"/my/quotes/{asked['id']}/counter", body)
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    _answer(world, asked["id"], days=1)
    before = snapshot(world)
    with clock.as_of(timezone.now() + timedelta(days=2)):
        r = api.post(f"/my/quotes/{asked['id']}/counter", body)
    assert (r.status_code, r.json()["code"]) == (409, "quote_expired")
    assert snapshot(world) == before

    other_company_quote = services.request_quote(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        lines=[services.QuoteLineRequest("A-1", 5)],
    )
    other = add_buyer(world, "eve@buyer.test")[1]
    assert other.post(f"/my/quotes/{other_company_quote.pk + 999}/counter", body).status_code == 404


def test_a_countered_quote_cannot_be_accepted_and_does_not_expire(world, bob):
    api = bob[1]
    asked = _ask(api, world)
    _answer(world, asked["id"], days=1)
    api.post(f"/my/quotes/{asked['id']}/counter", {"lines": [], "note": "Lower?"})
    r = api.post(f"/my/quotes/{asked['id']}/accept")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    assert services.expire_quotes(now=timezone.now() + timedelta(days=5)) == 0
    assert Quote.objects.get(pk=asked["id"]).status == "countered"
    assert Order.objects.count() == 0
    withdrawn = api.post(f"/my/quotes/{asked['id']}/withdraw").json()
    assert withdrawn["status"] == "withdrawn"
