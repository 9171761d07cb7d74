"""Tax on the pages: the cart and checkout show the tax to the chosen ship-to and the total,
the buyer's and the staff's order page the tax per line and per rate, in the reader's
language (the rate's translated name), with money formatted for the locale."""

import re
from datetime import date
from decimal import Decimal

import pytest

from dinghuo.customers import services as customers
from dinghuo.customers.models import Location
from dinghuo.orders.models import Order
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList
from tests.backoffice.staffing import staff_client
from tests.builders import World
from tests.portal.ordering import csrf_post, sign_in


@pytest.fixture
def singapore(world: World) -> Location:
    """A 9% GST rate to Singapore and a ship-to there, named first (so checkout offers it)."""
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


def _texts(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_cart_shows_tax_to_the_first_ship_to_and_the_total(world, singapore):
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)  # 10 × 9.00 = 90.00; 9% = 8.10
    html = buyer.client.get("/cart/").content.decode()
    assert 'data-testid="cart-subtotal">$90.00<' in html
    assert 'data-testid="cart-tax">$8.10<' in html
    assert 'data-testid="cart-total">$98.10<' in html
    assert "Tax, for delivery to A Singapore dock" in _texts(html)


def test_checkout_shows_the_tax_of_the_chosen_ship_to(world, singapore):
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    first = buyer.client.get("/checkout/").content.decode()
    assert 'data-testid="cart-total">$98.10<' in first
    # Sent with the Hong Kong dock and no token: the form is shown again, taxed for Hong Kong.
    again = csrf_post(buyer.client, "/checkout/", {"ship_to": str(world.ship_to.pk)})
    html = again.content.decode()
    assert again.status_code == 200
    assert 'data-testid="cart-tax">$0.00<' in html
    assert 'data-testid="cart-total">$90.00<' in html
    assert Order.objects.count() == 0


def test_a_list_with_tax_included_shows_the_tax_it_contains(world, singapore):
    PriceList.objects.filter(pk=world.price_list.pk).update(prices_include_tax=True)
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)  # 90.00 includes 9%: 90 × 9/109 = 7.43
    html = buyer.client.get("/cart/").content.decode()
    assert 'data-testid="cart-total">$90.00<' in html
    assert 'data-testid="cart-tax">$7.43<' in html
    assert "Tax included, for delivery to A Singapore dock" in _texts(html)


def _order(world: World, ship_to: Location, key: str = "k1") -> Order:
    body = {**world.order_body(("A-1", 10)), "ship_to_id": ship_to.pk}
    r = world.client().place(body, key=key)
    assert r.status_code == 201, r.json()
    return Order.objects.get(pk=r.json()["id"])


def test_the_buyers_order_page_in_chinese_names_the_tax_and_its_total(world, singapore):
    order = _order(world, singapore)
    buyer = sign_in(world)
    html = buyer.client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    page = _texts(html.content.decode())
    assert "未稅小計 US$90.00" in page
    assert "消費稅 9% US$8.10" in page
    assert "總計 US$98.10" in page
    assert "GST" not in page


def test_the_staff_order_page_shows_tax_per_line_and_the_exemption(world, singapore):
    customers.set_tax_exemption(
        tenant_id=world.tenant.pk, company_id=world.company.pk, certificate="EX-77"
    )
    exempt = _order(world, singapore)
    staff = staff_client(world)
    page = _texts(staff.client.get(f"/staff/orders/{exempt.pk}/").content.decode())
    assert "Exempt from tax (certificate EX-77)." in page
    assert "Subtotal before tax $90.00" in page
    assert "Total $90.00" in page
    customers.set_tax_exemption(
        tenant_id=world.tenant.pk, company_id=world.company.pk, certificate=""
    )
    taxed = _order(world, singapore, key="k2")
    html = staff.client.get(f"/staff/orders/{taxed.pk}/").content.decode()
    assert re.search(r'data-testid="line-tax">\$8\.10 <span class="muted nowrap">9%', html)
    assert "GST 9% $8.10" in _texts(html)


def test_an_order_without_tax_shows_only_its_total(world):
    order = _order(world, world.ship_to)
    page = _texts(sign_in(world).client.get(f"/orders/{order.pk}/").content.decode())
    assert "Subtotal before tax" not in page
    assert "Total $90.00" in page
