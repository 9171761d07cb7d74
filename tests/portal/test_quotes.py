"""Quotes: asked with rows, a note and a ship-to; the answer read beside list prices with its
expiry; accepted into an order, declined or withdrawn; never another company's."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.buying import services as buying
from dinghuo.buying.models import Quote
from dinghuo.core import clock
from dinghuo.orders.models import Order
from tests.builders import World
from tests.portal.ordering import SignedIn, csrf_post, second_company, sign_in


def requested(world: World, buyer: SignedIn, *lines: tuple[str, int]) -> Quote:
    return buying.request_quote(
        tenant_id=world.tenant.pk,
        company_id=buyer.member.company_id,
        lines=[buying.QuoteLineRequest(sku, quantity) for sku, quantity in lines],
        requested_by_id=buyer.member.pk,
    )


def answered(world: World, quote: Quote, *prices: str, hours: int = 48) -> Quote:
    return buying.answer_quote(
        tenant_id=world.tenant.pk,
        quote_id=quote.pk,
        lines=[buying.QuotedLine(i, Decimal(p)) for i, p in enumerate(prices, 1)],
        expires_at=clock.now() + timedelta(hours=hours),
        note="Special for you",
    )


def test_asking_for_a_quote_with_rows_a_note_and_a_ship_to(world: World) -> None:
    buyer = sign_in(world)
    html = buyer.client.get("/quotes/new/").content.decode()
    assert 'data-testid="row-5"' in html and world.ship_to.name in html
    r = csrf_post(
        buyer.client,
        "/quotes/new/",
        {"sku": ["A-1", "", "C-3"], "quantity": ["500", "", "40"], "rows_text": "D-4\t7",
         "note": "For the new shop", "ship_to": str(world.ship_to.pk)},
    )  # fmt: skip
    quote = Quote.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/quotes/{quote.pk}/"
    assert [(line.sku.code, line.quantity) for line in quote.lines.order_by("line_number")] == [
        ("A-1", 500), ("C-3", 40), ("D-4", 7),
    ]  # fmt: skip
    assert quote.buyer_note == "For the new shop" and quote.ship_to_id == world.ship_to.pk
    html = buyer.client.get(r["Location"]).content.decode()
    assert f"Quote {quote.number} is requested" in html
    assert 'data-status="requested"' in html and "Waiting for the seller" in html
    assert 'data-testid="withdraw"' in html and 'data-testid="accept"' not in html


def test_a_quote_request_shows_problems_next_to_the_row(world: World) -> None:
    buyer = sign_in(world)
    r = csrf_post(
        buyer.client, "/quotes/new/", {"sku": ["A-1", "ZZ-9", "C-3"], "quantity": ["5", "4", "x"]}
    )
    html = r.content.decode()
    assert 'data-testid="problems-2"' in html and "Enter a whole number." in html
    r = csrf_post(buyer.client, "/quotes/new/", {"sku": ["A-1", "ZZ-9"], "quantity": ["5", "4"]})
    html = r.content.decode()
    assert 'data-testid="problems-1"' in html and "No such SKU in your catalogue." in html
    assert 'data-testid="problems-0"' not in html
    r = csrf_post(buyer.client, "/quotes/new/", {"sku": [""], "quantity": [""]})
    assert "Ask for at least one line." in r.content.decode()
    assert not Quote.objects.exists()


def test_an_answer_shows_quoted_and_list_prices_and_is_accepted_into_an_order(
    world: World,
) -> None:
    buyer = sign_in(world)
    quote = answered(world, requested(world, buyer, ("A-1", 100), ("C-3", 10)), "7.50", "0.90")
    html = buyer.client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-status="answered"' in html and "Special for you" in html
    assert "$7.50" in html and "$8.00" in html and "$0.50 less" in html  # list: 100 → 8.00
    assert 'data-testid="quote-total">$759.00<' in html
    r = csrf_post(
        buyer.client,
        f"/quotes/{quote.pk}/accept/",
        {"ship_to": str(world.ship_to.pk), "purchase_order_number": "PO-Q1"},
    )
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert order.total == Decimal("759.00") and order.purchase_order_number == "PO-Q1"
    assert order.channel == "portal"
    html = buyer.client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-status="accepted"' in html and order.number in html
    assert 'data-testid="accept"' not in html


def test_an_expired_answer_reads_expired_and_cannot_be_accepted(world: World) -> None:
    buyer = sign_in(world)
    quote = answered(world, requested(world, buyer, ("A-1", 100)), "7.50")
    Quote.objects.filter(pk=quote.pk).update(expires_at=clock.now() - timedelta(minutes=1))
    html = buyer.client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-status="expired"' in html and 'data-testid="accept"' not in html
    r = csrf_post(buyer.client, f"/quotes/{quote.pk}/accept/", {"ship_to": str(world.ship_to.pk)})
    assert r.status_code == 302 and r["Location"] == f"/quotes/{quote.pk}/"
    html = buyer.client.get(r["Location"]).content.decode()
    assert "This quote has expired; ask for a new one." in html
    assert not Order.objects.exists()
    html = buyer.client.get("/quotes/", {"status": "expired"}).content.decode()
    assert quote.number in html
    assert quote.number not in buyer.client.get("/quotes/", {"status": "answered"}).content.decode()


def test_declining_an_answer_and_withdrawing_a_request(world: World) -> None:
    buyer = sign_in(world)
    answer = answered(world, requested(world, buyer, ("A-1", 100)), "7.50")
    ask = requested(world, buyer, ("C-3", 10))
    r = csrf_post(buyer.client, f"/quotes/{answer.pk}/decline/")
    assert r.status_code == 302
    assert "You declined the quote." in buyer.client.get(r["Location"]).content.decode()
    csrf_post(buyer.client, f"/quotes/{ask.pk}/withdraw/")
    statuses = dict(Quote.objects.values_list("pk", "status"))
    assert statuses == {answer.pk: "declined", ask.pk: "withdrawn"}
    r = csrf_post(buyer.client, f"/quotes/{ask.pk}/withdraw/")  # once is enough
    html = buyer.client.get(r["Location"]).content.decode()
    assert "This quote cannot do that in its current state." in html


def test_another_companys_quote_is_not_found(world: World, other_world: World) -> None:
    buyer = sign_in(world)
    neighbour = sign_in(world, "bob@other.test", company=second_company(world))
    theirs = answered(world, requested(world, neighbour, ("A-1", 100)), "7.50")
    far = sign_in(other_world, "eve@globex.test")
    far_quote = requested(other_world, far, ("A-1", 5))
    for quote in (theirs, far_quote):
        assert buyer.client.get(f"/quotes/{quote.pk}/").status_code == 404
        for action in ("decline", "withdraw"):
            assert csrf_post(buyer.client, f"/quotes/{quote.pk}/{action}/").status_code == 404
        r = csrf_post(
            buyer.client, f"/quotes/{quote.pk}/accept/", {"ship_to": str(world.ship_to.pk)}
        )
        assert r.status_code == 404
    assert Quote.objects.get(pk=theirs.pk).status == "answered"
    assert theirs.number not in buyer.client.get("/quotes/").content.decode()


def test_the_quotes_page_takes_the_same_number_of_queries_however_long(world: World) -> None:
    buyer = sign_in(world)
    requested(world, buyer, ("A-1", 5))
    buyer.client.get("/quotes/")
    with CaptureQueriesContext(connection) as one:
        buyer.client.get("/quotes/")
    for _ in range(29):
        answered(world, requested(world, buyer, ("A-1", 5), ("C-3", 1)), "9", "1")
    with CaptureQueriesContext(connection) as many:
        html = buyer.client.get("/quotes/").content.decode()
    assert html.count('data-testid="quote-Q-') == 25
    assert len(many) == len(one)
    older = html.split("?before=")[1].split('"')[0]
    html = buyer.client.get("/quotes/", {"before": older}).content.decode()
    assert html.count('data-testid="quote-Q-') == 5


def test_a_counter_offer_from_the_quote_page_and_its_refusals(world: World) -> None:
    buyer = sign_in(world)
    quote = answered(world, requested(world, buyer, ("A-1", 100), ("C-3", 10)), "7.50", "0.90")
    html = buyer.client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'data-testid="counter-form"' in html and 'value="100"' in html
    same = {"quantity_1": "100", "price_1": "", "quantity_2": "10", "price_2": "", "note": ""}
    r = csrf_post(buyer.client, f"/quotes/{quote.pk}/counter/", same)
    assert r.status_code == 200
    assert "Propose another price or quantity, or write a note to the seller." in r.content.decode()
    r = csrf_post(buyer.client, f"/quotes/{quote.pk}/counter/", same | {"price_2": "-1"})
    assert r.status_code == 200 and 'data-testid="error-price_2"' in r.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == "answered"

    r = csrf_post(buyer.client, f"/quotes/{quote.pk}/counter/", same | {"price_2": "0.80"})
    assert r.status_code == 302
    html = buyer.client.get(r["Location"]).content.decode()
    assert 'data-status="countered"' in html and 'data-testid="accept"' not in html
    assert 'data-testid="asked"' in html and "$0.80" in html
    assert 'data-testid="round-2"' in html and "Special for you" in html
    assert 'data-testid="counter-form"' not in html and 'data-testid="withdraw"' in html
