"""Fulfilment: the orders to ship, the pick list, partial shipments through the shipping
service, errors next to fields, and the packing slip as PDF."""

import re
import zlib

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.fulfilment.models import Shipment
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import Order
from dinghuo.orders.services import confirm_order
from tests.backoffice.staffing import csrf_post, place, staff_client, texts
from tests.invariants import assert_stock_consistent

# Queries of the orders-to-ship page whatever their number: session, user, staff member, the
# page of orders with company and ship-to.
TO_SHIP_QUERIES = 4


def _confirmed(world, *lines, key="k1") -> Order:
    order = place(world, *lines, key=key)
    confirm_order(tenant_id=world.tenant.pk, order_id=order.pk)
    return order


def _ship_form(staff, order: Order) -> dict[str, str]:
    """The ship form's token and default quantities, as the page fills them in."""
    page = texts(staff.client.get(f"/staff/fulfilment/{order.pk}/"))
    token = re.search(r'name="token" value="([0-9a-f]+)"', page)
    assert token is not None
    values = dict(re.findall(r'name="(ship_\d+)" value="(\d+)"', page))
    return {"token": token.group(1), **values}


def test_the_orders_to_ship_are_listed_oldest_first_in_constant_queries(world):
    staff = staff_client(world)
    first = _confirmed(world, ("A-1", 1), key="a")
    place(world, ("A-1", 1), key="b")  # placed, not yet to ship
    staff.client.get("/staff/fulfilment/")
    with CaptureQueriesContext(connection) as few:
        page = texts(staff.client.get("/staff/fulfilment/"))
    assert first.number in page and page.count('data-testid="to-ship-') == 1
    for i in range(10):
        _confirmed(world, ("C-3", 1), key=f"c{i}")
    with CaptureQueriesContext(connection) as many:
        page = texts(staff.client.get("/staff/fulfilment/"))
    assert page.count('data-testid="to-ship-') == 11
    assert page.index(first.number) < page.index(Order.objects.latest("id").number)
    assert len(few) == len(many) <= TO_SHIP_QUERIES


def test_the_pick_list_shows_what_is_left_and_where_it_is_reserved(world):
    staff = staff_client(world)
    order = _confirmed(world, ("A-1", 4), ("B-2", 12))
    page = texts(staff.client.get(f"/staff/fulfilment/{order.pk}/"))
    assert 'data-testid="left-A-1">4<' in page
    assert "Main: 12" in page and "Main: 4" in page  # the warehouse's name, not its code
    form = _ship_form(staff, order)
    assert (form["ship_1"], form["ship_2"]) == ("4", "12")  # everything left, by default


def test_a_warehouse_clerk_is_not_sent_to_the_order_page_closed_to_them(world):
    order = _confirmed(world, ("A-1", 4))
    order_page = f'href="/staff/orders/{order.pk}/"'
    owner = staff_client(world)
    assert order_page in texts(owner.client.get("/staff/fulfilment/"))
    assert order_page in texts(owner.client.get(f"/staff/fulfilment/{order.pk}/"))
    clerk = staff_client(world, "wing@seller.test", role="warehouse")
    listed = texts(clerk.client.get("/staff/fulfilment/"))
    assert f'data-testid="to-ship-{order.number}"' in listed and order_page not in listed
    assert order_page not in texts(clerk.client.get(f"/staff/fulfilment/{order.pk}/"))
    assert clerk.client.get(f"/staff/orders/{order.pk}/").status_code == 403


def test_an_order_ships_in_two_parts_then_is_shipped(world):
    staff = staff_client(world)
    order = _confirmed(world, ("A-1", 4), ("B-2", 12))
    form = _ship_form(staff, order)
    first = csrf_post(
        staff.client,
        f"/staff/fulfilment/{order.pk}/",
        {**form, "ship_1": "1", "ship_2": "6", "carrier": "SF Express", "tracking_number": "SF1"},
    )
    assert first.status_code == 302
    order.refresh_from_db()
    assert order.status == "partially_shipped"
    page = texts(staff.client.get(f"/staff/fulfilment/{order.pk}/"))
    assert 'data-testid="left-A-1">3<' in page and 'data-testid="left-B-2">6<' in page

    second = _ship_form(staff, order)
    assert (second["ship_1"], second["ship_2"]) == ("3", "6")  # the rest, by default
    response = csrf_post(
        staff.client,
        f"/staff/fulfilment/{order.pk}/",
        {**second, "carrier": "Kerry", "tracking_number": "KE2", "warehouse": "main"},
        follow=True,
    )
    assert "Shipped with Kerry, tracking number KE2." in texts(response)
    order.refresh_from_db()
    assert order.status == "shipped"
    shipments = list(Shipment.objects.filter(order=order).order_by("id"))
    assert [(s.carrier, s.tracking_number) for s in shipments] == [
        ("SF Express", "SF1"),
        ("Kerry", "KE2"),
    ]
    level = StockLevel.objects.get(sku=world.skus["A-1"], warehouse__code="main")
    assert (level.on_hand, level.reserved) == (96, 0)
    assert_stock_consistent(world.tenant)
    assert "Nothing waits to be shipped." in texts(staff.client.get("/staff/fulfilment/"))


