"""Request and response bodies of warehouses, stock levels and the stock ledger."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import NOT_BLANK, Code, Id, InSchema, PatchIn, Quantity, Units
from dinghuo.catalog.models import Sku
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import MAX_STOCK_LINES, MAX_STOCK_QUANTITY, MAX_WAREHOUSE_PRIORITY

WarehouseCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"),
    Field(description="Letters, digits, hyphens, underscores"),
]
WarehouseName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
WarehouseAddress = Annotated[
    str,
    StringConstraints(max_length=500, strip_whitespace=True),
    Field(description="Where it is, as people write it; empty = not given"),
]
Priority = Annotated[
    int, Field(ge=0, le=MAX_WAREHOUSE_PRIORITY, description="Orders reserve from lower first")
]
Reason = Annotated[str, StringConstraints(max_length=200)]
Reference = Annotated[
    str, StringConstraints(max_length=64), Field(description="Your document number, e.g. a GRN")
]


class WarehouseIn(InSchema):
    code: WarehouseCode
    name: WarehouseName
    priority: Priority = 100
    address: WarehouseAddress = ""


class WarehousePatch(PatchIn):
    code: WarehouseCode | None = None
    name: WarehouseName | None = None
    priority: Priority | None = None
    is_active: bool | None = None
    address: WarehouseAddress | None = None


class ReceiptIn(InSchema):
    warehouse: Code = Field(description="Warehouse code")
    sku_id: Id
    quantity: Units = Field(description="Units received: positive")
    reason: Reason = ""
    reference: Reference = ""


class AdjustmentIn(InSchema):
    warehouse: Code = Field(description="Warehouse code")
    sku_id: Id
    delta: Quantity = Field(description="Units to add (positive) or remove (negative)")
    reason: Reason = Field(description="Why: count, damage, loss, …")
    reference: Reference = ""


class ReceiptLineIn(InSchema):
    sku: Code = Field(description="SKU code")
    warehouse: Code = Field(description="Warehouse code")
    quantity: Annotated[int, Field(ge=1, le=MAX_STOCK_QUANTITY, description="Units received")]
    reason: Reason = ""
    reference: Reference = ""


class AdjustmentLineIn(InSchema):
    sku: Code = Field(description="SKU code")
    warehouse: Code = Field(description="Warehouse code")
    delta: Quantity = Field(description="Units to add (positive) or remove (negative); not 0")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Why: count, damage, loss, …"
    )
    reference: Reference = ""


class BulkReceiptIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    lines: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=MAX_STOCK_LINES)]


class BulkAdjustmentIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    lines: Annotated[list[AdjustmentLineIn], Field(min_length=1, max_length=MAX_STOCK_LINES)]


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    priority: int
    is_active: bool
    address: str


class WarehousePageOut(Schema):
    items: list[WarehouseOut]
    next_cursor: str | None


class StockLevelOut(Schema):
    id: int
    sku_id: int
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    available: int


class TransferLineIn(InSchema):
    sku_id: Id
    quantity: Annotated[int, Field(ge=1, le=MAX_STOCK_QUANTITY, description="Units to move")]


class TransferIn(InSchema):
    from_warehouse: Code = Field(description="Warehouse code the units leave")
    to_warehouse: Code = Field(description="Warehouse code the units arrive in")
    lines: list[TransferLineIn] = Field(min_length=1, max_length=MAX_STOCK_LINES)
    reason: Reason = ""


class TransferOut(Schema):
    lines: int = Field(description="Lines moved: two ledger movements each")
    levels: list[StockLevelOut] = Field(description="The levels changed, by SKU and warehouse")


class BulkStockOut(Schema):
    lines: int = Field(description="Lines written: one ledger movement each")
    levels: list[StockLevelOut] = Field(description="The levels changed, by SKU and warehouse")


class StockPageOut(Schema):
    items: list[StockLevelOut]
    next_cursor: str | None


class WarehouseStockOut(Schema):
    warehouse: str
    warehouse_is_active: bool
    on_hand: int
    reserved: int
    available: int


class SkuStockOut(Schema):
    sku_id: int
    sku: str
    on_hand: int
    reserved: int
    available: int
    warehouses: list[WarehouseStockOut]


class MovementOut(Schema):
    id: int
    sku_id: int
    sku: str
    warehouse: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    reason: str
    reference: str
    created_at: datetime


class MovementPageOut(Schema):
    items: list[MovementOut]
    next_cursor: str | None


def warehouse_out(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.pk,
        "code": warehouse.code,
        "name": warehouse.name,
        "priority": warehouse.priority,
        "is_active": warehouse.is_active,
        "address": warehouse.address,
    }


def stock_level_out(level: StockLevel) -> dict[str, Any]:
    """One level as a row (SKU and warehouse must be loaded)."""
    return {
        "id": level.pk,
        "sku_id": level.sku_id,
        "sku": level.sku.code,
        "warehouse": level.warehouse.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
    }


def sku_stock_out(sku: Sku, levels: list[StockLevel]) -> dict[str, Any]:
    """A SKU's stock per warehouse and in total (warehouses must be loaded)."""
    on_hand = sum(level.on_hand for level in levels)
    reserved = sum(level.reserved for level in levels)
    return {
        "sku_id": sku.pk,
        "sku": sku.code,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "warehouses": [
            {
                "warehouse": level.warehouse.code,
                "warehouse_is_active": level.warehouse.is_active,
                "on_hand": level.on_hand,
                "reserved": level.reserved,
                "available": level.available,
            }
            for level in levels
        ],
    }


def movement_out(movement: StockMovement) -> dict[str, Any]:
    """One ledger row (SKU and warehouse must be loaded)."""
    return {
        "id": movement.pk,
        "sku_id": movement.sku_id,
        "sku": movement.sku.code,
        "warehouse": movement.warehouse.code,
        "kind": movement.kind,
        "on_hand_delta": movement.on_hand_delta,
        "reserved_delta": movement.reserved_delta,
        "reason": movement.reason,
        "reference": movement.reference,
        "created_at": movement.created_at.isoformat(),
    }
