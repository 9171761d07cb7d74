"""The accounting export: journal entries for what billing recorded, as CSV and as a
Beancount file. Pure, no database.

Every document posts through two control accounts, so that each balances to a report:
- an invoice: debit receivables (its total); credit sales (its net) and tax (per tax);
- a payment received: debit the account of its method (bank, cheques, cash, card); credit the
  customers' credit account (money held for the company);
- a credit note: debit sales returns (its net) and tax; credit the customers' credit account;
- applying money to an invoice (an allocation): debit customers' credit; credit receivables;
- a refund: debit customers' credit; credit the account of its method.
So receivables always equal what invoices still owe (the aging's total), and customers'
credit what the companies hold unapplied. Each entry balances in its document's currency.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
class Posting:
    account: str
    amount: Decimal  # debit positive, credit negative


@dataclass(frozen=True)
class Entry:
    day: date
    document: str  # the document's number (INV-000001), or the payment's reference
    company: str  # the company's name
    narration: str
    currency: str
    postings: tuple[Posting, ...]

    @property
    def balanced(self) -> bool:
        return sum((p.amount for p in self.postings), Decimal(0)) == 0


@dataclass(frozen=True)
class TaxPart:
    name: str
    amount: Decimal


def invoice_entry(
    chart_: Mapping[str, str],
    day: date,
    number: str,
    company: str,
    currency: str,
    net: Decimal,
    taxes: Iterable[TaxPart],
) -> Entry:
    """An invoice: receivables up by its total, sales and tax credited."""
    taxes = [t for t in taxes if t.amount]
    total = net + sum((t.amount for t in taxes), Decimal(0))
    postings = [Posting(chart_["receivable"], total), Posting(chart_["sales"], -net)]
    postings += [Posting(tax_account(chart_, t.name), -t.amount) for t in taxes]
    return Entry(day, number, company, f"Invoice {number}", currency, tuple(postings))


def credit_note_entry(
    chart_: Mapping[str, str],
    day: date,
    number: str,
    company: str,
    currency: str,
    net: Decimal,
    taxes: Iterable[TaxPart],
    invoice: str,
) -> Entry:
    """A credit note: sales returns and tax debited, the company's credit up."""
    taxes = [t for t in taxes if t.amount]
    total = net + sum((t.amount for t in taxes), Decimal(0))
    postings = [Posting(chart_["sales_returns"], net)]
    postings += [Posting(tax_account(chart_, t.name), t.amount) for t in taxes]
    postings.append(Posting(chart_["customer_credit"], -total))
    narration = f"Credit note {number} on {invoice}"
    return Entry(day, number, company, narration, currency, tuple(postings))


def payment_entry(
    chart_: Mapping[str, str],
    day: date,
    reference: str,
    company: str,
    currency: str,
    method: str,
    amount: Decimal,
) -> Entry:
    """Money received: into the method's account, held as the company's credit."""
    postings = (Posting(chart_[method], amount), Posting(chart_["customer_credit"], -amount))
    return Entry(day, reference, company, "Payment received", currency, postings)


def refund_entry(
    chart_: Mapping[str, str],
    day: date,
    reference: str,
    company: str,
    currency: str,
    method: str,
    amount: Decimal,
) -> Entry:
    """Money paid back out of the company's credit."""
    postings = (Posting(chart_["customer_credit"], amount), Posting(chart_[method], -amount))
    return Entry(day, reference, company, "Refund", currency, postings)


def allocation_entry(
    chart_: Mapping[str, str],
    day: date,
    invoice: str,
    company: str,
    currency: str,
    amount: Decimal,
    source: str,
) -> Entry:
    """The company's credit (from a payment or credit note) applied to an invoice."""
    postings = (
        Posting(chart_["customer_credit"], amount),
        Posting(chart_["receivable"], -amount),
    )
    return Entry(day, invoice, company, f"{source} applied to {invoice}", currency, postings)


CSV_COLUMNS = ("date", "document", "company", "narration", "account", "debit", "credit", "currency")


def to_csv(entries: Iterable[Entry]) -> str:
    """One row per posting: debit or credit filled, amounts as plain decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        for posting in entry.postings:
            debit = posting.amount if posting.amount > 0 else ""
            credit = -posting.amount if posting.amount < 0 else ""
            writer.writerow(
                (
                    entry.day.isoformat(),
                    entry.document,
                    entry.company,
                    entry.narration,
                    posting.account,
                    debit,
                    credit,
                    entry.currency,
                )
            )
    return out.getvalue()


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_beancount(entries: list[Entry], *, title: str) -> str:
    """A Beancount ledger: its options, every account opened on the first day it is used,
    then the entries by date."""
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
            lines.append(f"  {posting.account}  {posting.amount} {entry.currency}")
    return "\n".join(lines) + "\n"
