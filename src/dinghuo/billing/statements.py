"""A company's statement of account for a period: what it owed at the start (the opening
balance), every invoice, credit note, payment and refund of the period in date order with
the balance after each, what it owes at the end (the closing balance), and what of that is
open on which invoice, aged as of the last day.

The balance is what the company owes the seller: invoices and refunds raise it, credit notes
and payments lower it; below zero the seller holds money of the company's. At the end it is
what the invoices still owe less the company's unapplied credit, so `unapplied` is derived
from the two (and equals `Account.unapplied` for a statement that ends today).

`build` is the pure rule (rows in, statement out); `statement` reads the rows: ten queries
whatever the period and the history (eleven when the seller's billing policy names no legal
name, which is then the seller's).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.billing import aging
from dinghuo.billing.models import CreditNote, Invoice, Payment
from dinghuo.billing.services.invoicing import bill_to
from dinghuo.billing.services.policy import policy_for, seller_details
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.queries import tenant_row
from dinghuo.core.templatetags.dinghuo import date_
from dinghuo.customers.models import Company

INVOICE, CREDIT_NOTE, PAYMENT, REFUND = "invoice", "credit_note", "payment", "refund"
# Within one day, documents follow in the order they were recorded; for the same moment, in
# this order (an invoice before the payment that settles it).
KINDS = (INVOICE, CREDIT_NOTE, PAYMENT, REFUND)
# What raises the balance (the company owes more); the other kinds lower it.
DEBITS = frozenset({INVOICE, REFUND})
# The period a statement covers when none is asked for: the month of its last day and the
# two before it.
DEFAULT_MONTHS = 3
ZERO = Decimal(0)
KIND_LABELS: dict[str, Any] = {
    INVOICE: _("Invoice"),
    CREDIT_NOTE: _("Credit note"),
    PAYMENT: _("Payment received"),
    REFUND: _("Refund"),
}
METHOD_LABELS: dict[str, Any] = dict(Payment.Method.choices)


@dataclass(frozen=True)
class Party:
    """The company a statement is for, and the seller it owes."""

    company_id: int
    code: str
    name: str
    currency: str
    bill_to: dict[str, Any]  # as an invoice prints it: company, code, address
    seller: dict[str, str]  # the seller's legal details and payment instructions


@dataclass(frozen=True)
class Movement:
    """A document that changed what the company owes: an invoice, credit note, payment or
    refund, dated, with its amount (always positive: the kind says which way)."""

    day: date
    kind: str
    document_id: int
    reference: str  # the document's number, or the payment's reference
    amount: Decimal
    recorded_at: datetime
    due_on: date | None = None  # an invoice's
    invoice_number: str = ""  # the invoice a credit note corrects
    method: str = ""  # how a payment or refund was paid

    @property
    def debit(self) -> Decimal | None:
        """The amount when it raises the balance, else None."""
        return self.amount if self.kind in DEBITS else None

    @property
    def credit(self) -> Decimal | None:
        """The amount when it lowers the balance, else None."""
        return None if self.kind in DEBITS else self.amount

    def sort_key(self) -> tuple[date, datetime, int, int]:
        """Date order; within a day, the order recorded."""
        return (self.day, self.recorded_at, KINDS.index(self.kind), self.document_id)


def describe(movement: Movement) -> str:
    """What a statement's line says of its document, in the active language: an invoice's
    due date, the invoice a credit note corrects, how a payment or refund was paid."""
    if movement.kind == INVOICE and movement.due_on:
        return gettext("Invoice, due %(day)s") % {"day": date_(movement.due_on)}
    if movement.kind == CREDIT_NOTE:
        return gettext("Credit note for %(invoice)s") % {"invoice": movement.invoice_number}
    method = str(METHOD_LABELS.get(movement.method, ""))
    if movement.kind == PAYMENT:
        return gettext("Payment received: %(method)s") % {"method": method}
    if movement.kind == REFUND:
        return gettext("Refund: %(method)s") % {"method": method}
    return str(KIND_LABELS[movement.kind])


@dataclass(frozen=True)
class Line:
    """A movement with the balance after it."""

    movement: Movement
    balance: Decimal

    @property
    def said(self) -> str:
        """What the line says of its document, in the active language (`describe`)."""
        return describe(self.movement)


@dataclass(frozen=True)
class OpenItem:
    """An invoice still open at the end of the period, and how long past due it was then."""

    invoice_id: int
    number: str
    issued_on: date
    due_on: date
    total: Decimal
    open_amount: Decimal
    days_overdue: int  # 0 when not yet due
    bucket: str


@dataclass(frozen=True)
class Statement:
    """A company's account for a period, as a statement prints it."""

    party: Party
    start: date
    end: date
    opening: Decimal
    lines: tuple[Line, ...]
    closing: Decimal
    debits: Decimal  # the period's invoices and refunds
    credits: Decimal  # the period's credit notes and payments
    open_items: tuple[OpenItem, ...]
    aged: aging.Aged  # the open items by bucket, as of `end`
    unapplied: Decimal  # money of the company's held at the end, not applied to an invoice

    @property
    def currency(self) -> str:
        """The company's currency, which every amount of the statement is in."""
        return self.party.currency


