"""ISO 20022 CAMT.053 (bank to customer statement) read into a `Statement`.

Why our own reader: the parsers on the package index were weighed and left aside. `pycamt`
(one module on lxml) answers a missing balance, amount or date with `None` and reads the
first `Amt` under an entry wherever it is, so a damaged file would import half read; `camt053`
is a 0.0.x release that pulls in a web server, a CLI and pinned copies of libraries we use. The
elements a reconciliation needs are few and the same in every version, so they are read here
with the standard library's ElementTree behind `defusedxml` (no DTD, no entities, no network),
and every one the rules need is checked.

Read: the namespace `urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN` for NN 02 to 13 (tested:
.02 and .08; the paths below exist unchanged in the versions between); each `Stmt`: `Id`, the
account (`Acct/Id/IBAN`, else `Acct/Id/Othr/Id`) and its currency, the opening balance (`OPBD`,
or `PRCD`, the previous closing) and closing balance (`CLBD`); each booked entry (`Sts` BOOK,
as a code in .02 or `Sts/Cd` from .08; pending and information-only entries are left out): its
amount, `CdtDbtInd` (the sign), booking date, the bank's reference (`AcctSvcrRef`, else
`NtryRef`), the remittance information (`Ustrd`, `Strd/CdtrRefInf/Ref`, the end-to-end id) and
the other party (the debtor of a credit, the creditor of a debit). An entry that batches
several transactions with their own amounts becomes one entry per transaction.
"""

import re
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

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

FORMAT = "camt053"
_NAMESPACE = re.compile(r"\{(urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d\d))\}Document")
_VERSIONS = range(2, 14)
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)
_SIGNS = {"CRDT": 1, "DBIT": -1}
_NOT_PROVIDED = "NOTPROVIDED"


class _Reader:
    """Paths of one document's namespace (`Stmt/Bal` → `c:Stmt/c:Bal`)."""

    def __init__(self, namespace: str) -> None:
        self.ns = {"c": namespace}

    def all(self, element: Element, path: str) -> list[Element]:
        return element.findall(self._q(path), self.ns)

    def one(self, element: Element, path: str) -> Element | None:
        return element.find(self._q(path), self.ns)

    def text(self, element: Element, *paths: str) -> str:
        """The text of the first of `paths` found with some text, stripped; "" if none."""
        for path in paths:
            found = element.find(self._q(path), self.ns)
            if found is not None and found.text and found.text.strip():
                return found.text.strip()
        return ""

    @staticmethod
    def _q(path: str) -> str:
        return "/".join(f"c:{step}" for step in path.split("/"))


def parse(content: bytes) -> Statement:
    """The statement of a CAMT.053 file; 422 `malformed_statement` for anything else (not
    XML, another message or version, a balance or amount missing or not a number, entries
    that do not add up to the closing balance)."""
    root = _document(content)
    reader = _Reader(_namespace(root))
    pages = [_statement(reader, stmt) for stmt in reader.all(root, "BkToCstmrStmt/Stmt")]
    return combine(FORMAT, pages)


def _document(content: bytes) -> Element:
    if b"\x00" in content:
        raise MalformedStatement("The file holds NUL characters: it is not a CAMT.053 file.")
    try:
        root: Element = fromstring(content, forbid_dtd=True)
    # LookupError: the XML declaration names an encoding Python does not know ("ATF-8").
    except (ParseError, DefusedXmlException, ValueError, LookupError) as error:
        raise MalformedStatement(f"The file is not well-formed XML ({error}).") from error
    return root


def _namespace(root: Element) -> str:
    found = _NAMESPACE.fullmatch(root.tag)
    if found is None or int(found.group(2)) not in _VERSIONS:
        raise MalformedStatement(
            f"The document is {root.tag!r}, not an ISO 20022 camt.053.001.02–13 statement."
        )
    return found.group(1)


def _statement(reader: _Reader, stmt: Element) -> Statement:
    statement_id = reader.text(stmt, "Id")
    if not statement_id:
        raise MalformedStatement("A statement has no Id.")
    what = f"Statement {statement_id}"
    account = reader.text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
    if not account:
        raise MalformedStatement(f"{what} names no account.")
    balances = {
        reader.text(bal, "Tp/CdOrPrtry/Cd"): bal for bal in reversed(reader.all(stmt, "Bal"))
    }
    opening_bal = next((balances[c] for c in _OPENING if c in balances), None)
    closing_bal = next((balances[c] for c in _CLOSING if c in balances), None)
    if opening_bal is None or closing_bal is None:
        raise MalformedStatement(f"{what} lacks its opening (OPBD) or closing (CLBD) balance.")
    currency = currency_of(
        reader.text(stmt, "Acct/Ccy") or _amount_element(reader, opening_bal, what).get("Ccy"),
        what,
    )
    opening = _signed(reader, opening_bal, currency, f"{what}, opening balance")
    closing = _signed(reader, closing_bal, currency, f"{what}, closing balance")
    entries: list[Entry] = []
    for number, ntry in enumerate(reader.all(stmt, "Ntry"), 1):
        if _status(reader, ntry) == "BOOK":
            entries += _entries(reader, ntry, currency, f"{what}, entry {number}")
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


