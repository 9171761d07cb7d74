"""Credit lines on the order path: exposure, holds, refusals, release, cancellation."""

from datetime import timedelta
from decimal import Decimal

from dinghuo.core import clock
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import Order
from tests.invariants import assert_stock_consistent
from tests.orders.support import exposure, set_credit, set_policy


def test_an_order_within_the_limit_holds_its_amount_of_credit(world):
    set_credit(world, "1000.00")
    r = world.client().place(world.order_body(("A-1", 10)))  # 10 × 9.00
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "placed"
    assert r.json()["credit_reserved"] == "90.00"
    assert exposure(world) == Decimal("90.00")


def test_an_order_over_the_limit_goes_on_credit_hold_with_the_reason(world):
    set_credit(world, "100.00")
    api = world.client()
    assert api.place(world.order_body(("A-1", 10)), key="a").status_code == 201  # 90.00
    r = api.place(world.order_body(("A-1", 2)), key="b")  # 20.00 → 110 > 100
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "credit_hold"
    assert body["credit_reserved"] == "0.00"
    assert "over the credit limit of 100" in body["hold_reason"]
    assert body["review_reasons"][0] == "credit_hold"
    # held orders keep their stock but hold no credit
    assert exposure(world) == Decimal("90.00")
    level = StockLevel.objects.get(sku=world.skus["A-1"], warehouse__code="main")
    assert level.reserved == 12
    timeline = [e["type"] for e in api.get(f"/orders/{body['id']}/timeline").json()]
    assert timeline[:2] == ["order.placed", "order.credit_hold"]


def test_the_refuse_setting_refuses_and_changes_nothing(world):
    set_credit(world, "50.00")
    set_policy(world, credit_action="refuse")
    before = Order.objects.count()
    r = world.client().place(world.order_body(("A-1", 10)))
    assert r.status_code == 409
    assert r.json()["code"] == "credit_refused"
    assert [e["code"] for e in r.json()["errors"]] == ["over_limit"]
    assert Order.objects.count() == before
    assert exposure(world) == 0
    assert StockLevel.objects.get(sku=world.skus["A-1"], warehouse__code="main").reserved == 0


def test_overdue_payments_beyond_grace_block_within_grace_only_flag(world):
    today = clock.now().date()
    set_credit(
        world, None, invoice_exposure=Decimal("10"), oldest_unpaid_due_on=today - timedelta(days=5)
    )
    set_policy(world, overdue_grace_days=7)
    api = world.client()
    r = api.place(world.order_body(("A-1", 1)), key="a")
    assert r.json()["status"] == "placed"  # 5 days late, 7 days of grace
    set_policy(world, overdue_grace_days=3)
    r = api.place(world.order_body(("A-1", 1)), key="b")
    assert r.json()["status"] == "credit_hold"
    assert "5 days overdue" in r.json()["hold_reason"]


def test_staff_release_a_hold_with_a_comment_and_the_order_takes_its_credit(world):
    set_credit(world, "10.00")
    api = world.client()
    order = api.place(world.order_body(("A-1", 2))).json()  # 20.00 > 10
    assert order["status"] == "credit_hold"
    missing = api.post(f"/orders/{order['id']}/release-hold", {"comment": ""})
    assert missing.status_code == 422
    assert Order.objects.get(pk=order["id"]).status == "credit_hold"
    r = api.post(f"/orders/{order['id']}/release-hold", {"comment": "Paid by wire today"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "placed"
    assert r.json()["credit_reserved"] == "20.00"
    assert exposure(world) == Decimal("20.00")
    released = api.get(f"/orders/{order['id']}/timeline").json()[-1]
    assert released["type"] == "order.hold_released"
    assert released["data"]["comment"] == "Paid by wire today"
    again = api.post(f"/orders/{order['id']}/release-hold", {"comment": "again"})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_cancelling_gives_back_credit_and_stock(world):
    set_credit(world, "1000.00")
    api = world.client()
    order = api.place(world.order_body(("A-1", 10), ("C-3", 3))).json()
    assert exposure(world) == Decimal(order["total"])
    assert api.post(f"/orders/{order['id']}/cancel").status_code == 200
    assert exposure(world) == 0
    assert_stock_consistent(world.tenant.pk)


def test_prepaid_companies_order_without_credit_and_wait_for_payment(world):
    set_credit(world, "0.00", terms="prepaid")
    set_policy(world, auto_confirm=True)
    r = world.client().place(world.order_body(("A-1", 1)))
    assert r.status_code == 201
    assert r.json()["status"] == "placed"
    assert r.json()["review_reasons"] == ["prepaid"]
    assert exposure(world) == 0


def test_a_company_without_a_credit_line_gets_one_with_no_limit(world):
    from dinghuo.customers.models import CreditLine

    CreditLine.objects.filter(company=world.company).delete()
    r = world.client().place(world.order_body(("A-1", 1)))
    assert r.status_code == 201
    line = CreditLine.objects.get(company=world.company)
    assert (line.credit_limit, line.order_exposure) == (None, Decimal("10.00"))
    assert line.terms == "net"
