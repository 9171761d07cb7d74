"""The outcome of a received return: a credit note for the units that arrived, at the
order's frozen prices with tax, less the restocking fee the buyer was told when asking,
kept only on the lines returned for a reason that bears it (fee and reasons are frozen on
the request; by default goods no longer needed and "another reason", never damaged,
defective or wrong goods); and, when the clerk asks for it, a refund of the money the
credit freed.

Credit notes are billing's (`issue_credit_note`), one per invoice that billed the units:
the units are taken from the order line's invoice lines oldest first, after the units
earlier returns of the line took. Without a fee the note credits those units (billing
then knows which units are credited); with a fee it credits their gross less the fee as an
amount, which billing shares across the invoice's tax rates. Units never invoiced (a
seller invoicing weekly or monthly, before the period's run) cannot be credited: the return
is refused (409 `return_not_invoiced`) until the invoice is issued, and stays received.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from dinghuo.billing import proration
from dinghuo.billing import services as billing
from dinghuo.billing.models import Allocation, CreditNote, InvoiceLine
from dinghuo.core import clock
from dinghuo.core.errors import Conflict
from dinghuo.core.money import format_amount, minor_units
from dinghuo.integrations import events
from dinghuo.orders.models import Order
from dinghuo.returns import policy
from dinghuo.returns.models import ReturnLine, ReturnRequest, ReturnStatus
from dinghuo.returns.services.shared import locked_return, require_status, return_event, today


@dataclass(frozen=True)
class RefundAsked:
    """Pay the freed credit back: how (billing's payment methods) and the bank's reference."""

    method: str
    reference: str = ""


@dataclass
class Credited:
    """Units of one invoice line to credit, after `before` units earlier returns took."""

    line: InvoiceLine
    before: int
    units: int


def _earlier_returns(order: Order, request: ReturnRequest) -> dict[int, int]:
    """Units of each order line credited by the order's earlier (closed) returns."""
    rows = (
        ReturnLine.objects.filter(request__order=order, request__status=ReturnStatus.CLOSED)
        .exclude(request=request)
        .values("order_line_id")
        .annotate(units=Sum("received_quantity"))
    )
    return {row["order_line_id"]: row["units"] or 0 for row in rows}


def _credit_plan(
    order: Order, request: ReturnRequest, accepted: Mapping[int, int]
) -> list[Credited]:
    """The invoice lines that billed the accepted units, oldest first; 409
    `return_not_invoiced` when some were never invoiced."""
    earlier = _earlier_returns(order, request)
    plan: list[Credited] = []
    billed = InvoiceLine.objects.filter(order_line_id__in=list(accepted)).order_by(
        "invoice_id", "line_number"
    )
    skip, left = dict(earlier), dict(accepted)
    for line in billed:
        taken_before = min(skip.get(line.order_line_id, 0), line.quantity)
        skip[line.order_line_id] = skip.get(line.order_line_id, 0) - taken_before
        units = min(left.get(line.order_line_id, 0), line.quantity - taken_before)
        if units > 0:
            plan.append(Credited(line, taken_before, units))
            left[line.order_line_id] -= units
    if any(left.values()):
        raise Conflict(
            f"Order {order.number} is not invoiced for all the units returned yet; close the "
            "return once its invoice is issued.",
            code="return_not_invoiced",
        )
    return plan


def _gross(item: Credited, digits: int) -> Decimal:
    """The gross (with tax) of the item's units, prorated as billing prorates."""
    return proration.part(
        proration.Amounts(item.line.net_amount, item.line.tax_amount),
        before=item.before,
        units=item.units,
        of=item.line.quantity,
        minor_units=digits,
    ).gross


def _issue_notes(
    request: ReturnRequest, plan: list[Credited], reasons: Mapping[int, str]
) -> tuple[list[CreditNote], Decimal]:
    """One credit note per invoice; the fee kept in total. `reasons`: each order line's
    return reason, which says whether its units bear the fee (rounded once per invoice)."""
    by_invoice: dict[int, list[Credited]] = {}
    for item in plan:
        by_invoice.setdefault(item.line.invoice_id, []).append(item)
    notes, fees = [], Decimal(0)
    currency = request.currency
    digits = minor_units(currency)
    fee_reasons = frozenset(request.fee_reasons)
    reason = f"Return {request.number}"
    for invoice_id, items in by_invoice.items():
        parts = [(_gross(i, digits), reasons[i.line.order_line_id]) for i in items]
        gross = sum((part for part, _reason in parts), Decimal(0))
        fee = policy.fee_on(parts, request.restocking_fee_percent, fee_reasons, currency)
        fees += fee
        if not fee:
            notes.append(
                billing.issue_credit_note(
                    tenant_id=request.tenant_id,
                    invoice_id=invoice_id,
                    reason=reason,
                    lines=[billing.CreditUnits(i.line.line_number, i.units) for i in items],
                )
            )
        elif gross > fee:
            notes.append(
                billing.issue_credit_note(
                    tenant_id=request.tenant_id,
                    invoice_id=invoice_id,
                    reason=f"{reason}, less a restocking fee of {format_amount(fee, currency)}",
                    amount=gross - fee,
                )
            )
    return notes, fees


def _unapplied(notes: list[CreditNote]) -> Decimal:
    """What of the notes did not settle their invoices: the company's credit they freed."""
    applied = Allocation.objects.filter(credit_note__in=notes, invoice__isnull=False).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    return sum((note.total for note in notes), Decimal(0)) - applied


@transaction.atomic
def close_return(
    *,
    tenant_id: int,
    return_id: int,
    refund: RefundAsked | None = None,
    recorded_by: str = "",
) -> ReturnRequest:
    """Credit what arrived of a received return and close it, less the restocking fee on
    the lines whose reason bears it; with `refund`, pay back what the credit did not settle
    (409 `nothing_to_refund` when it settled an open invoice in full). 409
    `invalid_return_status` unless received, `return_not_invoiced` (see the module).
    Records billing's `credit_note.issued` (and `payment.refunded`) and `return.closed`."""
    order, request = locked_return(tenant_id, return_id)
    require_status(request, ReturnStatus.RECEIVED)
    arrived = [line for line in request.lines.all() if line.received_quantity]
    accepted = {line.order_line_id: line.received_quantity or 0 for line in arrived}
    reasons = {line.order_line_id: line.reason for line in arrived}
    notes, fee = (
        _issue_notes(request, _credit_plan(order, request, accepted), reasons)
        if accepted
        else ([], Decimal(0))
    )
    refunded = None
    if refund is not None:
        free = _unapplied(notes)
        if free <= 0:
            raise Conflict(
                "The credit settled what the company owed; nothing is left to refund.",
                code="nothing_to_refund",
            )
        refunded = billing.refund(
            tenant_id=tenant_id,
            company_id=request.company_id,
            amount=free,
            method=refund.method,
            refunded_on=today(),
            reference=refund.reference or request.number,
            recorded_by=recorded_by,
        )
    request.credited_amount = sum((note.total for note in notes), Decimal(0))
    request.fee_amount = fee
    request.refund = refunded
    request.status = ReturnStatus.CLOSED
    request.closed_at = clock.now()
    request.save(update_fields=["credited_amount", "fee_amount", "refund", "status", "closed_at"])
    request.credit_notes.set(notes)
    currency = request.currency
    events.record(
        return_event(
            request,
            order,
            "return.closed",
            credit_notes=[note.number for note in notes],
            credited=format_amount(request.credited_amount, currency),
            restocking_fee=format_amount(fee, currency),
            refunded=format_amount(refunded.amount, currency) if refunded else None,
            currency=currency,
        )
    )
    return request
