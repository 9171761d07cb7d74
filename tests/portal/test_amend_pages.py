"""The buyer changes an order: the "Change this order" link while the seller's window is open
and the warehouse has not started, the form (quantities, a line removed, a SKU added in any
case, the reference), the new total and version on the order page and the change on its
timeline; refusals next to the line, changing nothing; the reason instead of the form once
the order can no longer change; in the buyer's language; never another company's order."""

import html as html_lib
import re
from datetime import timedelta

import pytest

from dinghuo.core.clock import as_of
from dinghuo.inventory.models import Reservation
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderAmendment, OrderLine
from tests.builders import World
from tests.orders.support import add_rule, set_policy
from tests.portal.ordering import csrf_post, second_company, sign_in

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _form(client, order_id: int) -> dict[str, str]:
    """The form as the page fills it in: the token, the ship-to and every line's quantity."""
    html = client.get(f"/orders/{order_id}/change/").content.decode()
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


def _state(order_id: int) -> tuple:
    """What a refused change must leave as it was."""
    order = Order.objects.get(pk=order_id)
    held = sorted(
        Reservation.objects.filter(order_line__order_id=order_id).values_list(
            "sku__code", "quantity"
        )
    )
    return order.version, order.total, order.status, _lines(order_id), held


def _timeline_summaries(html: str) -> list[str]:
    found = re.findall(r'data-testid="timeline-summary">([^<]+)<', html)
    return [html_lib.unescape(text) for text in found]


def test_a_buyer_changes_quantities_adds_and_removes_a_line(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10), ("C-3", 3))
    page = buyer.client.get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/change/"' in page and 'data-testid="version"' not in page

    form = _form(buyer.client, order.pk)
    assert (form["quantity_1"], form["quantity_2"]) == ("10", "3")
    sent = {
        **form,
        "quantity_1": "12",
        "quantity_2": "0",  # removes C-3
        "new_sku_0": "  b-2 ",  # any case, spaces around: as quick order takes it
        "new_quantity_0": "6",
        "purchase_order_number": "PO-77",
        "note": "Bigger weekend",
    }
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", sent)
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/"
    assert _lines(order.pk) == [("A-1", 12, "9"), ("B-2", 6, "2.5")]
    changed = Order.objects.get(pk=order.pk)
    assert (changed.version, changed.purchase_order_number) == (2, "PO-77")

    page = buyer.client.get(r["Location"]).content.decode()
    text = _text(page)
    assert "Order changed (version 2). The total is now $123.00." in text
    assert 'data-testid="order-total">$123.00<' in page
    assert re.search(r'data-testid="version">\s*Version 2\s*<', page)
    assert _timeline_summaries(page) == [
        "Version 2 by ann: A-1 10 → 12; added B-2 × 6; removed C-3; your reference PO-77; "
        "total $91.00 → $123.00"
    ]
    assert "<q>Bigger weekend</q>" in page

    # The same form sent again (a double click) changes nothing more.
    again = csrf_post(buyer.client, f"/orders/{order.pk}/change/", sent)
    assert again.status_code == 302
    assert OrderAmendment.objects.count() == 1 and Order.objects.get(pk=order.pk).version == 2


