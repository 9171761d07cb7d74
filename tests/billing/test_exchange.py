"""Billing in a second currency: each invoice, credit note, payment and refund freezes the
exchange rate of its day (or, older than the seller's rates, the rate of what it follows);
money applied at another rate than its invoice's records the exchange difference, to the
cent, however many parts; a payment with no rate to freeze is refused and changes nothing."""

import dataclasses
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.billing import queries, services
from dinghuo.billing.models import Allocation, CreditNote, Invoice, Payment, Receivable
from dinghuo.core import clock
from dinghuo.core.errors import ValidationFailed
from dinghuo.customers.models import Company, Location
from dinghuo.orders.models import Order
from dinghuo.pricing.models import ExchangeRate
from tests.billing.fx import buyer_in, hkd_world, invoiced_on, rate
from tests.billing.support import (
    assert_money_consistent,
    at,
    billing_rows,
    confirmed_order,
    pay,
    ship_lines,
)
from tests.builders import World

D = Decimal
D0, D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


@pytest.fixture
def usd(db: None) -> World:
    """A HKD seller's company buying A-1 in USD at 100.00; USD 7.80 from D1, 7.85 from D2."""
    world = buyer_in(hkd_world(), "USD", "100.00", "U001")
    rate(world, "USD", D1, "7.80")
    rate(world, "USD", D2, "7.85")
    return world


def _invoice(order_id: int) -> Invoice:
    return Invoice.objects.get(lines__order_id=order_id)


def _received(world: World, amount: str, day: date, **kw: Any) -> Payment:
    with clock.as_of(at(day)):
        return pay(world, amount, received_on=day, **kw)


def test_a_payment_the_day_after_a_rate_change_freezes_the_new_rate_and_its_difference(usd):
    invoice = _invoice(invoiced_on(usd, D1, 10))  # US$1,000.00
    assert (invoice.total, invoice.fx_rate, invoice.base_total) == (
        D("1000.00"),
        D("7.80"),
        D("7800.00"),
    )

    payment = _received(usd, "1000.00", D2)

    assert (payment.fx_rate, payment.base_amount) == (D("7.85"), D("7850.00"))
    [applied] = Allocation.objects.filter(payment=payment)
    assert (applied.amount, applied.source_base, applied.use_base) == (
        D("1000.00"),
        D("7850.00"),
        D("7800.00"),
    )
    assert applied.exchange_difference == D("50.00")  # a gain of HK$50.00
    assert Receivable.objects.get(invoice=invoice).open_base == 0
    assert_money_consistent(usd.tenant.pk)


def test_the_api_shows_rates_base_amounts_and_each_allocations_difference(usd):
    invoice = _invoice(invoiced_on(usd, D1, 10))
    payment = _received(usd, "1000.00", D2, reference="TT-7")
    api = usd.client()

    paid = api.get(f"/payments/{payment.pk}").json()
    assert (paid["exchange_rate"], paid["base_currency"], paid["base_amount"]) == (
        "7.85",
        "HKD",
        "7850.00",
    )
    assert paid["allocations"][0] | {"invoice_id": 0} == {
        "invoice_id": 0,
        "invoice_number": invoice.number,
        "refund_id": None,
        "amount": "1000.00",
        "use_rate": "7.8",
        "source_base": "7850.00",
        "use_base": "7800.00",
        "exchange_difference": "50.00",
    }
    assert paid["exchange_difference"] == "50.00"
    shown = api.get(f"/invoices/{invoice.pk}").json()
    assert (shown["exchange_rate"], shown["base_total"], shown["open_base"]) == (
        "7.8",
        "7800.00",
        "0.00",
    )
    assert shown["exchange_difference"] == "50.00"
    assert [(a["reference"], a["source_rate"], a["exchange_difference"]) for a in shown["allocations"]] == [
        ("TT-7", "7.85", "50.00")
    ]  # fmt: skip
    listed = api.get("/invoices").json()["items"][0]
    assert (listed["base_currency"], listed["base_total"]) == ("HKD", "7800.00")


def test_the_openapi_document_describes_the_exchange_difference(usd):
    schemas = usd.client().get("/openapi.json").json()["components"]["schemas"]
    for name in ("InvoiceAllocationOut", "PaymentUseOut", "RefundSourceOut"):
        described = schemas[name]["properties"]["exchange_difference"]["description"]
        assert "gain when positive" in described, name
    assert "exchange_difference" in schemas["InvoiceAllocationOut"]["required"]
    assert schemas["PaymentSummaryOut"]["properties"]["base_amount"]["type"] == "string"


