"""Order writes: place, confirm, cancel, deliver, release a credit hold, approve, reject,
expire approvals. Each is one transaction with its events.

Locks are always taken in one order: the order row, then the company's credit line, then
stock levels (in sku, warehouse order). Shipping lives in `fulfilment.services`.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from dinghuo.catalog.models import Category
from dinghuo.core import clock, money
from dinghuo.core.db import insert_instances, insert_rows
from dinghuo.core.errors import (
    Conflict,
    FieldError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from dinghuo.core.phrases import Phrase, english, stored
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import locked_tenant_row
from dinghuo.customers import credit
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockMovement
from dinghuo.orders import approval_rules, judging, straight_through
from dinghuo.orders.judging import Policy, policy_for
from dinghuo.orders.line_checks import (
    MAX_AMOUNT,
    LineRequest,
    QuotedPrices,
    check_lines,
    description,
    line_total,
    resolve_parties,
)
from dinghuo.orders.models import ApprovalRule, Order, OrderApproval, OrderLine, OrderPolicy
from dinghuo.orders.states import Action, OrderStatus, allowed_targets


@dataclass(frozen=True)
class Actor:
    """Who decides on an order: seller staff, or a person of the buying company."""

    party: str  # approval_rules.COMPANY or approval_rules.SELLER
    name: str
    company_user_id: int | None = None
    company_id: int | None = None
    role: str | None = None


def _order_event(order: Order, type: str, payload: dict[str, Any]) -> Event:
    return events.new(
        order.tenant_id,
        type,
        "order",
        order.pk,
        {"order": order.number, "status": order.status, **payload},
    )


def place_order(
    *,
    tenant_id: int,
    company_id: int,
    ship_to_id: int,
    lines: list[LineRequest],
    currency: str | None = None,
    purchase_order_number: str = "",
    notes: str = "",
    seller_slug: str | None = None,
    channel: str = "api",
    placed_by_id: int | None = None,
    quoted: QuotedPrices | None = None,
    requested_delivery_date: date | None = None,
    entered_by_id: int | None = None,
) -> Order:
    """Validate and price every line at once, judge credit, decide approvals and automation,
    reserve stock, then write the order and its events.

    Runs in the caller's transaction when there is one (the API wraps it with the idempotency
    record), else in its own. All or nothing: a refusal changes nothing.
    """
    # No savepoint: a failure must roll back the caller's transaction whole anyway.
    with transaction.atomic(savepoint=False):
        return _place_order(
            tenant_id,
            company_id,
            ship_to_id,
            lines,
            currency,
            purchase_order_number,
            notes,
            seller_slug,
            channel,
            placed_by_id,
            quoted,
            requested_delivery_date,
            entered_by_id,
        )


_ORDER_FIELDS = [
    "tenant_id", "seller_id", "company_id", "status", "currency", "price_list_id", "ship_to_id",
    "purchase_order_number", "notes", "requested_delivery_date", "channel", "placed_by_id",
    "entered_by_id", "credit_reserved",
    "review_reasons", "hold_reason", "confirmed_automatically", "approval_expires_at",
    "subtotal", "total", "placed_at", "updated_at",
]  # fmt: skip
_LINE_FIELDS = [
    "tenant_id", "order_id", "line_number", "sku_id", "sku_code", "description", "quantity",
    "unit_price", "line_total", "pricing", "backordered_quantity", "shipped_quantity",
]  # fmt: skip


def _refuse_invalid(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed("The order cannot be placed; see errors.", errors=errors)


def _place_order(
    tenant_id: int,
    company_id: int,
    ship_to_id: int,
    lines: list[LineRequest],
    currency: str | None,
    purchase_order_number: str,
    notes: str,
    seller_slug: str | None,
    channel: str,
    placed_by_id: int | None,
    quoted: QuotedPrices | None,
    requested_delivery_date: date | None,
    entered_by_id: int | None,
) -> Order:
    if not lines:
        raise ValidationFailed(
            "An order needs at least one line.",
            errors=[FieldError("lines", "no_lines", "Add at least one line")],
        )
    parties, errors = resolve_parties(tenant_id, company_id, ship_to_id, seller_slug)
    if parties is None:  # without a company no line can be priced
        raise _refuse_invalid(errors)
    if not parties.price_list_active:
        errors.append(
            FieldError("company_id", "price_list_inactive", "The company's price list is inactive")
        )
    cur = parties.currency
    if currency is not None and currency != cur:
        errors.append(
            FieldError(
                "currency",
                "currency_mismatch",
                f"This company buys in {cur}",
                {"expected": cur},
            )
        )
    now = clock.now()
    if requested_delivery_date is not None and requested_delivery_date < now.date():
        errors.append(
            FieldError(
                "requested_delivery_date",
                "delivery_date_past",
                f"Choose a delivery date from {now.date().isoformat()} on",
                {"today": now.date().isoformat()},
            )
        )
    results, _book = check_lines(tenant_id, parties, lines, quoted=quoted, at=now)
    for result in results:
        errors += result.problems
    if errors or parties.ship_to_id is None:
        raise _refuse_invalid(errors)
    totals = [line_total(r, cur) for r in results]
    subtotal = sum(totals, Decimal(0))
    if subtotal >= MAX_AMOUNT:
        raise ValidationFailed(
            "The order's total is too large.",
            errors=[FieldError("lines", "amount_too_large", "Split the order")],
        )

    policy, rules = judging.policy_and_rules(parties.seller.pk, parties.company_id)
    credit_line = customers.take_credit(
        tenant_id=tenant_id, company_id=parties.company_id, amount=subtotal
    )
    judged = credit.check(credit_line.state, subtotal, now.date(), policy.overdue_grace_days)
    hold_phrase = credit.explain(judged, credit_line.state, subtotal, now.date())
    hold_reason = str(hold_phrase)
    if judged.blocked and policy.credit_action == OrderPolicy.CreditAction.REFUSE:
        raise Conflict(
            f"The order cannot be placed on account. {hold_reason}.",
            code="credit_refused",
            errors=[
                FieldError("company_id", reason, hold_reason, {"currency": cur})
                for reason in judged.blocked
            ],
        )
    credit_reserved = subtotal if judged.uses_credit and not judged.blocked else Decimal(0)
    if credit_reserved != subtotal:  # held or prepaid: it holds no credit after all
        customers.change_order_exposure(credit_line_id=credit_line.id, amount=-subtotal)
    steps = judging.approval_steps(
        tenant_id, parties, rules, results, subtotal, placed_by_id, judged.flags
    )

    locked = stock.lock_available_levels(tenant_id, (r.sku.id for r in results if r.sku))
    levels = locked.levels
    plan = allocation.allocate(
        [
            allocation.Want(r.index, r.sku.id, r.request.quantity, r.sku.allow_backorder)
            for r in results
            if r.sku
        ],
        sorted(
            (allocation.Level(lv.warehouse_id, lv.sku_id, lv.available) for lv in levels.values()),
            key=lambda level: locked.rank[level.warehouse_id],
        ),
    )
    if plan.shortages:
        raise Conflict(
            "Not enough stock for some lines; nothing was reserved.",
            code="insufficient_stock",
            errors=[
                FieldError(
                    f"lines[{s.index}].quantity",
                    "insufficient_stock",
                    f"{lines[s.index].sku}: {s.available} available, {s.wanted} wanted",
                    {"available": s.available, "wanted": s.wanted},
                )
                for s in plan.shortages
            ],
        )

    route = straight_through.route(
        credit_held=bool(judged.blocked),
        approvals_pending=bool(steps),
        backordered=bool(plan.backordered),
        prepaid=not judged.uses_credit,
        auto_confirm=policy.auto_confirm,
    )
    order = Order(
        tenant_id=tenant_id,
        seller=parties.seller,
        company_id=parties.company_id,
        status=route.status,
        currency=cur,
        price_list_id=parties.price_list_id,
        ship_to_id=parties.ship_to_id,
        purchase_order_number=purchase_order_number,
        notes=notes,
        requested_delivery_date=requested_delivery_date,
        channel=channel,
        placed_by_id=placed_by_id,
        entered_by_id=entered_by_id,
        credit_reserved=credit_reserved,
        review_reasons=list(route.review_reasons),
        hold_reason=hold_reason[:300] if judged.blocked else "",
        confirmed_automatically=route.automatic,
        approval_expires_at=(
            now + timedelta(hours=policy.approval_expiry_hours)
            if route.status == OrderStatus.AWAITING_APPROVAL
            else None
        ),
        subtotal=subtotal,
        total=subtotal,
        placed_at=now,
        updated_at=now,
    )
    insert_instances([order], _ORDER_FIELDS)
    order_lines = [
        OrderLine(
            tenant_id=tenant_id,
            order=order,
            line_number=r.index + 1,
            sku_id=r.sku.id,
            sku_code=r.sku.code,
            description=description(r.sku),
            quantity=r.request.quantity,
            unit_price=r.price,
            line_total=total,
            pricing=r.pricing,
            backordered_quantity=plan.backordered.get(r.index, 0),
        )
        for r, total in zip(results, totals, strict=True)
        if r.sku
    ]
    insert_instances(order_lines, _LINE_FIELDS)
    insert_rows(
        Reservation,
        ["tenant_id", "order_line_id", "warehouse_id", "sku_id", "quantity"],
        [
            (tenant_id, order_lines[a.index].pk, a.warehouse_id, a.sku_id, a.quantity)
            for a in plan.allocations
        ],
    )
    if steps:
        first = steps[0].level
        insert_rows(
            OrderApproval,
            [
                "tenant_id",
                "order_id",
                "level",
                "approver",
                "reasons",
                "status",
                "decided_by",
                "comment",
            ],
            [
                (
                    tenant_id,
                    order.pk,
                    step.level,
                    step.approver,
                    [stored(reason) for reason in step.reasons],
                    OrderApproval.Status.PENDING
                    if step.level == first and not judged.blocked
                    else OrderApproval.Status.WAITING,
                    "",
                    "",
                )
                for step in steps
            ],
        )
    reference = f"order:{order.pk}"
    changed = stock.apply_changes(
        tenant_id,
        levels,
        [
            stock.Change(
                a.warehouse_id, a.sku_id, StockMovement.Kind.RESERVATION, reserved_delta=a.quantity
            )
            for a in plan.allocations
        ],
        reason="order placed",
        reference=reference,
    )
    order._prefetched_objects_cache = {"lines": order_lines}  # type: ignore[attr-defined]
    recorded = [
        _order_event(
            order,
            "order.placed",
            {
                "company": parties.company_code,
                "currency": cur,
                "total": money.format_amount(order.total, cur),
                "channel": channel,
                "review_reasons": order.review_reasons,
                "lines": [
                    {
                        "sku": ol.sku_code,
                        "quantity": ol.quantity,
                        "unit_price": str(ol.unit_price),
                        "backordered": ol.backordered_quantity,
                        "price_source": ol.pricing.get("source"),
                    }
                    for ol in order_lines
                ],
                **({"quote": quoted.number} if quoted else {}),
            },
        )
    ]
    recorded += _routing_events(order, steps, hold_phrase)
    if changed:
        sku_codes = {r.sku.id: r.sku.code for r in results if r.sku}
        recorded.append(
            stock.stock_event(tenant_id, changed, sku_codes, locked.warehouse_codes, reference)
        )
    events.record(*recorded)
    return order


def _routing_events(
    order: Order, steps: list[approval_rules.Step], hold_phrase: Phrase | None = None
) -> list[Event]:
    """What the order's new status means, on its timeline. A credit hold's reason is kept in
    English and as a phrase (`reason_phrase`) that pages say in the reader's language."""
    if order.status == OrderStatus.CREDIT_HOLD:
        payload: dict[str, Any] = {"reason": order.hold_reason}
        if hold_phrase is not None:
            payload["reason_phrase"] = hold_phrase.as_json()
        return [_order_event(order, "order.credit_hold", payload)]
    if order.status == OrderStatus.AWAITING_APPROVAL:
        level = min(step.level for step in steps)
        return [
            _order_event(
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
        return [_order_event(order, "order.confirmed", {"automatic": True})]
    return []


def _locked_order(tenant_id: int, order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(tenant_id=tenant_id, pk=order_id).first()
    if order is None:
        raise NotFound(f"No order {order_id}.")
    return order


def transition(order: Order, action: str) -> set[str]:
    """The statuses `action` may lead to from the order's status, or 409 `invalid_transition`."""
    targets = allowed_targets(order.status, action)
    if not targets:
        raise InvalidTransition(f"Cannot {action} an order that is {order.status}.")
    return set(targets)


@transaction.atomic
def confirm_order(*, tenant_id: int, order_id: int) -> Order:
    """The seller accepts the order: it may now be shipped."""
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.CONFIRM)
    order.status = OrderStatus.CONFIRMED
    order.save(update_fields=["status", "updated_at"])
    events.record(_order_event(order, "order.confirmed", {"automatic": False}))
    return order


def _release_credit(order: Order) -> None:
    """Give back the credit the order holds (locks the credit line: after the order row)."""
    if order.credit_reserved:
        line = customers.lock_credit_line(tenant_id=order.tenant_id, company_id=order.company_id)
        customers.change_order_exposure(credit_line_id=line.id, amount=-order.credit_reserved)
        order.credit_reserved = Decimal(0)


def _close_approvals(order: Order, status: str) -> None:
    OrderApproval.objects.filter(
        order=order,
        status__in=[OrderApproval.Status.PENDING, OrderApproval.Status.WAITING],
    ).update(status=status)


def _release_everything(order: Order, reason: str) -> list[Event]:
    """Cancel the order: release its stock, its credit, its open approvals. Order row locked."""
    _release_credit(order)
    _close_approvals(order, OrderApproval.Status.WITHDRAWN)
    reservations = list(
        Reservation.objects.filter(
            tenant_id=order.tenant_id, order_line__order=order, quantity__gt=0
        ).select_related("sku", "warehouse")
    )
    reference = f"order:{order.pk}"
    recorded = []
    if reservations:
        levels = stock.lock_levels(
            order.tenant_id,
            (r.sku_id for r in reservations),
            (r.warehouse_id for r in reservations),
        )
        changed = stock.apply_changes(
            order.tenant_id,
            levels,
            [
                stock.Change(
                    r.warehouse_id, r.sku_id, StockMovement.Kind.RELEASE, reserved_delta=-r.quantity
                )
                for r in reservations
            ],
            reason=f"order cancelled{': ' + reason if reason else ''}"[:200],
            reference=reference,
        )
        for r in reservations:
            r.quantity = 0
        Reservation.objects.bulk_update(reservations, ["quantity"])
        recorded.append(
            stock.stock_event(
                order.tenant_id,
                changed,
                {r.sku_id: r.sku.code for r in reservations},
                {r.warehouse_id: r.warehouse.code for r in reservations},
                reference,
            )
        )
    OrderLine.objects.filter(order=order).update(backordered_quantity=0)
    order.status = OrderStatus.CANCELLED
    order.approval_expires_at = None
    order.save(update_fields=["status", "credit_reserved", "approval_expires_at", "updated_at"])
    recorded.insert(0, _order_event(order, "order.cancelled", {"reason": reason}))
    return recorded


@transaction.atomic
def cancel_order(
    *, tenant_id: int, order_id: int, reason: str = "", company_id: int | None = None
) -> Order:
    """Cancel an order that has not shipped; its stock and credit become available again.

    With `company_id` (a buyer cancelling) only that company's orders are found, and only
    before the seller has confirmed them."""
    order = _locked_order(tenant_id, order_id)
    if company_id is not None:
        if order.company_id != company_id:
            raise NotFound(f"No order {order_id}.")
        if order.status not in {
            OrderStatus.CREDIT_HOLD,
            OrderStatus.AWAITING_APPROVAL,
            OrderStatus.PLACED,
        }:
            raise InvalidTransition(
                f"The seller has {order.status} this order; ask them to cancel it."
            )
    transition(order, Action.CANCEL)
    events.record(*_release_everything(order, reason))
    return order


@transaction.atomic
def deliver_order(*, tenant_id: int, order_id: int) -> Order:
    """The buyer has everything: a fully shipped order becomes delivered."""
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.DELIVER)
    now = clock.now()
    order.shipments.filter(delivered_at__isnull=True).update(delivered_at=now)
    order.status = OrderStatus.DELIVERED
    order.save(update_fields=["status", "updated_at"])
    events.record(_order_event(order, "order.delivered", {}))
    return order


def _move_on(order: Order, policy: Policy) -> list[Event]:
    """After a hold is released or a level approved: open the next approval level, or let the
    automation rule confirm the order, or leave it for a person to confirm."""
    now = clock.now()
    waiting = list(
        OrderApproval.objects.filter(
            order=order,
            status__in=[OrderApproval.Status.WAITING, OrderApproval.Status.PENDING],
        ).order_by("level", "approver")
    )
    if waiting:
        level = waiting[0].level
        opened = [a for a in waiting if a.level == level]
        OrderApproval.objects.filter(pk__in=[a.pk for a in opened]).update(
            status=OrderApproval.Status.PENDING
        )
        order.status = OrderStatus.AWAITING_APPROVAL
        order.approval_expires_at = now + timedelta(hours=policy.approval_expiry_hours)
        return [
            _order_event(
                order,
                "order.approval_requested",
                {
                    "level": level,
                    "approvers": [a.approver for a in opened],
                    "reasons": [english(r) for a in opened for r in a.reasons],
                    "expires_at": order.approval_expires_at.isoformat(),
                },
            )
        ]
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
        return [_order_event(order, "order.confirmed", {"automatic": True})]
    return []


_MOVED_FIELDS = [
    "status", "approval_expires_at", "confirmed_automatically", "credit_reserved", "hold_reason",
    "updated_at",
]  # fmt: skip


@transaction.atomic
def release_credit_hold(*, tenant_id: int, order_id: int, comment: str, released_by: str) -> Order:
    """Seller staff let a held order go on account anyway; the comment says why.

    The order now holds its amount of the company's credit, even beyond the limit."""
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.RELEASE_HOLD)
    if not comment.strip():
        raise ValidationFailed(
            "Say why the hold is released.",
            errors=[FieldError("comment", "comment_required", "A comment is required")],
        )
    if straight_through.PREPAID not in order.review_reasons:
        line = customers.lock_credit_line(tenant_id=tenant_id, company_id=order.company_id)
        customers.change_order_exposure(credit_line_id=line.id, amount=order.total)
        order.credit_reserved = order.total
    recorded = [
        _order_event(
            order,
            "order.hold_released",
            {"comment": comment, "by": released_by, "hold_reason": order.hold_reason},
        )
    ]
    recorded += _move_on(order, policy_for(order.seller_id))
    order.save(update_fields=_MOVED_FIELDS)
    for event in recorded:
        event.payload["status"] = order.status
    events.record(*recorded)
    return order


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


