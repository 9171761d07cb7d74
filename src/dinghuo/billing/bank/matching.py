"""Which open invoices a bank credit pays. Pure, no database.

The rule, tried in this order; a credit neither step matches waits for a clerk:

1. **By reference.** Invoice numbers the remittance text names: a number is its letters (the
   series prefix, `INV` of `INV-000123`) and the value of its last digits, so banks' mangling
   does not matter: any case, with or without the dash or spaces, with or without the leading
   zeros (`INV-000123`, `inv000123`, `INV 123`, `Inv-123`). A number is found only where
   its letters start a word (`XINV123` names nothing) and only with its letters (a bare
   `123` is too ambiguous to name an invoice). The open invoices so named, in the credit's
   currency, must all be one company's; then the credit pays them, oldest due first, each in
   full before the next; what is left over is the company's unapplied credit. Named
   invoices of several companies: not matched.
2. **By amount and payer.** Else, if the payer identifies exactly one company, and exactly
   one of that company's open invoices in the credit's currency is open for exactly the
   credit's amount, the credit pays it. The payer identifies a company by name (equal to the
   company's name once both are folded: case, accents and punctuation, spacing, and legal
   forms such as "Ltd", "Limited", "Co", "Inc", "GmbH", "有限公司" ignored) or by account
   (an account an earlier credit of that company came from, spaces and dashes ignored); a
   name or account shared by several companies identifies none, and name and account naming
   two different companies identify none. Several invoices open for that amount, or none:
   not matched.

Money out (a debit) and nothing (zero) are never matched.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

REFERENCE: Literal["reference"] = "reference"
AMOUNT: Literal["amount"] = "amount"

InvoiceKey = tuple[str, int]

# A word of letters, then separators banks put or leave, then digits (after NFKC, upper case).
_NUMBER_IN_TEXT = re.compile(r"(?<![A-Z])([A-Z]+)[ \-_/.#:]*(\d+)(?!\d)")
_NUMBER = re.compile(r"(.*?)(\d+)")
# Legal forms a bank may add to, cut from or spell out of a company's name.
_LEGAL_FORMS = frozenset(
    {
        *("ltd", "limited", "co", "company", "inc", "incorporated", "llc", "llp", "plc"),
        *("corp", "corporation", "gmbh", "ag", "kg", "pte", "pty", "sa", "sarl", "srl"),
        *("bv", "nv", "kk"),
    }
)
_CJK_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "公司")


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice with money still open on it."""

    id: int
    number: str
    company_id: int
    currency: str
    due_on: date
    open_amount: Decimal


@dataclass(frozen=True)
class Credit:
    """Money in, as the statement says it."""

    amount: Decimal
    currency: str
    reference: str = ""
    payer_name: str = ""
    payer_account: str = ""


@dataclass(frozen=True)
class Match:
    """The company a credit is from, and what it pays on which invoice (invoice id, amount);
    the rest of the credit is the company's unapplied credit."""

    company_id: int
    allocations: tuple[tuple[int, Decimal], ...]
    by: Literal["reference", "amount"]


def invoice_key(number: str) -> InvoiceKey | None:
    """`INV-000123` → ("INV", 123): how a number is recognised however a bank wrote it."""
    found = _NUMBER.fullmatch(unicodedata.normalize("NFKC", number).upper().strip())
    if found is None:
        return None
    letters = re.sub(r"[^A-Z]", "", found.group(1))
    return (letters, int(found.group(2))) if letters else None


def named_keys(text: str) -> list[InvoiceKey]:
    """The invoice numbers a remittance text names, in the order it names them."""
    upper = unicodedata.normalize("NFKC", text).upper()
    found = [(m.group(1), int(m.group(2))) for m in _NUMBER_IN_TEXT.finditer(upper)]
    return list(dict.fromkeys(found))


