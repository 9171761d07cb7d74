"""The journal's pure parts: account names, tax accounts, entries that balance, a file the
Beancount checker accepts with two currencies."""

from datetime import date
from decimal import Decimal

import pytest
from beancount import loader

from dinghuo.billing import journal

CHART = journal.chart({})


@pytest.mark.parametrize(
    ("name", "account"),
    [
        ("GST", "Liabilities:Tax:GST"),
        ("VAT 13%", "Liabilities:Tax:VAT-13"),
        ("vat", "Liabilities:Tax:Vat"),
        ("消費稅", "Liabilities:Tax"),  # no Latin letters: the tax account itself
        ("-x", "Liabilities:Tax"),
    ],
)
def test_each_tax_has_its_account_under_the_tax_account(name, account):
    assert journal.tax_account(CHART, name) == account


def test_account_names_follow_beancounts_rule():
    good = {"receivable": "Assets:Debtors:Trade-2", "sales": "Income:Sales"}
    assert journal.account_errors(good) == []
    bad = {
        "receivable": "Assets",  # no component
        "sales": "Revenue:Sales",  # not a root type
        "cash": "Assets:cash",  # lower-case component
        "till": "Assets:Till",  # not a role
    }
    assert journal.account_errors(bad) == ["receivable", "sales", "cash", "till"]


def test_every_entry_balances():
    taxes = [journal.TaxPart("GST", Decimal("9.00")), journal.TaxPart("Zero", Decimal(0))]
    day = date(2026, 11, 2)
    entries = [
        journal.invoice_entry(CHART, day, "INV-1", "Buyer", "SGD", Decimal("100.00"), taxes),
        journal.credit_note_entry(
            CHART,
            day,
            "CN-1",
            "Buyer",
            "SGD",
            Decimal("10.00"),
            [journal.TaxPart("GST", Decimal("0.90"))],
            "INV-1",
        ),
        journal.payment_entry(CHART, day, "TT", "Buyer", "SGD", "cheque", Decimal("50.00")),
        journal.refund_entry(CHART, day, "R", "Buyer", "SGD", "cash", Decimal("5.00")),
        journal.allocation_entry(CHART, day, "INV-1", "Buyer", "SGD", Decimal("45.00"), "TT"),
    ]
    assert all(e.balanced for e in entries)
    invoice = entries[0]
    assert [(p.account, p.amount) for p in invoice.postings] == [
        ("Assets:Receivable", Decimal("109.00")),
        ("Income:Sales", Decimal("-100.00")),
        ("Liabilities:Tax:GST", Decimal("-9.00")),  # the zero tax posts nothing
    ]
    assert entries[2].postings[0].account == "Assets:Cheques-Received"


def test_two_currencies_load_without_an_error():
    day = date(2026, 11, 2)
    entries = [
        journal.invoice_entry(CHART, day, "INV-1", 'A "quoted" buyer', "HKD", Decimal("1"), []),
        journal.invoice_entry(CHART, day, "INV-2", "B", "JPY", Decimal("100"), []),
    ]
    text = journal.to_beancount(entries, title="Two currencies")
    _loaded, errors, options = loader.load_string(text)
    assert errors == []
    assert options["operating_currency"] == ["HKD", "JPY"]
