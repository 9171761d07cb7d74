"""Bank reconciliation: a statement imported once, its credits matched to open invoices and
recorded as payments, the rest left for a clerk, who matches a credit by hand or sets it
aside. One transaction each.

Payments are recorded only through `payments` (method bank transfer, dated the day the bank
booked the money, with the bank's reference), so a matched credit settles its invoices, moves
the company's credit and records `payment.received` like any payment: a clerk's match with
`record_payment`, an import's matched credits with `record_payments`, all of one company's
in one pass (its locks taken once, its rows written in a constant number of statements).
Lock order: the bank line (a clerk's decision), then what `payments` locks (the company's
waiting orders, credit line, account, receivables); an import records its payments in
company order, so two imports paying the same companies queue, not deadlock.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count

from dinghuo.billing import bank
from dinghuo.billing.bank import matching
from dinghuo.billing.models import BankLine, BankStatement, Payment, Receivable
from dinghuo.billing.services import payments, rates
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from dinghuo.core.money import format_amount
from dinghuo.core.queries import seller_for
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.integrations.models import Event

MAX_FILE_NAME = 200
MAX_DECIDED_BY = 200
Status = BankLine.Status


@dataclass(frozen=True)
class Imported:
    """A statement and what became of its lines; `created` is False when the same file had
    been imported before (then nothing changed)."""

    statement: BankStatement
    created: bool
    matched: int
    waiting: int
    ignored: int


def fingerprint(content: bytes) -> str:
    """What makes a file the same statement: the SHA-256 of its bytes."""
    return hashlib.sha256(content).hexdigest()


def _earlier(tenant_id: int, content: bytes) -> Imported | None:
    found = BankStatement.objects.filter(
        tenant_id=tenant_id, fingerprint=fingerprint(content)
    ).first()
    if found is None:
        return None
    counts = dict.fromkeys(Status.values, 0)
    counts |= dict(found.lines.values_list("status").annotate(n=Count("id")).order_by())
    return Imported(
        found, False, counts[Status.MATCHED], counts[Status.UNMATCHED], counts[Status.IGNORED]
    )


@transaction.atomic
def import_statement(
    *,
    tenant_id: int,
    content: bytes,
    file_name: str = "",
    format: str | None = None,
    imported_by: str = "",
) -> Imported:
    """Import a CAMT.053 or MT940 file (`format`, else read from the file) once: the same
    file again answers the earlier statement and changes nothing. Credits the rule of
    `bank.matching` matches are recorded as payments applied to their invoices; other
    credits wait for a clerk; money out is set aside. 422 `malformed_statement` (nothing
    changes) for a file that is not a statement. Records `bank_statement.imported`."""
    earlier = _earlier(tenant_id, content)
    if earlier is not None:
        return earlier
    parsed = bank.parse(content, format)
    statement = _new_statement(tenant_id, content, parsed, file_name, imported_by)
    if statement is None:  # the same file, imported meanwhile by another request
        found = _earlier(tenant_id, content)
        assert found is not None
        return found
    lines = _lines(statement, parsed)
    book = _book(tenant_id)
    decided = _decide(book, lines)
    recorded_by = f"bank statement {statement.statement_id}".strip()
    by_company: dict[int, list[tuple[BankLine, matching.Match]]] = defaultdict(list)
    for line, match in sorted(decided, key=lambda pair: (pair[1].company_id, pair[0].line_number)):
        by_company[match.company_id].append((line, match))
    day_rates = rates.DayRates()
    for company_id, matched in by_company.items():
        _record(tenant_id, company_id, matched, recorded_by, day_rates)
    BankLine.objects.bulk_create(lines, batch_size=500)
    result = Imported(
        statement,
        True,
        sum(1 for line in lines if line.status == Status.MATCHED),
        sum(1 for line in lines if line.status == Status.UNMATCHED),
        sum(1 for line in lines if line.status == Status.IGNORED),
    )
    events.record(_imported_event(result, len(lines)))
    return result


def _new_statement(
    tenant_id: int, content: bytes, parsed: bank.Statement, file_name: str, imported_by: str
) -> BankStatement | None:
    """The statement row, or None when another request has just imported the same file."""
    seller = seller_for(tenant_id, None)
    try:
        with transaction.atomic():
            return BankStatement.objects.create(
                tenant_id=tenant_id,
                seller=seller,
                format=parsed.format,
                fingerprint=fingerprint(content),
                statement_id=parsed.statement_id,
                account=parsed.account,
                currency=parsed.currency,
                opening_balance=parsed.opening_balance,
                closing_balance=parsed.closing_balance,
                file_name=" ".join(file_name.split())[:MAX_FILE_NAME],
                imported_by=imported_by[:MAX_DECIDED_BY],
                imported_at=clock.now(),
            )
    except IntegrityError:
        return None


def _lines(statement: BankStatement, parsed: bank.Statement) -> list[BankLine]:
    """The statement's lines, not yet written: money out set aside, the rest waiting."""
    now = clock.now()
    return [
        BankLine(
            tenant_id=statement.tenant_id,
            statement=statement,
            line_number=number,
            booked_on=entry.booked_on,
            amount=entry.amount,
            currency=entry.currency,
            reference=entry.reference,
            payer_name=entry.payer_name,
            payer_account=entry.payer_account,
            bank_reference=entry.bank_reference,
            status=Status.UNMATCHED if entry.amount > 0 else Status.IGNORED,
            decided_at=None if entry.amount > 0 else now,
        )
        for number, entry in enumerate(parsed.entries, 1)
    ]


