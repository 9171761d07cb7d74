"""How many SQL statements billing's hot paths send (docs/performance.md, "Billing"):
issuing an invoice takes the same number whatever its lines; a period run reads the
seller's policy once and then pays a constant number per company; a bank statement's
matched credits cost a constant number per company, however many credits it has."""

from datetime import date
from decimal import Decimal

import pytest
from bench.bank_import import camt053
from bench.bank_import import world as bank_world
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dinghuo.billing import services
from dinghuo.billing.models import BankLine, Invoice, Payment, Receivable
from dinghuo.billing.services import bank
from dinghuo.billing.services.invoicing import Billed, bill_shipment
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, Location
from dinghuo.orders import services as orders
from dinghuo.orders.models import OrderLine
from tests.billing.support import confirmed_order, shipped_order
from tests.builders import World

D = Decimal
# Issuing one invoice of one order: the policy; the company's side (terms, bill-to, credit,
# oldest due); the order lines' units billed before; the number; the invoice, its lines, its
# receivable; the order's credit released (orders: the credit line, its exposure, the order);
# the company's invoice exposure; the events.
ISSUE = 12
# A period run reads its companies and the seller's policy (the seller on it) once; then,
# per company: the transaction's savepoint and its release, the units waiting (locked), the
# order (locked), the credit line (locked), the issue (less its policy), the units deleted.
PERIOD_RUN = 2
PER_PERIOD_INVOICE = 2 + 1 + 1 + 1 + (ISSUE - 1) + 1
# A bank import: its savepoint and release; the earlier import looked up; the seller; the
# statement (in a savepoint of its own); the open invoices, known accounts and companies; the
# lines; the event.
IMPORT = 2 + 1 + 1 + 3 + 3 + 1 + 1
# Per company with matched credits: the savepoint and its release, the company, its waiting
# orders, its credit line, its account, its open receivables (all locked), the payments,
# their allocations, the receivables settled, the account, the credit line, the events.
PER_PAYING_COMPANY = 13
NEW_ACCOUNT = 2  # a company's first money makes its account (insert, then lock)


def _count(fn: object) -> int:
    with CaptureQueriesContext(connection) as seen:
        fn()  # type: ignore[operator]
    return len(seen)


def _bill_in_shipment(world: World, *lines: tuple[str, int]) -> int:
    """Statements of `bill_shipment` for a confirmed order of these lines, as shipping calls
    it (the order row and the credit line locked before)."""
    order_id = confirmed_order(world, *lines, key=f"count-{len(lines)}")
    with transaction.atomic():
        order = orders.locked_order(world.tenant.pk, order_id)
        customers.lock_credit_line(tenant_id=world.tenant.pk, company_id=order.company_id)
        billed = [Billed(ol, ol.quantity) for ol in OrderLine.objects.filter(order=order)]
        return _count(lambda: bill_shipment(order=order, shipment_id=9000 + order_id, lines=billed))


def test_issuing_an_invoice_takes_the_same_statements_for_one_line_or_three(world):
    shipped_order(world, ("A-1", 1))  # the seller's invoice series exists from now on
    assert _bill_in_shipment(world, ("A-1", 2)) == ISSUE
    assert _bill_in_shipment(world, ("A-1", 3), ("B-2", 6), ("C-3", 5)) == ISSUE
    issued = Invoice.objects.filter(shipment_id__gte=9000).order_by("id")
    assert [(i.number, i.lines.count(), i.receivable.open_amount) for i in issued] == [
        ("INV-000002", 1, D("20.00")),
        ("INV-000003", 3, D("46.67")),  # 30.00 + 15.00 + 1.67
    ]


def _monthly_world_with_companies(world: World, companies: int) -> None:
    shipped_order(world, ("A-1", 1))  # the seller's invoice series exists from now on
    services.set_billing_policy(
        tenant_id=world.tenant.pk, seller_id=world.seller.pk, invoicing="monthly"
    )
    for n in range(companies):
        company = Company.objects.create(
            tenant=world.tenant, code=f"P{n}", name=f"Buyer P{n}", price_list=world.price_list
        )
        world.ship_to = Location.objects.create(
            tenant=world.tenant, company=company, kind="ship_to", name="Dock", line1="1 Rd",
            city="Hong Kong", country="HK",
        )  # fmt: skip
        world.company = company
        shipped_order(world, ("A-1", 1 + n), ("B-2", 6))


