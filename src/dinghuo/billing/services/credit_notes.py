"""Credit notes: corrections of an issued invoice (which itself never changes): the whole
invoice, some units of its lines, or an amount. A credit note settles what the invoice still
owes; beyond that it becomes the company's unapplied credit. It freezes the exchange rate of
its day (its invoice's when the seller has none yet) and its total in base currency; what it
settles is valued at its rate and at the invoice's (`billing/exchange.py`). Returns call
`issue_credit_note` the same way."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from dinghuo.billing import exchange, proration
from dinghuo.billing.models import (
    Allocation,
    CreditNote,
    CreditNoteLine,
    DocumentSeries,
    Invoice,
    InvoiceLine,
    Receivable,
)
from dinghuo.billing.services import balances, rates
from dinghuo.billing.services.invoicing import today
from dinghuo.billing.services.numbering import take_number
from dinghuo.billing.services.payments import amount_errors
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from dinghuo.core.money import format_amount, minor_units
from dinghuo.core.queries import tenant_row
from dinghuo.integrations import events

MAX_REASON = 300


@dataclass(frozen=True)
class CreditUnits:
    """Credit `quantity` units of the invoice's line `line_number`."""

    line_number: int
    quantity: int


def _credited_units(invoice: Invoice) -> dict[int, int]:
    rows = (
        CreditNoteLine.objects.filter(invoice_line__invoice=invoice)
        .values("invoice_line_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["invoice_line_id"]: row["units"] or 0 for row in rows}


def _unit_lines(
    invoice: Invoice, lines: list[InvoiceLine], wanted: list[CreditUnits]
) -> list[CreditNoteLine]:
    """Credit note lines for units of invoice lines; 422 for unknown, repeated or too many."""
    credited = _credited_units(invoice)
    by_number = {line.line_number: line for line in lines}
    errors, seen, result = [], set(), []
    digits = minor_units(invoice.currency)
    for i, item in enumerate(wanted):
        at, line = f"lines[{i}]", by_number.get(item.line_number)
        left = line.quantity - credited.get(line.pk, 0) if line else 0
        if line is None:
            errors.append(FieldError(f"{at}.line_number", "unknown_line", "No such invoice line"))
        elif item.line_number in seen:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Line given twice"))
        elif item.quantity < 1:
            errors.append(FieldError(f"{at}.quantity", "quantity_not_positive", "At least 1"))
        elif item.quantity > left:
            errors.append(
                FieldError(
                    f"{at}.quantity",
                    "exceeds_uncredited_quantity",
                    f"Only {left} left to credit",
                    {"available": left},
                )
            )
        else:
            part = proration.part(
                proration.Amounts(line.net_amount, line.tax_amount),
                before=credited.get(line.pk, 0),
                units=item.quantity,
                of=line.quantity,
                minor_units=digits,
            )
            result.append(
                CreditNoteLine(
                    invoice_line=line,
                    description=line.description,
                    quantity=item.quantity,
                    tax_name=line.tax_name,
                    tax_percent=line.tax_percent,
                    net_amount=part.net,
                    tax_amount=part.tax,
                    gross_amount=part.gross,
                )
            )
        seen.add(item.line_number)
    if errors:
        raise ValidationFailed("The credit note cannot be issued; see errors.", errors=errors)
    return result


def _amount_lines(
    invoice: Invoice, lines: list[InvoiceLine], amount: Decimal, reason: str
) -> list[CreditNoteLine]:
    """An amount (with tax) credited across the invoice's tax rates, in proportion to what
    each rate billed; each part's tax is the tax its gross contains."""
    rates: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for line in lines:
        rates[(line.tax_name, line.tax_percent)] += line.gross_amount
    keys = sorted(rates, key=lambda k: (k[1], k[0]))
    digits = minor_units(invoice.currency)
    parts = proration.split_by_weight(amount, [rates[k] for k in keys], digits)
    result = []
    for (name, percent), gross in zip(keys, parts, strict=True):
        if gross:
            tax = proration.tax_in_gross(gross, percent, digits)
            result.append(
                CreditNoteLine(
                    description=reason,
                    tax_name=name,
                    tax_percent=percent,
                    net_amount=gross - tax,
                    tax_amount=tax,
                    gross_amount=gross,
                )
            )
    return result


def _mode_errors(
    whole: bool, lines: list[CreditUnits] | None, amount: Decimal | None, reason: str, currency: str
) -> list[FieldError]:
    errors = []
    if sum([whole, lines is not None, amount is not None]) != 1:
        errors.append(
            FieldError(
                "mode",
                "one_mode_required",
                "Credit the whole invoice, some lines, or an amount: one of them",
            )
        )
    if lines is not None and not lines:
        errors.append(FieldError("lines", "lines_required", "Name at least one line"))
    if amount is not None:
        errors += amount_errors("amount", amount, currency)
    if not reason.strip():
        errors.append(FieldError("reason", "required", "Say why the invoice is credited"))
    elif len(reason) > MAX_REASON:
        errors.append(FieldError("reason", "too_long", f"At most {MAX_REASON} characters"))
    return errors


@transaction.atomic
def issue_credit_note(
    *,
    tenant_id: int,
    invoice_id: int,
    reason: str,
    whole: bool = False,
    lines: list[CreditUnits] | None = None,
    amount: Decimal | None = None,
    company_id: int | None = None,
) -> CreditNote:
    """Credit an issued invoice: `whole` (every unit not yet credited), some `lines`, or an
    `amount` with tax; never more than the invoice billed (409 `exceeds_invoice`). It settles
    the invoice's open amount first; the rest is the company's unapplied credit. 422 for bad
    input. Records `credit_note.issued`."""
    invoice = tenant_row(
        Invoice.objects.select_related("seller"), tenant_id, invoice_id, f"No invoice {invoice_id}."
    )
    if company_id is not None and invoice.company_id != company_id:
        raise NotFound(f"No invoice {invoice_id}.")
    errors = _mode_errors(whole, lines, amount, reason, invoice.currency)
    if errors:
        raise ValidationFailed("The credit note cannot be issued; see errors.", errors=errors)
    balances.lock_credit(tenant_id, invoice.company_id)
    account = balances.lock_account(tenant_id, invoice.company_id, invoice.currency)
    receivable = Receivable.objects.select_for_update().get(invoice=invoice)
    invoice_lines = list(invoice.lines.order_by("line_number"))
    note_lines = _note_lines(invoice, invoice_lines, whole, lines, amount, reason.strip())
    note = _write(invoice, note_lines, reason.strip())
    applied = min(note.total, receivable.open_amount)
    if applied > 0:
        _settle(note, invoice, receivable, applied)
    balances.change_unapplied(account, note.total - applied)
    balances.follow_credit(
        tenant_id=tenant_id,
        seller_id=invoice.seller_id,
        company_id=invoice.company_id,
        change=-applied,
    )
    recorded = [_issued_event(note, invoice, applied)]
    if applied and applied == receivable.open_amount:
        recorded.append(balances.settled_event(invoice))
    events.record(*recorded)
    return note


def _settle(note: CreditNote, invoice: Invoice, receivable: Receivable, applied: Decimal) -> None:
    """`applied` of the note settles its invoice: valued in base currency at the note's rate
    and at the invoice's (what settled the invoice before counted in its running total)."""
    bases = exchange.bases(
        applied,
        source=exchange.Side(note.fx_rate),
        use=exchange.Side(invoice.fx_rate, invoice.total - receivable.open_amount),
        base_currency=invoice.seller.base_currency,
    )
    Allocation.objects.create(
        tenant_id=note.tenant_id,
        credit_note=note,
        invoice=invoice,
        amount=applied,
        source_base=bases.source,
        use_base=bases.use,
        created_at=note.created_at,
    )
    balances.settle(receivable.pk, applied, bases.use)


def _note_lines(
    invoice: Invoice,
    invoice_lines: list[InvoiceLine],
    whole: bool,
    lines: list[CreditUnits] | None,
    amount: Decimal | None,
    reason: str,
) -> list[CreditNoteLine]:
    credited_total = CreditNote.objects.filter(invoice=invoice).aggregate(s=Sum("total"))["s"]
    left = invoice.total - (credited_total or Decimal(0))
    if amount is not None:
        if amount > left:
            raise Conflict(
                f"Only {format_amount(left, invoice.currency)} of the invoice is left to credit.",
                code="exceeds_invoice",
            )
        return _amount_lines(invoice, invoice_lines, amount, reason)
    if whole:
        credited = _credited_units(invoice)
        lines = [
            CreditUnits(line.line_number, line.quantity - credited.get(line.pk, 0))
            for line in invoice_lines
            if line.quantity > credited.get(line.pk, 0)
        ]
        if not lines:
            raise Conflict("Every unit of the invoice is credited already.", code="exceeds_invoice")
    result = _unit_lines(invoice, invoice_lines, lines or [])
    if sum((line.gross_amount for line in result), Decimal(0)) > left:
        raise Conflict(
            f"Only {format_amount(left, invoice.currency)} of the invoice is left to credit.",
            code="exceeds_invoice",
        )
    return result


def _write(invoice: Invoice, lines: list[CreditNoteLine], reason: str) -> CreditNote:
    """The note and its lines, at the rate of its day (else its invoice's)."""
    seller, issued_on = invoice.seller, today()
    rate = rates.rate_or(seller, invoice.currency, issued_on, invoice.fx_rate)
    total = sum((line.gross_amount for line in lines), Decimal(0))
    note = CreditNote.objects.create(
        tenant_id=invoice.tenant_id,
        seller=seller,
        company_id=invoice.company_id,
        invoice=invoice,
        number=take_number(
            tenant_id=invoice.tenant_id,
            seller_id=invoice.seller_id,
            kind=DocumentSeries.Kind.CREDIT_NOTE,
        ),
        issued_on=issued_on,
        currency=invoice.currency,
        reason=reason,
        net_total=sum((line.net_amount for line in lines), Decimal(0)),
        tax_total=sum((line.tax_amount for line in lines), Decimal(0)),
        total=total,
        fx_rate=rate,
        base_total=exchange.base_amount(total, rate, seller.base_currency),
        bill_to=invoice.bill_to,
        seller_details=invoice.seller_details,
        created_at=clock.now(),
    )
    for number, line in enumerate(lines, 1):
        line.tenant_id, line.credit_note, line.line_number = invoice.tenant_id, note, number
    CreditNoteLine.objects.bulk_create(lines)
    return note


def _issued_event(note: CreditNote, invoice: Invoice, applied: Decimal) -> Any:
    currency = note.currency
    return events.new(
        note.tenant_id,
        "credit_note.issued",
        "credit_note",
        note.pk,
        {
            "credit_note": note.number,
            "invoice": invoice.number,
            "company": invoice.bill_to.get("code"),
            "currency": currency,
            "reason": note.reason,
            "net_total": format_amount(note.net_total, currency),
            "tax_total": format_amount(note.tax_total, currency),
            "total": format_amount(note.total, currency),
            "exchange_rate": exchange.rate_text(note.fx_rate),
            "base_total": format_amount(note.base_total, note.seller.base_currency),
            "applied_to_invoice": format_amount(applied, currency),
            "unapplied": format_amount(note.total - applied, currency),
        },
    )
