"""An order's life after placing: confirmed by the seller, shipped (fulfilment records the
shipment; the order's side of it is `record_shipment`), delivered, or cancelled; a credit
hold released by staff. Each move is checked against `orders.states` and is one event."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from dinghuo.core import clock
from dinghuo.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from dinghuo.customers import services as customers
from dinghuo.integrations import events
from dinghuo.orders import straight_through
from dinghuo.orders.judging import policy_for
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.services.approvals import move_on
from dinghuo.orders.services.cancelling import cancel
from dinghuo.orders.services.locking import locked_order, transition
from dinghuo.orders.services.order_events import order_event
from dinghuo.orders.states import Action, OrderStatus

# A buyer may cancel only before the seller has confirmed the order.
_BUYER_CANCELS = frozenset(
    {OrderStatus.CREDIT_HOLD, OrderStatus.AWAITING_APPROVAL, OrderStatus.PLACED}
)


@transaction.atomic
def confirm_order(*, tenant_id: int, order_id: int) -> Order:
    """The seller accepts the order: it may now be shipped."""
    order = locked_order(tenant_id, order_id)
    transition(order, Action.CONFIRM)
    order.status = OrderStatus.CONFIRMED
    order.save(update_fields=["status", "updated_at"])
    events.record(order_event(order, "order.confirmed", {"automatic": False}))
    return order


@transaction.atomic
def start_picking(*, tenant_id: int, order_id: int) -> Order:
    """The warehouse has started on a confirmed (or partially shipped) order: buyers can no
    longer amend it (`amendment_rules`). Said again, it changes nothing; 409
    `invalid_transition` for an order the warehouse cannot pick (not confirmed)."""
    order = locked_order(tenant_id, order_id)
    if order.status not in _PICKABLE:
        raise InvalidTransition(f"Cannot start picking an order that is {order.status}.")
    if order.picking_started_at is None:
        order.picking_started_at = clock.now()
        order.save(update_fields=["picking_started_at", "updated_at"])
        events.record(order_event(order, "order.picking_started", {}))
    return order


_PICKABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED})


@transaction.atomic
def cancel_order(
    *, tenant_id: int, order_id: int, reason: str = "", company_id: int | None = None
) -> Order:
    """Cancel an order that has not shipped; its stock and credit become available again.

    With `company_id` (a buyer cancelling) only that company's orders are found, and only
    before the seller has confirmed them."""
    order = locked_order(tenant_id, order_id)
    if company_id is not None:
        if order.company_id != company_id:
            raise NotFound(f"No order {order_id}.")
        if order.status not in _BUYER_CANCELS:
            raise InvalidTransition(
                f"The seller has {order.status} this order; ask them to cancel it."
            )
    transition(order, Action.CANCEL)
    cancel(order, reason)
    return order


def record_delivery(order: Order) -> None:
    """The order's side of a delivery fulfilment records in its transaction, the order row
    locked and the move checked (`locked_order`, `transition(order, Action.DELIVER)`): the
    order delivered, and its `order.delivered` event."""
    order.status = OrderStatus.DELIVERED
    order.save(update_fields=["status", "updated_at"])
    events.record(order_event(order, "order.delivered", {}))


@transaction.atomic
def release_credit_hold(*, tenant_id: int, order_id: int, comment: str, released_by: str) -> Order:
    """Seller staff let a held order go on account anyway; the comment says why.

    The order now holds its amount of the company's credit, even beyond the limit."""
    order = locked_order(tenant_id, order_id)
    transition(order, Action.RELEASE_HOLD)
    if not comment.strip():
        raise ValidationFailed(
            "Say why the hold is released.",
            errors=[FieldError("comment", "comment_required", "A comment is required")],
        )
    if order.prepayment_due < order.total:  # not paid in full before confirmation
        line = customers.lock_credit_line(tenant_id=tenant_id, company_id=order.company_id)
        customers.change_order_exposure(credit_line_id=line.id, amount=order.total)
        order.credit_reserved = order.total
    recorded = [
        order_event(
            order,
            "order.hold_released",
            {"comment": comment, "by": released_by, "hold_reason": order.hold_reason},
        )
    ]
    recorded += move_on(order, policy_for(order.seller_id))
    for event in recorded:
        event.payload["status"] = order.status
    events.record(*recorded)
    return order


