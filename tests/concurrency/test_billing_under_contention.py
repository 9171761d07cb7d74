"""Billing with many clients at once on PostgreSQL: invoices numbered without gap or
duplicate, a payment and a credit note racing on one invoice never over-settle it, and one
payment sent twenty times with one Idempotency-Key is recorded once."""

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from dinghuo.billing import services
from dinghuo.billing.models import Allocation, CreditNote, Invoice, Payment
from dinghuo.core.errors import ValidationFailed
from dinghuo.customers.models import Company, Location
from tests.billing.fx import buyer_in, rate
from tests.billing.support import (
    assert_money_consistent,
    invoices_of,
    open_amount,
    shipped_order,
)
from tests.builders import ApiClient, World, build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.invariants import assert_stock_consistent

pytestmark = pytest.mark.postgres

D = Decimal


def _companies(world: World, n: int) -> list[tuple[Company, Location]]:
    made = []
    for i in range(n):
        company = Company.objects.create(
            tenant=world.tenant, code=f"R{i:02d}", name=f"Racer {i}", price_list=world.price_list
        )
        dock = Location.objects.create(
            tenant=world.tenant,
            company=company,
            kind="ship_to",
            name="Dock",
            line1="1 Road",
            city="Hong Kong",
            country="HK",
        )
        made.append((company, dock))
    return made


def test_16_shipments_at_once_give_a_gapless_invoice_series():
    world = build_world("inv-race", stock_per_sku=1000)
    api = ApiClient(world.key)
    order_ids = []
    for i, (company, dock) in enumerate(_companies(world, 16)):
        body = {
            "company_id": company.pk,
            "ship_to_id": dock.pk,
            "lines": [{"sku": "A-1", "quantity": 1 + i % 3}, {"sku": "C-3", "quantity": 3}],
        }
        r = api.place(body, key=f"o{i}")
        assert r.status_code == 201, r.json()
        order_ids.append(r.json()["id"])
        assert api.post(f"/orders/{order_ids[-1]}/confirm").status_code == 200

    def ship(i: int) -> int:
        body = {"carrier": "SF", "tracking_number": f"R{i}"}
        return int(ApiClient(world.key).post(f"/orders/{order_ids[i]}/shipments", body).status_code)

    assert run_together(16, ship) == [201] * 16
    numbers = sorted(Invoice.objects.filter(tenant=world.tenant).values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 17)]
    assert (
        Invoice.objects.filter(tenant=world.tenant, lines__order_id__in=order_ids)
        .distinct()
        .count()
        == 16
    )
    assert_money_consistent(world.tenant.pk)
    assert_stock_consistent(world.tenant.pk)


def _shipped_for(world: World, racers: list[tuple[Company, Location]], qty: int) -> list[int]:
    """One order of `qty` A-1 per company, placed, confirmed and shipped through the API."""
    api = ApiClient(world.key)
    order_ids = []
    for i, (company, dock) in enumerate(racers):
        body = {
            "company_id": company.pk,
            "ship_to_id": dock.pk,
            "lines": [{"sku": "A-1", "quantity": qty}],
        }
        r = api.place(body, key=f"s{i}")
        assert r.status_code == 201, r.json()
        order_ids.append(r.json()["id"])
        assert api.post(f"/orders/{order_ids[-1]}/confirm").status_code == 200
        shipped = api.post(
            f"/orders/{order_ids[-1]}/shipments", {"carrier": "SF", "tracking_number": "S"}
        )
        assert shipped.status_code == 201
    return order_ids


def test_16_companies_invoiced_for_the_period_at_once_share_one_gapless_series():
    """Only the series row is shared here (each company's orders, credit line and waiting
    shipments are its own), and it does not exist yet: the first issuers create it."""
    world = build_world("period-race", stock_per_sku=1000)
    services.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, invoicing="weekly"
    )
    racers = _companies(world, 16)
    _shipped_for(world, racers, 1)
    assert Invoice.objects.filter(tenant=world.tenant).count() == 0
    through = date.today()

    def issue(i: int) -> str:
        invoice = services.issue_company_period(
            tenant_id=world.tenant.pk,
            seller_id=world.seller.pk,
            company_id=racers[i][0].pk,
            through=through,
        )
        assert invoice is not None
        return invoice.number

    numbers = run_together(16, issue)
    assert sorted(numbers) == [f"INV-{n:06d}" for n in range(1, 17)]
    assert_money_consistent(world.tenant.pk)


