"""Purchase orders over HTTP: draft, change, submit, approve, reject, send, the supplier's
confirmation, receipts (deliveries), close and cancel; the PO as a PDF."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, given
from dinghuo.purchasing import documents, queries, services
from dinghuo.purchasing.models import PurchaseOrder
from dinghuo.purchasing.schemas import (
    PoCloseIn,
    PoConfirmIn,
    PoLanguageFilter,
    PoLineIn,
    PoReceiptIn,
    PoReceivedOut,
    PoRejectIn,
    PurchaseOrderFilters,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPageOut,
    PurchaseOrderPatch,
    decimal,
    purchase_order_out,
    received_out,
)

router = Router(tags=["purchasing"])


def _wanted(lines: list[PoLineIn]) -> list[services.LineWanted]:
    return [
        services.LineWanted(
            line.sku_id, line.quantity, None if line.unit_cost is None else decimal(line.unit_cost)
        )
        for line in lines
    ]


def _detail(tenant: int, po_id: int) -> dict[str, Any]:
    return purchase_order_out(queries.purchase_order(tenant, po_id))


@router.get(
    "/purchase-orders",
    response=PurchaseOrderPageOut,
    summary="List purchase orders",
    auth=staff_may("purchasing.view"),
)
def list_purchase_orders(
    request: HttpRequest, filters: Query[PurchaseOrderFilters]
) -> dict[str, Any]:
    """Oldest first; by status or supplier."""
    found = queries.purchase_orders(
        tenant_id(request), status=filters.status, supplier_id=filters.supplier_id
    )
    return paged(found, filters, purchase_order_out)


@router.post(
    "/purchase-orders",
    response={201: PurchaseOrderOut},
    summary="Draft a purchase order",
    auth=staff_may("purchasing.edit"),
)
def create_purchase_order(
    request: HttpRequest, payload: PurchaseOrderIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A draft to an active supplier, delivered to a warehouse, in the supplier's currency;
    each line's cost is the supplier item's tier cost unless given. Submit it next."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        po = services.create_purchase_order(
            tenant_id=tenant,
            supplier_id=payload.supplier_id,
            warehouse_id=payload.warehouse_id,
            lines=_wanted(payload.lines),
            note=payload.note,
            expected_date=payload.expected_date,
        )
        return 201, _detail(tenant, po.pk)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/purchase-orders/{purchase_order_id}",
    response=PurchaseOrderOut,
    summary="Read a purchase order",
    auth=staff_may("purchasing.view"),
)
def get_purchase_order(request: HttpRequest, purchase_order_id: ObjectId) -> HttpResponse:
    """With its lines (ordered, confirmed, received, cancelled, still open, over-delivered)
    and its receipts."""
    return tagged(200, _detail(tenant_id(request), purchase_order_id))


PDF_OPENAPI: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The purchase order as a PDF, in `language`",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/purchase-orders/{purchase_order_id}/pdf",
    summary="A purchase order as PDF",
    openapi_extra=PDF_OPENAPI,
    auth=staff_may("purchasing.view"),
)
def get_purchase_order_pdf(
    request: HttpRequest, purchase_order_id: ObjectId, filters: Query[PoLanguageFilter]
) -> HttpResponse:
    """The document for the supplier: lines with the supplier's codes, quantities, costs
    and the total, in `language` (en, zh-hant or zh-hans)."""
    content, name = documents.po_pdf(tenant_id(request), purchase_order_id, filters.language)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@router.patch(
    "/purchase-orders/{purchase_order_id}",
    response=PurchaseOrderOut,
    summary="Change a draft purchase order",
    auth=staff_may("purchasing.edit"),
)
def update_purchase_order(
    request: HttpRequest,
    purchase_order_id: ObjectId,
    payload: PurchaseOrderPatch,
    if_match: IfMatch = None,
) -> HttpResponse:
    """Its note, expected date, or all its lines at once; a draft only (409
    `po_not_draft`)."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        lines = given(payload, "lines", _wanted)
        services.update_purchase_order(
            tenant_id=tenant,
            po_id=purchase_order_id,
            lines=lines,
            note=given(payload, "note"),
            expected_date=given(payload, "expected_date"),
        )
        return _detail(tenant, purchase_order_id)

    return run_guarded(
        if_match,
        lock=lambda: PurchaseOrder.objects.filter(tenant_id=tenant, pk=purchase_order_id),
        read=lambda: _detail(tenant, purchase_order_id),
        change=run,
    )


def _transition(request: HttpRequest, po_id: int, act: Callable[[int], Any]) -> HttpResponse:
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        act(tenant)
        return _detail(tenant, po_id)

    return run_change(change)


