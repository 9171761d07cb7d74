"""Short-closing a partially shipped order: seller staff decide the rest will never ship.

What is left of every line (ordered − shipped) is cancelled and kept on the line as
`cancelled_quantity`; its reservations are released and its backorder cleared; the credit
the order holds for those units is given back; the order becomes `shipped` (everything that
will ship has shipped; delivering it is the usual next step), and `order.short_closed`
records the reason, the lines and the amount cancelled on the order's timeline.

The order's amounts (subtotal, tax, total) stay what was ordered; what it holds of the
company's credit (`credit_reserved`) falls by the gross of the cancelled units, computed as
billing prorates a line (`billing/proration.py`: running totals rounded half up), so that
once the shipped units are invoiced the order holds exactly nothing.

Only a partially shipped order can be short-closed: with nothing shipped it is a cancel
(409 `nothing_shipped`); a second short-close answers 409 `already_short_closed` and
changes nothing. Locks in the order used everywhere: order row, credit line, stock levels.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from dinghuo.core import money
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.customers import services as customers
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import services as stock
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.services.locking import locked_order, transition
from dinghuo.orders.services.order_events import order_event
from dinghuo.orders.states import Action, OrderStatus

MAX_REASON = 200


@dataclass(frozen=True)
class ShortClosed:
    """What short-closing cancelled: units per line number, and the credit given back."""

    order: Order
    cancelled: dict[int, int]
    credit_released: Decimal


@transaction.atomic
def short_close_order(
    *, tenant_id: int, order_id: int, reason: str, closed_by: str = ""
) -> ShortClosed:
    """Cancel the unshipped rest of a partially shipped order (see the module docstring).

    Refused, changing nothing: 422 `short_close_reason_required` without a reason; 409
    `nothing_shipped` before anything shipped, `already_short_closed` the second time,
    `invalid_transition` from any other status; 404 for another tenant's order."""
    reason = reason.strip()
    order = locked_order(tenant_id, order_id)
    lines = list(OrderLine.objects.filter(order=order).order_by("line_number"))
    _refuse(order, lines, reason)
    cancelled = {
        line.line_number: line.quantity - line.shipped_quantity
        for line in lines
        if line.quantity > line.shipped_quantity
    }
    released = _release_credit(order, lines, cancelled)
    for line in lines:
        line.cancelled_quantity = cancelled.get(line.line_number, 0)
        line.backordered_quantity = 0
    OrderLine.objects.bulk_update(lines, ["cancelled_quantity", "backordered_quantity"])
    order.status = OrderStatus.SHIPPED
    order.save(update_fields=["status", "credit_reserved", "updated_at"])
    events.record(_closed_event(order, lines, cancelled, released, reason, closed_by))
    stock.release(
        tenant_id,
        [line.pk for line in lines if line.line_number in cancelled],
        reason=f"order short-closed: {reason}",
        reference=f"order:{order.pk}",
    )
    return ShortClosed(order, cancelled, released)


def _refuse(order: Order, lines: list[OrderLine], reason: str) -> None:
    """The refusals of the service's docstring, most specific first."""
    if not reason:
        raise ValidationFailed(
            "Say why the rest of the order is cancelled.",
            errors=[FieldError("reason", "short_close_reason_required", "A reason is required")],
        )
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            "The reason is too long.",
            errors=[FieldError("reason", "too_long", f"At most {MAX_REASON} characters")],
        )
    if any(line.cancelled_quantity for line in lines):
        raise Conflict("This order was short-closed already.", code="already_short_closed")
    if order.status in {OrderStatus.PLACED, OrderStatus.CONFIRMED}:
        raise Conflict(
            "Nothing of this order has shipped; cancel it instead.", code="nothing_shipped"
        )
    transition(order, Action.SHORT_CLOSE)


def cancelled_gross(line: OrderLine, units: int, currency: str) -> Decimal:
    """The gross of the last `units` units of the line, as billing would bill them: the line
    less its first units, net and tax each rounded half up on running totals."""
    kept, places = line.quantity - units, money.minor_units(currency)
    step = Decimal(1).scaleb(-places)

    def rest(amount: Decimal) -> Decimal:
        first = (amount * kept / line.quantity).quantize(step, rounding=ROUND_HALF_UP)
        return amount - first

    return rest(line.net_amount) + rest(line.tax_amount)


def _release_credit(order: Order, lines: list[OrderLine], cancelled: dict[int, int]) -> Decimal:
    """Give back the credit the order holds for the cancelled units (never more than it
    holds); the credit line is locked after the order row."""
    gross = sum(
        (
            cancelled_gross(line, cancelled[line.line_number], order.currency)
            for line in lines
            if line.line_number in cancelled
        ),
        Decimal(0),
    )
    released = min(gross, order.credit_reserved)
    if released > 0:
        credit = customers.lock_credit_line(tenant_id=order.tenant_id, company_id=order.company_id)
        customers.change_order_exposure(credit_line_id=credit.id, amount=-released)
        order.credit_reserved -= released
    return released


def _closed_event(
    order: Order,
    lines: list[OrderLine],
    cancelled: dict[int, int],
    released: Decimal,
    reason: str,
    closed_by: str,
) -> Event:
    return order_event(
        order,
        "order.short_closed",
        {
            "reason": reason,
            "by": closed_by,
            "credit_released": money.format_amount(released, order.currency),
            "lines": [
                {
                    "line_number": line.line_number,
                    "sku": line.sku_code,
                    "shipped": line.shipped_quantity,
                    "cancelled": cancelled[line.line_number],
                }
                for line in lines
                if line.line_number in cancelled
            ],
        },
    )