def test_part_payments_at_three_rates_move_exactly_the_invoices_base_total(usd):
    rate(usd, "USD", D3, "7.8123")
    invoice = _invoice(invoiced_on(usd, D1, 3))  # US$300.00 at 7.80: HK$2,340.00
    assert invoice.base_total == D("2340.00")
    parts = [
        _received(usd, amount, day)
        for amount, day in [("100.03", D1), ("100.03", D2), ("99.94", D3)]
    ]
    assert [(p.fx_rate, p.base_amount) for p in parts] == [
        (D("7.80"), D("780.23")),
        (D("7.85"), D("785.24")),
        (D("7.8123"), D("780.76")),
    ]
    uses = list(Allocation.objects.filter(invoice=invoice).order_by("id"))
    assert [a.amount for a in uses] == [D("100.03"), D("100.03"), D("99.94")]
    # Running totals at the invoice's 7.80: 780.23, then 1560.47 - 780.23, then the rest.
    # Each part converted alone would give 780.23 twice and 779.53: a cent short.
    assert [a.use_base for a in uses] == [D("780.23"), D("780.24"), D("779.53")]
    assert sum(a.use_base for a in uses) == invoice.base_total
    assert [a.source_base for a in uses] == [p.base_amount for p in parts]
    assert [a.exchange_difference for a in uses] == [D(0), D("5.00"), D("1.23")]
    assert_money_consistent(usd.tenant.pk)


def test_a_document_older_than_the_rates_takes_the_rate_of_what_it_follows(usd):
    """An order from before the seller kept rates (its frozen rate, here 7.75) ships on a day
    with no rate: its invoice takes the order's rate, and a credit note of that day the
    invoice's. Shipping never fails for a missing rate."""
    with clock.as_of(at(D1)):
        order_id = confirmed_order(usd, ("A-1", 10))
    Order.objects.filter(pk=order_id).update(fx_rate=D("7.75"))
    ExchangeRate.objects.all().delete()
    with clock.as_of(at(D2)):
        ship_lines(usd, order_id)
        invoice = _invoice(order_id)
        note = services.issue_credit_note(
            tenant_id=usd.tenant.pk, invoice_id=invoice.pk, reason="Short", amount=D("100.00")
        )
    assert (invoice.fx_rate, invoice.base_total) == (D("7.75"), D("7750.00"))
    assert (note.fx_rate, note.base_total) == (D("7.75"), D("775.00"))
    rate(usd, "USD", D3, "7.90")
    with clock.as_of(at(D3)):
        later = services.issue_credit_note(
            tenant_id=usd.tenant.pk, invoice_id=invoice.pk, reason="Late", amount=D("10.00")
        )
    assert (later.fx_rate, later.base_total) == (D("7.90"), D("79.00"))
    applied = Allocation.objects.get(credit_note=later)
    assert (applied.source_base, applied.use_base) == (D("79.00"), D("77.50"))
    assert_money_consistent(usd.tenant.pk)


def test_a_payment_with_no_rate_to_freeze_is_refused_and_changes_nothing(usd):
    before = billing_rows()
    body = {
        "company_id": usd.company.pk,
        "amount": "100.00",
        "currency": "USD",
        "method": "bank_transfer",
        "received_on": D0.isoformat(),  # before the seller's first USD rate
    }
    r = usd.client().post("/payments", body, key="early")
    assert r.status_code == 422, r.json()
    assert r.headers["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "exchange_rate_missing"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("received_on", "exchange_rate_missing")
    ]
    assert billing_rows() == before


def test_a_payment_on_a_day_without_a_rate_that_settles_an_invoice_takes_its_rate(usd):
    invoice = _invoice(invoiced_on(usd, D1, 1))  # US$100.00 at 7.80
    early = _received(usd, "150.00", D0)  # dated before any rate: 100.00 settles the invoice
    assert (early.fx_rate, early.base_amount) == (D("7.80"), D("1170.00"))
    assert Allocation.objects.get(invoice=invoice).exchange_difference == 0
    with clock.as_of(at(D1)):
        back = services.refund(
            tenant_id=usd.tenant.pk,
            company_id=usd.company.pk,
            amount=D("50.00"),
            method="cash",
            refunded_on=D0,  # no rate that day either: the rate the money came in at
        )
    assert (back.fx_rate, back.base_amount) == (D("7.80"), D("390.00"))
    assert_money_consistent(usd.tenant.pk)


def test_a_refund_at_a_later_rate_records_the_loss(usd):
    rate(usd, "USD", D3, "7.90")
    held = _received(usd, "100.00", D2)  # nothing to settle: held at 7.85
    r = usd.client().post(
        f"/companies/{usd.company.pk}/refunds",
        {"amount": "40.00", "method": "cheque", "refunded_on": D3.isoformat()},
        key="rf",
    )
    assert r.status_code == 201, r.json()
    refund = r.json()
    assert (refund["exchange_rate"], refund["base_amount"], refund["exchange_difference"]) == (
        "7.9",
        "316.00",
        "-2.00",  # HK$314.00 held, HK$316.00 paid out
    )
    assert refund["refunded_from"] == [
        {
            "payment_id": held.pk,
            "credit_note_id": None,
            "amount": "40.00",
            "source_base": "314.00",
            "use_base": "316.00",
            "exchange_difference": "-2.00",
        }
    ]
    assert_money_consistent(usd.tenant.pk)