def test_16_credit_notes_at_once_share_one_gapless_series():
    world = build_world("note-race", stock_per_sku=1000)
    racers = _companies(world, 16)
    _shipped_for(world, racers, 2)
    invoices = [Invoice.objects.get(company=company) for company, _ in racers]

    def credit(i: int) -> str:
        return services.issue_credit_note(
            tenant_id=world.tenant.pk, invoice_id=invoices[i].pk, reason="Race", whole=True
        ).number

    assert sorted(run_together(16, credit)) == [f"CN-{n:06d}" for n in range(1, 17)]
    assert all(open_amount(invoice) == 0 for invoice in invoices)
    assert_money_consistent(world.tenant.pk)


def test_a_payment_and_a_credit_note_racing_never_over_settle_an_invoice():
    world = build_world("settle-race", stock_per_sku=1000)
    racers = _companies(world, 8)
    _shipped_for(world, racers, 3)  # one invoice of 30.00 per company
    seen: dict[str, int] = {"paid": 0, "payment_refused": 0, "credited": 0}

    def payment(invoice: Invoice, directed: bool) -> str:
        allocations = [services.Allocate(invoice.pk, D("25.00"))] if directed else None
        try:
            services.record_payment(
                tenant_id=world.tenant.pk,
                company_id=invoice.company_id,
                amount=D("25.00"),
                currency="USD",
                method="bank_transfer",
                received_on=date(2026, 3, 1),
                allocations=allocations,
            )
        except ValidationFailed as refused:
            # The credit note came first: 10.00 is left, 25.00 cannot be directed at it.
            assert [e.code for e in refused.errors] == ["exceeds_open_amount"]
            return "payment_refused"
        return "paid"

    def credit_note(invoice: Invoice) -> str:
        services.issue_credit_note(
            tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason="Race", amount=D("20.00")
        )
        return "credited"

    for n, (company, _) in enumerate(racers):
        invoice = Invoice.objects.get(company=company)
        directed = n % 2 == 0  # else oldest first: the company's only invoice
        results = run_together(
            2, lambda i, inv=invoice, d=directed: payment(inv, d) if i == 0 else credit_note(inv)
        )
        for result in results:
            seen[result] += 1
        assert open_amount(invoice) >= 0
        given = Allocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"]
        assert given <= invoice.total
        assert open_amount(invoice) == invoice.total - given
        assert_money_consistent(world.tenant.pk)
    assert seen["credited"] == 8
    assert seen["paid"] + seen["payment_refused"] == 8
    assert CreditNote.objects.filter(tenant=world.tenant).count() == 8


def test_control_a_series_read_then_written_gives_numbers_twice(monkeypatch):
    """The test above can see the race: a series read without a lock and written after
    gives two credit notes the same number, which the unique constraint refuses."""
    from dinghuo.billing.models import DocumentSeries
    from dinghuo.billing.services import credit_notes

    def read_then_write(*, tenant_id: int, seller_id: int, kind: str) -> str:
        series, _ = DocumentSeries.objects.get_or_create(
            tenant_id=tenant_id, seller_id=seller_id, kind=kind, defaults={"prefix": "CN-"}
        )
        time.sleep(0.05)
        DocumentSeries.objects.filter(pk=series.pk).update(next_number=series.next_number + 1)
        return f"{series.prefix}{series.next_number:06d}"

    world = build_world("note-control", stock_per_sku=1000)
    racers = _companies(world, 4)
    _shipped_for(world, racers, 2)
    invoices = [Invoice.objects.get(company=company) for company, _ in racers]
    DocumentSeries.objects.create(
        tenant=world.tenant, seller=world.seller, kind="credit_note", prefix="CN-"
    )
    monkeypatch.setattr(credit_notes, "take_number", read_then_write)

    def credit(i: int) -> str:
        return services.issue_credit_note(
            tenant_id=world.tenant.pk, invoice_id=invoices[i].pk, reason="Race", whole=True
        ).number

    with pytest.raises(AssertionError, match="credit_note_number_unique"):
        run_together(4, credit)


def _payment_body(world: World, invoice_id: int) -> dict[str, Any]:
    return {
        "company_id": world.company.pk,
        "amount": "30.00",
        "currency": "USD",
        "method": "bank_transfer",
        "received_on": "2026-03-01",
        "reference": "TT 20 times",
        "allocations": [{"invoice_id": invoice_id, "amount": "30.00"}],
    }


