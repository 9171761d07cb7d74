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


SGD = journal.Rate("SGD", Decimal(1), "SGD")


def test_every_entry_balances():
    taxes = [journal.TaxPart("GST", Decimal("9.00")), journal.TaxPart("Zero", Decimal(0))]
    day = date(2026, 11, 2)
    entries = [
        journal.invoice_entry(
            CHART, day, "INV-1", "Buyer", SGD, Decimal("100.00"), taxes, Decimal("109.00")
        ),
        journal.credit_note_entry(
            CHART,
            day,
            "CN-1",
            "Buyer",
            SGD,
            Decimal("10.00"),
            [journal.TaxPart("GST", Decimal("0.90"))],
            "INV-1",
            Decimal("10.90"),
        ),
        journal.payment_entry(
            CHART, day, "TT", "Buyer", SGD, "cheque", Decimal("50.00"), Decimal("50.00")
        ),
        journal.refund_entry(
            CHART, day, "R", "Buyer", SGD, "cash", Decimal("5.00"), Decimal("5.00"), Decimal("5.00")
        ),
        journal.allocation_entry(
            CHART,
            day,
            "INV-1",
            "Buyer",
            SGD,
            Decimal("45.00"),
            "TT",
            source_rate=Decimal(1),
            source_base=Decimal("45.00"),
            use_base=Decimal("45.00"),
        ),
    ]
    assert all(e.balanced for e in entries)
    invoice = entries[0]
    assert [(p.account, p.amount) for p in invoice.postings] == [
        ("Assets:Receivable", Decimal("109.00")),
        ("Income:Sales", Decimal("-100.00")),
        ("Liabilities:Tax:GST", Decimal("-9.00")),  # the zero tax posts nothing
    ]
    assert entries[2].postings[0].account == "Assets:Cheques-Received"
    # One rate on both sides: no exchange difference is posted.
    assert len(entries[3].postings) == len(entries[4].postings) == 2


USD_IN_HKD = journal.Rate("USD", Decimal("7.8123"), "HKD")


def test_an_invoice_in_another_currency_posts_its_base_total_and_balances_exactly():
    """Tax is converted on its own (US$1.00 of GST is HK$7.81) and sales take the rest of the
    base total: converted apart, sales would be HK$777.32 and the entry a cent short."""
    entry = journal.invoice_entry(
        CHART,
        date(2026, 11, 2),
        "INV-9",
        "Buyer",
        USD_IN_HKD,
        Decimal("99.50"),
        [journal.TaxPart("GST", Decimal("1.00"))],
        Decimal("785.14"),  # 100.50 × 7.8123 = 785.136…
    )
    assert entry.balanced
    assert entry.currency == "HKD"
    assert entry.document_currency == "USD"
    assert [(p.account, p.amount, p.document_amount) for p in entry.postings] == [
        ("Assets:Receivable", Decimal("785.14"), Decimal("100.50")),
        ("Income:Sales", Decimal("-777.33"), Decimal("-99.50")),
        ("Liabilities:Tax:GST", Decimal("-7.81"), Decimal("-1.00")),
    ]


def test_money_applied_at_another_rate_posts_the_difference_to_exchange_differences():
    day = date(2026, 11, 3)
    gain = journal.allocation_entry(
        CHART,
        day,
        "INV-9",
        "Buyer",
        journal.Rate("USD", Decimal("7.80"), "HKD"),
        Decimal("1000.00"),
        "TT-1",
        source_rate=Decimal("7.85"),
        source_base=Decimal("7850.00"),
        use_base=Decimal("7800.00"),
    )
    assert gain.balanced
    assert [(p.account, p.amount) for p in gain.postings] == [
        ("Liabilities:Customer-Credit", Decimal("7850.00")),
        ("Assets:Receivable", Decimal("-7800.00")),
        ("Income:Exchange-Differences", Decimal("-50.00")),  # a credit: a gain
    ]
    loss = journal.refund_entry(
        CHART,
        day,
        "R-1",
        "Buyer",
        journal.Rate("USD", Decimal("7.90"), "HKD"),
        "bank_transfer",
        Decimal("10.00"),
        Decimal("79.00"),
        Decimal("78.50"),  # the money came in at 7.85
    )
    assert loss.balanced
    assert loss.postings[-1] == journal.Posting("Income:Exchange-Differences", Decimal("0.50"))


def test_the_exchange_differences_account_is_the_sellers_to_choose():
    assert journal.account_errors({"exchange_differences": "Income:FX-Gains"}) == []
    chart = journal.chart({"exchange_differences": "Expenses:FX"})
    assert chart["exchange_differences"] == "Expenses:FX"
    assert journal.DEFAULT_ACCOUNTS["exchange_differences"] == "Income:Exchange-Differences"


def test_the_csv_has_the_document_amount_its_rate_and_base_debits_and_credits():
    entry = journal.allocation_entry(
        CHART,
        date(2026, 11, 3),
        "INV-9",
        "Buyer",
        journal.Rate("USD", Decimal("7.80"), "HKD"),
        Decimal("1000.00"),
        "TT-1",
        source_rate=Decimal("7.85"),
        source_base=Decimal("7850.00"),
        use_base=Decimal("7800.00"),
    )
    lines = journal.to_csv([entry]).splitlines()
    assert lines == [
        "date,document,company,narration,account,amount,currency,rate,debit,credit,base_currency",
        "2026-11-03,INV-9,Buyer,TT-1 applied to INV-9,Liabilities:Customer-Credit,"
        "1000.00,USD,7.85,7850.00,,HKD",
        "2026-11-03,INV-9,Buyer,TT-1 applied to INV-9,Assets:Receivable,-1000.00,USD,7.80,,7800.00,HKD",
        "2026-11-03,INV-9,Buyer,TT-1 applied to INV-9,Income:Exchange-Differences,,USD,,,50.00,HKD",
    ]


def test_two_currencies_load_in_the_base_currency_without_an_error():
    day = date(2026, 11, 2)
    jpy = journal.Rate("JPY", Decimal("0.052"), "HKD")
    entries = [
        journal.invoice_entry(
            CHART, day, "INV-1", 'A "quoted" buyer', journal.Rate("HKD", Decimal(1), "HKD"),
            Decimal("1"), [], Decimal("1.00"),
        ),
        journal.invoice_entry(CHART, day, "INV-2", "B", jpy, Decimal("100"), [], Decimal("5.20")),
    ]  # fmt: skip
    text = journal.to_beancount(entries, title="Two currencies")
    loaded, errors, options = loader.load_string(text)
    assert errors == []
    assert options["operating_currency"] == ["HKD"]
    receivable = loaded[-1].postings[0]
    assert receivable.units.number == Decimal("5.20")
    assert receivable.units.currency == "HKD"
    assert str(receivable.meta["document_amount"]) == "100 JPY"
    assert receivable.meta["rate"] == Decimal("0.052")
    assert "document_amount" not in loaded[-2].postings[0].meta  # in base currency already