def _decide(step: OrderApproval, actor: Actor, status: str, comment: str) -> None:
    step.status = status
    step.decided_by = actor.name[:200]
    step.decided_at = clock.now()
    step.comment = comment
    step.save(update_fields=["status", "decided_by", "decided_at", "comment"])


@transaction.atomic
def approve_order(*, tenant_id: int, order_id: int, actor: Actor, comment: str = "") -> Order:
    """Approve the actor's step at the order's current level; the last approval moves it on."""
    order = _locked_order(tenant_id, order_id)
    step = _pending_step(order, actor)
    _decide(step, actor, OrderApproval.Status.APPROVED, comment)
    recorded = [
        _order_event(
            order,
            "order.approved",
            {"level": step.level, "approver": step.approver, "by": actor.name, "comment": comment},
        )
    ]
    still_pending = OrderApproval.objects.filter(
        order=order, level=step.level, status=OrderApproval.Status.PENDING
    ).exists()
    if not still_pending:
        recorded += _move_on(order, policy_for(order.seller_id))
        order.save(update_fields=_MOVED_FIELDS)
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
    order = _locked_order(tenant_id, order_id)
    step = _pending_step(order, actor)
    _decide(step, actor, OrderApproval.Status.REJECTED, comment)
    rejected = _order_event(
        order,
        "order.rejected",
        {"level": step.level, "approver": step.approver, "by": actor.name, "comment": comment},
    )
    events.record(rejected, *_release_everything(order, f"rejected: {comment}"))
    return order


