"""Returns over HTTP. Staff routes (`router`): the seller's return policy; request a return
for a customer; list, read, approve, reject, receive (with each line's fate) and close (with
its credit note and, if asked, a refund). Buyer routes (`buyer_router`, mounted at /my):
request a return of one of the company's delivered orders, and follow the company's returns;
another company's order or return is not found (404).

Mounted by `config.api` as:
    api.add_router("/", returns.router)
    api.add_router("/my", returns.buyer_router, auth=BuyerKeyAuth())
"""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount
from dinghuo.core.queries import seller_for
from dinghuo.core.services import Caller
from dinghuo.returns import queries, services
from dinghuo.returns.models import ReturnPolicy
from dinghuo.returns.schemas import (
    BuyerReturnFilters,
    CloseIn,
    DecisionIn,
    PolicyIn,
    PolicyOut,
    ReceiveIn,
    ReturnFilters,
    ReturnIn,
    ReturnOut,
    ReturnPageOut,
    SellerFilter,
    return_out,
)

router = Router(tags=["returns"])
buyer_router = Router(tags=["buyer: returns"])


def _asked(payload: ReturnIn) -> list[services.LineAsked]:
    return [
        services.LineAsked(line.line_number, line.quantity, line.reason, line.note)
        for line in payload.lines
    ]


def _detail(tenant: int, return_id: int, company_id: int | None = None) -> dict[str, Any]:
    return return_out(queries.return_detail(tenant, return_id, company_id=company_id))