def test_the_same_ship_form_sent_twice_ships_once(world):
    staff = staff_client(world)
    order = _confirmed(world, ("A-1", 4))
    body = {**_ship_form(staff, order), "ship_1": "1", "carrier": "SF", "tracking_number": "T1"}
    csrf_post(staff.client, f"/staff/fulfilment/{order.pk}/", body)
    csrf_post(staff.client, f"/staff/fulfilment/{order.pk}/", body)
    assert Shipment.objects.filter(order=order).count() == 1


def test_shipping_refusals_show_next_to_their_field_and_change_nothing(world):
    staff = staff_client(world)
    order = _confirmed(world, ("A-1", 4), ("B-2", 12))
    form = _ship_form(staff, order)
    url = f"/staff/fulfilment/{order.pk}/"

    missing = texts(csrf_post(staff.client, url, {**form, "carrier": "", "tracking_number": ""}))
    assert 'data-testid="error-carrier"' in missing
    assert 'data-testid="error-tracking_number"' in missing

    too_many = texts(
        csrf_post(
            staff.client, url, {**form, "ship_2": "13", "carrier": "SF", "tracking_number": "T"}
        )
    )
    assert 'data-testid="error-ship_2"' in too_many
    assert "More than is left to ship on this line." in too_many
    assert 'data-testid="error-ship_1"' not in too_many

    nothing = texts(
        csrf_post(
            staff.client,
            url,
            {**form, "ship_1": "0", "ship_2": "0", "carrier": "SF", "tracking_number": "T"},
        )
    )
    assert "Enter the units to ship on at least one line." in nothing

    bad_warehouse = texts(
        csrf_post(
            staff.client,
            url,
            {**form, "carrier": "SF", "tracking_number": "T", "warehouse": "atlantis"},
        )
    )
    assert 'data-testid="error-warehouse"' in bad_warehouse

    assert not Shipment.objects.filter(order=order).exists()
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_an_order_not_yet_confirmed_cannot_be_shipped(world):
    staff = staff_client(world)
    order = place(world, ("A-1", 1))
    form = _ship_form(staff, order)
    page = texts(
        csrf_post(
            staff.client,
            f"/staff/fulfilment/{order.pk}/",
            {**form, "carrier": "SF", "tracking_number": "T"},
        )
    )
    assert "The order&#x27;s status does not allow this now." in page
    assert not Shipment.objects.filter(order=order).exists()


def _pdf_text(pdf: bytes) -> bytes:
    """The PDF's page content, inflated (fpdf2 compresses its streams)."""
    found = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            found += zlib.decompress(stream)
        except zlib.error:
            found += stream
    return found


def test_the_packing_slip_is_a_pdf_with_the_order_and_tracking_numbers(world):
    staff = staff_client(world)
    order = _confirmed(world, ("A-1", 4))
    body = {**_ship_form(staff, order), "ship_1": "3", "carrier": "SF", "tracking_number": "SF9"}
    csrf_post(staff.client, f"/staff/fulfilment/{order.pk}/", body)
    shipment = Shipment.objects.get(order=order)
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    url = f"/staff/orders/{order.pk}/shipments/{shipment.pk}/packing-slip.pdf"
    assert url in page
    response = staff.client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    content = _pdf_text(response.content)
    for text in (order.number, "SF9", "A-1"):
        assert f"({text})".encode() in content, text
    # Another order's id with this shipment is not found.
    other = _confirmed(world, ("C-3", 1), key="other")
    wrong = f"/staff/orders/{other.pk}/shipments/{shipment.pk}/packing-slip.pdf"
    assert staff.client.get(wrong).status_code == 404


def test_the_packing_slip_writes_chinese_names_when_a_chinese_font_is_found(
    world, settings, monkeypatch
):
    from dinghuo.core import pdf

    staff = staff_client(world)
    order = _confirmed(world, ("A-1", 1))
    body = {**_ship_form(staff, order), "carrier": "SF", "tracking_number": "T"}
    csrf_post(staff.client, f"/staff/fulfilment/{order.pk}/", body)
    shipment = Shipment.objects.get(order=order)
    url = f"/staff/orders/{order.pk}/shipments/{shipment.pk}/packing-slip.pdf"
    chinese = staff.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content
    if pdf.cjk_font() is not None:
        assert b"/FontFile2" in chinese  # the Chinese font is embedded (a subset of it)
    settings.PDF_CJK_FONT = "/nonexistent"
    monkeypatch.setattr(pdf, "CJK_FONT_CANDIDATES", ())
    english = staff.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content
    assert english.startswith(b"%PDF-") and b"/FontFile2" not in english
    assert b"(Packing slip)" in _pdf_text(english)
