"""Staff change an order: the "Change order" link on any open order, the form with today's
prices when asked (repricing), refusals next to the line (below what has shipped), the
buyer's change on the staff's timeline; the pick list's "Start picking" button, after which
the buyer can no longer change the order; in the reader's language."""

import html as html_lib
import re

import pytest

from dinghuo.fulfilment import services as fulfilment
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderAmendment, OrderLine
from dinghuo.pricing.models import PriceTier
from tests.backoffice.staffing import csrf_post, place, staff_client, texts
from tests.builders import World
from tests.portal.ordering import sign_in

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _form(client, order_id: int) -> dict[str, str]:
    """The staff's form as the page fills it in."""
    html = texts(client.get(f"/staff/orders/{order_id}/change/"))
    values = dict(re.findall(r'name="(token|version|quantity_\d+)" value="([^"]*)"', html))
    ship_to = re.search(r'<option value="(\d+)" selected>', html)
    assert ship_to is not None and "token" in values, html
    return {**values, "ship_to": ship_to.group(1), "purchase_order_number": ""}


def _lines(order_id: int) -> list[tuple[str, int, str]]:
    return [
        (sku, quantity, format(price.normalize(), "f"))
        for sku, quantity, price in OrderLine.objects.filter(order_id=order_id)
        .order_by("line_number")
        .values_list("sku_code", "quantity", "unit_price")
    ]


def _summaries(html: str) -> list[str]:
    found = re.findall(r'data-testid="timeline-summary">([^<]+)<', html)
    return [html_lib.unescape(text) for text in found]


def test_staff_reprice_an_order_at_todays_prices(world: World) -> None:
    staff = staff_client(world)
    order = place(world, ("A-1", 10), ("C-3", 3))
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert f'href="/staff/orders/{order.pk}/change/"' in page
    PriceTier.objects.filter(sku=world.skus["A-1"], min_quantity=10).update(unit_price="7.50")
    form = _form(staff.client, order.pk)
    r = csrf_post(staff.client, f"/staff/orders/{order.pk}/change/", {**form, "reprice": "on"})
    assert r.status_code == 302 and r["Location"] == f"/staff/orders/{order.pk}/"
    assert _lines(order.pk) == [("A-1", 10, "7.5"), ("C-3", 3, "0.3333")]
    page = texts(staff.client.get(r["Location"]))
    assert "Order changed (version 2). The total is now $76.00." in _text(page)
    assert _summaries(page) == [
        "Version 2 by Sam Staff: today's prices for A-1; total $91.00 → $76.00"
    ]
    # Without reprice, the same today's price is not a change.
    form = _form(staff.client, order.pk)
    r = csrf_post(staff.client, f"/staff/orders/{order.pk}/change/", form)
    assert "Change a line or a field: nothing would change." in _text(texts(r))


def test_a_line_cannot_go_below_what_has_shipped(world: World) -> None:
    staff = staff_client(world)
    order = place(world, ("A-1", 10), ("C-3", 3))
    orders.confirm_order(tenant_id=world.tenant.pk, order_id=order.pk)
    fulfilment.ship_order(
        tenant_id=world.tenant.pk,
        order_id=order.pk,
        carrier="SF",
        tracking_number="T1",
        lines=[fulfilment.ShipLine(1, 4)],
    )
    html = texts(staff.client.get(f"/staff/orders/{order.pk}/change/"))
    assert re.search(r'data-testid="line-A-1">.*?>4<', html, re.S)  # shipped units shown
    form = _form(staff.client, order.pk)
    r = csrf_post(staff.client, f"/staff/orders/{order.pk}/change/", {**form, "quantity_1": "0"})
    errors = dict(re.findall(r'data-testid="error-(\w+)">([^<]+)<', texts(r)))
    assert errors == {"quantity_1": "4 units of A-1 have shipped: the line cannot go below that."}
    assert _lines(order.pk) == [("A-1", 10, "9"), ("C-3", 3, "0.3333")]
    # Down to what has shipped is fine: the rest is released.
    r = csrf_post(staff.client, f"/staff/orders/{order.pk}/change/", {**form, "quantity_1": "4"})
    assert r.status_code == 302
    assert _lines(order.pk) == [("A-1", 4, "9"), ("C-3", 3, "0.3333")]


