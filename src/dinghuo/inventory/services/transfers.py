"""Moving stock from one warehouse to another: one write, two ledger rows, one event.

A transfer is an on-hand adjustment out of one warehouse and into another, taken together so
that the tenant's total stock never changes and nobody sees the units in neither place (or in
both). The ledger has no "transfer" kind and adding one would need a migration, so both rows
are `adjustment`s whose reference is `transfer` and whose reason names both warehouses.
"""

from django.db import transaction

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import Conflict, DomainError, FieldError, ValidationFailed
from dinghuo.core.writes import refuse
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import levels
from dinghuo.inventory.services.levels import Change
from dinghuo.inventory.services.receipts import MAX_STOCK_QUANTITY

TRANSFER_REFERENCE = "transfer"
_REASON_MAX = 200  # StockMovement.reason's length


def _warehouses(
    tenant_id: int, from_code: str, to_code: str, errors: list[FieldError]
) -> tuple[Warehouse | None, Warehouse | None]:
    found = {
        w.code: w
        for w in Warehouse.objects.filter(tenant_id=tenant_id, code__in={from_code, to_code})
    }
    source, target = found.get(from_code), found.get(to_code)
    if source is None:
        errors.append(
            FieldError("from_warehouse", "unknown_warehouse", f"No warehouse {from_code}")
        )
    if target is None:
        errors.append(FieldError("to_warehouse", "unknown_warehouse", f"No warehouse {to_code}"))
    return source, target


def ledger_reason(from_code: str, to_code: str, reason: str) -> str:
    """What both ledger rows of a transfer say: where the units went, and why."""
    text = f"Transfer {from_code} → {to_code}"
    if reason.strip():
        text = f"{text}: {reason.strip()}"
    return text[:_REASON_MAX]


def _refuse_short(sku: Sku, source: Warehouse, out: StockLevel, quantity: int) -> None:
    """409 `insufficient_stock` when fewer units are available in the source warehouse."""
    if out.available >= quantity:
        return
    available = max(out.available, 0)
    message = f"{sku.code}: {available} available in {source.code}, {quantity} to move"
    raise Conflict(
        message,
        code="insufficient_stock",
        errors=[
            FieldError(
                "quantity",
                "insufficient_stock",
                message,
                {"available": available, "wanted": quantity},
            )
        ],
    )


def _checked(
    tenant_id: int, sku_id: int, from_warehouse: str, to_warehouse: str, quantity: int
) -> tuple[Warehouse, Warehouse, Sku]:
    """Source, target and SKU of a valid transfer; every problem refused at once (422)."""
    errors: list[FieldError] = []
    if not 0 < quantity <= MAX_STOCK_QUANTITY:
        errors.append(FieldError("quantity", "quantity_not_positive", "Transfer at least one unit"))
    if from_warehouse == to_warehouse:
        errors.append(
            FieldError("to_warehouse", "same_warehouse", "Choose another warehouse to move to")
        )
    source, target = _warehouses(tenant_id, from_warehouse, to_warehouse, errors)
    sku = Sku.objects.filter(tenant_id=tenant_id, pk=sku_id).only("id", "code").first()
    if sku is None:
        errors.append(FieldError("sku_id", "unknown_sku", f"No SKU {sku_id}"))
    refuse(errors, "The transfer is not valid; see errors.")
    assert source is not None and target is not None and sku is not None
    return source, target, sku


@transaction.atomic
def transfer_stock(
    *,
    tenant_id: int,
    sku_id: int,
    from_warehouse: str,
    to_warehouse: str,
    quantity: int,
    reason: str = "",
) -> tuple[StockLevel, StockLevel]:
    """Move `quantity` units of the SKU from one warehouse (by code) to another; answers the
    two levels after the move (from, to).

    Refused (422, nothing changed) for an unknown SKU or warehouse, the same warehouse twice,
    or a quantity not between 1 and the largest a level holds; refused with 409
    `insufficient_stock` (on `quantity`) when fewer units are available — on hand and not
    reserved for orders — in the source warehouse. Both levels are locked in (sku,
    warehouse) order, as every stock writer locks them, so transfers cannot deadlock with
    orders or with each other."""
    source, target, sku = _checked(tenant_id, sku_id, from_warehouse, to_warehouse, quantity)
    # The receiving warehouse may have no level for the SKU yet.
    StockLevel.objects.bulk_create(
        [StockLevel(tenant_id=tenant_id, warehouse=w, sku=sku) for w in (source, target)],
        ignore_conflicts=True,
    )
    locked = levels.lock_levels(tenant_id, [sku.id], [source.id, target.id])
    out, into = locked[(sku.id, source.id)], locked[(sku.id, target.id)]
    _refuse_short(sku, source, out, quantity)
    if into.on_hand + quantity > MAX_STOCK_QUANTITY:
        raise ValidationFailed(
            "That would exceed the largest stock a level can hold.",
            errors=[FieldError("quantity", "quantity_too_large", "Too many units")],
        )
    kind = StockMovement.Kind.ADJUSTMENT
    levels.write_changes(
        tenant_id,
        locked,
        [
            Change(source.id, sku.id, kind, on_hand_delta=-quantity),
            Change(target.id, sku.id, kind, on_hand_delta=quantity),
        ],
        reason=ledger_reason(source.code, target.code, reason),
        reference=TRANSFER_REFERENCE,
        sku_codes={sku.id: sku.code},
        warehouse_codes={source.id: source.code, target.id: target.code},
    )
    return out, into


@transaction.atomic
def transfer_many(
    *,
    tenant_id: int,
    from_warehouse: str,
    to_warehouse: str,
    lines: list[tuple[int, int]],
    reason: str = "",
) -> list[tuple[StockLevel, StockLevel]]:
    """Move several SKUs (`lines`: SKU id, units) from one warehouse to another, all or none,
    each line as `transfer_stock` moves it; a refusal names its line (`lines[2].quantity`).
    Lines are moved in SKU order, so the levels are locked in (sku, warehouse) order; a SKU
    named twice is refused (422 `duplicate_sku`)."""
    errors = []
    if not lines:
        errors.append(FieldError("lines", "no_lines", "Send at least one line"))
    seen: set[int] = set()
    for i, (sku_id, _) in enumerate(lines):
        if sku_id in seen:
            errors.append(FieldError(f"lines[{i}].sku_id", "duplicate_sku", "SKU given twice"))
        seen.add(sku_id)
    refuse(errors, "The transfer is not valid; see errors.")
    moved = []
    for i, (sku_id, quantity) in sorted(enumerate(lines), key=lambda item: item[1][0]):
        try:
            moved.append(
                transfer_stock(
                    tenant_id=tenant_id,
                    sku_id=sku_id,
                    from_warehouse=from_warehouse,
                    to_warehouse=to_warehouse,
                    quantity=quantity,
                    reason=reason,
                )
            )
        except DomainError as refused:
            raise _at_line(refused, i) from refused
    return moved


def _at_line(refused: DomainError, index: int) -> DomainError:
    """The refusal of one line, its problems named at that line (`lines[2].quantity`);
    the warehouses' problems stay where they are."""
    problems = [
        FieldError(
            p.field if p.field.endswith("warehouse") else f"lines[{index}].{p.field}",
            p.code,
            p.message,
            p.extra,
        )
        for p in refused.errors
    ]
    return type(refused)(refused.detail, code=refused.code, errors=problems, status=refused.status)