def build(
    party: Party,
    start: date,
    end: date,
    opening: Decimal,
    movements: list[Movement],
    open_amounts: list[tuple[int, str, date, date, Decimal, Decimal]],
) -> Statement:
    """The statement of `party` for `start`..`end`: `opening` is the balance before `start`,
    `movements` the period's documents (any order), `open_amounts` (invoice id, number,
    issued on, due on, total, open at the end) what was open on the last day."""
    balance = opening
    lines = []
    for movement in sorted(movements, key=Movement.sort_key):
        balance += movement.amount if movement.kind in DEBITS else -movement.amount
        lines.append(Line(movement, balance))
    items = tuple(
        OpenItem(
            invoice_id,
            number,
            issued_on,
            due_on,
            total,
            open_amount,
            max((end - due_on).days, 0),
            aging.bucket(due_on, end),
        )
        for invoice_id, number, issued_on, due_on, total, open_amount in sorted(
            open_amounts, key=lambda row: (row[3], row[0])
        )
    )
    aged = aging.age([(item.due_on, item.open_amount) for item in items], end)
    return Statement(
        party=party,
        start=start,
        end=end,
        opening=opening,
        lines=tuple(lines),
        closing=balance,
        debits=sum((m.amount for m in movements if m.kind in DEBITS), ZERO),
        credits=sum((m.amount for m in movements if m.kind not in DEBITS), ZERO),
        open_items=items,
        aged=aged,
        unapplied=aged.total - balance,
    )


# --- the period ------------------------------------------------------------------------------


def default_period(today: date) -> tuple[date, date]:
    """The period shown when none is asked for: from the first day of the month two months
    before `today`'s, to `today`."""
    month = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return date(month // 12, month % 12 + 1, 1), today


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period asked for, the defaults filling what was not given; 422
    `period_not_ordered` when it ends before it starts."""
    end = end or today
    start = start or default_period(end)[0]
    if start > end:
        raise ValidationFailed(
            "The statement's last day comes before its first.",
            errors=[FieldError("from", "period_not_ordered", "On or before `to`")],
        )
    return start, end


# --- reading the rows ------------------------------------------------------------------------


def statement(tenant_id: int, company_id: int, start: date, end: date) -> Statement:
    """The statement of the tenant's company `company_id` (404 for another's) from `start`
    to `end`, both included."""
    company = tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )
    currency = company.price_list.currency
    policy = policy_for(tenant_id, company.price_list.seller_id)
    party = Party(
        company.pk, company.code, company.name, currency, bill_to(company), seller_details(policy)
    )
    invoices = Invoice.objects.filter(tenant_id=tenant_id, company_id=company_id)
    notes = CreditNote.objects.filter(tenant_id=tenant_id, company_id=company_id)
    payments = Payment.objects.filter(tenant_id=tenant_id, company_id=company_id)
    opening = _opening(invoices, notes, payments, start)
    movements = _movements(invoices, notes, payments, start, end)
    return build(party, start, end, opening, movements, _open_at(invoices, end))


def _total(rows: QuerySet[Any], **before: date) -> Decimal:
    field = "amount" if rows.model is Payment else "total"
    return rows.filter(**before).aggregate(s=Sum(field))["s"] or ZERO


def _opening(
    invoices: QuerySet[Invoice],
    notes: QuerySet[CreditNote],
    payments: QuerySet[Payment],
    start: date,
) -> Decimal:
    """The balance before `start` (three queries)."""
    sums = payments.filter(received_on__lt=start).aggregate(
        received=Sum("amount", filter=Q(kind=Payment.Kind.RECEIVED)),
        refunded=Sum("amount", filter=Q(kind=Payment.Kind.REFUND)),
    )
    return (
        _total(invoices, issued_on__lt=start)
        - _total(notes, issued_on__lt=start)
        - (sums["received"] or ZERO)
        + (sums["refunded"] or ZERO)
    )


def _movements(
    invoices: QuerySet[Invoice],
    notes: QuerySet[CreditNote],
    payments: QuerySet[Payment],
    start: date,
    end: date,
) -> list[Movement]:
    """The period's documents (three queries)."""
    found = [
        Movement(i.issued_on, INVOICE, i.pk, i.number, i.total, i.created_at, due_on=i.due_on)
        for i in invoices.filter(issued_on__range=(start, end)).only(
            "id", "issued_on", "number", "total", "created_at", "due_on"
        )
    ]
    found += [
        Movement(day, CREDIT_NOTE, pk, number, total, created_at, invoice_number=invoice)
        for pk, day, number, total, created_at, invoice in notes.filter(
            issued_on__range=(start, end)
        ).values_list("id", "issued_on", "number", "total", "created_at", "invoice__number")
    ]
    found += [
        Movement(
            p.received_on,
            PAYMENT if p.kind == Payment.Kind.RECEIVED else REFUND,
            p.pk,
            p.reference,
            p.amount,
            p.created_at,
            method=p.method,
        )
        for p in payments.filter(received_on__range=(start, end)).only(
            "id", "kind", "received_on", "reference", "amount", "created_at", "method"
        )
    ]
    return found


def _open_at(
    invoices: QuerySet[Invoice], end: date
) -> list[tuple[int, str, date, date, Decimal, Decimal]]:
    """The invoices issued by `end` that were still open then (one query): their total less
    what payments received and credit notes issued by `end` settled of them. (Money is only
    ever applied to an invoice once both exist, so a settlement dates from its source, or
    from the invoice when that came later, which is then within the period too.)"""
    zero = Value(ZERO, output_field=DecimalField(max_digits=18, decimal_places=4))
    settled_by_end = Q(allocations__payment__received_on__lte=end) | Q(
        allocations__credit_note__issued_on__lte=end
    )
    rows = (
        invoices.filter(issued_on__lte=end)
        .annotate(settled=Coalesce(Sum("allocations__amount", filter=settled_by_end), zero))
        .filter(total__gt=F("settled"))
        .values_list("id", "number", "issued_on", "due_on", "total", "settled")
    )
    return [
        (pk, number, issued_on, due_on, total, total - settled)
        for pk, number, issued_on, due_on, total, settled in rows
    ]