@dataclass(frozen=True)
class ShippedLine:
    """Units of one order line that left in a shipment; `unreserved` of them were not
    reserved (backordered units drawn from stock), so the line's backorder falls by as many."""

    line_number: int
    quantity: int
    unreserved: int = 0


def record_shipment(
    order: Order,
    lines: Mapping[int, OrderLine],
    shipped: list[ShippedLine],
    *,
    shipment_id: int,
    carrier: str,
    tracking_number: str,
) -> None:
    """The order's side of a shipment fulfilment records in its transaction, the order row
    locked and the move checked (`locked_order`, `transition(order, Action.SHIP)`): the
    lines' shipped and backordered units, the order partially shipped or shipped, and its
    `order.shipped` event. `lines` are all the order's lines, by line number."""
    for item in shipped:
        line = lines[item.line_number]
        line.shipped_quantity += item.quantity
        line.backordered_quantity = max(0, line.backordered_quantity - item.unreserved)
    OrderLine.objects.bulk_update(
        [lines[item.line_number] for item in shipped], ["shipped_quantity", "backordered_quantity"]
    )
    everything_shipped = all(line.shipped_quantity == line.quantity for line in lines.values())
    order.status = OrderStatus.SHIPPED if everything_shipped else OrderStatus.PARTIALLY_SHIPPED
    # Whatever the warehouse said before, a shipment means picking has started.
    order.picking_started_at = order.picking_started_at or clock.now()
    order.save(update_fields=["status", "picking_started_at", "updated_at"])
    shipped_event = order_event(
        order,
        "order.shipped",
        {
            "shipment": shipment_id,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "lines": [{"line_number": s.line_number, "quantity": s.quantity} for s in shipped],
        },
    )
    events.record(shipped_event)


def release_invoiced_credit(order: Order, amount: Decimal, *, fully_invoiced: bool) -> Decimal:
    """The order's side of an invoice billing records in its transaction, the order row
    locked: `amount` of what the order holds of the company's credit is no longer an open
    order's (billing moves it to the invoices'); all of it once the order is fully invoiced.
    Returns the amount released from the order exposure (the credit line must be locked)."""
    released = order.credit_reserved if fully_invoiced else min(amount, order.credit_reserved)
    if released > 0:
        line = customers.lock_credit_line(tenant_id=order.tenant_id, company_id=order.company_id)
        customers.change_order_exposure(credit_line_id=line.id, amount=-released)
        order.credit_reserved -= released
        order.save(update_fields=["credit_reserved", "updated_at"])
    return released


def awaits_payment_only(order: Order) -> bool:
    """Whether a placed prepaid order waits for nothing but its payment: its approvals and
    any credit hold are behind it, nothing is backordered and the seller confirms
    automatically."""
    reasons = set(order.review_reasons)
    return (
        order.status == OrderStatus.PLACED
        and straight_through.PREPAID in reasons
        and not reasons & {straight_through.BACKORDER, straight_through.AUTOMATION_OFF}
    )


def confirm_paid_order(order: Order) -> None:
    """A prepaid order paid in full confirms itself (straight through) when payment was all it
    waited for; billing calls this in its transaction, the order row locked first."""
    if not awaits_payment_only(order):
        return
    transition(order, Action.CONFIRM)
    order.status = OrderStatus.CONFIRMED
    order.confirmed_automatically = True
    order.save(update_fields=["status", "confirmed_automatically", "updated_at"])
    events.record(order_event(order, "order.confirmed", {"automatic": True, "paid": True}))