@router.post("/orders/{order_id}/returns", response={201: ReturnOut}, summary="Request a return")
def request_return(
    request: HttpRequest,
    order_id: ObjectId,
    payload: ReturnIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """For the customer: units of a delivered order's lines, with reasons. Approved at once
    when the seller's policy finds it straightforward; else it waits for a clerk."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        made = services.request_return(
            tenant_id=tenant, order_id=order_id, lines=_asked(payload), note=payload.note
        )
        return 201, _detail(tenant, made.pk)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/returns", response=ReturnPageOut, summary="List returns")
def list_returns(request: HttpRequest, filters: Query[ReturnFilters]) -> dict[str, Any]:
    """Oldest first; by status, order or company."""
    found = queries.returns(
        tenant_id(request),
        company_id=filters.company_id,
        status=filters.status,
        order_id=filters.order_id,
    )
    return paged(found, filters, return_out)


@router.get("/returns/{return_id}", response=ReturnOut, summary="Read a return")
def get_return(request: HttpRequest, return_id: ObjectId) -> HttpResponse:
    return json_response(200, _detail(tenant_id(request), return_id))


@router.post("/returns/{return_id}/approve", response=ReturnOut, summary="Approve a return")
def approve_return(request: HttpRequest, return_id: ObjectId, payload: DecisionIn) -> HttpResponse:
    """It gets the seller's next RMA number."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        services.approve_return(tenant_id=tenant, return_id=return_id, comment=payload.comment)
        return _detail(tenant, return_id)

    return run_change(change)


@router.post("/returns/{return_id}/reject", response=ReturnOut, summary="Reject a return")
def reject_return(request: HttpRequest, return_id: ObjectId, payload: DecisionIn) -> HttpResponse:
    """With a comment the customer reads."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        services.reject_return(tenant_id=tenant, return_id=return_id, comment=payload.comment)
        return _detail(tenant, return_id)

    return run_change(change)


@router.post("/returns/{return_id}/receive", response=ReturnOut, summary="Receive a return")
def receive_return(request: HttpRequest, return_id: ObjectId, payload: ReceiveIn) -> HttpResponse:
    """Every line once: the units that arrived (0 if none) and their fate: restock,
    quarantine, scrap or to_supplier."""
    tenant = tenant_id(request)
    lines = [
        services.Inspected(line.line_number, line.received_quantity, line.fate or "")
        for line in payload.lines
    ]

    def change() -> dict[str, Any]:
        services.receive_return(tenant_id=tenant, return_id=return_id, lines=lines)
        return _detail(tenant, return_id)

    return run_change(change)


@router.post("/returns/{return_id}/close", response=ReturnOut, summary="Close a return")
def close_return(request: HttpRequest, return_id: ObjectId, payload: CloseIn) -> HttpResponse:
    """Credit what arrived (frozen prices with tax, less the restocking fee) and, with
    `refund`, pay back the credit the invoice did not need."""
    tenant = tenant_id(request)
    caller: Caller = request.auth  # type: ignore[attr-defined]
    refund = (
        services.RefundAsked(payload.refund.method, payload.refund.reference)
        if payload.refund
        else None
    )

    def change() -> dict[str, Any]:
        services.close_return(
            tenant_id=tenant,
            return_id=return_id,
            refund=refund,
            recorded_by=f"staff (API key {caller.key_prefix})",
        )
        return _detail(tenant, return_id)

    return run_change(change)


def _policy_out(seller: Seller, row: ReturnPolicy | None) -> dict[str, Any]:
    if row is None:
        return {
            "seller": seller.slug,
            "window_days": 30,
            "restocking_fee_percent": "0.00",
            "non_returnable_categories": [],
            "auto_approve_limit": None,
            "quarantine_warehouse": None,
        }
    limit = row.auto_approve_limit
    return {
        "seller": seller.slug,
        "window_days": row.window_days,
        "restocking_fee_percent": str(row.restocking_fee_percent),
        "non_returnable_categories": sorted(c.code for c in row.non_returnable_categories.all()),
        "auto_approve_limit": None if limit is None else format_amount(limit, seller.base_currency),
        "quarantine_warehouse": row.quarantine_warehouse.code if row.quarantine_warehouse else None,
    }


@router.get("/return-policy", response=PolicyOut, summary="Read a seller's return policy")
def get_return_policy(request: HttpRequest, filters: Query[SellerFilter]) -> HttpResponse:
    tenant = tenant_id(request)
    seller = seller_for(tenant, filters.seller)
    return json_response(200, _policy_out(seller, queries.return_policy(tenant, seller.pk)))


@router.put("/return-policy", response=PolicyOut, summary="Set a seller's return policy")
def set_return_policy(request: HttpRequest, payload: PolicyIn) -> HttpResponse:
    """Window in days from delivery, restocking fee percent, non-returnable categories
    (codes), the limit (gross, base currency) up to which requests approve themselves (none:
    a clerk approves every one), and the inactive warehouse for quarantined goods."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        seller = seller_for(tenant, payload.seller)
        services.set_return_policy(
            tenant_id=tenant,
            seller=seller,
            fields=services.PolicyFields(
                window_days=payload.window_days,
                restocking_fee_percent=Decimal(payload.restocking_fee_percent),
                non_returnable_categories=tuple(payload.non_returnable_categories),
                auto_approve_limit=None
                if payload.auto_approve_limit is None
                else Decimal(payload.auto_approve_limit),
                quarantine_warehouse=payload.quarantine_warehouse,
            ),
        )
        return _policy_out(seller, queries.return_policy(tenant, seller.pk))

    return run_change(change)


# --- Buyer routes (/my/…): the caller's own company only ------------------------------------


def _me(request: HttpRequest) -> Caller:
    caller: Caller = buyer(request)
    assert caller.company_id is not None
    return caller


@buyer_router.post(
    "/orders/{order_id}/returns",
    response={201: ReturnOut},
    summary="Ask to return goods of one of my company's orders",
)
def buyer_request_return(
    request: HttpRequest,
    order_id: ObjectId,
    payload: ReturnIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Units of a delivered order's lines, with reasons, within the seller's window."""
    caller = _me(request)

    def create() -> tuple[int, Any]:
        made = services.request_return(
            tenant_id=caller.tenant_id,
            order_id=order_id,
            lines=_asked(payload),
            note=payload.note,
            company_id=caller.company_id,
            requested_by_id=caller.company_user_id,
        )
        return 201, _detail(caller.tenant_id, made.pk, caller.company_id)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@buyer_router.get("/returns", response=ReturnPageOut, summary="My company's returns")
def buyer_list_returns(request: HttpRequest, filters: Query[BuyerReturnFilters]) -> dict[str, Any]:
    caller = _me(request)
    found = queries.returns(
        caller.tenant_id,
        company_id=caller.company_id,
        status=filters.status,
        order_id=filters.order_id,
    )
    return paged(found, filters, return_out)


@buyer_router.get(
    "/returns/{return_id}", response=ReturnOut, summary="Read one of my company's returns"
)
def buyer_get_return(request: HttpRequest, return_id: ObjectId) -> HttpResponse:
    caller = _me(request)
    return json_response(200, _detail(caller.tenant_id, return_id, caller.company_id))