def _book(tenant_id: int) -> matching.Book:
    """What the matching rule looks at: the tenant's open invoices, its companies' names,
    and the accounts earlier matched credits came from (three queries)."""
    invoices = [
        matching.OpenInvoice(
            row["invoice_id"],
            row["invoice__number"],
            row["company_id"],
            row["invoice__currency"],
            row["due_on"],
            row["open_amount"],
        )
        for row in Receivable.objects.filter(tenant_id=tenant_id, open_amount__gt=0).values(
            "invoice_id",
            "invoice__number",
            "company_id",
            "invoice__currency",
            "due_on",
            "open_amount",
        )
    ]
    companies = Company.objects.filter(tenant_id=tenant_id).values_list("id", "name")
    accounts = (
        BankLine.objects.filter(tenant_id=tenant_id, status=Status.MATCHED)
        .exclude(payer_account="")
        .values_list("payer_account", "company_id")
        .distinct()
    )
    return matching.Book(invoices, companies, [(a, c) for a, c in accounts if c is not None])


def _decide(book: matching.Book, lines: list[BankLine]) -> list[tuple[BankLine, matching.Match]]:
    """The credits the rule matches, in statement order (each sees what the ones before it
    left open)."""
    decided = []
    for line in lines:
        if line.status != Status.UNMATCHED:
            continue
        match = book.match(
            matching.Credit(
                line.amount, line.currency, line.reference, line.payer_name, line.payer_account
            )
        )
        if match is not None:
            book.apply(match)
            book.learn(line.payer_account, match.company_id)
            decided.append((line, match))
    return decided


def _payment_reference(line: BankLine) -> str:
    return (line.bank_reference or line.reference)[: payments.MAX_REFERENCE]


def _record(
    tenant_id: int,
    company_id: int,
    matched: list[tuple[BankLine, matching.Match]],
    recorded_by: str,
    day_rates: rates.DayRates,
) -> None:
    """Record one company's matched credits as its payments, in one pass; a credit that
    cannot be recorded as matched (the invoice was paid meanwhile, the company now pays in
    another currency) waits for a clerk instead."""
    received = [
        payments.Received(
            amount=line.amount,
            currency=line.currency,
            method=Payment.Method.BANK_TRANSFER,
            received_on=line.booked_on,
            reference=_payment_reference(line),
            allocations=[payments.Allocate(i, a) for i, a in match.allocations],
            recorded_by=recorded_by,
        )
        for line, match in matched
    ]
    try:
        recorded = payments.record_payments(
            tenant_id=tenant_id, company_id=company_id, received=received, day_rates=day_rates
        )
    except DomainError:  # the company's money could not be taken at all (its account)
        return
    now = clock.now()
    for (line, _match), payment in zip(matched, recorded, strict=True):
        if payment is not None:
            line.status = Status.MATCHED
            line.payment = payment
            line.company_id = company_id
            line.decided_at = now