def test_the_same_payment_twenty_times_at_once_is_recorded_once():
    world = build_world("pay-idem", stock_per_sku=1000)
    shipped_order(world, ("A-1", 3))
    invoice = invoices_of(world)[0]
    body = _payment_body(world, invoice.pk)

    answers = run_together(
        20, lambda i: ApiClient(world.key).post("/payments", body, key="the-payment")
    )
    assert {a.status_code for a in answers} == {201}, [a.json() for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(1 for a in answers if a.get("Idempotent-Replayed") == "true") == 19
    assert Payment.objects.filter(tenant=world.tenant).count() == 1
    assert open_amount(invoice) == 0
    assert_money_consistent(world.tenant.pk)

    other = ApiClient(world.key).post("/payments", {**body, "amount": "31.00"}, key="the-payment")
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    assert Payment.objects.filter(tenant=world.tenant).count() == 1


def test_payments_of_many_companies_at_once_each_settle_their_own():
    """The lock order holds: 8 companies each shipped and paid at once (16 clients) neither
    deadlock nor mix their money."""
    world = build_world("many-pay", stock_per_sku=1000)
    racers = _companies(world, 8)
    api = ApiClient(world.key)
    orders = []
    for i, (company, dock) in enumerate(racers):
        body = {
            "company_id": company.pk,
            "ship_to_id": dock.pk,
            "lines": [{"sku": "A-1", "quantity": 2}],
        }
        r = api.place(body, key=f"m{i}")
        assert r.status_code == 201, r.json()
        orders.append(r.json()["id"])
        assert api.post(f"/orders/{orders[-1]}/confirm").status_code == 200

    def work(i: int) -> int:
        client = ApiClient(world.key)
        if i % 2 == 0:
            r = client.post(
                f"/orders/{orders[i // 2]}/shipments", {"carrier": "SF", "tracking_number": "M"}
            )
        else:
            company = racers[i // 2][0]
            r = client.post(
                "/payments",
                {
                    "company_id": company.pk,
                    "amount": "15.00",
                    "currency": "USD",
                    "method": "cash",
                    "received_on": "2026-03-01",
                },
                key=f"pay-{i}",
            )
        return int(r.status_code)

    assert run_together(16, work) == [201] * 16
    for company, _ in racers:
        invoice = Invoice.objects.get(company=company)
        assert invoice.total == D("20.00")
        # Paid before or after the invoice was issued, 15.00 of it is settled either way.
        assert open_amount(invoice) == D("5.00")
    assert_money_consistent(world.tenant.pk)


def test_parts_of_a_foreign_invoice_settled_at_once_keep_its_base_amount_exact():
    """A HKD seller's USD invoices, each settled at once by two payments received on days of
    other rates and a credit note: whatever order they take the locks in, the parts' base
    amounts are running totals of what settled before, so what is open in HKD is exactly
    the invoice's base total less them (`assert_money_consistent`)."""
    world = build_world("fx-race", currency="HKD", stock_per_sku=1000)
    for day, value in [(date(2026, 1, 1), "7.85"), (date(2026, 6, 1), "7.80")]:
        rate(world, "USD", day, value)
    rate(world, "USD", date.today(), "7.8123")
    buyers = [buyer_in(world, "USD", "33.33", f"U{i}") for i in range(4)]
    for buyer in buyers:
        shipped_order(buyer, ("A-1", 3))  # US$99.99 at 7.8123: HK$781.15

    def settle(i: int, buyer: World, invoice: Invoice) -> str:
        if i == 2:
            services.issue_credit_note(
                tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason="Race", amount=D("20.00")
            )
            return "credited"
        services.record_payment(
            tenant_id=world.tenant.pk,
            company_id=buyer.company.pk,
            amount=D("33.33"),
            currency="USD",
            method="bank_transfer",
            received_on=[date(2026, 3, 1), date(2026, 7, 1)][i],
        )
        return "paid"

    for buyer in buyers:
        invoice = Invoice.objects.get(company=buyer.company)
        assert (invoice.fx_rate, invoice.base_total) == (D("7.8123"), D("781.15"))
        results = run_together(3, lambda i, b=buyer, inv=invoice: settle(i, b, inv))
        assert sorted(results) == ["credited", "paid", "paid"]
        assert open_amount(invoice) == D("13.33")
        assert_money_consistent(world.tenant.pk)
