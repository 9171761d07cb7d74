"""Cancelling an open order, whatever led to it (a cancel, a rejection, an expired approval):
the credit it holds, its open approvals and its reserved stock are let go."""

from decimal import Decimal

from dinghuo.customers import services as customers
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import services as stock
from dinghuo.orders.models import Order, OrderApproval, OrderLine
from dinghuo.orders.services.order_events import order_event
from dinghuo.orders.states import OrderStatus


def close_approvals(order: Order, status: str) -> None:
    """Close every approval of the order still pending or waiting, with `status`."""
    OrderApproval.objects.filter(
        order=order,
        status__in=[OrderApproval.Status.PENDING, OrderApproval.Status.WAITING],
    ).update(status=status)


def _release_credit(order: Order) -> None:
    """Give back the credit the order holds (locks the credit line: after the order row)."""
    if order.credit_reserved:
        line = customers.lock_credit_line(tenant_id=order.tenant_id, company_id=order.company_id)
        customers.change_order_exposure(credit_line_id=line.id, amount=-order.credit_reserved)
        order.credit_reserved = Decimal(0)


def cancel(order: Order, reason: str, *, cause: Event | None = None) -> None:
    """Cancel the order (its row locked, the move checked): credit, open approvals and
    backorders are let go, then `order.cancelled` is recorded (after `cause`, the event that
    led to it, if any), then inventory releases the stock, in the lock order: order row,
    credit line, stock levels."""
    _release_credit(order)
    close_approvals(order, OrderApproval.Status.WITHDRAWN)
    OrderLine.objects.filter(order=order).update(backordered_quantity=0)
    order.status = OrderStatus.CANCELLED
    order.approval_expires_at = None
    order.save(update_fields=["status", "credit_reserved", "approval_expires_at", "updated_at"])
    cancelled = order_event(order, "order.cancelled", {"reason": reason})
    events.record(*([cause] if cause else []), cancelled)
    stock.release(
        order.tenant_id,
        OrderLine.objects.filter(order=order).values_list("pk", flat=True),
        reason=f"order cancelled{': ' + reason if reason else ''}",
        reference=f"order:{order.pk}",
    )
