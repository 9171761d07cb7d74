"""The accounting export: journal entries for what billing recorded, as CSV and as a
Beancount file. Pure, no database.

Entries post in the seller's base currency; each posting keeps the document's own amount and
currency and the rate it was booked at (the CSV's `amount`, `currency` and `rate` columns,
Beancount posting metadata), so that the books are in one currency and every figure can be
traced to its document. Every document posts through two control accounts, so that each
balances to a report:
- an invoice: debit receivables (its base total); credit tax (each tax in base at its rate)
  and sales (the rest, so that the entry balances exactly);
- a payment received: debit the account of its method (bank, cheques, cash, card) its base
  amount; credit the customers' credit account (money held for the company) as much;
- a credit note: credit the customers' credit account its base total; debit tax (each in
  base) and sales returns (the rest);
- applying money to an invoice (an allocation): debit customers' credit what the money was
  worth at its source's rate (`source_base`); credit receivables what it settles at the
  invoice's rate (`use_base`); the difference is an exchange gain (credit) or loss (debit) of
  the exchange differences account;
- a refund: credit the account of its method its base amount; debit customers' credit what
  the money it pays back was worth when it came in; the difference to exchange differences.
So receivables always equal what invoices still owe in base currency (the aging's total in
base: each open invoice's base total less the `use_base` of what settled it), customers'
credit the base value of what the companies hold unapplied, and the exchange differences
account the sum of the allocations' differences (credit: gains).
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dinghuo.pricing.fx import to_base

ROLES = (
    "receivable",
    "customer_credit",
    "sales",
    "sales_returns",
    "tax",
    "bank_transfer",
    "cheque",
    "cash",
    "card",
    "exchange_differences",
)
DEFAULT_ACCOUNTS: Mapping[str, str] = {
    "receivable": "Assets:Receivable",
    "customer_credit": "Liabilities:Customer-Credit",
    "sales": "Income:Sales",
    "sales_returns": "Income:Sales-Returns",
    "tax": "Liabilities:Tax",
    "bank_transfer": "Assets:Bank",
    "cheque": "Assets:Cheques-Received",
    "cash": "Assets:Cash",
    "card": "Assets:Card-Clearing",
    "exchange_differences": "Income:Exchange-Differences",
}
# Beancount's rule for account names: a root type, then capitalised components.
ACCOUNT_NAME = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$")


def account_errors(accounts: Mapping[str, str]) -> list[str]:
    """The roles whose account is unknown or not a valid account name."""
    return [
        role for role, name in accounts.items() if role not in ROLES or not ACCOUNT_NAME.match(name)
    ]


def chart(overrides: Mapping[str, str]) -> dict[str, str]:
    """The seller's accounts: its own where it set them, the defaults elsewhere."""
    return {**DEFAULT_ACCOUNTS, **overrides}


def tax_account(chart_: Mapping[str, str], tax_name: str) -> str:
    """One tax account per tax (GST, VAT…) under the chart's tax account."""
    component = re.sub(r"[^A-Za-z0-9-]", "", tax_name.strip().replace(" ", "-"))
    if not component or not component[0].isalnum():
        return chart_["tax"]
    return f"{chart_['tax']}:{component[0].upper()}{component[1:]}"


@dataclass(frozen=True)
class Rate:
    """A document's currency and the rate it was booked at, and the seller's base currency
    its entry posts in."""

    currency: str
    rate: Decimal
    base: str

    def to_base(self, amount: Decimal) -> Decimal:
        """`amount` of the document's currency in base currency, rounded."""
        return to_base(amount, self.rate, self.base)


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Decimal  # in base currency: debit positive, credit negative
    document_amount: Decimal | None = None  # the same in the document's currency (same sign)
    rate: Decimal | None = None  # the rate that turned one into the other


@dataclass(frozen=True)
class Entry:
    day: date
    document: str  # the document's number (INV-000001), or the payment's reference
    company: str  # the company's name
    narration: str
    currency: str  # the seller's base currency, which every posting is in
    postings: tuple[Posting, ...]
    document_currency: str = ""  # the document's own currency (the postings' metadata)

    @property
    def balanced(self) -> bool:
        return sum((p.amount for p in self.postings), Decimal(0)) == 0


@dataclass(frozen=True)
class TaxPart:
    name: str
    amount: Decimal


def _at(rate: Rate, account: str, base: Decimal, amount: Decimal) -> Posting:
    """A posting of `base` whose document amount is `amount` at the document's rate."""
    return Posting(account, base, amount, rate.rate)


def _exchange(chart_: Mapping[str, str], rest: Decimal) -> list[Posting]:
    """What makes an entry balance when its two sides were valued at two rates (none when
    they agree): `rest` is the sum of the other postings."""
    return [Posting(chart_["exchange_differences"], -rest)] if rest else []


def _tax_postings(
    chart_: Mapping[str, str], rate: Rate, taxes: list[TaxPart], sign: int
) -> list[Posting]:
    return [
        _at(rate, tax_account(chart_, t.name), sign * rate.to_base(t.amount), sign * t.amount)
        for t in taxes
    ]


def invoice_entry(
    chart_: Mapping[str, str],
    day: date,
    number: str,
    company: str,
    rate: Rate,
    net: Decimal,
    taxes: Iterable[TaxPart],
    base_total: Decimal,
) -> Entry:
    """An invoice: receivables up by its base total, tax credited (each in base), sales the
    rest."""
    taxes = [t for t in taxes if t.amount]
    total = net + sum((t.amount for t in taxes), Decimal(0))
    tax_postings = _tax_postings(chart_, rate, taxes, -1)
    sales = base_total + sum((p.amount for p in tax_postings), Decimal(0))
    postings = [
        _at(rate, chart_["receivable"], base_total, total),
        _at(rate, chart_["sales"], -sales, -net),
        *tax_postings,
    ]
    return Entry(
        day, number, company, f"Invoice {number}", rate.base, tuple(postings), rate.currency
    )


