"""Shipments over HTTP: ship (part of) an order, mark it delivered.

The routes sit beside the order's own routes and keep the operation ids and tag they had when
the orders router served them, so the OpenAPI document and clients generated from it do not
change. Their schemas are the order answer's (`orders.schemas`), where shipments also appear.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import run_change, run_create
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.fulfilment import queries, services
from dinghuo.orders import queries as orders
from dinghuo.orders.schemas import (
    OrderOut,
    ShipmentIn,
    ShipmentOut,
    order_detail_out,
    shipment_out,
)

router = Router(tags=["orders"])


@router.post(
    "/orders/{order_id}/shipments",
    response={201: ShipmentOut},
    summary="Ship (part of) an order",
    operation_id="dinghuo_orders_api_ship_order",
    tags=["orders"],
    auth=staff_may("fulfilment.ship"),
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
        shipment = services.ship_order(
            tenant_id=tenant,
            order_id=order_id,
            carrier=payload.carrier,
            tracking_number=payload.tracking_number,
            warehouse_code=payload.warehouse,
            lines=None
            if payload.lines is None
            else [services.ShipLine(line.line_number, line.quantity) for line in payload.lines],
        )
        return 201, shipment_out(queries.shipment(tenant, shipment.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.post(
    "/orders/{order_id}/deliver",
    response=OrderOut,
    summary="Mark an order delivered",
    operation_id="dinghuo_orders_api_deliver_order",
    tags=["orders"],
    auth=staff_may("fulfilment.ship"),
)
def deliver_order(request: HttpRequest, order_id: ObjectId) -> HttpResponse:
    tenant = tenant_id(request)

    def change() -> dict[str, object]:
        services.deliver_order(tenant_id=tenant, order_id=order_id)
        return order_detail_out(*orders.order_detail(tenant, order_id))

    return run_change(change)