@router.post(
    "/purchase-orders/{purchase_order_id}/submit",
    response=PurchaseOrderOut,
    summary="Submit a purchase order",
    auth=staff_may("purchasing.edit"),
)
def submit_purchase_order(request: HttpRequest, purchase_order_id: ObjectId) -> HttpResponse:
    """A draft is approved at once when its total is within the seller's approval limit (in
    the base currency), else it waits for an approver. 409 `invalid_po_transition`."""
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.submit_purchase_order(tenant_id=t, po_id=purchase_order_id),
    )


@router.post(
    "/purchase-orders/{purchase_order_id}/approve",
    response=PurchaseOrderOut,
    summary="Approve a purchase order",
    auth=staff_may("purchasing.approve"),
)
def approve_purchase_order(request: HttpRequest, purchase_order_id: ObjectId) -> HttpResponse:
    """A PO waiting for approval is approved. 409 `invalid_po_transition` otherwise."""
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.approve_purchase_order(tenant_id=t, po_id=purchase_order_id),
    )


@router.post(
    "/purchase-orders/{purchase_order_id}/reject",
    response=PurchaseOrderOut,
    summary="Send a purchase order back to draft",
    auth=staff_may("purchasing.approve"),
)
def reject_purchase_order(
    request: HttpRequest, purchase_order_id: ObjectId, payload: PoRejectIn
) -> HttpResponse:
    """A PO waiting for approval goes back to draft, with the approver's comment (422
    `comment_required`)."""
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.reject_purchase_order(
            tenant_id=t, po_id=purchase_order_id, comment=payload.comment
        ),
    )


@router.post(
    "/purchase-orders/{purchase_order_id}/send",
    response=PurchaseOrderOut,
    summary="Send a purchase order to the supplier",
    auth=staff_may("purchasing.edit"),
)
def send_purchase_order(request: HttpRequest, purchase_order_id: ObjectId) -> HttpResponse:
    """An approved PO is sent; its open quantities count as incoming stock from now on."""
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.send_purchase_order(tenant_id=t, po_id=purchase_order_id),
    )


@router.post(
    "/purchase-orders/{purchase_order_id}/confirm",
    response=PurchaseOrderOut,
    summary="Record the supplier's confirmation",
    auth=staff_may("purchasing.edit"),
)
def confirm_purchase_order(
    request: HttpRequest, purchase_order_id: ObjectId, payload: PoConfirmIn
) -> HttpResponse:
    """Per line, the quantity (0 to the ordered units, 422 `exceeds_ordered_quantity`) and
    date the supplier confirms."""
    confirmed = [
        services.Confirmed(line.line_number, line.quantity, line.delivery_date)
        for line in payload.lines
    ]
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.confirm_purchase_order(
            tenant_id=t, po_id=purchase_order_id, lines=confirmed
        ),
    )


@router.post(
    "/purchase-orders/{purchase_order_id}/receipts",
    response={201: PoReceivedOut},
    summary="Receive a delivery",
    auth=staff_may("purchasing.receive"),
)
def receive_purchase_order(
    request: HttpRequest,
    purchase_order_id: ObjectId,
    payload: PoReceiptIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Units that arrived, per line, into the PO's warehouse (ledger, on hand up,
    `stock.changed`); orders waiting for the SKUs are served at once. A line may receive in
    all its ordered units plus the seller's over-delivery tolerance (422 `over_delivery`);
    409 `invalid_po_transition` for a PO not sent, or closed. Answers what is left to
    receive, without costs. Send an `Idempotency-Key` so that a retried delivery counts
    once."""
    tenant = tenant_id(request)
    arrived = [
        services.Arrived(
            line.line_number,
            line.quantity,
            None if line.unit_cost is None else decimal(line.unit_cost),
        )
        for line in payload.lines
    ]

    def create() -> tuple[int, Any]:
        receipt = services.receive_purchase_order(
            tenant_id=tenant,
            po_id=purchase_order_id,
            lines=arrived,
            reference=payload.reference,
        )
        return 201, received_out(queries.purchase_order(tenant, purchase_order_id), receipt)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.post(
    "/purchase-orders/{purchase_order_id}/close",
    response=PurchaseOrderOut,
    summary="Close a purchase order",
    auth=staff_may("purchasing.edit"),
)
def close_purchase_order(
    request: HttpRequest, purchase_order_id: ObjectId, payload: PoCloseIn
) -> HttpResponse:
    """Nothing more is expected: units not received are cancelled on each line and leave the
    incoming."""
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.close_purchase_order(
            tenant_id=t, po_id=purchase_order_id, reason=payload.reason
        ),
    )


@router.post(
    "/purchase-orders/{purchase_order_id}/cancel",
    response=PurchaseOrderOut,
    summary="Cancel a purchase order",
    auth=staff_may("purchasing.edit"),
)
def cancel_purchase_order(request: HttpRequest, purchase_order_id: ObjectId) -> HttpResponse:
    """A draft or a PO waiting for approval is given up."""
    return _transition(
        request,
        purchase_order_id,
        lambda t: services.cancel_purchase_order(tenant_id=t, po_id=purchase_order_id),
    )