def test_too_many_units_are_refused_next_to_the_line_and_change_nothing(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10), ("C-3", 3))
    before = _state(order.pk)
    form = _form(buyer.client, order.pk)
    r = csrf_post(
        buyer.client,
        f"/orders/{order.pk}/change/",
        {**form, "quantity_1": "500", "new_sku_0": "NOPE-9", "new_quantity_0": "1"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    errors = dict(re.findall(r'data-testid="error-(\w+)">([^<]+)<', html))
    assert errors == {"new_sku_0": "No such SKU in your catalogue."}
    assert _state(order.pk) == before
    # The stock is what stops the line once every SKU is known.
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", {**form, "quantity_1": "500"})
    errors = dict(re.findall(r'data-testid="error-(\w+)">([^<]+)<', r.content.decode()))
    assert errors == {"quantity_1": "Only 90 more available now."}
    assert _state(order.pk) == before
    # The boxes keep what was typed.
    assert 'name="quantity_1" value="500"' in r.content.decode()


def test_a_form_of_an_older_version_is_shown_again_not_applied(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    form = _form(buyer.client, order.pk)
    staff = orders.Actor("seller", "Sam")
    changes = orders.AmendRequest(lines=[orders.LineRequest("A-1", 20)])
    orders.amend_order(tenant_id=world.tenant.pk, order_id=order.pk, changes=changes, by=staff)
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", {**form, "quantity_1": "11"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "The order was changed meanwhile: here it is as it is now." in html
    assert 'name="quantity_1" value="20"' in html  # the order as it is now
    assert _lines(order.pk) == [("A-1", 20, "9")]


def test_an_empty_change_says_so_above_the_form(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", _form(buyer.client, order.pk))
    html = _text(r.content.decode())
    assert r.status_code == 200 and "Change a line or a field: nothing would change." in html
    assert Order.objects.get(pk=order.pk).version == 1


def test_a_bigger_order_that_crosses_an_approval_rule_waits_for_approval_again(
    world: World,
) -> None:
    add_rule(world, "big orders", approver="seller", min_amount="200")
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    assert order.status == "placed"
    form = _form(buyer.client, order.pk)
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", {**form, "quantity_1": "30"})
    assert r.status_code == 302
    page = _text(buyer.client.get(r["Location"]).content.decode())
    assert "Order changed (version 2). It waits for approval again." in page
    assert Order.objects.get(pk=order.pk).status == "awaiting_approval"


def test_after_picking_started_the_buyer_sees_why_and_no_form(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    form = _form(buyer.client, order.pk)
    orders.confirm_order(tenant_id=world.tenant.pk, order_id=order.pk)
    orders.start_picking(tenant_id=world.tenant.pk, order_id=order.pk)
    before = _state(order.pk)
    assert "/change/" not in buyer.client.get(f"/orders/{order.pk}/").content.decode()
    html = buyer.client.get(f"/orders/{order.pk}/change/").content.decode()
    reason = "The warehouse has started on this order; ask the seller to change it."
    assert reason in html and 'data-testid="amend-form"' not in html
    # A form opened before picking started is refused with the same words.
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", {**form, "quantity_1": "11"})
    assert r.status_code == 200 and reason in r.content.decode()
    assert _state(order.pk) == before


def test_the_window_closes_after_the_sellers_hours(world: World) -> None:
    set_policy(world, buyer_amend_hours=2)
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    html = _text(buyer.client.get(f"/orders/{order.pk}/change/").content.decode())
    assert "You can change this order until" in html
    with as_of(order.placed_at + timedelta(hours=2, minutes=1)):
        assert "/change/" not in buyer.client.get(f"/orders/{order.pk}/").content.decode()
        html = buyer.client.get(f"/orders/{order.pk}/change/").content.decode()
    assert "The time to change this order has passed; ask the seller to change it." in html


def test_another_companys_order_is_not_found(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10))
    form = _form(buyer.client, order.pk)
    other = sign_in(world, "otto@other.test", company=second_company(world))
    assert other.client.get(f"/orders/{order.pk}/change/").status_code == 404
    r = csrf_post(other.client, f"/orders/{order.pk}/change/", {**form, "quantity_1": "11"})
    assert r.status_code == 404
    assert Order.objects.get(pk=order.pk).version == 1


ENGLISH_ADDED = (
    "Change order",
    "Back to the order",
    "Add items",
    "Save the changes",
    "Keep the order as it is",
    "No particular delivery date",
    "Why it changes",
    "Lines you keep",
    "You can change this order",
    "Units of",
)


def test_the_form_and_the_timeline_speak_chinese(world: World) -> None:
    buyer = sign_in(world)
    order = buyer.place(world, ("A-1", 10), ("C-3", 3))
    form = _form(buyer.client, order.pk)
    buyer.client.cookies["django_language"] = "zh-hant"
    html = buyer.client.get(f"/orders/{order.pk}/change/").content.decode()
    assert "更改訂單" in html and "新增貨品" in html
    assert [words for words in ENGLISH_ADDED if words in html] == []
    refused = csrf_post(buyer.client, f"/orders/{order.pk}/change/", {**form, "quantity_1": "500"})
    assert "目前只能再加 90 件。" in refused.content.decode()
    sent = {**form, "quantity_2": "0", "new_sku_0": "b-2", "new_quantity_0": "6"}
    r = csrf_post(buyer.client, f"/orders/{order.pk}/change/", sent)
    assert r.status_code == 302
    page = buyer.client.get(r["Location"]).content.decode()
    assert _timeline_summaries(page) == [
        "第 2 版，由 ann 更改：新增 B-2 × 6；移除 C-3；總計 US$91.00 → US$105.00"
    ]
    assert "訂單已更改（第 2 版）。" in page and "Order changed" not in page
    buyer.client.cookies["django_language"] = "zh-hans"
    html = buyer.client.get(f"/orders/{order.pk}/change/").content.decode()
    assert "更改订单" in html and [words for words in ENGLISH_ADDED if words in html] == []
