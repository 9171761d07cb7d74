"""An order's events, as its timeline and the event feed show them: each carries the order's
number and status besides what happened."""

from typing import Any

from dinghuo.core.phrases import Phrase
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.orders import approval_rules
from dinghuo.orders.models import Order
from dinghuo.orders.states import OrderStatus


def order_event(order: Order, type: str, payload: dict[str, Any]) -> Event:
    """An unsaved event of the order (`events.record` writes it)."""
    return events.new(
        order.tenant_id,
        type,
        "order",
        order.pk,
        {"order": order.number, "status": order.status, **payload},
    )


def routing_events(
    order: Order, steps: list[approval_rules.Step], hold_phrase: Phrase | None = None
) -> list[Event]:
    """What the order's new status means, on its timeline. A credit hold's reason is kept in
    English and as a phrase (`reason_phrase`) that pages say in the reader's language."""
    if order.status == OrderStatus.CREDIT_HOLD:
        payload: dict[str, Any] = {"reason": order.hold_reason}
        if hold_phrase is not None:
            payload["reason_phrase"] = hold_phrase.as_json()
        return [order_event(order, "order.credit_hold", payload)]
    if order.status == OrderStatus.AWAITING_APPROVAL:
        level = min(step.level for step in steps)
        return [
            order_event(
                order,
                "order.approval_requested",
                {
                    "level": level,
                    "approvers": [s.approver for s in steps if s.level == level],
                    "reasons": [str(r) for s in steps if s.level == level for r in s.reasons],
                    "expires_at": order.approval_expires_at.isoformat()
                    if order.approval_expires_at
                    else None,
                },
            )
        ]
    if order.status == OrderStatus.CONFIRMED:
        return [order_event(order, "order.confirmed", {"automatic": True})]
    return []
