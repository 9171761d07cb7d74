"""The accounting export: a Beancount file the real checker loads without an error, every
transaction balanced, the receivables account equal to the aging's total and the customers'
credit account to the companies' unapplied credit; the CSV carries the same postings. With
companies in other currencies than the seller's, the ledger is in the base currency and the
receivables equal the aging in base currency, the exchange differences the allocations'."""

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data

from dinghuo.billing import journal, queries, services
from dinghuo.billing.models import Account, Allocation, CreditNote, Invoice, Payment
from dinghuo.core import clock
from dinghuo.customers import services as customers
from dinghuo.pricing import services as pricing
from tests.billing.fx import buyer_in, hkd_world, invoiced_on, rate
from tests.billing.support import assert_money_consistent, at, pay, shipped_order
from tests.builders import World


@pytest.fixture
def taxed(world: World) -> World:
    """A 9% GST on everything shipped to the world's ship-to (moved to Singapore)."""
    pricing.create_tax_rate(
        tenant_id=world.tenant.pk,
        country="SG",
        name={"en": "GST"},
        percent=Decimal(9),
        valid_from=date(2020, 1, 1),
    )
    customers.update_location(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        location_id=world.ship_to.pk,
        country="SG",
    )
    return world


def _history(world: World) -> None:
    """Two orders invoiced in three parts, a payment oldest first that overpays, a credit
    note on a paid invoice (unapplied credit), a refund of part of it."""
    t = world.tenant.pk
    shipped_order(world, ("A-1", 10), ("C-3", 3), ship=[{"line_number": 1, "quantity": 4}])
    order_two = shipped_order(world, ("B-2", 12))
    first, second = Invoice.objects.order_by("id")
    services.record_payment(
        tenant_id=t,
        company_id=world.company.pk,
        amount=first.total + Decimal("5.00"),
        currency=first.currency,
        method="bank_transfer",
        received_on=date.today(),
        reference="TT-1",
    )
    services.issue_credit_note(
        tenant_id=t, invoice_id=first.pk, reason="Damaged", lines=[services.CreditUnits(1, 1)]
    )
    services.refund(
        tenant_id=t,
        company_id=world.company.pk,
        amount=Decimal("1.00"),
        method="bank_transfer",
        refunded_on=date.today(),
    )
    assert second.total and order_two


def _balances(entries: list[data.Directive]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                sums[posting.account] += posting.units.number
    return sums


def test_the_beancount_file_is_balanced_and_receivables_equal_the_aging(taxed):
    _history(taxed)
    today = date.today()
    entries = queries.journal_entries(taxed.tenant.pk, taxed.seller.pk, today)
    assert all(entry.balanced for entry in entries)
    text = journal.to_beancount(entries, title="Acme Wholesale")
    loaded, errors, _options = loader.load_string(text)
    assert errors == []
    transactions = [e for e in loaded if isinstance(e, data.Transaction)]
    # 2 invoices, 1 payment, 2 applications of it, 1 credit note, 1 refund… at least these
    assert len(transactions) == len(entries) >= 7
    sums = _balances(loaded)
    aged = queries.receivables_aging(taxed.tenant.pk, today)
    assert sums["Assets:Receivable"] == sum((row.aged.total for row in aged), Decimal(0)) > 0
    unapplied = Account.objects.get(company=taxed.company).unapplied
    assert unapplied > 0
    assert sums["Liabilities:Customer-Credit"] == -unapplied
    assert sums["Liabilities:Tax:GST"] < 0  # tax owed: collected less given back
    assert sums["Assets:Bank"] > 0


def test_the_chart_of_accounts_is_the_sellers(taxed):
    services.set_billing_policy(
        tenant_id=taxed.tenant.pk,
        seller_id=taxed.seller.pk,
        accounts={"receivable": "Assets:Debtors:Trade", "sales": "Income:Wholesale"},
    )
    shipped_order(taxed, ("A-1", 2))
    text = journal.to_beancount(
        queries.journal_entries(taxed.tenant.pk, taxed.seller.pk, date.today()), title="x"
    )
    loaded, errors, _ = loader.load_string(text)
    assert errors == []
    sums = _balances(loaded)
    assert sums["Assets:Debtors:Trade"] == Invoice.objects.get().total
    assert sums["Income:Wholesale"] == -Invoice.objects.get().net_total
    assert "Assets:Receivable" not in sums


def test_a_bad_account_name_is_refused_and_changes_nothing(world):
    from dinghuo.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.set_billing_policy(
            tenant_id=world.tenant.pk,
            seller_id=world.seller.pk,
            accounts={"receivable": "receivables", "bogus": "Assets:Bank"},
        )
    assert sorted(e.field for e in refused.value.errors) == [
        "accounts.bogus",
        "accounts.receivable",
    ]
    assert services.policy_for(world.tenant.pk, world.seller.pk).accounts == {}


def test_the_csv_has_one_row_per_posting_with_debits_equal_to_credits(taxed):
    _history(taxed)
    entries = queries.journal_entries(taxed.tenant.pk, taxed.seller.pk, date.today())
    rows = list(csv.DictReader(io.StringIO(journal.to_csv(entries))))
    assert len(rows) == sum(len(e.postings) for e in entries)
    debits = sum(Decimal(r["debit"] or 0) for r in rows)
    credits = sum(Decimal(r["credit"] or 0) for r in rows)
    assert debits == credits > 0
    assert {r["document"] for r in rows} >= {"INV-000001", "INV-000002", "CN-000001", "TT-1"}


def test_a_period_export_leaves_out_what_happened_after_it(taxed):
    _history(taxed)
    yesterday = date.today() - timedelta(days=1)
    assert queries.journal_entries(taxed.tenant.pk, taxed.seller.pk, yesterday) == []


def test_the_api_exports_the_journal_as_beancount_and_csv(taxed):
    _history(taxed)
    api = taxed.client()
    ledger = api.get("/accounting/journal.beancount")
    assert ledger.status_code == 200
    assert ledger["Content-Disposition"].startswith('attachment; filename="journal-')
    loaded, errors, _ = loader.load_string(ledger.content.decode())
    assert errors == []
    assert _balances(loaded)["Assets:Receivable"] > 0
    table = api.get("/accounting/journal.csv", **{"from": date.today().isoformat()})
    assert table.status_code == 200
    rows = list(csv.DictReader(io.StringIO(table.content.decode())))
    assert {r["document"] for r in rows} >= {"INV-000001", "CN-000001"}


def test_a_period_that_ends_before_it_starts_is_refused(world):
    r = world.client().get("/accounting/journal.csv", **{"from": "2026-02-01", "to": "2026-01-31"})
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("to", "period_not_ordered")]


