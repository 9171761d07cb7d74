"""Entering an order on a customer's behalf: rows typed or pasted, checked as the order would
check them, what will happen to the order shown first, placed once per form."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from dinghuo.core.templatetags.dinghuo import date_ as date_filter
from dinghuo.customers import services as customers
from dinghuo.customers.models import Location
from dinghuo.orders.models import Order
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.orders.support import add_rule, set_credit
from tests.portal.ordering import second_company


def _url(world) -> str:
    return f"/staff/companies/{world.company.pk}/order/"


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def _form(staff, world, rows, **extra):
    token = _token(texts(staff.client.get(_url(world))))
    return {
        "token": token,
        "ship_to": str(world.ship_to.pk),
        "purchase_order_number": "",
        "notes": "",
        "sku": [sku for sku, _ in rows],
        "quantity": [quantity for _, quantity in rows],
        **extra,
    }


def _row(page: str, index: int) -> str:
    start = page.index(f'data-testid="entry-row-{index}"')
    return page[start : page.index("</tr>", start)]


def test_the_page_offers_blank_rows_the_ship_to_and_a_one_time_token(world):
    staff = staff_client(world)
    page = texts(staff.client.get(_url(world)))
    assert page.count('name="sku"') == 5
    assert "Dock 1" in page and 'name="purchase_order_number"' in page
    assert _token(page) != _token(texts(staff.client.get(_url(world))))


def test_each_row_is_checked_and_its_problems_shown_next_to_it(world):
    staff = staff_client(world)
    body = _form(staff, world, [("A-1", "10"), ("B-2", "7"), ("NOPE", "1"), ("C-3", "x")])
    page = texts(csrf_post(staff.client, _url(world), {**body, "action": "check"}))
    assert "$9.00" in _row(page, 0) and "$90.00" in _row(page, 0)
    assert "row-problems" not in _row(page, 0)
    assert "Comes in packs of 6." in _row(page, 1)
    assert "The company cannot buy this SKU" in _row(page, 2)
    assert "Enter a whole number." in _row(page, 3)
    assert 'data-testid="routing"' not in page  # no preview while rows are wrong

    placed = texts(csrf_post(staff.client, _url(world), {**body, "action": "place"}))
    assert "Correct the rows marked below first." in placed
    assert not Order.objects.exists()


def test_pasted_rows_join_the_table_and_the_preview_says_what_will_happen(world):
    staff = staff_client(world)
    body = _form(staff, world, [], paste="A-1\t10\nC-3, 3\n")
    page = texts(csrf_post(staff.client, _url(world), {**body, "action": "check"}))
    assert 'value="A-1"' in _row(page, 0) and 'value="C-3"' in _row(page, 1)
    assert 'data-testid="subtotal">$91.00<' in page
    assert 'data-testid="tax">$0.00<' in page and 'data-testid="total">$91.00<' in page
    routing = re.search(r'data-testid="routing" data-status="([a-z_]+)"', page)
    assert routing is not None
    assert "A-1\t10" not in page  # the paste box is emptied: the rows are in the table now

    add_rule(world, "big orders", approver="company", min_amount=Decimal("50"))
    needs = texts(csrf_post(staff.client, _url(world), {**body, "action": "check"}))
    assert 'data-status="awaiting_approval"' in needs
    assert "This order will need approval before it is confirmed." in needs
    assert "Level 1: approval by the buying company" in needs


def test_the_preview_warns_of_a_credit_hold(world):
    staff = staff_client(world)
    set_credit(world, "50.00")
    body = _form(staff, world, [("A-1", "10")])
    page = texts(csrf_post(staff.client, _url(world), {**body, "action": "check"}))
    assert 'data-status="credit_hold"' in page
    assert "over its credit limit" in page


def test_placing_makes_the_order_once_with_channel_staff_and_shows_it(world):
    staff = staff_client(world)
    wanted = date.today() + timedelta(days=5)
    body = _form(
        staff,
        world,
        [("A-1", "10"), ("C-3", "3")],
        purchase_order_number="PO-PHONE-1",
        requested_date=wanted.isoformat(),
    )
    preview = texts(csrf_post(staff.client, _url(world), {**body, "action": "check"}))
    expected = re.search(r'data-testid="routing" data-status="([a-z_]+)"', preview)
    assert expected is not None
    response = csrf_post(staff.client, _url(world), {**body, "action": "place"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/orders/{order.pk}/"
    assert (order.channel, order.purchase_order_number, order.company_id) == (
        "staff",
        "PO-PHONE-1",
        world.company.pk,
    )
    assert order.status == expected.group(1)  # the preview told the truth
    # Who entered it is kept, and so is the customer's wish for a delivery day.
    assert order.entered_by_id == staff.member.user_id and order.placed_by_id is None
    assert order.requested_delivery_date == wanted
    assert [(line.sku_code, line.quantity) for line in order.lines.order_by("line_number")] == [
        ("A-1", 10),
        ("C-3", 3),
    ]
    again = csrf_post(staff.client, _url(world), {**body, "action": "place"})
    assert again["Location"] == f"/staff/orders/{order.pk}/"  # a double submit: the same order
    assert Order.objects.count() == 1
    shown = texts(staff.client.get(again["Location"]))
    assert "The order is placed for the company." in shown and order.number in shown
    assert "Entered by Sam Staff for the company" in shown
    assert f'data-testid="requested-date">{date_filter(wanted)}<' in shown


def test_a_delivery_date_in_the_past_is_refused_next_to_the_field(world):
    staff = staff_client(world)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    body = _form(staff, world, [("A-1", "2")], requested_date=yesterday)
    page = texts(csrf_post(staff.client, _url(world), {**body, "action": "place"}))
    assert 'data-testid="error-requested_date"' in page
    assert not Order.objects.exists()


def test_htmx_gets_the_form_back_and_a_placed_order_as_a_redirect(world):
    staff = staff_client(world)
    body = _form(staff, world, [("A-1", "2")])
    checked = texts(
        csrf_post(staff.client, _url(world), {**body, "action": "check"}, HTTP_HX_REQUEST="true")
    )
    assert checked.lstrip().startswith('<form id="entry-form"') and "<html" not in checked
    placed = csrf_post(
        staff.client, _url(world), {**body, "action": "place"}, HTTP_HX_REQUEST="true"
    )
    assert placed.status_code == 204
    assert placed["HX-Redirect"] == f"/staff/orders/{Order.objects.get().pk}/"


def test_a_ship_to_of_another_company_is_refused_next_to_the_field(world):
    staff = staff_client(world)
    other = second_company(world)
    theirs = Location.objects.get(company=other)
    body = _form(staff, world, [("A-1", "2")], ship_to=str(theirs.pk))
    page = texts(csrf_post(staff.client, _url(world), {**body, "action": "place"}))
    assert 'data-testid="error-ship_to"' in page
    assert not Order.objects.exists()


def test_a_company_without_a_delivery_address_cannot_be_ordered_for(world):
    staff = staff_client(world)
    Location.objects.filter(company=world.company).update(is_active=False)
    page = texts(staff.client.get(_url(world)))
    assert 'data-testid="no-ship-to"' in page and 'data-testid="place"' not in page


def test_another_tenants_company_cannot_be_ordered_for(world, other_world):
    staff = staff_client(world)
    url = f"/staff/companies/{other_world.company.pk}/order/"
    assert staff.client.get(url).status_code == 404
    body = {
        "token": "a" * 32,
        "ship_to": str(other_world.ship_to.pk),
        "sku": ["A-1"],
        "quantity": ["1"],
        "action": "place",
    }
    assert csrf_post(staff.client, url, body).status_code == 404
    assert not Order.objects.exists()


# --- tax to the chosen ship-to --------------------------------------------------------------


@pytest.fixture
def singapore(world) -> Location:
    """A 9% GST rate to Singapore and a ship-to there (Dock 1, the world's, is in Hong Kong,
    where the seller charges no tax)."""
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
        name="Singapore dock",
        line1="1 Pier",
        city="Singapore",
        country="SG",
    )


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _check(staff, world, ship_to: Location, rows, **headers) -> str:
    body = _form(staff, world, rows, ship_to=str(ship_to.pk))
    return texts(csrf_post(staff.client, _url(world), {**body, "action": "check"}, **headers))


def test_the_preview_shows_net_tax_per_rate_and_total_to_the_chosen_ship_to(world, singapore):
    staff = staff_client(world)
    rows = [("A-1", "10"), ("C-3", "3")]  # 90.00 + 1.00; 9% per line: 8.10 + 0.09
    to_singapore = _check(staff, world, singapore, rows)
    assert 'data-testid="subtotal">$91.00<' in to_singapore
    assert "GST 9% on $91.00 $8.19" in _words(to_singapore)
    assert 'data-testid="tax">$8.19<' in to_singapore
    assert 'data-testid="total">$99.19<' in to_singapore
    assert "Tax, for delivery to Singapore dock — 1 Pier, Singapore" in _words(to_singapore)

    to_hong_kong = _check(staff, world, world.ship_to, rows)
    assert 'data-testid="subtotal">$91.00<' in to_hong_kong
    assert 'data-testid="tax-row"' not in to_hong_kong
    assert 'data-testid="tax">$0.00<' in to_hong_kong
    assert 'data-testid="total">$91.00<' in to_hong_kong


def test_the_preview_names_the_tax_in_the_staffs_language(world, singapore):
    staff = staff_client(world)
    staff.client.cookies["django_language"] = "zh-hant"
    page = _words(_check(staff, world, singapore, [("A-1", "10")]))
    assert "消費稅 9%（按 US$90.00 計） US$8.10" in page
    assert "總計 US$98.10" in page
    assert "GST" not in page


def test_the_preview_judges_credit_on_the_total_with_the_ship_tos_tax(world, singapore):
    staff = staff_client(world)
    set_credit(world, "98.09")  # the net, 90.00, fits; with Singapore's GST, 98.10, it does not
    held = _check(staff, world, singapore, [("A-1", "10")])
    assert 'data-status="credit_hold"' in held
    fits = _check(staff, world, world.ship_to, [("A-1", "10")])
    assert 'data-status="credit_hold"' not in fits and 'data-testid="routing"' in fits


def test_changing_the_ship_to_with_htmx_answers_the_form_with_the_new_total(world, singapore):
    staff = staff_client(world)
    page = texts(staff.client.get(_url(world)))
    select = re.search(r'<select name="ship_to"[^>]*>', page)
    assert select is not None
    assert f'hx-post="{_url(world)}"' in select.group(0)
    assert 'hx-trigger="change"' in select.group(0)
    htmx = {"HTTP_HX_REQUEST": "true"}
    first = _check(staff, world, world.ship_to, [("A-1", "10")], **htmx)
    assert first.lstrip().startswith('<form id="entry-form"') and "<html" not in first
    assert 'data-testid="total">$90.00<' in first
    changed = _check(staff, world, singapore, [("A-1", "10")], **htmx)
    assert changed.lstrip().startswith('<form id="entry-form"')
    assert 'data-testid="tax">$8.10<' in changed and 'data-testid="total">$98.10<' in changed
    assert f'<option value="{singapore.pk}" selected>' in changed


def test_prices_with_tax_included_show_the_net_they_contain(world, singapore):
    PriceList.objects.filter(pk=world.price_list.pk).update(prices_include_tax=True)
    staff = staff_client(world)
    page = _check(staff, world, singapore, [("A-1", "10")])  # 90.00 holds 90 × 9/109 = 7.43
    assert 'data-testid="subtotal">$82.57<' in page
    assert 'data-testid="tax">$7.43<' in page and 'data-testid="total">$90.00<' in page
    assert 'data-testid="prices-include-tax"' in page


def test_an_exempt_company_pays_no_tax_in_the_preview(world, singapore):
    customers.set_tax_exemption(
        tenant_id=world.tenant.pk, company_id=world.company.pk, certificate="EX-77"
    )
    staff = staff_client(world)
    page = _check(staff, world, singapore, [("A-1", "10")])
    assert 'data-testid="tax">$0.00<' in page and 'data-testid="total">$90.00<' in page
    assert 'data-testid="tax-row"' not in page
    assert "Exempt from tax (certificate EX-77)." in _words(page)
