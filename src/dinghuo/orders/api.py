"""Orders over HTTP: place (idempotent), list, read, confirm, cancel, deliver, timeline;
approvals and credit holds; the seller's ordering policy and approval rules; the share of
orders that went straight through. Buyers place, follow and approve their own company's
orders under /my. Shipping (`POST /orders/{id}/shipments`) is fulfilment's router."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, seller_rows, tagged
from dinghuo.api.idempotent import json_response, require_key, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import (
    IdempotencyKey,
    Instant,
    ObjectId,
    PageFilters,
    RequiredIdempotencyKey,
    SellerFilter,
)
from dinghuo.core.services import Caller
from dinghuo.customers.models import CreditPolicy
from dinghuo.orders import approval_rules, queries, services
from dinghuo.orders.models import Order, OrderPolicy
from dinghuo.orders.schemas import (
    ApprovalRuleIn,
    ApprovalRuleOut,
    ApprovalRulePageOut,
    ApprovalRulePatch,
    BuyerOrderIn,
    CancelIn,
    CommentIn,
    DecisionIn,
    OrderIn,
    OrderOut,
    OrderPageOut,
    OrderPolicyIn,
    OrderPolicyOut,
    StraightThroughOut,
    TimelineEntryOut,
    order_detail_out,
    order_out,
    rule_out,
    summary_out,
)
from dinghuo.orders.schemas_filters import BuyerOrderFilters, OrderFilters
from dinghuo.orders.states import OrderStatus

PLACED_ONCE = "a retried order is never placed twice"
router = Router(tags=["orders"])
buyer_router = Router(tags=["buyer: orders"])


def _detail(tenant: int, order_id: int, company_id: int | None = None) -> dict[str, object]:
    return order_detail_out(*queries.order_detail(tenant, order_id, company_id=company_id))


def _placed_out(order: Order) -> dict[str, object]:
    # Only an order waiting for approval or on hold has approval rows to read back.
    waits = order.status in {OrderStatus.AWAITING_APPROVAL, OrderStatus.CREDIT_HOLD}
    return order_out(order, order.seller.slug, [], None if waits else [])


@router.post(
    "/orders", response={201: OrderOut}, summary="Place an order", auth=staff_may("orders.enter")
)
def place_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """Validate, price and reserve every line at once; judge credit, approvals and automation.
    Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, PLACED_ONCE)
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        order = services.place_order(
            tenant_id=tenant,
            company_id=payload.company_id,
            ship_to_id=payload.ship_to_id,
            lines=[services.LineRequest(line.sku, line.quantity) for line in payload.lines],
            currency=payload.currency,
            purchase_order_number=payload.purchase_order_number,
            notes=payload.notes,
            requested_delivery_date=payload.requested_delivery_date,
            seller_slug=payload.seller,
        )
        return 201, _placed_out(order)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/orders", response=OrderPageOut, summary="List orders", auth=staff_may("orders.view"))
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, Any]:
    """Oldest first (ascending id); follow `next_cursor` with `after`, keeping the same
    filters. To sync, pass `updated_since` the moment you started the previous sync, less a
    minute: an order changed while you page appears again next time."""
    tenant = tenant_id(request)
    search = filters.search(filters.company_id, filters.number)
    if filters.awaiting_seller_approval:
        orders = queries.narrowed(queries.awaiting_seller_approval(tenant), search)
    else:
        orders = queries.orders(tenant, search=search)
    return paged(orders, filters, summary_out)


@router.get(
    "/orders/{order_id}", response=OrderOut, summary="Read an order", auth=staff_may("orders.view")
)
def get_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    return json_response(200, _detail(tenant_id(request), order_id))


def _act(
    request: HttpRequest, order_id: ObjectId, act: Any, company_id: int | None = None
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, object]:
        act(tenant)
        return _detail(tenant, order_id, company_id)

    return run_change(run)


def _staff(request: HttpRequest) -> services.Actor:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return services.Actor(approval_rules.SELLER, f"staff (API key {caller.key_prefix})")


@router.post(
    "/orders/{order_id}/approve",
    response=OrderOut,
    summary="Approve as seller staff",
    auth=staff_may("orders.approve"),
)
def approve_order(
    request: HttpRequest, order_id: ObjectId, payload: DecisionIn | None = None
) -> HttpResponse:
    """Approves the seller's step at the order's current approval level."""
    actor, comment = _staff(request), payload.comment if payload else ""
    return _act(
        request,
        order_id,
        lambda t: services.approve_order(
            tenant_id=t, order_id=order_id, actor=actor, comment=comment
        ),
    )


