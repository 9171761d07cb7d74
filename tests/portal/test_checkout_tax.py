"""Checkout: choosing another ship-to shows its tax, total and what will happen to the order
at once (HTMX answers only that part of the page), and without JavaScript with the form's
"update" button; neither places anything, and the form's token still places the order once."""

import re
from datetime import date
from decimal import Decimal

import pytest

from dinghuo.customers import services as customers
from dinghuo.customers.models import Location
from dinghuo.orders.models import Order
from dinghuo.pricing import services as pricing
from tests.builders import World
from tests.orders.support import set_credit, set_policy
from tests.portal.ordering import SignedIn, csrf_post, sign_in

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def singapore(world: World) -> Location:
    """A 9% GST rate to Singapore and a ship-to there, named first (so checkout offers it);
    Dock 1, the world's, is in Hong Kong, where the seller charges no tax."""
    pricing.create_tax_rate(
        tenant_id=world.tenant.pk,
        country="SG",
        name={"en": "GST", "zh-hant": "消費稅", "zh-hans": "消费税"},
        percent=Decimal(9),
        valid_from=date(2020, 1, 1),
    )
    return customers.create_location(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        kind="ship_to",
        name="A Singapore dock",
        line1="1 Pier",
        city="Singapore",
        country="SG",
    )


def _buyer_at_checkout(world: World) -> tuple[SignedIn, str]:
    """A buyer with A-1 × 10 (90.00) in the cart, and the checkout's form token."""
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    html = buyer.client.get("/checkout/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert token is not None
    return buyer, token.group(1)


def _refresh(buyer: SignedIn, token: str, ship_to: Location, **headers: str) -> str:
    body = {"token": token, "ship_to": str(ship_to.pk), "action": "refresh"}
    response = csrf_post(buyer.client, "/checkout/", body, **headers)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_ship_to_select_asks_for_the_totals_on_change(world, singapore):
    buyer, _token = _buyer_at_checkout(world)
    html = buyer.client.get("/checkout/").content.decode()
    select = re.search(r'<select name="ship_to"[^>]*>', html)
    assert select is not None
    for attribute in ('hx-post="/checkout/"', 'hx-trigger="change"',
                      'hx-target="#checkout-totals"', 'hx-swap="outerHTML"'):  # fmt: skip
        assert attribute in select.group(0)
    assert '"action": "refresh"' in select.group(0).replace("&quot;", '"')
    assert 'id="checkout-totals"' in html
    assert 'data-testid="cart-total">$98.10<' in html  # Singapore first: 90.00 + 9% GST


def test_htmx_with_another_ship_to_answers_only_the_totals_with_its_tax(world, singapore):
    buyer, token = _buyer_at_checkout(world)
    to_hong_kong = _refresh(buyer, token, world.ship_to, **HTMX)
    assert to_hong_kong.lstrip().startswith('<div id="checkout-totals"')
    assert "<html" not in to_hong_kong and 'name="token"' not in to_hong_kong
    assert 'data-testid="cart-subtotal">$90.00<' in to_hong_kong
    assert 'data-testid="cart-tax">$0.00<' in to_hong_kong
    assert 'data-testid="cart-total">$90.00<' in to_hong_kong
    assert "Tax, for delivery to Dock 1" in to_hong_kong
    back = _refresh(buyer, token, singapore, **HTMX)
    assert 'data-testid="cart-tax">$8.10<' in back
    assert 'data-testid="cart-total">$98.10<' in back
    assert Order.objects.count() == 0
    # The token is still free: the form places the order, to the ship-to chosen last.
    placed = csrf_post(buyer.client, "/checkout/", {"token": token, "ship_to": str(singapore.pk)})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.ship_to_id, order.total) == (singapore.pk, Decimal("98.10"))


def test_htmx_refresh_updates_the_notice_and_the_place_button(world, singapore):
    set_policy(world, credit_action="refuse")
    set_credit(world, "98.09")  # 90.00 fits; with Singapore's GST, 98.10, it does not
    buyer, token = _buyer_at_checkout(world)
    refused = _refresh(buyer, token, singapore, **HTMX)
    assert "The seller will not accept this order on account now." in refused
    button = re.search(r'<button[^>]*id="place-order"[^>]*>', refused)
    assert button is not None
    assert 'hx-swap-oob="true"' in button.group(0) and "disabled" in button.group(0)
    fits = _refresh(buyer, token, world.ship_to, **HTMX)
    assert "The seller will not accept this order on account now." not in fits
    button = re.search(r'<button[^>]*id="place-order"[^>]*>', fits)
    assert button is not None and "disabled" not in button.group(0)


def test_without_javascript_the_update_button_shows_the_whole_page_retaxed(world, singapore):
    buyer, token = _buyer_at_checkout(world)
    first = buyer.client.get("/checkout/").content.decode()
    assert re.search(r'<noscript><button type="submit" name="action" value="refresh"', first)
    html = _refresh(buyer, token, world.ship_to)
    assert "<html" in html
    assert f'<option value="{world.ship_to.pk}" selected>' in html
    assert f'name="token" value="{token}"' in html
    assert 'data-testid="cart-tax">$0.00<' in html and 'data-testid="cart-total">$90.00<' in html
    assert Order.objects.count() == 0


def test_a_cart_emptied_meanwhile_sends_htmx_to_the_whole_page(world, singapore):
    buyer, token = _buyer_at_checkout(world)
    # The same buyer empties the cart in another tab.
    csrf_post(buyer.client, f"/cart/lines/{world.skus['A-1'].pk}/", {"action": "remove"})
    body = {"token": token, "ship_to": str(world.ship_to.pk), "action": "refresh"}
    response = csrf_post(buyer.client, "/checkout/", body, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == "/checkout/"
