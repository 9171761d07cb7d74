"""Stock receipts and adjustments over HTTP (the `inventory` routes of the API): they live
here, above inventory, because units that arrive go to the orders waiting for them in the
same transaction (`orders.services.with_backorders_filled`), which inventory cannot call.
Their paths, operation ids and answers are inventory's."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import tenant_id
from dinghuo.api.idempotent import run_create
from dinghuo.api.schemas import IdempotencyKey
from dinghuo.inventory import queries
from dinghuo.inventory import services as stock
from dinghuo.inventory.schemas import AdjustmentIn, ReceiptIn, StockLevelOut, stock_level_out
from dinghuo.orders import services

router = Router(tags=["inventory"])


@router.post(
    "/stock/receipts",
    response={201: StockLevelOut},
    summary="Receive stock",
    operation_id="dinghuo_inventory_api_receive_stock",
)
def receive_stock(
    request: HttpRequest, payload: ReceiptIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Goods arrived: on hand rises, and orders waiting for the SKU (backordered units) are
    served from them at once, in the seller's fill order. Answers the new level. Send an
    `Idempotency-Key` so that a retried receipt is counted once."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        level = services.with_backorders_filled(
            tenant_id=tenant,
            sku_ids=[payload.sku_id],
            arrive=lambda: stock.receive_stock(
                tenant_id=tenant,
                warehouse_code=payload.warehouse,
                sku_id=payload.sku_id,
                quantity=payload.quantity,
                reason=payload.reason,
                reference=payload.reference,
            ),
        )
        return 201, stock_level_out(queries.stock_level(tenant, level.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.post(
    "/stock/adjustments",
    response={201: StockLevelOut},
    summary="Adjust stock",
    operation_id="dinghuo_inventory_api_adjust_stock",
)
def adjust_stock(
    request: HttpRequest, payload: AdjustmentIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Correct on hand by `delta` with a reason; it may not fall below what orders reserved
    (409 `below_reserved`). Units found (a positive delta) serve waiting orders first.
    Answers the new level."""
    tenant = tenant_id(request)

    def adjust() -> Any:
        return stock.adjust_stock(
            tenant_id=tenant,
            warehouse_code=payload.warehouse,
            sku_id=payload.sku_id,
            delta=payload.delta,
            reason=payload.reason,
            reference=payload.reference,
        )

    def create() -> tuple[int, Any]:
        if payload.delta > 0:
            level = services.with_backorders_filled(
                tenant_id=tenant, sku_ids=[payload.sku_id], arrive=adjust
            )
        else:
            level = adjust()
        return 201, stock_level_out(queries.stock_level(tenant, level.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)