def test_the_buyers_change_on_the_staffs_timeline(world: World) -> None:
    staff = staff_client(world)
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    changes = orders.AmendRequest(
        lines=[orders.LineRequest("A-1", 12)], purchase_order_number="PO-9"
    )
    orders.amend_order(
        tenant_id=world.tenant.pk,
        order_id=order.pk,
        changes=changes,
        by=orders.Actor("company", "Ann Lee", buyer.member.pk, world.company.pk),
    )
    page = texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    assert _summaries(page) == [
        "Version 2 by Ann Lee of the company: A-1 10 → 12; PO number PO-9; total $90.00 → $108.00"
    ]
    assert re.search(r'data-testid="version">\s*Version 2\s*<', page)


def test_a_shipped_or_cancelled_order_cannot_change(world: World) -> None:
    staff = staff_client(world)
    order = place(world, ("A-1", 2))
    orders.cancel_order(tenant_id=world.tenant.pk, order_id=order.pk)
    assert "/change/" not in texts(staff.client.get(f"/staff/orders/{order.pk}/"))
    html = texts(staff.client.get(f"/staff/orders/{order.pk}/change/"))
    assert "This order has shipped, been delivered or been cancelled: it cannot change." in html
    assert 'data-testid="amend-form"' not in html


def test_start_picking_on_the_pick_list(world: World) -> None:
    staff = staff_client(world)
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 3))
    pick_list = f"/staff/fulfilment/{order.pk}/"
    assert 'data-testid="start-picking"' not in texts(staff.client.get(pick_list))
    refused = csrf_post(staff.client, f"{pick_list}start-picking/")  # not confirmed yet
    assert refused.status_code == 302
    page = _text(texts(staff.client.get(refused["Location"])))
    assert "The order's status does not allow this now." in page
    orders.confirm_order(tenant_id=world.tenant.pk, order_id=order.pk)
    assert 'data-testid="start-picking"' in texts(staff.client.get(pick_list))
    r = csrf_post(staff.client, f"{pick_list}start-picking/")
    assert r.status_code == 302 and r["Location"] == pick_list
    page = texts(staff.client.get(pick_list))
    assert "Picking has started: the buyer can no longer change this order." in _text(page)
    assert 'data-testid="picking-started"' in page and 'data-testid="start-picking"' not in page
    assert Order.objects.get(pk=order.pk).picking_started_at is not None
    # The buyer no longer may; staff still may.
    assert "/change/" not in buyer.client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/staff/orders/{order.pk}/change/" in texts(
        staff.client.get(f"/staff/orders/{order.pk}/")
    )


def test_the_staff_form_speaks_chinese(world: World) -> None:
    staff = staff_client(world)
    order = place(world, ("A-1", 10))
    form = _form(staff.client, order.pk)
    staff.client.cookies["django_language"] = "zh-hans"
    html = texts(staff.client.get(f"/staff/orders/{order.pk}/change/"))
    assert "更改订单" in html and "按今日价格重新定价" in html
    english = ("Change order", "Reprice", "Add items", "Save the changes", "Lines kept")
    assert [words for words in english if words in html] == []
    r = csrf_post(staff.client, f"/staff/orders/{order.pk}/change/", {**form, "quantity_1": "12"})
    page = texts(staff.client.get(r["Location"]))
    assert _summaries(page) == [
        "第 2 版，由 Sam Staff 更改：A-1 10 → 12；总计 US$90.00 → US$108.00"
    ]
    assert OrderAmendment.objects.count() == 1