@router.post(
    "/orders/{order_id}/reject",
    response=OrderOut,
    summary="Reject as seller staff",
    auth=staff_may("orders.approve"),
)
def reject_order(request: HttpRequest, order_id: ObjectId, payload: CommentIn) -> HttpResponse:
    """The order is cancelled; its stock and credit are released."""
    actor = _staff(request)
    return _act(
        request,
        order_id,
        lambda t: services.reject_order(
            tenant_id=t, order_id=order_id, actor=actor, comment=payload.comment
        ),
    )


@router.post(
    "/orders/{order_id}/release-hold",
    response=OrderOut,
    summary="Release a credit hold",
    auth=staff_may("credit.change"),
)
def release_hold(request: HttpRequest, order_id: ObjectId, payload: CommentIn) -> HttpResponse:
    """The order goes on account anyway (even beyond the limit); the comment says why."""
    by = _staff(request).name
    return _act(
        request,
        order_id,
        lambda t: services.release_credit_hold(
            tenant_id=t, order_id=order_id, comment=payload.comment, released_by=by
        ),
    )


@router.post(
    "/orders/{order_id}/confirm",
    response=OrderOut,
    summary="Confirm an order",
    auth=staff_may("orders.approve"),
)
def confirm_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    return _act(request, order_id, lambda t: services.confirm_order(tenant_id=t, order_id=order_id))


@router.post(
    "/orders/{order_id}/cancel",
    response=OrderOut,
    summary="Cancel an order",
    auth=staff_may("orders.cancel"),
)
def cancel_order(
    request: HttpRequest, order_id: ObjectId, payload: CancelIn | None = None
) -> HttpResponse:
    """Releases every reservation of the order."""
    reason = payload.reason if payload else ""
    return _act(
        request,
        order_id,
        lambda t: services.cancel_order(tenant_id=t, order_id=order_id, reason=reason),
    )


@router.get(
    "/orders/{order_id}/timeline",
    response=list[TimelineEntryOut],
    summary="An order's timeline",
    auth=staff_may("orders.view"),
)
def order_timeline(request: HttpRequest, order_id: ObjectId) -> list[dict[str, object]]:
    return [
        {"type": e.type, "occurred_at": e.occurred_at, "data": e.payload}
        for e in queries.timeline(tenant_id(request), order_id)
    ]


# --- The seller's policy, approval rules and the straight-through report --------------------


def _policy_out(tenant: int, seller_slug: str, policy: Any) -> dict[str, object]:
    fill, group, amend_hours = queries.after_placing(tenant, seller_slug)
    return {
        "seller": seller_slug,
        "auto_confirm": policy.auto_confirm,
        "credit_action": policy.credit_action,
        "overdue_grace_days": policy.overdue_grace_days,
        "approval_expiry_hours": policy.approval_expiry_hours,
        "backorder_fill": fill,
        "priority_group_id": group,
        "buyer_amend_hours": amend_hours,
    }


@router.get(
    "/order-policy",
    response=OrderPolicyOut,
    summary="Read a seller's ordering policy",
    auth=staff_may("orders.view"),
)
def get_order_policy(request: HttpRequest, filters: Query[SellerFilter]) -> HttpResponse:
    """With its `ETag`, for `If-Match` on PUT."""
    tenant = tenant_id(request)
    slug, policy = queries.order_policy(tenant, filters.seller)
    return tagged(200, _policy_out(tenant, slug, policy))


@router.put(
    "/order-policy",
    response=OrderPolicyOut,
    summary="Set a seller's ordering policy",
    auth=staff_may("settings.change"),
)
def set_order_policy(
    request: HttpRequest, payload: OrderPolicyIn, if_match: IfMatch = None
) -> HttpResponse:
    """Automation (straight-through confirmation), what a credit block does, grace days for
    overdue payments, and how long an approval may wait before the order is cancelled.
    With `If-Match`, only if the policy is unchanged since it was read."""
    tenant = tenant_id(request)

    def change() -> dict[str, object]:
        services.set_order_policy(
            tenant_id=tenant,
            seller_slug=payload.seller,
            auto_confirm=payload.auto_confirm,
            credit_action=payload.credit_action,
            overdue_grace_days=payload.overdue_grace_days,
            approval_expiry_hours=payload.approval_expiry_hours,
            backorder_fill=payload.backorder_fill,
            priority_group_id=payload.priority_group_id,
            buyer_amend_hours=payload.buyer_amend_hours,
        )
        return _policy_out(tenant, *queries.order_policy(tenant, payload.seller))

    return run_guarded(
        if_match,
        # The grace days are customers' CreditPolicy: both rows make the answer.
        lock=lambda: seller_rows(tenant, payload.seller, OrderPolicy, CreditPolicy),
        read=lambda: _policy_out(tenant, *queries.order_policy(tenant, payload.seller)),
        change=change,
    )


