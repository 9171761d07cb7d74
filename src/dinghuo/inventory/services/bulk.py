"""Many receipts or adjustments in one transaction, as an ERP sends a goods-received note or
a stock count: all lines or none, one ledger row per line, one `stock.changed` event.

Locks: the levels of every line are locked at once in (sku, warehouse) order, as every stock
writer locks them (`levels`), so two bulk requests, or a bulk request and an order, never
wait on each other in a cycle. Levels missing are created first, in the same order.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.queries import seller_for
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import levels
from dinghuo.inventory.services.levels import Change
from dinghuo.inventory.services.receipts import MAX_STOCK_QUANTITY

MAX_STOCK_LINES = 1_000


@dataclass(frozen=True)
class StockLine:
    """One line of a bulk receipt or adjustment: a SKU (by code) in a warehouse (by code),
    the units received or the adjustment's delta, why and your document's number."""

    sku: str
    warehouse: str
    quantity: int
    reason: str = ""
    reference: str = ""


@dataclass(frozen=True)
class _Targets:
    skus: dict[str, Sku]
    warehouses: dict[str, Warehouse]


@transaction.atomic
def receive_many(
    *, tenant_id: int, lines: Sequence[StockLine], seller_slug: str | None = None
) -> list[StockLevel]:
    """Goods arrived, many lines at once: on hand rises by each line's quantity (> 0).
    Answers the levels changed, in (sku, warehouse) order."""
    problems = [
        FieldError(f"lines[{i}].quantity", "quantity_not_positive", "Receive at least one unit")
        for i, line in enumerate(lines)
        if line.quantity <= 0
    ]
    return _move_many(tenant_id, lines, seller_slug, StockMovement.Kind.RECEIPT, problems)


@transaction.atomic
def adjust_many(
    *, tenant_id: int, lines: Sequence[StockLine], seller_slug: str | None = None
) -> list[StockLevel]:
    """Correct on hand by each line's delta (≠ 0, with a reason), all at once; no level may
    fall below what orders reserved (409 `below_reserved`, naming the line)."""
    problems = []
    for i, line in enumerate(lines):
        if line.quantity == 0:
            problems.append(
                FieldError(f"lines[{i}].delta", "invalid_delta", "Adjust by a non-zero number")
            )
        if not line.reason.strip():
            problems.append(
                FieldError(f"lines[{i}].reason", "reason_required", "Say why stock is adjusted")
            )
    return _move_many(tenant_id, lines, seller_slug, StockMovement.Kind.ADJUSTMENT, problems)


def _move_many(
    tenant_id: int,
    lines: Sequence[StockLine],
    seller_slug: str | None,
    kind: str,
    problems: list[FieldError],
) -> list[StockLevel]:
    """Check every line, lock the levels, check them, then write every line."""
    if not lines:
        problems.append(FieldError("lines", "no_lines", "Send at least one line"))
    elif len(lines) > MAX_STOCK_LINES:
        problems.append(
            FieldError(
                "lines",
                "too_many_lines",
                f"At most {MAX_STOCK_LINES} lines per request",
                {"limit": MAX_STOCK_LINES},
            )
        )
    targets = _targets(tenant_id, lines, seller_slug, problems)
    if problems:
        raise ValidationFailed("Some lines are not valid; see errors.", errors=problems)
    changes = [
        Change(
            targets.warehouses[line.warehouse].pk,
            targets.skus[line.sku].pk,
            kind,
            on_hand_delta=line.quantity,
            reason=line.reason or kind,
            reference=line.reference,
        )
        for line in lines
    ]
    locked = _locked_levels(tenant_id, changes)
    _check_levels(locked, changes, field="quantity" if kind == "receipt" else "delta")
    references = {line.reference for line in lines}
    return levels.write_changes(
        tenant_id,
        locked,
        changes,
        reason=kind,
        reference=references.pop() if len(references) == 1 else "",
        sku_codes={sku.pk: sku.code for sku in targets.skus.values()},
        warehouse_codes={w.pk: w.code for w in targets.warehouses.values()},
    )


def _targets(
    tenant_id: int, lines: Sequence[StockLine], seller_slug: str | None, problems: list[FieldError]
) -> _Targets:
    """The SKUs (of the seller) and warehouses the lines name (2 queries); each unknown one
    reported at its line."""
    seller = seller_for(tenant_id, seller_slug)
    skus = {
        sku.code: sku
        for sku in Sku.objects.filter(seller=seller, code__in={line.sku for line in lines})
    }
    warehouses = {
        w.code: w
        for w in Warehouse.objects.filter(
            tenant_id=tenant_id, code__in={line.warehouse for line in lines}
        )
    }
    for i, line in enumerate(lines):
        if line.sku not in skus:
            problems.append(FieldError(f"lines[{i}].sku", "unknown_sku", f"No SKU {line.sku}"))
        if line.warehouse not in warehouses:
            problems.append(
                FieldError(
                    f"lines[{i}].warehouse", "unknown_warehouse", f"No warehouse {line.warehouse}"
                )
            )
    return _Targets(skus, warehouses)


def _locked_levels(tenant_id: int, changes: list[Change]) -> dict[tuple[int, int], StockLevel]:
    """The levels the changes touch, created where missing and locked in (sku, warehouse)
    order."""
    pairs = sorted({(c.sku_id, c.warehouse_id) for c in changes})
    StockLevel.objects.bulk_create(
        [StockLevel(tenant_id=tenant_id, sku_id=s, warehouse_id=w) for s, w in pairs],
        ignore_conflicts=True,
    )
    locked = levels.lock_levels(tenant_id, {s for s, _ in pairs}, {w for _, w in pairs})
    return {pair: locked[pair] for pair in pairs}


def _check_levels(
    locked: dict[tuple[int, int], StockLevel], changes: list[Change], *, field: str
) -> None:
    """Every level's on hand after all its lines stays between what orders reserved and the
    largest stock a level can hold; a problem is reported at the level's last line."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    last: dict[tuple[int, int], int] = {}
    for i, change in enumerate(changes):
        pair = (change.sku_id, change.warehouse_id)
        total[pair] += change.on_hand_delta
        last[pair] = i
    too_large, below = [], []
    for pair, delta in total.items():
        level, where = locked[pair], f"lines[{last[pair]}].{field}"
        if level.on_hand + delta > MAX_STOCK_QUANTITY:
            too_large.append(
                FieldError(where, "quantity_too_large", f"At most {MAX_STOCK_QUANTITY} units")
            )
        elif level.on_hand + delta < level.reserved:
            below.append(
                FieldError(
                    where,
                    "below_reserved",
                    f"On hand would fall to {level.on_hand + delta}, below the "
                    f"{level.reserved} units reserved for orders",
                )
            )
    if too_large:
        raise ValidationFailed("Some levels would hold too much; see errors.", errors=too_large)
    if below:
        raise Conflict(
            "Some levels would fall below what orders reserved; see errors.",
            code="below_reserved",
            errors=below,
        )