@pytest.mark.parametrize("companies", [1, 3])
def test_a_period_run_reads_the_policy_once_and_pays_a_constant_per_company(world, companies):
    _monthly_world_with_companies(world, companies)
    sent = _count(
        lambda: services.issue_period_invoices(
            tenant_id=world.tenant.pk, seller_id=world.seller.pk, through=date(2999, 12, 31)
        )
    )
    assert sent == PERIOD_RUN + companies * PER_PERIOD_INVOICE
    assert Invoice.objects.filter(period_end=date(2999, 12, 31)).count() == companies
    assert Invoice.objects.count() == 1 + companies


def _statement_for(tenant_id: int, credits: list[tuple[Decimal, str, str, str]]) -> int:
    content = camt053(credits)
    return _count(lambda: bank.import_statement(tenant_id=tenant_id, content=content))


@pytest.mark.parametrize("lines", [1, 8])
def test_a_statement_costs_the_same_for_one_credit_of_a_company_or_eight(db, lines):
    books = bank_world(companies=2, per_company=10)  # Buyer 0's INV-000001 … INV-000010
    first = books["invoices"][:lines]
    credits = [(amount, number, payer, "") for number, payer, amount in first]
    sent = _statement_for(books["tenant"].pk, credits)
    assert sent == IMPORT + PER_PAYING_COMPANY + NEW_ACCOUNT
    assert BankLine.objects.filter(status="matched").count() == lines
    paid = Receivable.objects.filter(open_amount=0).values_list("invoice__number", flat=True)
    assert sorted(paid) == [number for number, _payer, _amount in first]


def test_each_further_company_costs_a_constant_and_unmatched_credits_nothing(db):
    books = bank_world(companies=3, per_company=10)
    by_company = [books["invoices"][c * 10 : c * 10 + 4] for c in range(3)]
    credits = [(amount, number, payer, "") for some in by_company for number, payer, amount in some]
    credits += [(D("77.77"), "gift", "Stranger", ""), (D("-12.50"), "Fee", "", "")]
    sent = _statement_for(books["tenant"].pk, credits)
    assert sent == IMPORT + 3 * (PER_PAYING_COMPANY + NEW_ACCOUNT)
    assert Payment.objects.count() == 12
    assert BankLine.objects.filter(status="unmatched").count() == 1


def test_a_company_with_an_account_pays_the_constant_alone(db):
    books = bank_world(companies=1, per_company=10)
    tenant_id = books["tenant"].pk
    invoices = [(amount, number, payer, "") for number, payer, amount in books["invoices"]]
    _statement_for(tenant_id, invoices[:1])  # the company's account is made
    assert _statement_for(tenant_id, invoices[1:6]) == IMPORT + PER_PAYING_COMPANY
    assert Receivable.objects.filter(open_amount__gt=0).count() == 4


def test_a_company_that_now_pays_in_another_currency_waits_and_changes_nothing(db):
    from dinghuo.billing.models import Account
    from dinghuo.pricing.models import PriceList

    books = bank_world(companies=2, per_company=10)
    tenant_id = books["tenant"].pk
    moved = Company.objects.get(tenant_id=tenant_id, name="Buyer 1 Trading")
    moved.price_list = PriceList.objects.create(
        tenant_id=tenant_id, seller=moved.price_list.seller, code="eur", name="EUR",
        currency="EUR",
    )  # fmt: skip
    moved.save()
    invoices = books["invoices"]
    credits = [(amount, number, payer, "") for number, payer, amount in invoices[8:12]]
    _statement_for(tenant_id, credits)  # INV-9, INV-10 of Buyer 0; INV-11, INV-12 of Buyer 1
    lines = BankLine.objects.order_by("line_number")
    assert [line.status for line in lines] == ["matched", "matched", "unmatched", "unmatched"]
    assert Payment.objects.filter(company=moved).count() == 0
    assert not Account.objects.filter(company=moved).exists()
    assert Receivable.objects.filter(company=moved, open_amount=0).count() == 0


def test_credits_refused_once_their_company_is_locked_leave_no_trace(db, monkeypatch):
    # As when the invoices were paid between the matching and the locks: each allocation is
    # refused under the locks, so the company's credits wait and not even its account is made.
    from dinghuo.billing import settlement
    from dinghuo.billing.models import Account
    from dinghuo.core.errors import FieldError

    books = bank_world(companies=1, per_company=10)
    paid_meanwhile = [FieldError("allocations[0].amount", "exceeds_open_amount", "Paid")]
    monkeypatch.setattr(settlement, "explicit_errors", lambda *_args: paid_meanwhile)
    credits = [(amount, number, payer, "") for number, payer, amount in books["invoices"][:3]]
    _statement_for(books["tenant"].pk, credits)
    assert list(BankLine.objects.values_list("status", flat=True)) == ["unmatched"] * 3
    assert (Payment.objects.count(), Account.objects.count()) == (0, 0)
    assert not Receivable.objects.filter(open_amount=0).exists()