class RuleFilters(PageFilters):
    is_active: bool | None = None


@router.get(
    "/approval-rules",
    response=ApprovalRulePageOut,
    summary="List approval rules",
    auth=staff_may("orders.view"),
)
def list_approval_rules(request: HttpRequest, filters: Query[RuleFilters]) -> dict[str, Any]:
    rules = queries.approval_rules(tenant_id(request), is_active=filters.is_active)
    return paged(rules, filters, lambda rule: rule_out(rule, rule.seller.slug))


def _rule_fields(payload: ApprovalRuleIn | ApprovalRulePatch) -> services.RuleFields:
    return services.RuleFields(
        name=payload.name,
        level=payload.level,
        approver=payload.approver,
        company_id=payload.company_id,
        min_amount=None if payload.min_amount is None else Decimal(payload.min_amount),
        category_id=payload.category_id,
        buyer_role=payload.buyer_role,
        credit_state=payload.credit_state,
        is_active=payload.is_active,
        currency=payload.currency,
    )


@router.post(
    "/approval-rules",
    response={201: ApprovalRuleOut},
    summary="Create an approval rule",
    auth=staff_may("settings.change"),
)
def create_approval_rule(
    request: HttpRequest, payload: ApprovalRuleIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Every condition given must hold for the rule to ask for an approval at its level. Its
    `min_amount` is in `currency` (the seller's base currency if omitted): an order in another
    currency is converted at its frozen rate and the day's rate of the rule's currency, and a
    currency other than the base needs an exchange rate (422 `exchange_rate_missing`)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        rule = services.create_approval_rule(
            tenant_id=tenant, seller_slug=payload.seller, fields=_rule_fields(payload)
        )
        return 201, rule_out(rule, rule.seller.slug)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/approval-rules/{rule_id}",
    response=ApprovalRuleOut,
    summary="Read an approval rule",
    auth=staff_may("orders.view"),
)
def get_approval_rule(request: HttpRequest, rule_id: ObjectId) -> HttpResponse:
    rule = queries.approval_rule(tenant_id(request), rule_id)
    return json_response(200, rule_out(rule, rule.seller.slug))


@router.patch(
    "/approval-rules/{rule_id}",
    response=ApprovalRuleOut,
    summary="Change an approval rule",
    auth=staff_may("settings.change"),
)
def update_approval_rule(
    request: HttpRequest, rule_id: ObjectId, payload: ApprovalRulePatch
) -> HttpResponse:
    """A condition sent as null is removed (the rule then matches any value of it)."""
    tenant = tenant_id(request)
    conditions = {"company_id", "min_amount", "category_id", "buyer_role", "credit_state"}
    cleared = frozenset(
        name for name in payload.model_fields_set & conditions if getattr(payload, name) is None
    )

    def change() -> dict[str, object]:
        services.update_approval_rule(
            tenant_id=tenant, rule_id=rule_id, fields=_rule_fields(payload), cleared=cleared
        )
        rule = queries.approval_rule(tenant, rule_id)
        return rule_out(rule, rule.seller.slug)

    return run_change(change)


class PeriodFilter(Schema):
    since: Instant | None = None
    until: Instant | None = None


@router.get(
    "/reports/straight-through",
    response=StraightThroughOut,
    summary="Share of orders confirmed with no human touch",
    auth=staff_may("orders.view"),
)
def straight_through_report(request: HttpRequest, filters: Query[PeriodFilter]) -> HttpResponse:
    """Orders placed in [since, until): how many went straight through, what stopped the rest."""
    share = queries.straight_through_share(
        tenant_id(request), since=filters.since, until=filters.until
    )
    return json_response(
        200,
        {
            "since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
            "orders": share.orders,
            "straight_through": share.straight_through,
            "share": share.share,
            "waiting_for_a_person": share.orders - share.straight_through,
            "reasons": share.reasons,
        },
    )


# --- Buyer routes (/my/…): the caller's own company only ------------------------------------


def buyer_actor(request: HttpRequest) -> services.Actor:
    caller = buyer(request)
    return services.Actor(
        approval_rules.COMPANY,
        queries.company_user_name(caller.tenant_id, caller.company_user_id or 0),
        caller.company_user_id,
        caller.company_id,
        caller.role,
    )


@buyer_router.post("/orders", response={201: OrderOut}, summary="Place an order for my company")
def buyer_place_order(
    request: HttpRequest, payload: BuyerOrderIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """As POST /orders, for the caller's company, placed by the caller: their spending limit
    and role count in the approval rules. Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, PLACED_ONCE)
    caller = buyer(request)

    def create() -> tuple[int, Any]:
        order = services.place_order(
            tenant_id=caller.tenant_id,
            company_id=caller.company_id or 0,
            ship_to_id=payload.ship_to_id,
            lines=[services.LineRequest(line.sku, line.quantity) for line in payload.lines],
            currency=payload.currency,
            purchase_order_number=payload.purchase_order_number,
            notes=payload.notes,
            requested_delivery_date=payload.requested_delivery_date,
            placed_by_id=caller.company_user_id,
        )
        return 201, _placed_out(order)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@buyer_router.get("/orders", response=OrderPageOut, summary="My company's orders")
def buyer_list_orders(request: HttpRequest, filters: Query[BuyerOrderFilters]) -> dict[str, Any]:
    """Oldest first; the filters as on GET /orders (a buyer sees only their company's)."""
    caller = buyer(request)
    orders = queries.orders(caller.tenant_id, search=filters.search(caller.company_id or 0))
    return paged(orders, filters, summary_out)


@buyer_router.get(
    "/approvals", response=OrderPageOut, summary="Orders waiting for my company's approval"
)
def buyer_approval_inbox(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """The approver's inbox: orders whose current level waits for an approver of the company."""
    caller = buyer(request)
    orders = queries.awaiting_company_approval(caller.tenant_id, caller.company_id or 0)
    return paged(orders, filters, summary_out)


@buyer_router.get(
    "/orders/{order_id}", response=OrderOut, summary="Read one of my company's orders"
)
def buyer_get_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    caller = buyer(request)
    return json_response(200, _detail(caller.tenant_id, order_id, caller.company_id or 0))


@buyer_router.get(
    "/orders/{order_id}/timeline",
    response=list[TimelineEntryOut],
    summary="One of my company's orders: its timeline",
)
def buyer_order_timeline(request: HttpRequest, order_id: ObjectId) -> list[dict[str, object]]:
    caller = buyer(request)
    return [
        {"type": e.type, "occurred_at": e.occurred_at, "data": e.payload}
        for e in queries.timeline(caller.tenant_id, order_id, company_id=caller.company_id or 0)
    ]


@buyer_router.post("/orders/{order_id}/approve", response=OrderOut, summary="Approve an order")
def buyer_approve_order(
    request: HttpRequest, order_id: ObjectId, payload: DecisionIn | None = None
) -> HttpResponse:
    """An approver or admin of the company approves its step (not their own order)."""
    actor, comment = buyer_actor(request), payload.comment if payload else ""
    return _act(
        request,
        order_id,
        lambda t: services.approve_order(
            tenant_id=t, order_id=order_id, actor=actor, comment=comment
        ),
        actor.company_id,
    )


@buyer_router.post("/orders/{order_id}/reject", response=OrderOut, summary="Reject an order")
def buyer_reject_order(
    request: HttpRequest, order_id: ObjectId, payload: CommentIn
) -> HttpResponse:
    """The order is cancelled; its stock and credit are released."""
    actor = buyer_actor(request)
    return _act(
        request,
        order_id,
        lambda t: services.reject_order(
            tenant_id=t, order_id=order_id, actor=actor, comment=payload.comment
        ),
        actor.company_id,
    )


@buyer_router.post("/orders/{order_id}/cancel", response=OrderOut, summary="Cancel my order")
def buyer_cancel_order(
    request: HttpRequest, order_id: ObjectId, payload: CancelIn | None = None
) -> HttpResponse:
    """Before the seller confirms it; afterwards ask the seller."""
    caller = buyer(request)
    reason = payload.reason if payload else ""
    return _act(
        request,
        order_id,
        lambda t: services.cancel_order(
            tenant_id=t, order_id=order_id, reason=reason, company_id=caller.company_id or 0
        ),
        caller.company_id or 0,
    )
