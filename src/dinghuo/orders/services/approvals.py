"""Approving an order, level by level: company approvers and seller staff approve or reject
their step; the last approval moves the order on; an approval that waits too long expires
and cancels the order."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from dinghuo.core.phrases import english
from dinghuo.customers.models import CompanyUser
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.orders import approval_rules, straight_through
from dinghuo.orders.judging import Policy, policy_for
from dinghuo.orders.models import Order, OrderApproval, OrderLine
from dinghuo.orders.services.cancelling import cancel, close_approvals
from dinghuo.orders.services.locking import locked_order, transition
from dinghuo.orders.services.order_events import order_event
from dinghuo.orders.states import Action, OrderStatus


@dataclass(frozen=True)
class Actor:
    """Who decides on an order: seller staff, or a person of the buying company."""

    party: str  # approval_rules.COMPANY or approval_rules.SELLER
    name: str
    company_user_id: int | None = None
    company_id: int | None = None
    role: str | None = None


_MOVED_FIELDS = [
    "status", "approval_expires_at", "confirmed_automatically", "credit_reserved", "hold_reason",
    "updated_at",
]  # fmt: skip


def _open_next_level(order: Order, waiting: list[OrderApproval], policy: Policy) -> Event:
    """Open the lowest waiting level: its steps become pending, the wait starts again."""
    level = waiting[0].level
    opened = [a for a in waiting if a.level == level]
    OrderApproval.objects.filter(pk__in=[a.pk for a in opened]).update(
        status=OrderApproval.Status.PENDING
    )
    order.status = OrderStatus.AWAITING_APPROVAL
    order.approval_expires_at = clock.now() + timedelta(hours=policy.approval_expiry_hours)
    return order_event(
        order,
        "order.approval_requested",
        {
            "level": level,
            "approvers": [a.approver for a in opened],
            "reasons": [english(r) for a in opened for r in a.reasons],
            "expires_at": order.approval_expires_at.isoformat(),
        },
    )


def move_on(order: Order, policy: Policy) -> list[Event]:
    """After a hold is released or a level approved: open the next approval level, or let the
    automation rule confirm the order, or leave it for a person to confirm. Saves the order;
    returns the events of the move, for the caller to record with its own."""
    waiting = list(
        OrderApproval.objects.filter(
            order=order,
            status__in=[OrderApproval.Status.WAITING, OrderApproval.Status.PENDING],
        ).order_by("level", "approver")
    )
    moved = []
    if waiting:
        moved.append(_open_next_level(order, waiting, policy))
    else:
        order.approval_expires_at = None
        route = straight_through.route(
            credit_held=False,
            approvals_pending=False,
            backordered=OrderLine.objects.filter(order=order, backordered_quantity__gt=0).exists(),
            prepaid=straight_through.PREPAID in order.review_reasons,
            auto_confirm=policy.auto_confirm,
        )
        order.status = route.status
        if route.automatic:
            order.confirmed_automatically = True
            moved.append(order_event(order, "order.confirmed", {"automatic": True}))
    order.save(update_fields=_MOVED_FIELDS)
    return moved


def _pending_step(order: Order, actor: Actor) -> OrderApproval:
    """The approval this actor may decide now, or the reason they may not."""
    if actor.party == approval_rules.COMPANY:
        if actor.company_id != order.company_id:
            raise NotFound(f"No order {order.pk}.")
        if actor.role not in {CompanyUser.Role.APPROVER, CompanyUser.Role.ADMIN}:
            raise PermissionDenied(
                "Only the company's approvers and admins decide approvals.",
                code="approver_role_required",
            )
        if actor.company_user_id is not None and actor.company_user_id == order.placed_by_id:
            raise PermissionDenied(
                "Someone other than the buyer who placed the order must approve it.",
                code="own_order",
            )
    transition(order, Action.APPROVE)
    step = (
        OrderApproval.objects.select_for_update()
        .filter(order=order, approver=actor.party, status=OrderApproval.Status.PENDING)
        .first()
    )
    if step is None:
        raise Conflict(
            "Nothing of this order waits for your approval at its current level.",
            code="no_pending_approval",
        )
    return step


def _decide(order: Order, step: OrderApproval, actor: Actor, status: str, comment: str) -> Event:
    """Record the actor's decision on the order's step; the event that says it."""
    step.status = status
    step.decided_by = actor.name[:200]
    step.decided_at = clock.now()
    step.comment = comment
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    kind = "order.approved" if status == OrderApproval.Status.APPROVED else "order.rejected"
    return order_event(
        order,
        kind,
        {"level": step.level, "approver": step.approver, "by": actor.name, "comment": comment},
    )


@transaction.atomic
def approve_order(*, tenant_id: int, order_id: int, actor: Actor, comment: str = "") -> Order:
    """Approve the actor's step at the order's current level; the last approval moves it on."""
    order = locked_order(tenant_id, order_id)
    step = _pending_step(order, actor)
    recorded = [_decide(order, step, actor, OrderApproval.Status.APPROVED, comment)]
    still_pending = OrderApproval.objects.filter(
        order=order, level=step.level, status=OrderApproval.Status.PENDING
    ).exists()
    if not still_pending:
        recorded += move_on(order, policy_for(order.seller_id))
    for event in recorded:
        event.payload["status"] = order.status
    events.record(*recorded)
    return order


@transaction.atomic
def reject_order(*, tenant_id: int, order_id: int, actor: Actor, comment: str) -> Order:
    """Reject the order at the actor's step: it is cancelled, its stock and credit released."""
    if not comment.strip():
        raise ValidationFailed(
            "Say why the order is rejected.",
            errors=[FieldError("comment", "comment_required", "A comment is required")],
        )
    order = locked_order(tenant_id, order_id)
    step = _pending_step(order, actor)
    rejected = _decide(order, step, actor, OrderApproval.Status.REJECTED, comment)
    cancel(order, f"rejected: {comment}", cause=rejected)
    return order


def expire_approvals(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel orders whose approval waited longer than their seller allows; each order in
    its own transaction, so one failure does not stop the rest. Returns how many expired."""
    now = now or clock.now()
    due = list(
        Order.objects.filter(
            status=OrderStatus.AWAITING_APPROVAL, approval_expires_at__lte=now
        ).values_list("tenant_id", "pk")[:limit]
    )
    expired = 0
    for tenant_id, order_id in due:
        with transaction.atomic():
            order = locked_order(tenant_id, order_id)
            if order.status != OrderStatus.AWAITING_APPROVAL or not (
                order.approval_expires_at and order.approval_expires_at <= now
            ):
                continue  # decided meanwhile
            close_approvals(order, OrderApproval.Status.EXPIRED)
            notice = order_event(
                order,
                "order.approval_expired",
                {"expired_at": order.approval_expires_at.isoformat()},
            )
            cancel(order, "approval expired", cause=notice)
            expired += 1
    return expired
