"""Warehouses and stock over HTTP: levels, receipts, adjustments and the movement ledger."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import require_key, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import (
    Code,
    Id,
    IdempotencyKey,
    ObjectId,
    PageFilters,
    RequiredIdempotencyKey,
)
from dinghuo.inventory import queries, services
from dinghuo.inventory.models import StockMovement, Warehouse
from dinghuo.inventory.schemas import (
    MovementPageOut,
    Reference,
    SkuStockOut,
    StockPageOut,
    TransferIn,
    TransferOut,
    WarehouseIn,
    WarehouseOut,
    WarehousePageOut,
    WarehousePatch,
    movement_out,
    sku_stock_out,
    stock_level_out,
    warehouse_out,
)

router = Router(tags=["inventory"])


class WarehouseFilters(PageFilters):
    is_active: bool | None = None


class StockFilters(PageFilters):
    sku_id: Id | None = None
    sku: Code | None = Field(None, description="SKU code")
    warehouse: Code | None = Field(None, description="Warehouse code")


class MovementFilters(StockFilters):
    kind: StockMovement.Kind | None = None
    reference: Reference | None = None


# Warehouses


@router.get(
    "/warehouses",
    response=WarehousePageOut,
    summary="List warehouses",
    auth=staff_may("stock.view"),
)
def list_warehouses(request: HttpRequest, filters: Query[WarehouseFilters]) -> dict[str, Any]:
    warehouses = queries.warehouses(tenant_id(request), is_active=filters.is_active)
    return paged(warehouses, filters, warehouse_out)


@router.post(
    "/warehouses",
    response={201: WarehouseOut},
    summary="Create a warehouse",
    auth=staff_may("settings.change"),
)
def create_warehouse(
    request: HttpRequest, payload: WarehouseIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The code is unique in the tenant (409 `warehouse_code_taken`)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        warehouse = services.create_warehouse(
            tenant_id=tenant,
            code=payload.code,
            name=payload.name,
            priority=payload.priority,
            address=payload.address,
        )
        return 201, warehouse_out(warehouse)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/warehouses/{warehouse_id}",
    response=WarehouseOut,
    summary="Read a warehouse",
    auth=staff_may("stock.view"),
)
def get_warehouse(request: HttpRequest, warehouse_id: ObjectId) -> HttpResponse:
    return tagged(200, warehouse_out(queries.warehouse(tenant_id(request), warehouse_id)))


@router.patch(
    "/warehouses/{warehouse_id}",
    response=WarehouseOut,
    summary="Change a warehouse",
    auth=staff_may("settings.change"),
)
def update_warehouse(
    request: HttpRequest, warehouse_id: ObjectId, payload: WarehousePatch, if_match: IfMatch = None
) -> HttpResponse:
    """Fields left out stay as they are; an inactive warehouse takes no new reservations."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        warehouse = services.update_warehouse(
            tenant_id=tenant, warehouse_id=warehouse_id, **payload.model_dump(exclude_unset=True)
        )
        return warehouse_out(warehouse)

    return run_guarded(
        if_match,
        lock=lambda: Warehouse.objects.filter(tenant_id=tenant, pk=warehouse_id),
        read=lambda: warehouse_out(queries.warehouse(tenant, warehouse_id)),
        change=run,
    )


# Stock


@router.get(
    "/stock", response=StockPageOut, summary="List stock levels", auth=staff_may("stock.view")
)
def list_stock(request: HttpRequest, filters: Query[StockFilters]) -> dict[str, Any]:
    """One row per SKU and warehouse that has ever held stock; available = on hand − reserved."""
    levels = queries.stock_levels(
        tenant_id(request),
        sku_id=filters.sku_id,
        sku_code=filters.sku,
        warehouse_code=filters.warehouse,
    )
    return paged(levels, filters, stock_level_out)


@router.get(
    "/skus/{sku_id}/stock",
    response=SkuStockOut,
    summary="A SKU's stock",
    auth=staff_may("stock.view"),
)
def sku_stock(request: HttpRequest, sku_id: ObjectId) -> dict[str, Any]:
    """Per warehouse (highest priority first) and in total."""
    return sku_stock_out(*queries.sku_stock(tenant_id(request), sku_id))


@router.get(
    "/stock/movements",
    response=MovementPageOut,
    summary="Read the stock ledger",
    auth=staff_may("stock.view"),
)
def list_movements(request: HttpRequest, filters: Query[MovementFilters]) -> dict[str, Any]:
    """Oldest first. Per SKU and warehouse, the deltas sum to the level's on hand and reserved."""
    movements = queries.movements(
        tenant_id(request),
        sku_id=filters.sku_id,
        sku_code=filters.sku,
        warehouse_code=filters.warehouse,
        kind=filters.kind,
        reference=filters.reference,
    )
    return paged(movements, filters, movement_out)


@router.post(
    "/stock-transfers",
    response={201: TransferOut},
    summary="Move stock between warehouses",
    auth=staff_may("stock.adjust"),
)
def transfer_stock(
    request: HttpRequest, payload: TransferIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """Units of each line leave one warehouse and arrive in the other, all lines or none:
    two ledger movements a line (adjustments, reference `transfer`). 409
    `insufficient_stock` (naming `lines[i].quantity`) when fewer units are available (on hand
    less reserved) in the warehouse they leave; 422 for an unknown SKU or warehouse, the
    same warehouse twice or a SKU given twice. Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, "a retried transfer moves stock once")
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        moved = services.transfer_many(
            tenant_id=tenant,
            from_warehouse=payload.from_warehouse,
            to_warehouse=payload.to_warehouse,
            lines=[(line.sku_id, line.quantity) for line in payload.lines],
            reason=payload.reason,
        )
        ids = [level.pk for pair in moved for level in pair]
        found = queries.stock_levels(tenant).filter(pk__in=ids).order_by("sku_id", "warehouse_id")
        return 201, {
            "lines": len(payload.lines),
            "levels": [stock_level_out(level) for level in found],
        }

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)