def _imported_event(result: Imported, lines: int) -> Event:
    statement = result.statement
    return events.new(
        statement.tenant_id,
        "bank_statement.imported",
        "bank_statement",
        statement.pk,
        {
            "statement_id": statement.statement_id,
            "format": statement.format,
            "account": statement.account,
            "currency": statement.currency,
            "opening_balance": _amount(statement.opening_balance, statement.currency),
            "closing_balance": _amount(statement.closing_balance, statement.currency),
            "lines": lines,
            "matched": result.matched,
            "waiting": result.waiting,
            "ignored": result.ignored,
        },
    )


def _amount(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


# --- a clerk's decisions -------------------------------------------------------------------


def _locked_line(tenant_id: int, line_id: int) -> BankLine:
    """The tenant's line, locked, while it still waits; 404 for another's, 409 once decided."""
    line = BankLine.objects.select_for_update().filter(tenant_id=tenant_id, pk=line_id).first()
    if line is None:
        raise NotFound(f"No bank line {line_id}.")
    if line.status != Status.UNMATCHED:
        raise Conflict("This line was already matched or set aside.", code="bank_line_decided")
    return line


@transaction.atomic
def match_line(
    *,
    tenant_id: int,
    line_id: int,
    company_id: int,
    allocations: list[payments.Allocate] | None = None,
    decided_by: str = "",
) -> BankLine:
    """A clerk says whose payment a waiting credit is: recorded as that company's payment,
    applied to the invoices `allocations` names, else oldest due first; the rest is its
    unapplied credit. 404 for another tenant's line or company, 409 `bank_line_decided`
    for a line already decided, 422 for money out or allocations that cannot be applied
    (nothing changes then). Records `payment.received`."""
    line = _locked_line(tenant_id, line_id)
    if line.amount <= 0:
        raise ValidationFailed(
            "Money out cannot be a customer's payment; set it aside.",
            code="bank_line_not_credit",
            errors=[FieldError("line", "bank_line_not_credit", "This line is money out")],
        )
    payment = payments.record_payment(
        tenant_id=tenant_id,
        company_id=company_id,
        amount=line.amount,
        currency=line.currency,
        method=Payment.Method.BANK_TRANSFER,
        received_on=line.booked_on,
        reference=_payment_reference(line),
        allocations=allocations,
        recorded_by=decided_by[:MAX_DECIDED_BY],
    )
    line.status = Status.MATCHED
    line.payment = payment
    line.company_id = company_id
    line.decided_by = decided_by[:MAX_DECIDED_BY]
    line.decided_at = clock.now()
    line.save(update_fields=["status", "payment", "company", "decided_by", "decided_at"])
    return line


@transaction.atomic
def ignore_line(*, tenant_id: int, line_id: int, decided_by: str = "") -> BankLine:
    """A clerk sets a waiting credit aside (not a customer's payment: a refund from a
    supplier, interest, a transfer between own accounts). 404 for another tenant's line,
    409 `bank_line_decided` once decided. Records `bank_line.ignored`."""
    line = _locked_line(tenant_id, line_id)
    line.status = Status.IGNORED
    line.decided_by = decided_by[:MAX_DECIDED_BY]
    line.decided_at = clock.now()
    line.save(update_fields=["status", "decided_by", "decided_at"])
    events.record(
        events.new(
            tenant_id,
            "bank_line.ignored",
            "bank_line",
            line.pk,
            {
                "statement_id": line.statement_id,
                "line_number": line.line_number,
                "amount": format_amount(line.amount, line.currency),
                "currency": line.currency,
                "decided_by": line.decided_by,
            },
        )
    )
    return line