def _amount_element(reader: _Reader, element: Element, what: str) -> Element:
    found = reader.one(element, "Amt")
    if found is None:
        raise MalformedStatement(f"{what}: no amount.")
    return found


def _signed(reader: _Reader, element: Element, currency: str, what: str) -> Decimal:
    """The amount of a balance or entry with its sign (`CdtDbtInd`), in `currency`."""
    amount = _amount_element(reader, element, what)
    if amount.get("Ccy") != currency:
        raise MalformedStatement(f"{what}: in {amount.get('Ccy')!r}, not in {currency}.")
    sign = _SIGNS.get(reader.text(element, "CdtDbtInd"))
    if sign is None:
        raise MalformedStatement(f"{what}: CdtDbtInd is neither CRDT nor DBIT.")
    return sign * amount_of((amount.text or "").strip(), currency, what)


def _status(reader: _Reader, ntry: Element) -> str:
    """BOOK, PDNG or INFO: a code in .02 (`Sts`), a choice from .08 on (`Sts/Cd`)."""
    return reader.text(ntry, "Sts/Cd") or reader.text(ntry, "Sts")


def _booked_on(reader: _Reader, ntry: Element, what: str) -> date:
    text = reader.text(ntry, "BookgDt/Dt") or reader.text(ntry, "BookgDt/DtTm")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise MalformedStatement(f"{what}: no booking date ({text!r}).") from error


def _entries(reader: _Reader, ntry: Element, currency: str, what: str) -> list[Entry]:
    """One entry per transaction of a batch whose parts add up to it, else one."""
    amount = _signed(reader, ntry, currency, what)
    booked_on = _booked_on(reader, ntry, what)
    bank_reference = reader.text(ntry, "AcctSvcrRef", "NtryRef")
    details = reader.all(ntry, "NtryDtls/TxDtls")
    parts = [_part_amount(reader, tx, currency, what) for tx in details]
    amounts = [p for p in parts if p is not None]
    sign = Decimal(1) if amount > 0 else Decimal(-1)
    if len(details) > 1 and len(amounts) == len(parts) and sign * sum(amounts) == amount:
        return [
            _entry(reader, ntry, tx, booked_on, sign * part, currency, bank_reference)
            for tx, part in zip(details, amounts, strict=True)
        ]
    first = details[0] if details else None
    return [_entry(reader, ntry, first, booked_on, amount, currency, bank_reference)]


def _part_amount(reader: _Reader, tx: Element, currency: str, what: str) -> Decimal | None:
    """A transaction's own amount in the account's currency, if it says one."""
    found = reader.one(tx, "Amt")
    if found is None:  # (an Element without children is falsy: no `or` here)
        found = reader.one(tx, "AmtDtls/TxAmt/Amt")
    if found is None or found.get("Ccy") != currency:
        return None
    return amount_of((found.text or "").strip(), currency, what)


def _entry(
    reader: _Reader,
    ntry: Element,
    tx: Element | None,
    booked_on: date,
    amount: Decimal,
    currency: str,
    bank_reference: str,
) -> Entry:
    party = "Dbtr" if amount > 0 else "Cdtr"
    name = account = reference = ""
    if tx is not None:
        name = reader.text(tx, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")
        account = reader.text(
            tx, f"RltdPties/{party}Acct/Id/IBAN", f"RltdPties/{party}Acct/Id/Othr/Id"
        )
        reference = _remittance(reader, tx)
        bank_reference = reader.text(tx, "Refs/AcctSvcrRef") or bank_reference
    return Entry(
        booked_on=booked_on,
        amount=amount,
        currency=currency,
        reference=clip(reference or reader.text(ntry, "AddtlNtryInf"), MAX_REFERENCE),
        payer_name=clip(name, MAX_NAME),
        payer_account=clip(account, MAX_ACCOUNT),
        bank_reference=clip(bank_reference, MAX_BANK_REFERENCE),
    )


def _remittance(reader: _Reader, tx: Element) -> str:
    """What the payer wrote: unstructured lines, structured creditor references, the
    end-to-end id; else the bank's additional information."""
    texts = [(e.text or "").strip() for e in reader.all(tx, "RmtInf/Ustrd")]
    texts += [(e.text or "").strip() for e in reader.all(tx, "RmtInf/Strd/CdtrRefInf/Ref")]
    end_to_end = reader.text(tx, "Refs/EndToEndId")
    if end_to_end.upper() != _NOT_PROVIDED:
        texts.append(end_to_end)
    unique = list(dict.fromkeys(t for t in texts if t))
    return " ".join(unique) or reader.text(tx, "AddtlTxInf")