def _rate_reads(run: Any) -> int:
    with CaptureQueriesContext(connection) as seen:
        run()
    return sum("pricing_exchangerate" in q["sql"] for q in seen.captured_queries)


def test_issuing_reads_one_rate_and_none_in_the_base_currency(usd):
    with clock.as_of(at(D2)):
        foreign = confirmed_order(usd, ("A-1", 1))
        assert _rate_reads(lambda: ship_lines(usd, foreign)) == 1
        home = hkd_world("home")
        local = confirmed_order(home, ("A-1", 1))
        assert _rate_reads(lambda: ship_lines(home, local)) == 0
        assert Invoice.objects.get(company=home.company).fx_rate == 1


def test_a_payment_in_another_currency_than_the_companys_is_still_refused(usd):
    with pytest.raises(ValidationFailed) as refused:
        _received(usd, "100.00", D2, currency="HKD")
    assert [e.code for e in refused.value.errors] == ["currency_mismatch"]
    assert not Payment.objects.exists()
    assert not CreditNote.objects.exists()


def test_the_aging_says_each_company_in_base_currency_and_all_of_them_in_hkd(usd):
    invoiced_on(usd, D1, 10)  # US$1,000.00 at 7.80
    cny = buyer_in(usd, "CNY", "88.88", "Y001")
    rate(cny, "CNY", D1, "1.08")
    invoiced_on(cny, D1, 7)  # ¥622.16 at 1.08 = HK$671.93
    _received(cny, "300.00", D2)  # the rest, ¥322.16, is HK$347.93 at 1.08
    rows = queries.receivables_aging(usd.tenant.pk, D3)
    assert [(r.code, r.currency, r.aged.total, r.base_currency, r.base.total) for r in rows] == [
        ("U001", "USD", D("1000.00"), "HKD", D("7800.00")),
        ("Y001", "CNY", D("322.16"), "HKD", D("347.93")),
    ]
    body = usd.client().get("/receivables/aging", on=D3.isoformat()).json()
    assert [(t["currency"], t["companies"], t["total"]) for t in body["base_totals"]] == [
        ("HKD", 2, "8147.93")
    ]
    assert [(t["currency"], t["base"]["total"]) for t in body["totals"]] == [
        ("CNY", "347.93"),
        ("USD", "7800.00"),
    ]


def _words(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_receivables_page_adds_every_company_in_base_currency(usd):
    from tests.backoffice.staffing import staff_client

    invoiced_on(usd, D1, 10)  # US$1,000.00 at 7.80
    invoiced_on(dataclasses.replace(usd, **_home(usd)), D1, 2)  # HK$20.00
    staff = staff_client(usd).client
    page = staff.get(f"/staff/receivables/?on={D3.isoformat()}")
    assert page.status_code == 200
    words = _words(page)
    assert "All companies, in HKD: HK$7,820.00 open, 2 companies" in words
    assert 'data-testid="aging-base-chart"' in page.content.decode()
    assert "Total open, in base currency" in words
    assert "Buyer U001 U001 $1,000.00 - - - - $1,000.00 HK$7,800.00" in words
    sheet = staff.get(f"/staff/receivables/aging.csv?on={D3.isoformat()}").content.decode()
    assert sheet.splitlines()[-1] == ",All companies,,,,,,,,HKD,7820.00,0.00,0.00,0.00,0.00,7820.00"
    staff.cookies["django_language"] = "zh-hant"
    chinese = _words(staff.get(f"/staff/receivables/?on={D3.isoformat()}"))
    assert "所有公司，以HKD計" in chinese
    assert "待付總計（以本位幣計）" in chinese
    assert "All companies" not in chinese


def test_one_currency_needs_no_base_currency_column(usd):
    home = dataclasses.replace(usd, **_home(usd))
    invoiced_on(home, D1, 2)
    page = staff_page(home)
    assert "aging-base-chart" not in page
    assert "in base currency" not in page


def _home(world: World) -> dict[str, Any]:
    """The world's own HKD company (its price list, company and dock)."""
    company = Company.objects.get(tenant=world.tenant, code="C001")
    return {
        "company": company,
        "price_list": company.price_list,
        "ship_to": Location.objects.get(company=company),
    }


def staff_page(world: World) -> str:
    from tests.backoffice.staffing import staff_client

    return str(
        staff_client(world).client.get(f"/staff/receivables/?on={D3.isoformat()}").content.decode()
    )
