"""Stock receipts and adjustments over HTTP (the `inventory` routes of the API): they live
here, above inventory, because units that arrive go to the orders waiting for them in the
same transaction (`orders.services.with_backorders_filled`), which inventory cannot call.
Their paths, operation ids and answers are inventory's."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import require_key, run_create
from dinghuo.api.schemas import IdempotencyKey, RequiredIdempotencyKey
from dinghuo.inventory import queries
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel
from dinghuo.inventory.schemas import (
    AdjustmentIn,
    BulkAdjustmentIn,
    BulkReceiptIn,
    BulkStockOut,
    ReceiptIn,
    ReceiptLineIn,
    StockLevelOut,
    stock_level_out,
)
from dinghuo.orders import services

router = Router(tags=["inventory"])


@router.post(
    "/stock/receipts",
    response={201: StockLevelOut},
    summary="Receive stock",
    operation_id="dinghuo_inventory_api_receive_stock",
    auth=staff_may("stock.receive"),
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
    auth=staff_may("stock.adjust"),
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


def _lines(payload: BulkReceiptIn | BulkAdjustmentIn) -> list[stock.StockLine]:
    return [
        stock.StockLine(
            sku=line.sku,
            warehouse=line.warehouse,
            quantity=line.quantity if isinstance(line, ReceiptLineIn) else line.delta,
            reason=line.reason,
            reference=line.reference,
        )
        for line in payload.lines
    ]


def _bulk_out(tenant: int, count: int, changed: list[StockLevel]) -> dict[str, Any]:
    found = queries.stock_levels(tenant).filter(pk__in=[level.pk for level in changed])
    levels = found.order_by("sku_id", "warehouse_id")
    return {"lines": count, "levels": [stock_level_out(level) for level in levels]}


def _changed_skus(changed: list[StockLevel]) -> set[int]:
    return {level.sku_id for level in changed}


def _run_bulk(
    request: HttpRequest,
    payload: BulkReceiptIn | BulkAdjustmentIn,
    idempotency_key: str | None,
    write: Callable[[], list[StockLevel]],
    *,
    fills_backorders: bool,
) -> HttpResponse:
    """A bulk stock write once per key; units that arrive serve waiting orders first."""
    require_key(idempotency_key, "a retried request moves stock once")
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        if fills_backorders:
            changed = services.with_backorders_filled(
                tenant_id=tenant, sku_ids=_changed_skus, arrive=write
            )
        else:
            changed = write()
        return 201, _bulk_out(tenant, len(payload.lines), changed)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.post(
    "/stock/receipts/bulk",
    response={201: BulkStockOut},
    summary="Receive stock, many lines at once",
    operation_id="dinghuo_inventory_api_receive_stock_bulk",
    auth=staff_may("stock.receive"),
)
def receive_stock_bulk(
    request: HttpRequest, payload: BulkReceiptIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """A goods-received note of up to 1,000 lines (SKU and warehouse by code): all lines or
    none, one ledger movement per line; orders waiting for the SKUs are served at once, as
    by a single receipt. A problem names its line (`lines[3].sku`). Requires an
    `Idempotency-Key` header."""
    tenant = tenant_id(request)
    return _run_bulk(
        request,
        payload,
        idempotency_key,
        lambda: stock.receive_many(
            tenant_id=tenant, lines=_lines(payload), seller_slug=payload.seller
        ),
        fills_backorders=True,
    )


@router.post(
    "/stock/adjustments/bulk",
    response={201: BulkStockOut},
    summary="Adjust stock, many lines at once",
    operation_id="dinghuo_inventory_api_adjust_stock_bulk",
    auth=staff_may("stock.adjust"),
)
def adjust_stock_bulk(
    request: HttpRequest, payload: BulkAdjustmentIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """A stock count of up to 1,000 lines, each a delta with its reason: all lines or none;
    no level may fall below what orders reserved (409 `below_reserved`, naming the line).
    Units found serve waiting orders first. Requires an `Idempotency-Key` header."""
    tenant = tenant_id(request)
    return _run_bulk(
        request,
        payload,
        idempotency_key,
        lambda: stock.adjust_many(
            tenant_id=tenant, lines=_lines(payload), seller_slug=payload.seller
        ),
        fills_backorders=any(line.delta > 0 for line in payload.lines),
    )