def expire_approvals(*, now: Any = None, limit: int = 500) -> int:
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
            order = _locked_order(tenant_id, order_id)
            if order.status != OrderStatus.AWAITING_APPROVAL or not (
                order.approval_expires_at and order.approval_expires_at <= now
            ):
                continue  # decided meanwhile
            _close_approvals(order, OrderApproval.Status.EXPIRED)
            notice = _order_event(
                order,
                "order.approval_expired",
                {"expired_at": order.approval_expires_at.isoformat()},
            )
            events.record(notice, *_release_everything(order, "approval expired"))
            expired += 1
    return expired


# --- The seller's ordering policy and approval rules ---------------------------------------


@transaction.atomic
def set_order_policy(
    *,
    tenant_id: int,
    seller_slug: str | None,
    auto_confirm: bool,
    credit_action: str,
    overdue_grace_days: int,
    approval_expiry_hours: int,
) -> OrderPolicy:
    """Set what happens to a seller's orders once placed (automation, credit, approvals)."""
    seller = seller_for(tenant_id, seller_slug)
    if credit_action not in OrderPolicy.CreditAction.values:
        raise ValidationFailed(
            "Unknown credit action.",
            errors=[FieldError("credit_action", "invalid_choice", "hold or refuse")],
        )
    policy, _ = OrderPolicy.objects.select_for_update().get_or_create(
        seller=seller, defaults={"tenant_id": tenant_id}
    )
    policy.auto_confirm = auto_confirm
    policy.credit_action = credit_action
    policy.overdue_grace_days = overdue_grace_days
    policy.approval_expiry_hours = approval_expiry_hours
    policy.save()
    events.record(
        events.new(
            tenant_id,
            "seller.order_policy_changed",
            "seller",
            seller.pk,
            {
                "seller": seller.slug,
                "auto_confirm": auto_confirm,
                "credit_action": credit_action,
                "overdue_grace_days": overdue_grace_days,
                "approval_expiry_hours": approval_expiry_hours,
            },
        )
    )
    return policy