def name_key(name: str) -> str:
    """A company or payer name folded for comparison ("" when nothing is left)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    # "S.A." and "SA", "Co." and "Co" are one word: dots join, other punctuation parts.
    words = re.sub(r"[\W_]+", " ", text.replace(".", "")).split()
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    joined = " ".join(words)
    for suffix in _CJK_LEGAL_FORMS:
        if joined.endswith(suffix) and len(joined) > len(suffix):
            return joined[: -len(suffix)].strip()
    return joined


def account_key(account: str) -> str:
    """An account number folded for comparison: upper case, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", unicodedata.normalize("NFKC", account).upper())


class Book:
    """The open invoices, the companies' names and the accounts their credits came from,
    indexed for matching many credits; `apply` keeps it true as matched credits settle
    invoices, so a later credit of the same statement sees what is still open."""

    def __init__(
        self,
        invoices: Iterable[OpenInvoice],
        companies: Iterable[tuple[int, str]],
        accounts: Iterable[tuple[str, int]] = (),
    ) -> None:
        self.open: dict[int, OpenInvoice] = {}
        self.by_key: dict[InvoiceKey, list[int]] = defaultdict(list)
        self.by_company: dict[int, list[int]] = defaultdict(list)
        for invoice in invoices:
            self._add(invoice)
        self.names: dict[str, set[int]] = defaultdict(set)
        for company_id, name in companies:
            if key := name_key(name):
                self.names[key].add(company_id)
        self.accounts: dict[str, set[int]] = defaultdict(set)
        for account, company_id in accounts:
            self.learn(account, company_id)

    def _add(self, invoice: OpenInvoice) -> None:
        if invoice.open_amount <= 0:
            return
        self.open[invoice.id] = invoice
        key = invoice_key(invoice.number)
        if key is not None:
            self.by_key[key].append(invoice.id)
        self.by_company[invoice.company_id].append(invoice.id)

    def learn(self, account: str, company_id: int) -> None:
        """Credits from `account` came from `company_id`."""
        if key := account_key(account):
            self.accounts[key].add(company_id)

    def match(self, credit: Credit) -> Match | None:
        """The invoices `credit` pays, by the rule of this module; None: a clerk decides."""
        if credit.amount <= 0:
            return None
        return self._by_reference(credit) or self._by_amount(credit)

    def apply(self, match: Match) -> None:
        """The matched credit's allocations are paid: lower what is open on its invoices."""
        for invoice_id, amount in match.allocations:
            invoice = self.open[invoice_id]
            left = invoice.open_amount - amount
            self.open[invoice_id] = replace(invoice, open_amount=left)
            if left <= 0:
                del self.open[invoice_id]

    def payer(self, credit: Credit) -> int | None:
        """The one company the payer's name or account identifies, if exactly one."""
        by_name = self.names.get(name_key(credit.payer_name), set())
        by_account = self.accounts.get(account_key(credit.payer_account), set())
        if len(by_name) > 1 or len(by_account) > 1:
            return None
        found = by_name | by_account
        return next(iter(found)) if len(found) == 1 else None

    def _open_ids(self, ids: Iterable[int], currency: str) -> list[OpenInvoice]:
        found = [self.open[i] for i in ids if i in self.open]
        return [invoice for invoice in found if invoice.currency == currency]

    def _by_reference(self, credit: Credit) -> Match | None:
        named = self._open_ids(
            {i for key in named_keys(credit.reference) for i in self.by_key.get(key, ())},
            credit.currency,
        )
        companies = {invoice.company_id for invoice in named}
        if len(companies) != 1:
            return None
        left, allocations = credit.amount, []
        for invoice in sorted(named, key=lambda i: (i.due_on, i.id)):
            part = min(left, invoice.open_amount)
            if part > 0:
                allocations.append((invoice.id, part))
                left -= part
        return Match(companies.pop(), tuple(allocations), REFERENCE)

    def _by_amount(self, credit: Credit) -> Match | None:
        company_id = self.payer(credit)
        if company_id is None:
            return None
        exact = [
            invoice
            for invoice in self._open_ids(self.by_company.get(company_id, ()), credit.currency)
            if invoice.open_amount == credit.amount
        ]
        if len(exact) != 1:
            return None
        return Match(company_id, ((exact[0].id, credit.amount),), AMOUNT)
