"""Orders over HTTP: place (idempotent), list, read, confirm, cancel, ship, deliver, timeline."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import Id, IdempotencyKey, ObjectId, PageFilters
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.fulfilment import services as fulfilment
from dinghuo.fulfilment.models import Shipment
from dinghuo.orders import queries, services
from dinghuo.orders.schemas import (
    CancelIn,
    OrderIn,
    OrderOut,
    OrderPageOut,
    ShipmentIn,
    ShipmentOut,
    TimelineEntryOut,
    order_out,
    summary_out,
)
from dinghuo.orders.states import OrderStatus

router = Router(tags=["orders"])


def _shipment_out(shipment: Shipment) -> dict[str, object]:
    return {
        "id": shipment.pk,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "warehouse": shipment.warehouse.code if shipment.warehouse else None,
        "shipped_at": shipment.shipped_at.isoformat(),
        "delivered_at": shipment.delivered_at.isoformat() if shipment.delivered_at else None,
        "lines": [
            {"line_number": line.order_line.line_number, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
    }


def _detail(tenant: int, order_id: ObjectId) -> dict[str, object]:
    order, shipments = queries.order_detail(tenant, order_id)
    return order_out(order, order.seller.slug, [_shipment_out(s) for s in shipments])


@router.post("", response={201: OrderOut}, summary="Place an order")
def place_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Validate, price and reserve every line at once. Requires an `Idempotency-Key` header."""
    if idempotency_key is None:
        raise ValidationFailed(
            "Send an Idempotency-Key header so that a retried order is never placed twice.",
            code="idempotency_key_required",
            errors=[FieldError("Idempotency-Key", "required", "Header is required")],
        )
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
            seller_slug=payload.seller,
        )
        return 201, order_out(order, order.seller.slug, [])

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


class OrderFilters(PageFilters):
    status: OrderStatus | None = None
    company_id: Id | None = None


@router.get("", response=OrderPageOut, summary="List orders")
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` with `after`."""
    tenant = tenant_id(request)
    orders = queries.orders(tenant, status=filters.status, company_id=filters.company_id)
    return paged(orders, filters, summary_out)


@router.get("/{order_id}", response=OrderOut, summary="Read an order")
def get_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    return json_response(200, _detail(tenant_id(request), order_id))


def _act(request: HttpRequest, order_id: ObjectId, act: Any) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, object]:
        act(tenant)
        return _detail(tenant, order_id)

    return run_change(run)


@router.post("/{order_id}/confirm", response=OrderOut, summary="Confirm an order")
def confirm_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    return _act(request, order_id, lambda t: services.confirm_order(tenant_id=t, order_id=order_id))


@router.post("/{order_id}/cancel", response=OrderOut, summary="Cancel an order")
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


@router.post("/{order_id}/deliver", response=OrderOut, summary="Mark an order delivered")
def deliver_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    return _act(request, order_id, lambda t: services.deliver_order(tenant_id=t, order_id=order_id))


@router.post(
    "/{order_id}/shipments", response={201: ShipmentOut}, summary="Ship (part of) an order"
)
def ship_order(
    request: HttpRequest,
    order_id: ObjectId,
    payload: ShipmentIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Reserved stock becomes issued; the order becomes partially shipped or shipped."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        shipment = fulfilment.ship_order(
            tenant_id=tenant,
            order_id=order_id,
            carrier=payload.carrier,
            tracking_number=payload.tracking_number,
            warehouse_code=payload.warehouse,
            lines=None
            if payload.lines is None
            else [fulfilment.ShipLine(line.line_number, line.quantity) for line in payload.lines],
        )
        shipment = (
            Shipment.objects.select_related("warehouse")
            .prefetch_related("lines__order_line")
            .get(pk=shipment.pk)
        )
        return 201, _shipment_out(shipment)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/{order_id}/timeline", response=list[TimelineEntryOut], summary="An order's timeline")
def order_timeline(request: HttpRequest, order_id: ObjectId) -> list[dict[str, object]]:
    return [
        {"type": e.type, "occurred_at": e.occurred_at, "data": e.payload}
        for e in queries.timeline(tenant_id(request), order_id)
    ]
