"""Deposits: a company that pays a percent of each order before it is confirmed, the rest on
its terms. The order waits for its deposit, confirms itself when the deposit is paid, holds
the company's credit for the whole order meanwhile, and its invoice uses the deposit."""

import re
from datetime import date
from decimal import Decimal

import pytest

from dinghuo.customers import credit
from dinghuo.customers import services as customers
from dinghuo.orders import judging, routing_notice
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.models import Order
from tests.backoffice.staffing import staff_client
from tests.billing.support import (
    D,
    assert_money_consistent,
    credit_of,
    invoices_of,
    open_amount,
    pay,
    ship_lines,
    unapplied,
)
from tests.builders import World
from tests.orders.support import place, set_policy
from tests.portal.ordering import sign_in


@pytest.fixture
def deposit(world: World) -> World:
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, deposit_percent=30
    )
    set_policy(world, auto_confirm=True)
    return world


def _order(order_id: int) -> Order:
    return Order.objects.get(pk=order_id)


def test_an_order_waits_for_its_deposit_and_confirms_itself_when_it_is_paid(deposit):
    world = deposit
    order_id = place(world, ("A-1", 3), key="dep")  # 30.00, deposit 30% = 9.00
    order = _order(order_id)
    assert (order.status, order.review_reasons, order.prepayment_due) == (
        "placed",
        ["prepaid"],
        D("9.00"),
    )
    # The whole order is owed until paid: it holds the company's credit for all of it.
    assert (order.credit_reserved, credit_of(world)) == (D("30.00"), (D("30.00"), D(0)))

    pay(world, "8.99", order_id=order_id)
    assert _order(order_id).status == "placed"
    pay(world, "0.01", order_id=order_id)
    order = _order(order_id)
    assert (order.status, order.confirmed_automatically) == ("confirmed", True)

    # Shipping invoices the whole order on the company's terms; the deposit pays part of it.
    ship_lines(world, order_id)
    [invoice] = invoices_of(world)
    assert (invoice.total, open_amount(invoice)) == (D("30.00"), D("21.00"))
    assert invoice.due_on > invoice.issued_on  # net 30, not due at once as prepaid would be
    assert (unapplied(world), credit_of(world)) == (D(0), (D(0), D("21.00")))
    assert_money_consistent(world.tenant.pk)


def test_money_held_for_a_confirmed_deposit_is_not_used_twice(deposit):
    world = deposit
    first = place(world, ("A-1", 3), key="first")  # deposit 9.00
    second = place(world, ("A-1", 2), key="second")  # 20.00, deposit 6.00
    pay(world, "9.00", order_id=first)
    assert (_order(first).status, _order(second).status) == ("confirmed", "placed")
    # 14.99 more: 9.00 of what is held is promised to the first order, 5.99 is free.
    pay(world, "5.99")
    assert _order(second).status == "placed"
    pay(world, "0.01")
    assert _order(second).status == "confirmed"


def test_a_deposit_order_over_the_limit_is_held_and_takes_credit_when_released(world):
    customers.update_credit_line(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        deposit_percent=50,
        credit_limit=Decimal("29.99"),
    )
    set_policy(world, auto_confirm=True, credit_action="hold")
    order_id = place(world, ("A-1", 3), key="held")  # 30.00: the deposit does not lower it
    order = _order(order_id)
    assert (order.status, order.credit_reserved, order.prepayment_due) == (
        "credit_hold",
        D(0),
        D("15.00"),
    )
    r = world.client().post(f"/orders/{order_id}/release-hold", {"comment": "known customer"})
    assert r.status_code == 200, r.json()
    order = _order(order_id)
    assert (order.status, order.credit_reserved) == ("placed", D("30.00"))
    pay(world, "15.00", order_id=order_id)
    assert _order(order_id).status == "confirmed"


def test_the_checkout_says_the_deposit_before_the_order_is_placed(deposit):
    world = deposit
    preview = judging.preview_routing(
        world.tenant.pk, world.company.pk, [LineRequest(world.skus["A-1"].code, 3)]
    )
    said = routing_notice.notice(preview, "buyer")
    assert (said.prepaid, said.deposit, said.currency) == (True, D("9.00"), "USD")


def test_prepaid_terms_wait_for_the_whole_order_not_a_deposit(world):
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, terms="prepaid"
    )
    preview = judging.preview_routing(
        world.tenant.pk, world.company.pk, [LineRequest(world.skus["A-1"].code, 3)]
    )
    said = routing_notice.notice(preview, "buyer")
    assert (said.prepaid, said.deposit, preview.prepayment_due) == (True, D(0), D("30.00"))