def test_staff_download_the_journal_from_the_receivables_page(taxed):
    from tests.backoffice.staffing import staff_client

    _history(taxed)
    staff = staff_client(taxed).client
    page = staff.get("/staff/receivables/").content.decode()
    assert 'data-testid="journal-beancount"' in page
    ledger = staff.get("/staff/receivables/journal.beancount")
    assert ledger.status_code == 200
    _loaded, errors, _ = loader.load_string(ledger.content.decode())
    assert errors == []
    assert staff.get("/staff/receivables/journal.csv").content.startswith(b"date,document")


# --- a seller in HKD with companies in USD and CNY ----------------------------------------------


def _two_currency_history() -> tuple[World, date]:
    """A HKD seller; a USD company invoiced twice and paid in parts at other rates, with a
    credit note; a CNY company partly paid, its overpayment of an earlier day held; a HKD
    company partly paid. Rates change every day."""
    d1, d2, d3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
    home = hkd_world()
    usd = buyer_in(home, "USD", "100.00", "U001")
    cny = buyer_in(home, "CNY", "88.88", "Y001")
    for currency, values in (
        ("USD", ("7.80", "7.85", "7.7712")),
        ("CNY", ("1.08", "1.0725", "1.09")),
    ):
        for day, value in zip((d1, d2, d3), values, strict=True):
            rate(home, currency, day, value)
    first = invoiced_on(usd, d1, 10)  # US$1,000.00
    invoiced_on(usd, d2, 3)  # US$300.00
    invoiced_on(cny, d1, 7)  # ¥622.16
    invoiced_on(home, d1, 2)  # HK$20.00
    with clock.as_of(at(d2)):
        pay(usd, "600.00", received_on=d2)
        pay(cny, "300.00", received_on=d2)
        pay(home, "5.00", received_on=d2)
    with clock.as_of(at(d3)):
        invoice = Invoice.objects.get(lines__order_id=first)
        services.issue_credit_note(
            tenant_id=home.tenant.pk, invoice_id=invoice.pk, reason="Short", amount=Decimal("33.33")
        )
        pay(usd, "500.01", received_on=d3)
        pay(cny, "400.00", received_on=d3)  # ¥77.84 more than owed: held at 1.09
    return home, d3


def test_a_ledger_in_hkd_of_usd_and_cny_invoices_balances_to_the_aging_in_base_currency(db):
    home, last = _two_currency_history()
    tenant = home.tenant.pk
    assert_money_consistent(tenant)
    entries = queries.journal_entries(tenant, home.seller.pk, last)
    assert all(entry.balanced for entry in entries)
    assert {entry.currency for entry in entries} == {"HKD"}
    assert {entry.document_currency for entry in entries} == {"HKD", "USD", "CNY"}
    loaded, errors, options = loader.load_string(journal.to_beancount(entries, title="Acme"))
    assert errors == []
    assert options["operating_currency"] == ["HKD"]
    transactions = [e for e in loaded if isinstance(e, data.Transaction)]
    assert len(transactions) == len(entries)
    for transaction in transactions:
        assert {p.units.currency for p in transaction.postings} == {"HKD"}
        assert sum(p.units.number for p in transaction.postings) == 0
    sums = _balances(loaded)
    aged = queries.receivables_aging(tenant, last)
    in_base = sum((row.base.total for row in aged), Decimal(0))
    assert {row.base_currency for row in aged} == {"HKD"}
    assert sums["Assets:Receivable"] == in_base > 0
    differences = [a.exchange_difference for a in Allocation.objects.filter(tenant_id=tenant)]
    assert any(differences)
    assert sums["Income:Exchange-Differences"] == -sum(differences)
    held = sum(
        (source.base_amount if isinstance(source, Payment) else source.base_total)
        - sum(a.source_base for a in source.allocations.all())
        for source in [*Payment.objects.filter(tenant_id=tenant), *CreditNote.objects.all()]
    )
    assert sums["Liabilities:Customer-Credit"] == -held < 0
    # A USD posting says its dollars and its rate beside the Hong Kong dollars.
    invoice = next(t for t in transactions if t.narration == "Invoice INV-000001")
    receivable = invoice.postings[0]
    assert (receivable.units.number, str(receivable.meta["document_amount"])) == (
        Decimal("7800.00"),
        "1000.00 USD",
    )
