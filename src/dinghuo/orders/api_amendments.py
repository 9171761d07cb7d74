"""Amending orders over HTTP: seller staff under `/orders/{id}/amendments` (any open order,
until everything has shipped; optionally repriced), buyers under `/my/orders/{id}/amendments`
(within the seller's window, before picking starts). A create requires an `Idempotency-Key`,
so a retried amendment is applied once. `POST /orders/{id}/start-picking` is the warehouse
saying it has started: buyers can no longer amend. Mounted beside the orders routers."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import require_key, run_change, run_create
from dinghuo.api.schemas import ObjectId, RequiredIdempotencyKey
from dinghuo.core.services import Caller
from dinghuo.orders import approval_rules, queries, services
from dinghuo.orders.api import buyer_actor
from dinghuo.orders.schemas import OrderOut, order_detail_out, order_out
from dinghuo.orders.schemas_amendments import (
    AmendedOrderOut,
    AmendmentIn,
    AmendmentOut,
    BuyerAmendmentIn,
    amendment_out,
)

router = Router(tags=["orders"])
buyer_router = Router(tags=["my orders"])


def _request(payload: BuyerAmendmentIn, reprice: bool) -> services.AmendRequest:
    return services.AmendRequest(
        lines=None
        if payload.lines is None
        else [services.LineRequest(line.sku, line.quantity) for line in payload.lines],
        ship_to_id=payload.ship_to_id,
        purchase_order_number=payload.purchase_order_number,
        requested_delivery_date=payload.requested_delivery_date,
        clear_requested_delivery_date=payload.clear_requested_delivery_date,
        reprice=reprice,
        note=payload.note,
    )


def _amended(tenant: int, order_id: int, amendment: Any, company_id: int | None) -> dict[str, Any]:
    """The amendment and the order as it now is: the service's copy (lines loaded), or read
    again when it has shipments to show."""
    order = amendment.order
    if any(line.shipped_quantity for line in order.lines.all()):
        answer = order_detail_out(*queries.order_detail(tenant, order_id, company_id=company_id))
    else:
        answer = order_out(order, order.seller.slug, [])
    return {"amendment": amendment_out(amendment, order.currency), "order": answer}


@router.post(
    "/orders/{order_id}/amendments",
    response={201: AmendedOrderOut},
    summary="Amend an order",
    auth=staff_may("orders.enter"),
)
def amend_order(
    request: HttpRequest,
    order_id: ObjectId,
    payload: AmendmentIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """Change an open order's lines, ship-to, requested delivery date or PO number, with the
    rules of placing applied to the difference: new lines at today's prices (existing ones
    keep theirs unless `reprice`), stock reserved or released for the difference, credit and
    approval rules judged when the order grows (it may go back to approval or on hold). The
    order's next version; 409 `order_not_amendable`, `line_shipped`, `insufficient_stock`,
    `credit_refused`; 422 `nothing_to_amend`. Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, "a retried amendment is applied once")
    tenant = tenant_id(request)
    caller: Caller = request.auth  # type: ignore[attr-defined]
    staff = services.Actor(approval_rules.SELLER, f"staff (API key {caller.key_prefix})")

    def create() -> tuple[int, Any]:
        amendment = services.amend_order(
            tenant_id=tenant,
            order_id=order_id,
            changes=_request(payload, payload.reprice),
            by=staff,
        )
        return 201, _amended(tenant, order_id, amendment, None)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/orders/{order_id}/amendments",
    response=list[AmendmentOut],
    summary="An order's amendments, oldest first",
    auth=staff_may("orders.view"),
)
def list_amendments(request: HttpRequest, order_id: ObjectId) -> list[dict[str, Any]]:
    tenant = tenant_id(request)
    order, amendments = queries.amendments(tenant, order_id)
    return [amendment_out(a, order.currency) for a in amendments]


@router.post(
    "/orders/{order_id}/start-picking",
    response=OrderOut,
    summary="Start picking an order",
    auth=staff_may("fulfilment.ship"),
)
def start_picking(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    """The warehouse has started on a confirmed order: from now on only staff can amend it.
    Saying it again changes nothing. 409 `invalid_transition` for an order not confirmed."""
    tenant = tenant_id(request)

    def run() -> dict[str, object]:
        services.start_picking(tenant_id=tenant, order_id=order_id)
        return order_detail_out(*queries.order_detail(tenant, order_id))

    return run_change(run)


@buyer_router.post(
    "/orders/{order_id}/amendments",
    response={201: AmendedOrderOut},
    summary="Amend one of my company's orders",
)
def buyer_amend_order(
    request: HttpRequest,
    order_id: ObjectId,
    payload: BuyerAmendmentIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """As POST /orders/{id}/amendments, for an order of the caller's company, within the
    seller's window after placing and before picking starts (409 `amend_window_closed`,
    `picking_started`, `buyer_amendments_off`); never repriced. Requires an
    `Idempotency-Key` header."""
    require_key(idempotency_key, "a retried amendment is applied once")
    caller = buyer(request)
    actor = buyer_actor(request)

    def create() -> tuple[int, Any]:
        amendment = services.amend_order(
            tenant_id=caller.tenant_id,
            order_id=order_id,
            changes=_request(payload, False),
            by=actor,
        )
        return 201, _amended(caller.tenant_id, order_id, amendment, caller.company_id)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@buyer_router.get(
    "/orders/{order_id}/amendments",
    response=list[AmendmentOut],
    summary="One of my company's orders: its amendments, oldest first",
)
def buyer_list_amendments(request: HttpRequest, order_id: ObjectId) -> list[dict[str, Any]]:
    caller = buyer(request)
    order, amendments = queries.amendments(
        caller.tenant_id, order_id, company_id=caller.company_id or 0
    )
    return [amendment_out(a, order.currency) for a in amendments]