def _state(terms: str = "net", deposit_percent: int = 0) -> credit.CreditState:
    return credit.CreditState(None, D(0), D(0), None, terms, deposit_percent)


@pytest.mark.parametrize(
    ("state", "amount", "currency", "due"),
    [
        (_state(deposit_percent=30), "30.00", "USD", "9.00"),
        (_state(deposit_percent=25), "0.30", "USD", "0.08"),  # 0.075: half up
        (_state(deposit_percent=30), "1001", "JPY", "300"),  # 300.3: no minor units
        (_state(deposit_percent=100), "12.34", "USD", "12.34"),
        (_state(deposit_percent=1), "0.49", "USD", "0.00"),
        (_state(), "30.00", "USD", "0"),
        (_state("prepaid"), "30.00", "USD", "30.00"),
    ],
)
def test_what_is_paid_before_confirmation(state, amount, currency, due):
    assert credit.paid_before_confirmation(state, D(amount), currency) == D(due)


def test_a_deposit_company_is_judged_on_credit_for_the_whole_order():
    state = credit.CreditState(D("100.00"), D("80.00"), D(0), None, "net", 40)
    judged = credit.check(state, D("20.01"), date(2026, 1, 1), 0)
    assert (judged.blocked, judged.uses_credit) == (("over_limit",), True)
    assert credit.DEPOSIT in credit.check(state, D("20.00"), date(2026, 1, 1), 0).flags


def test_an_invoice_uses_its_own_orders_deposit_not_one_promised_to_another_order(deposit):
    world = deposit
    first = place(world, ("A-1", 3), key="first")  # 30.00, deposit 9.00
    second = place(world, ("A-1", 2), key="second")  # 20.00, deposit 6.00
    pay(world, "15.00")  # both deposits
    assert (_order(first).status, _order(second).status) == ("confirmed", "confirmed")

    ship_lines(world, first)
    [invoice] = invoices_of(world)
    # Only the first order's deposit pays its invoice: the second's stays promised to it.
    assert (invoice.total, open_amount(invoice), unapplied(world)) == (
        D("30.00"),
        D("21.00"),
        D("6.00"),
    )
    third = place(world, ("A-1", 1), key="third")  # 10.00, deposit 3.00
    pay(world, "3.00", order_id=third)
    assert (_order(second).status, _order(third).status) == ("confirmed", "confirmed")
    ship_lines(world, second)
    assert open_amount(invoices_of(world)[1]) == D("14.00")
    assert unapplied(world) == D("3.00")
    assert_money_consistent(world.tenant.pk)


def test_the_order_answer_says_what_must_be_paid_before_confirmation(deposit):
    world = deposit
    r = world.client().place(world.order_body(("A-1", 3)), key="answer")
    assert (r.status_code, r.json()["prepayment_due"], r.json()["total"]) == (201, "9.00", "30.00")
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, deposit_percent=0
    )
    r = world.client().place(world.order_body(("A-1", 2)), key="none")
    assert (r.status_code, r.json()["prepayment_due"]) == (201, "0.00")


def _said(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_the_order_pages_say_what_is_waiting_to_be_paid_until_it_is(deposit):
    world = deposit
    order_id = place(world, ("A-1", 3), key="pages")  # 30.00, deposit 9.00
    buyer = sign_in(world).client
    staff = staff_client(world).client
    page = _said(buyer.get(f"/orders/{order_id}/").content)
    assert "Waiting for your deposit of $9.00: the order is confirmed when it is paid" in page
    page = _said(buyer.get(f"/orders/{order_id}/", HTTP_ACCEPT_LANGUAGE="zh-hant").content)
    assert "等待您支付訂金 US$9.00：付款後訂單即確認" in page
    page = _said(staff.get(f"/staff/orders/{order_id}/").content)
    assert "Waiting for the company's deposit of $9.00" in page

    pay(world, "9.00", order_id=order_id)
    assert "Waiting for" not in _said(buyer.get(f"/orders/{order_id}/").content)
    assert "Waiting for" not in _said(staff.get(f"/staff/orders/{order_id}/").content)


def test_a_prepaid_order_waits_for_the_whole_total(world):
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, terms="prepaid"
    )
    set_policy(world, auto_confirm=True)
    order_id = place(world, ("A-1", 2), key="prepaid")  # 20.00
    page = _said(sign_in(world).client.get(f"/orders/{order_id}/").content)
    assert "Waiting for your payment of $20.00: the order is confirmed when it is paid." in page
    page = _said(staff_client(world).client.get(f"/staff/orders/{order_id}/").content)
    assert "Waiting for the company's payment of $20.00" in page
