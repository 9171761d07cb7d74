"""The cart and checkout: lines at today's price with their problems, changes in place, what
will happen to the order, and placing it once however often the form is sent."""

import re
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dinghuo.buying import queries as buying
from dinghuo.catalog.models import Sku
from dinghuo.core.templatetags.dinghuo import date_ as date_filter
from dinghuo.customers import services as customers
from dinghuo.orders.models import Order
from tests.builders import World
from tests.portal.ordering import csrf_post, more_skus, second_company, sign_in


def checkout_form(html: str) -> dict[str, str]:
    token = re.search(r'name="token" value="([0-9a-f]+)"', html)
    ship_to = re.search(r'<option value="(\d+)" selected', html)
    assert token and ship_to, html
    return {"token": token.group(1), "ship_to": ship_to.group(1)}


def test_the_cart_shows_each_line_at_todays_price_and_its_problems(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    buyer.add(world, "B-2", 12)
    Sku.objects.filter(pk=world.skus["B-2"].pk).update(is_active=False)
    html = buyer.client.get("/cart/").content.decode()
    assert "$90.00" in html  # A-1 × 10 at 9.00
    assert "This SKU can no longer be ordered." in html
    assert 'data-testid="cart-subtotal">$90.00<' in html
    assert "Some lines cannot be ordered as they are" in html
    assert 'data-testid="checkout"' not in html


def test_changing_and_removing_lines_in_place(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "A-1", 1)
    sku_id = world.skus["A-1"].pk
    r = csrf_post(buyer.client, f"/cart/lines/{sku_id}/", {"action": "update", "quantity": "100"},
                  HTTP_HX_REQUEST="true")  # fmt: skip
    html = r.content.decode()
    assert "<html" not in html and 'data-testid="cart-subtotal">$800.00<' in html
    r = csrf_post(buyer.client, f"/cart/lines/{sku_id}/", {"action": "update", "quantity": "0"},
                  HTTP_HX_REQUEST="true")  # fmt: skip
    assert "Ensure this value is greater than or equal to 1." in r.content.decode()
    r = csrf_post(
        buyer.client, f"/cart/lines/{world.skus['B-2'].pk}/", {"action": "update", "quantity": "6"}
    )
    assert r.status_code == 404  # not in the cart
    r = csrf_post(
        buyer.client, f"/cart/lines/{sku_id}/", {"action": "remove"}, HTTP_HX_REQUEST="true"
    )
    assert "Your cart is empty." in r.content.decode()


def test_a_refused_change_shows_on_the_line(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "B-2", 6)
    r = csrf_post(buyer.client, f"/cart/lines/{world.skus['B-2'].pk}/",
                  {"action": "update", "quantity": "8"}, HTTP_HX_REQUEST="true")  # fmt: skip
    html = r.content.decode()
    assert 'class="field-error"' in html and "Comes in packs of 6." in html
    cart = buying.cart(world.tenant.pk, world.company.pk, buyer.member.pk)
    assert cart.lines[0].check.quantity == 6  # unchanged


def test_the_cart_takes_the_same_queries_whatever_its_size(world: World) -> None:
    more_skus(world, 40)
    buyer = sign_in(world)
    buyer.add(world, "A-1", 1)
    buyer.client.get("/cart/")
    with CaptureQueriesContext(connection) as one:
        buyer.client.get("/cart/")
    for i in range(40):
        buyer.add(world, f"X-{i}", 1)
    with CaptureQueriesContext(connection) as many:
        html = buyer.client.get("/cart/").content.decode()
    assert html.count('data-testid="cart-line-') == 41
    assert len(many) == len(one)


def test_checkout_shows_what_will_happen_and_places_the_order_once(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    page = buyer.client.get("/checkout/").content.decode()
    assert 'data-status="placed"' in page  # the seller confirms by hand (automation is off)
    form = checkout_form(page)
    wanted = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {**form, "purchase_order_number": "PO-77", "requested_date": wanted, "notes": "Gate 4"}
    r = csrf_post(buyer.client, "/checkout/", data)
    order = Order.objects.get(company=world.company)
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert order.purchase_order_number == "PO-77" and order.total == Decimal("90.00")
    assert order.notes == "Gate 4"
    assert order.requested_delivery_date.isoformat() == wanted
    assert order.channel == "portal" and order.placed_by_id == buyer.member.pk
    assert order.entered_by_id is None
    # The same form sent again (a double click, a resent request) places nothing more.
    again = csrf_post(buyer.client, "/checkout/", data)
    assert again.status_code == 302 and again["Location"] == f"/orders/{order.pk}/"
    assert Order.objects.filter(company=world.company).count() == 1
    html = buyer.client.get(r["Location"]).content.decode()
    assert "Thank you: your order is placed." in html
    assert "PO-77" in html and "Gate 4" in html
    assert f'data-testid="requested-date">{date_filter(order.requested_delivery_date)}<' in html


def test_checkout_says_approval_is_needed_over_the_spending_limit(world: World) -> None:
    buyer = sign_in(world, spending_limit="50")
    buyer.add(world, "A-1", 10)
    html = buyer.client.get("/checkout/").content.decode()
    assert 'data-status="awaiting_approval"' in html
    assert "This order will need approval before it is confirmed." in html
    assert "Level 1: approval by an approver of your company" in html


def test_checkout_says_the_order_will_go_on_credit_hold(world: World) -> None:
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, credit_limit=Decimal("50")
    )
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    html = buyer.client.get("/checkout/").content.decode()
    assert 'data-status="credit_hold"' in html
    assert "The order would take your company over its credit limit." in html
    r = csrf_post(buyer.client, "/checkout/", checkout_form(html))
    order = Order.objects.get(company=world.company)
    assert r.status_code == 302 and order.status == "credit_hold"


def test_checkout_errors_show_next_to_the_field(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    form = checkout_form(buyer.client.get("/checkout/").content.decode())
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    r = csrf_post(buyer.client, "/checkout/", {**form, "requested_date": yesterday})
    html = r.content.decode()
    assert 'data-testid="error-requested_date">Choose a date from today on.<' in html
    other = second_company(world)
    other_ship_to = other.locations.get().pk
    r = csrf_post(buyer.client, "/checkout/", {**form, "ship_to": other_ship_to})
    assert 'data-testid="error-ship_to"' in r.content.decode()  # not one of the choices
    assert not Order.objects.exists()


def test_checkout_refusals_leave_the_cart_and_say_why(world: World) -> None:
    buyer = sign_in(world)
    buyer.add(world, "A-1", 10)
    form = checkout_form(buyer.client.get("/checkout/").content.decode())
    Sku.objects.filter(pk=world.skus["A-1"].pk).update(is_active=False)
    html = csrf_post(buyer.client, "/checkout/", form).content.decode()
    assert "This SKU can no longer be ordered." in html
    assert not Order.objects.exists()
    assert len(buying.cart(world.tenant.pk, world.company.pk, buyer.member.pk).lines) == 1


def test_an_empty_cart_cannot_be_checked_out(world: World) -> None:
    buyer = sign_in(world)
    html = buyer.client.get("/checkout/").content.decode()
    assert "Your cart is empty." in html
