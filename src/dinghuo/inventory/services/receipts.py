"""Goods received and stock corrected: on hand rises with a receipt and moves either way with
an adjustment (count, damage, loss), each with its ledger row and `stock.changed` event."""

from django.db import transaction

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import levels
from dinghuo.inventory.services.levels import Change

MAX_STOCK_QUANTITY = 1_000_000_000


def _stock_target(
    tenant_id: int, warehouse_code: str, sku_id: int, errors: list[FieldError]
) -> tuple[Warehouse, Sku]:
    """The warehouse and SKU a receipt or adjustment names; every problem reported at once."""
    warehouse = Warehouse.objects.filter(tenant_id=tenant_id, code=warehouse_code).first()
    if warehouse is None:
        errors.append(
            FieldError("warehouse", "unknown_warehouse", f"No warehouse {warehouse_code}")
        )
    sku = Sku.objects.filter(tenant_id=tenant_id, pk=sku_id).first()
    if sku is None:
        errors.append(FieldError("sku_id", "unknown_sku", f"No SKU {sku_id}"))
    if errors or warehouse is None or sku is None:
        raise ValidationFailed("The stock change is not valid; see errors.", errors=errors)
    return warehouse, sku


def _locked_level(tenant_id: int, warehouse: Warehouse, sku: Sku) -> StockLevel:
    StockLevel.objects.bulk_create(
        [StockLevel(tenant_id=tenant_id, warehouse=warehouse, sku=sku)], ignore_conflicts=True
    )
    return StockLevel.objects.select_for_update().get(warehouse=warehouse, sku=sku)


def _move_on_hand(
    tenant_id: int,
    warehouse: Warehouse,
    sku: Sku,
    level: StockLevel,
    change: Change,
    *,
    field: str,
    reason: str,
    reference: str,
) -> StockLevel:
    """Apply an on-hand change to a locked level, with its ledger row and event."""
    if level.on_hand + change.on_hand_delta > MAX_STOCK_QUANTITY:
        raise ValidationFailed(
            "That would exceed the largest stock a level can hold.",
            errors=[FieldError(field, "quantity_too_large", f"At most {MAX_STOCK_QUANTITY} units")],
        )
    levels.write_changes(
        tenant_id,
        {(sku.id, warehouse.id): level},
        [change],
        reason=reason,
        reference=reference,
        sku_codes={sku.id: sku.code},
        warehouse_codes={warehouse.id: warehouse.code},
    )
    return level


@transaction.atomic
def receive_stock(
    *,
    tenant_id: int,
    warehouse_code: str,
    sku_id: int,
    quantity: int,
    reason: str,
    reference: str = "",
) -> StockLevel:
    """Goods arrived: on hand rises by `quantity`."""
    errors = []
    if not 0 < quantity <= MAX_STOCK_QUANTITY:
        errors.append(FieldError("quantity", "quantity_not_positive", "Receive at least one unit"))
    warehouse, sku = _stock_target(tenant_id, warehouse_code, sku_id, errors)
    level = _locked_level(tenant_id, warehouse, sku)
    change = Change(warehouse.id, sku.id, StockMovement.Kind.RECEIPT, on_hand_delta=quantity)
    return _move_on_hand(
        tenant_id,
        warehouse,
        sku,
        level,
        change,
        field="quantity",
        reason=reason or "receipt",
        reference=reference,
    )


@transaction.atomic
def adjust_stock(
    *,
    tenant_id: int,
    warehouse_code: str,
    sku_id: int,
    delta: int,
    reason: str,
    reference: str = "",
) -> StockLevel:
    """Correct on hand by `delta` (count, damage, loss); a reason is required."""
    errors = []
    if delta == 0 or abs(delta) > MAX_STOCK_QUANTITY:
        errors.append(FieldError("delta", "invalid_delta", "Adjust by a non-zero number of units"))
    if not reason.strip():
        errors.append(FieldError("reason", "reason_required", "Say why stock is adjusted"))
    warehouse, sku = _stock_target(tenant_id, warehouse_code, sku_id, errors)
    level = _locked_level(tenant_id, warehouse, sku)
    if level.on_hand + delta < level.reserved:
        raise Conflict(
            f"On hand would fall to {level.on_hand + delta}, below the {level.reserved} units "
            "reserved for orders.",
            code="below_reserved",
        )
    change = Change(warehouse.id, sku.id, StockMovement.Kind.ADJUSTMENT, on_hand_delta=delta)
    return _move_on_hand(
        tenant_id, warehouse, sku, level, change, field="delta", reason=reason, reference=reference
    )
