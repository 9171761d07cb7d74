"""The quote desk: requests and counter-offers wait first, with company, age and value; staff
answer line by line (price, word, expiry, note) beside the company's price, the list price
and the stock; the buyer counters, staff answer again, the buyer accepts, and the quote links
to its order on both sides. Refusals next to their field, changing nothing; roles."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.buying import services as buying
from dinghuo.buying.models import Quote, QuoteLine, QuoteRound
from dinghuo.core import clock
from dinghuo.orders.models import Order
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.builders import World
from tests.portal.ordering import SignedIn, sign_in
from tests.portal.ordering import csrf_post as buyer_post

pytestmark = pytest.mark.django_db


def _requested(world: World, buyer: SignedIn, *lines: tuple[str, int]) -> Quote:
    return buying.request_quote(
        tenant_id=world.tenant.pk,
        company_id=buyer.member.company_id,
        lines=[buying.QuoteLineRequest(sku, quantity) for sku, quantity in lines],
        requested_by_id=buyer.member.pk,
        ship_to_id=world.ship_to.pk,
        note="For the new shop",
    )


def _answer_body(**extra: str) -> dict[str, str]:
    expires = (clock.now() + timedelta(days=10)).date().isoformat()
    return {"price_1": "7.50", "note_1": "From stock", "price_2": "0.25", "note_2": "",
            "expires_on": expires, "note": "Special for you", **extra}  # fmt: skip


def _cells(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">\s*(.*?)\s*</td>', html, re.S)


def test_staff_answer_the_buyer_counters_staff_answer_again_the_buyer_orders(
    world: World,
) -> None:
    buyer = sign_in(world)
    quote = _requested(world, buyer, ("A-1", 50), ("C-3", 30))
    staff = staff_client(world)

    desk = texts(staff.client.get("/staff/quotes/"))
    assert f'data-testid="quote-{quote.pk}"' in desk and world.company.name in desk
    assert "$460.00" in desk  # 50 × 9.00 + 30 × 0.3333, the company's prices when asked
    assert 'data-testid="age"' in desk
    assert 'data-testid="quotes-waiting">1<' in texts(staff.client.get("/staff/quotes/waiting/"))
    assert 'hx-get="/staff/quotes/waiting/"' in texts(staff.client.get("/staff/"))

    page = texts(staff.client.get(f"/staff/quotes/{quote.pk}/"))
    assert 'data-testid="answer-form"' in page and "For the new shop" in page
    assert _cells(page, "price-now") == ["$9.00", "$0.3333"]
    assert [c.isdigit() or "," in c for c in _cells(page, "available")] == [True, True]
    assert 'value="9.00"' in page  # the answer starts from the company's price
    assert "9.0000" not in page and "0.33330" not in page

    r = csrf_post(staff.client, f"/staff/quotes/{quote.pk}/answer/", _answer_body())
    assert r.status_code == 302 and r["Location"] == f"/staff/quotes/{quote.pk}/"
    quote.refresh_from_db()
    assert quote.status == "answered" and quote.seller_note == "Special for you"
    assert quote.expires_at is not None and quote.expires_at > clock.now() + timedelta(days=9)
    assert list(QuoteLine.objects.filter(quote=quote).order_by("line_number").values_list(
        "unit_price", "seller_note")) == [(Decimal("7.5"), "From stock"), (Decimal("0.25"), "")]  # fmt: skip
    assert QuoteRound.objects.get(quote=quote, number=2).by == staff.member.user
    assert f'data-testid="quote-{quote.pk}"' not in texts(staff.client.get("/staff/quotes/"))
    assert "quotes-waiting" not in texts(staff.client.get("/staff/quotes/waiting/"))

    mine = texts(buyer.client.get(f"/quotes/{quote.pk}/"))
    assert "$7.50" in mine and "From stock" in mine and 'data-testid="counter-form"' in mine
    r = buyer_post(buyer.client, f"/quotes/{quote.pk}/counter/",
                   {"quantity_1": "100", "price_1": "7", "quantity_2": "30", "price_2": "",
                    "note": "We take double"})  # fmt: skip
    assert r.status_code == 302
    mine = texts(buyer.client.get(r["Location"]))
    assert 'data-status="countered"' in mine and "Your counter-offer is sent" in mine
    assert 'data-testid="round-3"' in mine and "We take double" in mine

    desk = texts(staff.client.get("/staff/quotes/"))
    assert f'data-testid="quote-{quote.pk}"' in desk and 'data-status="countered"' in desk
    page = texts(staff.client.get(f"/staff/quotes/{quote.pk}/"))
    assert re.search(r'data-testid="asked">\s*<strong>\$7\.00</strong>', page)
    assert 'value="7.00"' in page  # the answer starts from the buyer's proposal
    assert "We take double" in page and f"({world.company.name})" in page

    r = csrf_post(staff.client, f"/staff/quotes/{quote.pk}/answer/",
                  _answer_body(price_1="7.20", note="Meet halfway"))  # fmt: skip
    assert r.status_code == 302
    r = buyer_post(buyer.client, f"/quotes/{quote.pk}/accept/", {"ship_to": str(world.ship_to.pk)})
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert [(ln.quantity, ln.unit_price) for ln in order.lines.order_by("line_number")] == [
        (100, Decimal("7.20")), (30, Decimal("0.25")),
    ]  # fmt: skip

    page = texts(staff.client.get(f"/staff/quotes/{quote.pk}/"))
    assert f'href="/staff/orders/{order.pk}/" data-testid="quote-order">{order.number}<' in page
    assert 'data-testid="answer-form"' not in page and 'data-testid="reject-form"' not in page
    assert [m for m in re.findall(r'data-kind="(\w+)"', page)] == [
        "request", "answer", "counter", "answer",
    ]  # fmt: skip
    accepted = texts(staff.client.get("/staff/quotes/", {"status": "accepted"}))
    assert f'href="/staff/orders/{order.pk}/" data-testid="quote-order"' in accepted


def test_a_bad_answer_is_refused_next_to_its_field_and_changes_nothing(world: World) -> None:
    buyer = sign_in(world)
    quote = _requested(world, buyer, ("A-1", 50), ("C-3", 30))
    staff = staff_client(world)
    before = list(QuoteLine.objects.filter(quote=quote).values())

    r = csrf_post(staff.client, f"/staff/quotes/{quote.pk}/answer/", _answer_body(price_1="-1"))
    assert r.status_code == 200 and 'data-testid="error-price_1"' in texts(r)
    yesterday = (clock.now() - timedelta(days=1)).date().isoformat()
    r = csrf_post(
        staff.client, f"/staff/quotes/{quote.pk}/answer/", _answer_body(expires_on=yesterday)
    )
    assert r.status_code == 200
    assert "Choose an expiry date in the future." in texts(r)
    assert 'data-testid="error-expires_on"' in texts(r)
    assert list(QuoteLine.objects.filter(quote=quote).values()) == before
    assert Quote.objects.get(pk=quote.pk).status == "requested"


def test_staff_reject_with_a_reason_or_take_back_an_answer(world: World) -> None:
    buyer = sign_in(world)
    first = _requested(world, buyer, ("A-1", 5))
    staff = staff_client(world)
    r = csrf_post(staff.client, f"/staff/quotes/{first.pk}/reject/", {"reason": ""})
    assert r.status_code == 200 and 'data-testid="error-reason"' in texts(r)
    r = csrf_post(staff.client, f"/staff/quotes/{first.pk}/reject/", {"reason": "Discontinued"})
    assert r.status_code == 302
    assert "Discontinued" in texts(buyer.client.get(f"/quotes/{first.pk}/"))

    second = _requested(world, buyer, ("C-3", 5))
    csrf_post(staff.client, f"/staff/quotes/{second.pk}/answer/",
              {"price_1": "0.30", "expires_on": (clock.now() + timedelta(days=3)).date().isoformat()})  # fmt: skip
    page = texts(staff.client.get(f"/staff/quotes/{second.pk}/"))
    assert "Take back the answer" in page and "Send a new answer" in page
    r = csrf_post(staff.client, f"/staff/quotes/{second.pk}/reject/", {"reason": "Price error"})
    assert r.status_code == 302
    assert Quote.objects.get(pk=second.pk).status == "rejected"


def test_read_only_staff_see_the_desk_but_cannot_answer(world: World) -> None:
    buyer = sign_in(world)
    quote = _requested(world, buyer, ("A-1", 5))
    staff = staff_client(world, role="read_only")
    page = texts(staff.client.get(f"/staff/quotes/{quote.pk}/"))
    assert 'data-testid="status"' in page and 'data-testid="answer-form"' not in page
    r = csrf_post(staff.client, f"/staff/quotes/{quote.pk}/answer/", _answer_body())
    assert r.status_code == 403
    assert Quote.objects.get(pk=quote.pk).status == "requested"
    warehouse = staff_client(world, "wes@seller.test", role="warehouse")
    assert warehouse.client.get("/staff/quotes/").status_code == 403
    assert 'data-testid="menu-quotes"' not in texts(warehouse.client.get("/staff/"))


def test_the_desk_reads_a_constant_number_of_queries(world: World) -> None:
    buyer = sign_in(world)
    staff = staff_client(world)
    _requested(world, buyer, ("A-1", 5))
    with CaptureQueriesContext(connection) as few:
        assert staff.client.get("/staff/quotes/").status_code == 200
    for _ in range(5):
        _requested(world, buyer, ("A-1", 5), ("C-3", 2))
    with CaptureQueriesContext(connection) as many:
        assert staff.client.get("/staff/quotes/").status_code == 200
    assert len(few) == len(many)


def test_a_quote_waits_since_its_last_round_not_since_it_was_last_touched(world: World) -> None:
    buyer = sign_in(world)
    quote = _requested(world, buyer, ("A-1", 5))
    three_days_ago = clock.now() - timedelta(days=3, minutes=5)
    QuoteRound.objects.filter(quote=quote).update(at=three_days_ago)
    Quote.objects.filter(pk=quote.pk).update(requested_at=three_days_ago, updated_at=clock.now())

    desk = staff_client(world).client.get("/staff/quotes/").content.decode()

    [age] = re.findall(r'data-testid="age">([^<]*)<', desk)
    assert age.startswith("3\xa0days")