def _rule_errors(tenant_id: int, fields: "RuleFields") -> list[FieldError]:
    company_id, category_id = fields.company_id, fields.category_id
    errors = []
    if fields.min_amount is not None and fields.min_amount < 0:
        errors.append(
            FieldError("min_amount", "min_amount_negative", "The amount must not be negative")
        )
    if (
        company_id is not None
        and not Company.objects.filter(tenant_id=tenant_id, pk=company_id).exists()
    ):
        errors.append(FieldError("company_id", "unknown_company", f"No company {company_id}"))
    if (
        category_id is not None
        and not Category.objects.filter(tenant_id=tenant_id, pk=category_id).exists()
    ):
        errors.append(FieldError("category_id", "unknown_category", f"No category {category_id}"))
    return errors


def _rule_payload(rule: ApprovalRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "level": rule.level,
        "approver": rule.approver,
        "company_id": rule.company_id,
        "min_amount": None if rule.min_amount is None else str(rule.min_amount),
        "category_id": rule.category_id,
        "buyer_role": rule.buyer_role,
        "credit_state": rule.credit_state,
        "is_active": rule.is_active,
    }


@dataclass(frozen=True)
class RuleFields:
    """The conditions and outcome of an approval rule (None in a change = leave as it is)."""

    name: str | None = None
    level: int | None = None
    approver: str | None = None
    company_id: int | None = None
    min_amount: Decimal | None = None
    category_id: int | None = None
    buyer_role: str | None = None
    credit_state: str | None = None
    is_active: bool | None = None


