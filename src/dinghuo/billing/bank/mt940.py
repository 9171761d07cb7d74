"""SWIFT MT940 (customer statement message) read into a `Statement`.

The fields are read by the maintained `mt-940` library (`mt940` on import), with every fix of
its `Options` switched on (a reversal of a credit is money out; a byte-order mark is dropped;
`?31` is the payer's account). What it leaves open is checked here: each statement (`:20:` to
`:62F:`/`:62M:`) must have its reference, account (`:25:`), opening (`:60F:`/`:60M:`) and
closing balance in one currency, and its entries (`:61:`) must lead from the one to the
other, so that a file cut short is refused rather than half read.

Each `:61:` is one entry: the entry date (else the value date), the signed amount, the
bank's reference (after `//`), and the customer's reference unless `NONREF`. Its `:86:` gives
the payer and the remittance text in one of two common layouts: German `?nn` sub-fields
(`?20`–`?29` purpose with `EREF+`/`SVWZ+`, `?31` account, `?32`/`?33` name), which the library
reads, or SWIFT slash codes (`/REMI/`, `/EREF/`, `/NAME/`, `/ORDP/`, `/IBAN/`, `/CNTP/`),
read below; any other text is the remittance text as it stands.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from dinghuo.billing.bank.statement import (
    MAX_ACCOUNT,
    MAX_BANK_REFERENCE,
    MAX_NAME,
    MAX_REFERENCE,
    Entry,
    MalformedStatement,
    Statement,
    amount_of,
    check_adds_up,
    clip,
    combine,
    currency_of,
)

FORMAT = "mt940"
_OPENING = ("final_opening_balance", "intermediate_opening_balance", "opening_balance")
_CLOSING = ("final_closing_balance", "intermediate_closing_balance", "closing_balance")
_NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}
# The SWIFT codes of a structured :86: that say who paid and why.
_CODES = ("REMI", "EREF", "NAME", "ORDP", "IBAN", "ACCW", "CNTP", "BENM", "ADDR", "MARF")
_CODE = re.compile(r"/({})/".format("|".join(_CODES)))
_REMI_KIND = re.compile(r"^(USTD|STRD/[A-Z]{3,4})/+")
_OPTIONS = mt940.Options.all()


def parse(content: bytes) -> Statement:
    """The statement of an MT940 file (several `:20:` statements of one account are read as
    one); 422 `malformed_statement` for anything else (no statement, a balance or the
    account missing, an amount or date that is not one, entries that do not add up)."""
    text = _text(content)
    try:
        blocks = mt940.parse_statements(text, options=_OPTIONS)
        pages = [_statement(block) for block in blocks]
    except MalformedStatement:
        raise
    except (RuntimeError, ValueError, ArithmeticError, KeyError, IndexError) as error:
        raise MalformedStatement(f"The MT940 file cannot be read ({error}).") from error
    return combine(FORMAT, pages)


def _text(content: bytes) -> str:
    """UTF-8 where it is (with or without a byte-order mark), else Latin-1, as banks write
    the SWIFT character set; NUL is no character of either file."""
    if b"\x00" in content:
        raise MalformedStatement("The file holds NUL characters: it is not an MT940 file.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _statement(block: Any) -> Statement:
    data = block.data
    statement_id = str(data.get("transaction_reference") or "").strip()
    what = f"Statement {statement_id or '(no :20:)'}"
    account = str(data.get("account_identification") or "").strip()
    if not statement_id or not account:
        raise MalformedStatement(f"{what} lacks its reference (:20:) or account (:25:).")
    opening_balance = _balance(data, _OPENING)
    closing_balance = _balance(data, _CLOSING)
    if opening_balance is None or closing_balance is None:
        raise MalformedStatement(f"{what} lacks its opening (:60F:) or closing (:62F:) balance.")
    currency = currency_of(opening_balance.amount.currency, what)
    opening = _amount(opening_balance.amount, currency, f"{what}, opening balance")
    closing = _amount(closing_balance.amount, currency, f"{what}, closing balance")
    entries = [
        _entry(transaction.data, currency, f"{what}, entry {number}")
        for number, transaction in enumerate(block, 1)
    ]
    check_adds_up(what, opening, closing, [e.amount for e in entries])
    return Statement(
        format=FORMAT,
        statement_id=statement_id,
        account=clip(account, MAX_ACCOUNT),
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        entries=tuple(entries),
    )


def _balance(data: dict[str, Any], names: tuple[str, ...]) -> Any:
    """The first of the balances `names` the statement has (with an amount)."""
    for name in names:
        found = data.get(name)
        if found is not None and isinstance(found.amount, mt940.models.Amount):
            return found
    return None


def _amount(amount: Any, currency: str, what: str) -> Decimal:
    """A signed amount of the library, checked as every format's amounts are."""
    if amount.currency != currency:
        raise MalformedStatement(f"{what}: in {amount.currency!r}, not in {currency}.")
    value: Decimal = amount.amount
    magnitude = amount_of(str(abs(value)), currency, what)
    return -magnitude if value < 0 else magnitude


def _plain(day: Any) -> date:
    return date(day.year, day.month, day.day)


def _entry(data: dict[str, Any], currency: str, what: str) -> Entry:
    if "amount" not in data or "date" not in data:
        raise MalformedStatement(f"{what}: a :61: without its date or amount.")
    amount = _amount(data["amount"], currency, what)
    name, account, remittance = _details(data)
    customer_reference = str(data.get("customer_reference") or "").strip()
    references = [remittance]
    if customer_reference.upper() not in _NO_REFERENCE and customer_reference not in remittance:
        references.insert(0, customer_reference)
    return Entry(
        booked_on=_plain(data.get("entry_date") or data["date"]),
        amount=amount,
        currency=currency,
        reference=clip(" ".join(r for r in references if r), MAX_REFERENCE),
        payer_name=clip(name, MAX_NAME),
        payer_account=clip(account, MAX_ACCOUNT),
        bank_reference=clip(str(data.get("bank_reference") or ""), MAX_BANK_REFERENCE),
    )


def _details(data: dict[str, Any]) -> tuple[str, str, str]:
    """(payer name, payer account, remittance text) of a :86:."""
    if "transaction_details" not in data:  # German sub-fields, read by the library
        texts = [data.get("purpose"), data.get("end_to_end_reference")]
        return (
            str(data.get("applicant_name") or ""),
            str(data.get("applicant_iban") or data.get("gvc_applicant_iban") or ""),
            " ".join(str(t) for t in texts if t and str(t).upper() not in _NO_REFERENCE),
        )
    text = " ".join(str(data.get("transaction_details") or "").split())
    if not _CODE.search(text):
        return "", "", text
    return _slash_codes(text)


def _slash_codes(text: str) -> tuple[str, str, str]:
    """(payer name, account, remittance text) of a :86: in SWIFT slash codes."""
    parts = _CODE.split(text)
    fields: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(code, value.strip("/ "))
    counterparty = fields.get("CNTP", "").split("/")
    name = fields.get("NAME") or fields.get("ORDP") or [*counterparty, "", "", ""][2]
    account = fields.get("IBAN") or fields.get("ACCW") or counterparty[0]
    remittance = [_REMI_KIND.sub("", fields.get("REMI", "")), fields.get("EREF", "")]
    return name, account, " ".join(r for r in remittance if r.upper() not in _NO_REFERENCE)
