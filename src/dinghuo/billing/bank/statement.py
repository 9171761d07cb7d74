"""The one shape every bank statement takes once read, whatever format the bank sent
(CAMT.053, MT940), and the checks every format shares: a statement must say its account,
currency and opening and closing balances, and its booked entries must add up from the one
to the other, so that a file cut short or with an entry dropped is refused, not half read."""

import itertools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.money import is_currency, minor_units

# The widths of `billing.BankStatement` and `billing.BankLine`: banks send longer texts than
# a column holds (free remittance text, names), which are cut rather than refused.
MAX_STATEMENT_ID = 64
MAX_ACCOUNT = 64
MAX_REFERENCE = 500
MAX_NAME = 200
MAX_BANK_REFERENCE = 64

_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,6})?")


class MalformedStatement(ValidationFailed):
    """422 `malformed_statement`: the file is not a statement this platform can read."""

    code = "malformed_statement"
    title = "Malformed bank statement"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[FieldError("file", "malformed_statement", detail)])


@dataclass(frozen=True)
class Entry:
    """One booked entry: money in (amount above zero) or out (below)."""

    booked_on: date
    amount: Decimal
    currency: str
    reference: str = ""  # remittance information, the payer's reference
    payer_name: str = ""  # the other party: the payer of a credit, the payee of a debit
    payer_account: str = ""
    bank_reference: str = ""


@dataclass(frozen=True)
class Statement:
    """A statement of one account in one currency, its balances and booked entries."""

    format: str  # "camt053" or "mt940"
    statement_id: str
    account: str
    currency: str
    opening_balance: Decimal
    closing_balance: Decimal
    entries: tuple[Entry, ...]


def clip(text: str | None, width: int) -> str:
    """Text of the file in one line, spaces collapsed, cut to a column's width."""
    return " ".join((text or "").split())[:width]


def amount_of(text: str, currency: str, what: str) -> Decimal:
    """A positive amount as the file writes it (sign apart), in the currency's minor units
    at most and below 10^14 (what a money column holds); anything else is refused."""
    amount = Decimal(text) if _AMOUNT.fullmatch(text) else Decimal("NaN")
    digits = minor_units(currency) if is_currency(currency) else 0
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= Decimal(10) ** 14
        or amount != amount.quantize(Decimal(1).scaleb(-digits))
    ):
        raise MalformedStatement(f"{what}: {text!r} is not an amount in {currency}.")
    return amount + 0


def currency_of(code: str | None, what: str) -> str:
    """An ISO 4217 currency code of the file, or a refusal."""
    if code is None or not is_currency(code):
        raise MalformedStatement(f"{what}: {code!r} is not a currency code.")
    return code


def check_adds_up(what: str, opening: Decimal, closing: Decimal, amounts: list[Decimal]) -> None:
    """Refuse a statement (or one page of it) whose entries do not lead from its opening to
    its closing balance: a truncated file, or an entry lost on the way."""
    moved = sum(amounts, Decimal(0))
    if opening + moved != closing:
        raise MalformedStatement(
            f"{what}: the entries ({moved}) do not lead from the opening balance ({opening}) "
            f"to the closing balance ({closing}); the file may be cut short."
        )


def combine(format: str, pages: list[Statement]) -> Statement:
    """Several statements of one file (MT940 pages, CAMT `Stmt` elements) as one: the first
    opening balance, the last closing balance, every entry. They must be of one account and
    currency, each page starting where the one before closed."""
    if not pages:
        raise MalformedStatement("The file holds no statement.")
    first = pages[0]
    for before, page in itertools.pairwise(pages):
        if (page.account, page.currency) != (first.account, first.currency):
            raise MalformedStatement(
                "The file holds statements of more than one account or currency; "
                "import one account's statement at a time."
            )
        if page.opening_balance != before.closing_balance:
            raise MalformedStatement(
                f"Statement {page.statement_id} opens at {page.opening_balance}, not at the "
                f"closing balance before it ({before.closing_balance})."
            )
    return Statement(
        format=format,
        statement_id=clip(first.statement_id, MAX_STATEMENT_ID),
        account=first.account,
        currency=first.currency,
        opening_balance=first.opening_balance,
        closing_balance=pages[-1].closing_balance,
        entries=tuple(entry for page in pages for entry in page.entries),
    )