@transaction.atomic
def create_approval_rule(
    *, tenant_id: int, seller_slug: str | None, fields: RuleFields
) -> ApprovalRule:
    """A new approval rule of a seller; unknown companies or categories are refused (422)."""
    seller = seller_for(tenant_id, seller_slug)
    errors = _rule_errors(tenant_id, fields)
    if errors:
        raise ValidationFailed("The rule cannot be saved; see errors.", errors=errors)
    rule = ApprovalRule.objects.create(
        tenant_id=tenant_id,
        seller=seller,
        name=fields.name or "",
        level=fields.level or 1,
        approver=fields.approver or approval_rules.COMPANY,
        company_id=fields.company_id,
        min_amount=fields.min_amount,
        category_id=fields.category_id,
        buyer_role=fields.buyer_role or "",
        credit_state=fields.credit_state or "",
        is_active=True if fields.is_active is None else fields.is_active,
    )
    events.record(
        events.new(
            tenant_id, "approval_rule.created", "approval_rule", rule.pk, _rule_payload(rule)
        )
    )
    return rule


@transaction.atomic
def update_approval_rule(
    *, tenant_id: int, rule_id: int, fields: RuleFields, cleared: frozenset[str] = frozenset()
) -> ApprovalRule:
    """Change what is given; `cleared` names conditions to remove (set to "any")."""
    rule = locked_tenant_row(ApprovalRule.objects.all(), tenant_id, rule_id, f"No rule {rule_id}.")
    errors = _rule_errors(tenant_id, fields)
    if errors:
        raise ValidationFailed("The rule cannot be saved; see errors.", errors=errors)
    for name in ("name", "level", "approver", "company_id", "min_amount", "category_id",
                 "buyer_role", "credit_state", "is_active"):  # fmt: skip
        value = getattr(fields, name)
        if value is not None:
            setattr(rule, name, value)
    for name in cleared:
        setattr(rule, name, "" if name in {"buyer_role", "credit_state"} else None)
    rule.save()
    events.record(
        events.new(
            tenant_id, "approval_rule.changed", "approval_rule", rule.pk, _rule_payload(rule)
        )
    )
    return rule