def credit_note_entry(
    chart_: Mapping[str, str],
    day: date,
    number: str,
    company: str,
    rate: Rate,
    net: Decimal,
    taxes: Iterable[TaxPart],
    invoice: str,
    base_total: Decimal,
) -> Entry:
    """A credit note: the company's credit up by its base total, tax debited (each in
    base), sales returns the rest."""
    taxes = [t for t in taxes if t.amount]
    total = net + sum((t.amount for t in taxes), Decimal(0))
    tax_postings = _tax_postings(chart_, rate, taxes, 1)
    returns = base_total - sum((p.amount for p in tax_postings), Decimal(0))
    postings = [
        _at(rate, chart_["sales_returns"], returns, net),
        *tax_postings,
        _at(rate, chart_["customer_credit"], -base_total, -total),
    ]
    narration = f"Credit note {number} on {invoice}"
    return Entry(day, number, company, narration, rate.base, tuple(postings), rate.currency)


def payment_entry(
    chart_: Mapping[str, str],
    day: date,
    reference: str,
    company: str,
    rate: Rate,
    method: str,
    amount: Decimal,
    base_amount: Decimal,
) -> Entry:
    """Money received: into the method's account, held as the company's credit, both at its
    base amount."""
    postings = (
        _at(rate, chart_[method], base_amount, amount),
        _at(rate, chart_["customer_credit"], -base_amount, -amount),
    )
    return Entry(day, reference, company, "Payment received", rate.base, postings, rate.currency)


def refund_entry(
    chart_: Mapping[str, str],
    day: date,
    reference: str,
    company: str,
    rate: Rate,
    method: str,
    amount: Decimal,
    base_amount: Decimal,
    drawn_base: Decimal,
) -> Entry:
    """Money paid back out of the company's credit: the method's account down by the refund's
    base amount, customers' credit by what the money was worth when it came in
    (`drawn_base`, its allocations' `source_base`), the difference an exchange difference."""
    postings = [
        Posting(chart_["customer_credit"], drawn_base, amount),
        _at(rate, chart_[method], -base_amount, -amount),
    ]
    postings += _exchange(chart_, drawn_base - base_amount)
    return Entry(day, reference, company, "Refund", rate.base, tuple(postings), rate.currency)


def allocation_entry(
    chart_: Mapping[str, str],
    day: date,
    invoice: str,
    company: str,
    rate: Rate,
    amount: Decimal,
    source: str,
    *,
    source_rate: Decimal,
    source_base: Decimal,
    use_base: Decimal,
) -> Entry:
    """The company's credit (from a payment or credit note, at its rate `source_rate`)
    applied to an invoice (at the invoice's `rate`); the difference of the two values is an
    exchange gain or loss."""
    postings = [
        Posting(chart_["customer_credit"], source_base, amount, source_rate),
        _at(rate, chart_["receivable"], -use_base, -amount),
    ]
    postings += _exchange(chart_, source_base - use_base)
    narration = f"{source} applied to {invoice}"
    return Entry(day, invoice, company, narration, rate.base, tuple(postings), rate.currency)


CSV_COLUMNS = (
    "date",
    "document",
    "company",
    "narration",
    "account",
    "amount",
    "currency",
    "rate",
    "debit",
    "credit",
    "base_currency",
)


def _plain(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def to_csv(entries: Iterable[Entry]) -> str:
    """One row per posting: the document's amount (debit positive), its currency and rate,
    then debit or credit in base currency and the base currency; amounts as plain decimals.
    An exchange difference has no document amount."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        for posting in entry.postings:
            writer.writerow(
                (
                    entry.day.isoformat(),
                    entry.document,
                    entry.company,
                    entry.narration,
                    posting.account,
                    _plain(posting.document_amount),
                    entry.document_currency,
                    _plain(posting.rate),
                    posting.amount if posting.amount > 0 else "",
                    -posting.amount if posting.amount < 0 else "",
                    entry.currency,
                )
            )
    return out.getvalue()


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _posting_lines(entry: Entry, posting: Posting) -> list[str]:
    """A posting in base currency; in another currency, the document's amount and the rate
    as its metadata."""
    lines = [f"  {posting.account}  {posting.amount} {entry.currency}"]
    if entry.document_currency and entry.document_currency != entry.currency:
        if posting.document_amount is not None:
            document = f"{posting.document_amount} {entry.document_currency}"
            lines.append(f"    document_amount: {document}")
        if posting.rate is not None:
            lines.append(f"    rate: {posting.rate}")
    return lines


def to_beancount(entries: list[Entry], *, title: str) -> str:
    """A Beancount ledger in base currency: its options, every account opened on the first
    day it is used, then the entries by date."""
    lines = [f"option {_quoted('title')} {_quoted(title)}"]
    for currency in sorted({e.currency for e in entries}):
        lines.append(f"option {_quoted('operating_currency')} {_quoted(currency)}")
    opened: dict[str, date] = {}
    for entry in entries:
        for posting in entry.postings:
            opened[posting.account] = min(opened.get(posting.account, entry.day), entry.day)
    lines.append("")
    lines += [f"{day.isoformat()} open {account}" for account, day in sorted(opened.items())]
    for entry in sorted(entries, key=lambda e: e.day):
        lines.append("")
        lines.append(
            f"{entry.day.isoformat()} * {_quoted(entry.company)} {_quoted(entry.narration)}"
        )
        lines.append(f"  document: {_quoted(entry.document)}")
        for posting in entry.postings:
            lines += _posting_lines(entry, posting)
    return "\n".join(lines) + "\n"
