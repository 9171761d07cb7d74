"""Invoices issued from shipments (orders placed, confirmed and shipped through the API):
lines that add up exactly to the order's, gapless numbers per seller, due dates by terms,
rows the database refuses to change, credit that moves from open orders to invoices, the
weekly and monthly policies, the receivables sync, and overdue invoices blocking orders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from dinghuo.billing import services
from dinghuo.billing.models import (
    Allocation,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    Receivable,
    UnbilledShipment,
)
from dinghuo.core import clock
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CreditLine, Location
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order, OrderLine
from dinghuo.pricing import services as pricing
from dinghuo.pricing.tax import Rounding
from tests.billing.support import (
    assert_money_consistent,
    at,
    billing_rows,
    confirmed_order,
    credit_of,
    invoices_of,
    open_amount,
    pay,
    ship_lines,
    shipped_order,
    taxed_in_singapore,
)
from tests.builders import World
from tests.orders.support import set_credit, set_policy

D = Decimal
# C-3: 7 × 0.3333 = 2.33 at 5% = 0.12; A-1: 11 × 9.00 = 99.00 at 9% = 8.91;
# B-2: 18 × 2.50 = 45.00 at 9% = 4.05. The order: 146.33 + 13.08 = 159.41.
ORDER = (("C-3", 7), ("A-1", 11), ("B-2", 18))
SPLITS = {
    1: [[(1, 7), (2, 11), (3, 18)]],
    2: [[(1, 3), (2, 5), (3, 6)], [(1, 4), (2, 6), (3, 12)]],
    3: [[(1, 2), (2, 4)], [(1, 2), (3, 6)], [(1, 3), (2, 7), (3, 12)]],
}


@pytest.fixture
def sg(world: World) -> World:
    return taxed_in_singapore(world)


def _ship_in_parts(world: World, parts: list[list[tuple[int, int]]]) -> int:
    order_id = confirmed_order(world, *ORDER)
    for lines in parts:
        ship_lines(world, order_id, [{"line_number": n, "quantity": q} for n, q in lines])
    return order_id


def _amounts(rows: object) -> list[tuple[Decimal, Decimal, Decimal]]:
    return [(r.net_amount, r.tax_amount, r.gross_amount) for r in rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("rounding", [Rounding.LINE, Rounding.DOCUMENT])
@pytest.mark.parametrize("parts", [1, 2, 3])
def test_an_order_shipped_in_parts_is_invoiced_to_the_cent(sg, parts, rounding):
    pricing.set_tax_policy(tenant_id=sg.tenant.pk, rounding=rounding)
    order_id = _ship_in_parts(sg, SPLITS[parts])
    order = Order.objects.get(pk=order_id)
    invoices = invoices_of(sg)
    assert [i.number for i in invoices] == [f"INV-{n:06d}" for n in range(1, parts + 1)]
    for invoice in invoices:
        lines = list(invoice.lines.order_by("line_number"))
        assert invoice.net_total == sum(ln.net_amount for ln in lines)
        assert invoice.tax_total == sum(ln.tax_amount for ln in lines)
        assert invoice.total == invoice.net_total + invoice.tax_total
        assert all(ln.net_amount + ln.tax_amount == ln.gross_amount for ln in lines)
        assert all(ln.net_amount >= 0 and ln.tax_amount >= 0 for ln in lines)
    # Each order line's invoice lines add up exactly to it; the invoices to the order.
    for ol in OrderLine.objects.filter(order=order):
        billed = InvoiceLine.objects.filter(order_line=ol)
        assert sum(b.quantity for b in billed) == ol.quantity
        assert tuple(map(sum, zip(*_amounts(billed), strict=True))) == (
            ol.net_amount,
            ol.tax_amount,
            ol.gross_amount,
        )
        assert {(b.unit_price, b.tax_percent, b.tax_rate_id) for b in billed} == {
            (ol.unit_price, ol.tax_percent, ol.tax_rate_id)
        }
    assert sum(i.net_total for i in invoices) == order.subtotal
    assert sum(i.tax_total for i in invoices) == order.tax_total
    assert sum(i.total for i in invoices) == order.total
    assert credit_of(sg) == (D(0), order.total)
    assert order.credit_reserved == 0
    assert_money_consistent(sg.tenant.pk)


def test_three_parts_exact_amounts_and_the_credit_they_move(sg):
    order_id = confirmed_order(sg, *ORDER)
    assert credit_of(sg) == (D("159.41"), D(0))
    expected = [
        # C-3 2 of 7: 0.67/0.03; A-1 4 of 11: 36.00/3.24.
        ([(1, 2), (2, 4)], D("36.67"), D("3.27"), D("39.94")),
        # C-3 2 more: 1.33 − 0.67 = 0.66, 0.07 − 0.03 = 0.04; B-2 6 of 18: 15.00/1.35.
        ([(1, 2), (3, 6)], D("15.66"), D("1.39"), D("17.05")),
        # The rest: C-3 1.00/0.05, A-1 63.00/5.67, B-2 30.00/2.70.
        ([(1, 3), (2, 7), (3, 12)], D("94.00"), D("8.42"), D("102.42")),
    ]
    invoiced = D(0)
    for lines, net, tax, total in expected:
        ship_lines(sg, order_id, [{"line_number": n, "quantity": q} for n, q in lines])
        invoice = invoices_of(sg)[-1]
        assert (invoice.net_total, invoice.tax_total, invoice.total) == (net, tax, total)
        invoiced += total
        assert credit_of(sg) == (D("159.41") - invoiced, invoiced)
        assert Order.objects.get(pk=order_id).credit_reserved == D("159.41") - invoiced
    first = invoices_of(sg)[0]
    assert _amounts(first.lines.order_by("line_number")) == [
        (D("0.67"), D("0.03"), D("0.70")),
        (D("36.00"), D("3.24"), D("39.24")),
    ]
    assert list(first.lines.order_by("line_number").values_list("tax_name", "tax_percent")) == [
        ("Reduced GST", D(5)),
        ("GST", D(9)),
    ]
    assert invoiced == D("159.41")


def test_invoice_numbers_are_gapless_per_seller_and_a_failed_shipment_takes_none(
    world, other_world
):
    first = shipped_order(world, ("A-1", 2))
    r = world.client().post(
        f"/orders/{confirmed_order(world, ('A-1', 1))}/shipments",
        {"carrier": "SF", "tracking_number": "X", "lines": [{"line_number": 9, "quantity": 1}]},
    )
    assert r.status_code == 422
    shipped_order(world, ("C-3", 3))
    shipped_order(other_world, ("A-1", 1))
    assert [i.number for i in invoices_of(world)] == ["INV-000001", "INV-000002"]
    assert Invoice.objects.get(company=other_world.company).number == "INV-000001"
    assert Invoice.objects.get(shipment_id__isnull=False, lines__order_id=first).number == (
        "INV-000001"
    )


@pytest.mark.parametrize(
    ("terms", "days", "due"),
    [
        ("net", 30, date(2026, 2, 19)),
        ("net", 0, date(2026, 1, 20)),
        ("eom", 15, date(2026, 2, 15)),
        ("eom", 0, date(2026, 1, 31)),
        ("prepaid", 0, date(2026, 1, 20)),
    ],
)
def test_the_due_date_follows_the_companys_terms(world, terms, days, due):
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, terms=terms, terms_days=days
    )
    with clock.as_of(at(date(2026, 1, 20))):
        shipped_order(world, ("A-1", 2))
    invoice = invoices_of(world)[0]
    assert (invoice.issued_on, invoice.due_on, invoice.terms, invoice.terms_days) == (
        date(2026, 1, 20),
        due,
        terms,
        days,
    )
    assert Receivable.objects.get(invoice=invoice).due_on == due


def test_the_database_refuses_to_change_an_issued_document(world):
    shipped_order(world, ("A-1", 2))
    invoice = invoices_of(world)[0]
    pay(world, "25.00")  # 20.00 to the invoice, 5.00 unapplied
    services.issue_credit_note(
        tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason="Damaged", amount=D("1.00")
    )
    for model, change in [
        (Invoice, {"total": D(0)}),
        (Invoice, {"due_on": date(2030, 1, 1)}),
        (Invoice, {"fx_rate": D(2)}),  # a rate, once frozen, stays
        (Invoice, {"base_total": D(0)}),
        (InvoiceLine, {"quantity": 1}),
        (Payment, {"amount": D("1.00")}),
        (Payment, {"base_amount": D("1.00")}),
        (Allocation, {"amount": D("0.01")}),
        (Allocation, {"use_base": D("0.01")}),
        (CreditNote, {"reason": "other"}),
        (CreditNote, {"fx_rate": D(2)}),
        (CreditNoteLine, {"net_amount": D(0)}),
    ]:
        before = list(model.objects.order_by("id").values())
        with pytest.raises(DatabaseError), transaction.atomic():
            model.objects.all().update(**change)
        assert list(model.objects.order_by("id").values()) == before, model.__name__
    # What is open on an invoice is the one row beside it that changes.
    assert open_amount(invoice) == D(0)


def test_a_fully_invoiced_order_releases_all_the_credit_it_held(world):
    order_id = confirmed_order(world, ("C-3", 3), ("A-1", 2))  # 1.00 + 20.00
    assert credit_of(world) == (D("21.00"), D(0))
    ship_lines(world, order_id, [{"line_number": 1, "quantity": 1}])  # 0.33
    assert credit_of(world) == (D("20.67"), D("0.33"))
    ship_lines(world, order_id)
    assert credit_of(world) == (D(0), D("21.00"))
    assert Order.objects.get(pk=order_id).credit_reserved == 0
    assert_money_consistent(world.tenant.pk)


def test_shipping_records_invoice_issued_after_the_order_and_stock_events(world):
    order_id = shipped_order(world, ("A-1", 2))
    types = list(
        Event.objects.filter(tenant=world.tenant).order_by("id").values_list("type", flat=True)
    )
    assert types[-3:] == ["order.shipped", "stock.changed", "invoice.issued"]
    issued = Event.objects.filter(type="invoice.issued").get()
    assert issued.payload["orders"] == [f"SO-{order_id:07d}"]
    assert issued.payload["total"] == "20.00"


# The seller's invoicing policy


def _second_company(world: World) -> tuple[Company, Location]:
    company = Company.objects.create(
        tenant=world.tenant, code="C002", name="Buyer Two", price_list=world.price_list
    )
    dock = Location.objects.create(
        tenant=world.tenant,
        company=company,
        kind="ship_to",
        name="Dock 2",
        line1="2 Harbour Rd",
        city="Hong Kong",
        country="HK",
    )
    return company, dock


def _place_for(world: World, company: Company, dock: Location, *lines: tuple[str, int]) -> int:
    body = {
        "company_id": company.pk,
        "ship_to_id": dock.pk,
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
    }
    r = world.client().place(body, key=f"o-{company.pk}-{Order.objects.count()}")
    assert r.status_code == 201, r.json()
    order_id = int(r.json()["id"])
    assert world.client().post(f"/orders/{order_id}/confirm").status_code == 200
    return order_id


@pytest.mark.parametrize(
    ("invoicing", "on", "through"),
    [
        ("weekly", date(2026, 1, 12), date(2026, 1, 11)),  # a Monday: the Sunday before
        ("weekly", date(2026, 1, 11), date(2026, 1, 4)),  # a Sunday: its week has not ended
        ("weekly", date(2026, 1, 17), date(2026, 1, 11)),
        ("monthly", date(2026, 3, 1), date(2026, 2, 28)),
        ("monthly", date(2026, 3, 31), date(2026, 2, 28)),
        ("monthly", date(2024, 3, 15), date(2024, 2, 29)),
        ("monthly", date(2026, 1, 1), date(2025, 12, 31)),
    ],
)
def test_the_period_that_ended_before_a_day(invoicing, on, through):
    assert services.period_through(invoicing, on) == through


def test_weekly_invoicing_waits_then_makes_one_invoice_per_company_and_none_twice(world):
    services.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, invoicing="weekly"
    )
    other, dock = _second_company(world)
    with clock.as_of(at(date(2026, 1, 5))):  # Monday
        first = confirmed_order(world, ("A-1", 2), ("C-3", 3))
        ship_lines(world, first, [{"line_number": 1, "quantity": 1}])
        theirs = _place_for(world, other, dock, ("A-1", 1))
        ship_lines(world, theirs)
    with clock.as_of(at(date(2026, 1, 7))):
        ship_lines(world, first)
    with clock.as_of(at(date(2026, 1, 12))):  # the next week
        second = confirmed_order(world, ("C-3", 6))
        ship_lines(world, second)
    assert Invoice.objects.count() == 0
    assert UnbilledShipment.objects.count() == 5
    assert credit_of(world) == (D("23.00"), D(0))  # still open orders' exposure

    through = services.period_through("weekly", date(2026, 1, 12))
    issued = services.issue_period_invoices(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, through=through
    )
    assert sorted((i.company_id, i.number) for i in issued) == [
        (world.company.pk, "INV-000001"),
        (other.pk, "INV-000002"),
    ]
    ours = Invoice.objects.get(company=world.company)
    assert (ours.issued_on, ours.period_start, ours.period_end, ours.due_on) == (
        date(2026, 1, 11),
        date(2026, 1, 5),
        date(2026, 1, 11),
        date(2026, 2, 10),
    )
    assert ours.shipment_id is None
    # A-1 1 then 1, C-3 3: the whole of the first order, nothing of the next week's.
    assert ours.total == D("21.00")
    assert sorted(ours.lines.values_list("order_id", flat=True)) == [first, first, first]
    assert credit_of(world) == (D("2.00"), D("21.00"))
    assert Order.objects.get(pk=first).credit_reserved == 0
    assert UnbilledShipment.objects.count() == 1

    again = services.issue_period_invoices(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, through=through
    )
    assert again == []
    assert Invoice.objects.count() == 2
    assert_money_consistent(world.tenant.pk)


def test_monthly_invoicing_bills_the_month_on_its_last_day(world):
    services.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, invoicing="monthly"
    )
    with clock.as_of(at(date(2026, 1, 30))):
        shipped_order(world, ("A-1", 3))
    with clock.as_of(at(date(2026, 2, 2))):
        shipped_order(world, ("A-1", 4))
    issued = services.issue_period_invoices(
        tenant_id=world.tenant.pk,
        seller_id=world.seller.pk,
        through=services.period_through("monthly", date(2026, 2, 2)),
    )
    assert [(i.issued_on, i.total) for i in issued] == [(date(2026, 1, 31), D("30.00"))]
    assert credit_of(world) == (D("40.00"), D("30.00"))


def test_a_synced_seller_keeps_its_own_invoice_exposure(world):
    services.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, receivables_source="sync"
    )
    due = clock.now().date() + timedelta(days=10)
    customers.sync_receivables(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        unpaid_amount=D("500.00"),
        oldest_unpaid_due_on=due,
    )
    shipped_order(world, ("A-1", 2))
    # The order's credit is released; the invoice exposure is the seller's ledger's.
    assert credit_of(world) == (D(0), D("500.00"))
    pay(world, "20.00")
    line = CreditLine.objects.get(company=world.company)
    assert (line.invoice_exposure, line.oldest_unpaid_due_on) == (D("500.00"), due)
    assert open_amount(invoices_of(world)[0]) == D(0)


def test_switching_back_from_the_sync_follows_the_open_invoices(world):
    """A seller that tried the sync and came back: the credit line must again say what its
    invoices owe, or the next payment takes the exposure below zero."""
    shipped_order(world, ("A-1", 10))  # 90.00 open
    policy = {"tenant_id": world.tenant.pk, "seller_id": world.seller.pk}
    services.set_billing_policy(**policy, receivables_source="sync")
    customers.sync_receivables(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        unpaid_amount=D(0),
        oldest_unpaid_due_on=None,
    )
    services.set_billing_policy(**policy, receivables_source="invoices")
    assert credit_of(world) == (D(0), D("90.00"))
    pay(world, "90.00")
    assert credit_of(world) == (D(0), D(0))


# Orders that are not shipped, and the credit check that follows the invoices


def test_an_order_on_credit_hold_takes_no_credit_until_released_then_invoices_it(world):
    set_credit(world, "50.00")
    r = world.client().place(world.order_body(("A-1", 10)), key="held")
    order_id = r.json()["id"]
    assert r.json()["status"] == "credit_hold"
    assert credit_of(world) == (D(0), D(0))
    refused = world.client().post(
        f"/orders/{order_id}/shipments", {"carrier": "SF", "tracking_number": "H"}
    )
    assert refused.status_code == 409
    assert Invoice.objects.count() == 0
    released = world.client().post(f"/orders/{order_id}/release-hold", {"comment": "Paid"})
    assert released.status_code == 200, released.json()
    assert credit_of(world) == (D("90.00"), D(0))
    if released.json()["status"] == "placed":
        assert world.client().post(f"/orders/{order_id}/confirm").status_code == 200
    ship_lines(world, order_id)
    assert credit_of(world) == (D(0), D("90.00"))
    assert_money_consistent(world.tenant.pk)


def test_a_cancelled_order_is_never_invoiced_and_gives_its_credit_back(world):
    order_id = confirmed_order(world, ("A-1", 2))
    before = billing_rows()
    assert world.client().post(f"/orders/{order_id}/cancel").status_code == 200
    r = world.client().post(
        f"/orders/{order_id}/shipments", {"carrier": "SF", "tracking_number": "C"}
    )
    assert r.status_code == 409
    after = billing_rows()
    assert {k: v for k, v in after.items() if k not in ("credit", "orders")} == {
        k: v for k, v in before.items() if k not in ("credit", "orders")
    }
    assert credit_of(world) == (D(0), D(0))


def test_the_oldest_unpaid_due_date_follows_the_oldest_open_invoice(world):
    with clock.as_of(at(date(2026, 1, 5))):
        shipped_order(world, ("A-1", 1))  # due 2026-02-04
    with clock.as_of(at(date(2026, 1, 20))):
        shipped_order(world, ("A-1", 2))  # due 2026-02-19
    line = CreditLine.objects.get(company=world.company)
    assert (line.invoice_exposure, line.oldest_unpaid_due_on) == (D("30.00"), date(2026, 2, 4))
    pay(world, "10.00")
    line.refresh_from_db()
    assert (line.invoice_exposure, line.oldest_unpaid_due_on) == (D("20.00"), date(2026, 2, 19))
    services.issue_credit_note(
        tenant_id=world.tenant.pk, invoice_id=invoices_of(world)[1].pk, reason="x", whole=True
    )
    line.refresh_from_db()
    assert (line.invoice_exposure, line.oldest_unpaid_due_on) == (D(0), None)


def test_an_overdue_invoice_blocks_the_next_order_until_it_is_paid(world):
    set_policy(world, overdue_grace_days=5)
    today = clock.now().date()
    with clock.as_of(at(today - timedelta(days=40))):
        shipped_order(world, ("A-1", 2))  # net 30: due ten days ago
    invoice = invoices_of(world)[0]
    assert invoice.due_on == today - timedelta(days=10)
    held = world.client().place(world.order_body(("A-1", 1)), key="after-due")
    assert held.status_code == 201
    assert held.json()["status"] == "credit_hold"
    assert "10 days overdue" in held.json()["hold_reason"]

    pay(world, "20.00")
    assert CreditLine.objects.get(company=world.company).oldest_unpaid_due_on is None
    passed = world.client().place(world.order_body(("A-1", 1)), key="after-paid")
    assert passed.status_code == 201
    assert passed.json()["status"] == "placed"


def test_an_invoice_within_the_grace_days_does_not_block(world):
    set_policy(world, overdue_grace_days=15)
    today = clock.now().date()
    with clock.as_of(at(today - timedelta(days=40))):
        shipped_order(world, ("A-1", 2))
    r = world.client().place(world.order_body(("A-1", 1)), key="in-grace")
    assert r.json()["status"] == "placed"
