"""Stock writes: receive, adjust, reserve, release, issue. Each one writes ledger rows.

Locks: every writer locks stock levels with `lock_levels` or `lock_available_levels`, ordered
by (sku, warehouse), so two writers can never wait on each other in a cycle (no deadlocks).
Values are set while the rows are locked; the database's check constraints
(0 ≤ reserved ≤ on_hand) are the last guard.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.writes import locked_tenant_row, refuse
from dinghuo.integrations import events
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement, Warehouse

MAX_STOCK_QUANTITY = 1_000_000_000


@dataclass(frozen=True)
class Change:
    """A delta to one stock level, with the ledger text that explains it."""

    warehouse_id: int
    sku_id: int
    kind: str
    on_hand_delta: int = 0
    reserved_delta: int = 0


def active_warehouses(tenant_id: int) -> list[Warehouse]:
    """The tenant's active warehouses, highest priority (lowest number) first."""
    return list(
        Warehouse.objects.filter(tenant_id=tenant_id, is_active=True).order_by("priority", "id")
    )


@dataclass
class LockedLevels:
    """Stock rows held for this transaction, by (sku, warehouse), with their warehouses' codes
    and the order in which to draw on them."""

    levels: dict[tuple[int, int], StockLevel]
    warehouse_codes: dict[int, str]
    rank: dict[int, tuple[int, int]]


_LOCKED_LEVEL_COLUMNS = (
    "id", "sku_id", "warehouse_id", "on_hand", "reserved", "warehouse__code", "warehouse__priority",
)  # fmt: skip


def lock_available_levels(tenant_id: int, sku_ids: Iterable[int]) -> LockedLevels:
    """Lock these SKUs' stock rows in every active warehouse, in (sku, warehouse) order (the
    warehouses are read, not locked)."""
    rows = (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(tenant_id=tenant_id, sku_id__in=set(sku_ids), warehouse__is_active=True)
        .order_by("sku_id", "warehouse_id")
        .values_list(*_LOCKED_LEVEL_COLUMNS)
    )
    locked = LockedLevels({}, {}, {})
    # Plain rows become light model objects: building them from the ORM costs more.
    for level_id, sku_id, warehouse_id, on_hand, reserved, code, priority in rows:
        locked.levels[(sku_id, warehouse_id)] = StockLevel(
            id=level_id,
            tenant_id=tenant_id,
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            on_hand=on_hand,
            reserved=reserved,
        )
        locked.warehouse_codes[warehouse_id] = code
        locked.rank[warehouse_id] = (priority, warehouse_id)
    return locked


def lock_levels(
    tenant_id: int, sku_ids: Iterable[int], warehouse_ids: Iterable[int]
) -> dict[tuple[int, int], StockLevel]:
    """Lock the stock rows of these SKUs in these warehouses, in (sku, warehouse) order."""
    levels = (
        StockLevel.objects.select_for_update()
        .filter(tenant_id=tenant_id, sku_id__in=set(sku_ids), warehouse_id__in=set(warehouse_ids))
        .order_by("sku_id", "warehouse_id")
    )
    return {(level.sku_id, level.warehouse_id): level for level in levels}


def apply_changes(
    tenant_id: int,
    levels: dict[tuple[int, int], StockLevel],
    changes: list[Change],
    *,
    reason: str,
    reference: str,
) -> list[StockLevel]:
    """Apply deltas to locked levels, write their ledger rows; return the levels changed."""
    now = clock.now()
    touched: dict[tuple[int, int], StockLevel] = {}
    for change in changes:
        level = levels[(change.sku_id, change.warehouse_id)]
        level.on_hand += change.on_hand_delta
        level.reserved += change.reserved_delta
        touched[(change.sku_id, change.warehouse_id)] = level
    changed = list(touched.values())
    _save_levels(changed)
    insert_rows(
        StockMovement,
        [
            "tenant_id",
            "warehouse_id",
            "sku_id",
            "kind",
            "on_hand_delta",
            "reserved_delta",
            "reason",
            "reference",
            "created_at",
        ],
        [
            (
                tenant_id,
                c.warehouse_id,
                c.sku_id,
                c.kind,
                c.on_hand_delta,
                c.reserved_delta,
                reason,
                reference,
                now,
            )
            for c in changes
        ],
    )
    return changed


def _save_levels(levels: list[StockLevel]) -> None:
    """Write the new figures of locked levels in one statement.

    Django's `bulk_update` builds a CASE expression per field, which cost more CPU than
    everything else in placing an order. `column1…` are the names both PostgreSQL and SQLite
    give to the columns of a VALUES list.
    """
    if not levels:
        return
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    rows = ", ".join(["(%s, %s, %s)"] * len(levels))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET on_hand = v.column2, reserved = v.column3 "  # noqa: S608
            f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",
            [value for lv in levels for value in (lv.pk, lv.on_hand, lv.reserved)],
        )


def level_payload(
    levels: list[StockLevel], sku_codes: dict[int, str], warehouse_codes: dict[int, str]
) -> list[dict[str, object]]:
    """How changed levels appear in `stock.changed` events."""
    return [
        {
            "sku": sku_codes[level.sku_id],
            "warehouse": warehouse_codes[level.warehouse_id],
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.available,
        }
        for level in levels
    ]


def stock_event(
    tenant_id: int,
    levels: list[StockLevel],
    sku_codes: dict[int, str],
    warehouse_codes: dict[int, str],
    reference: str,
) -> events.Event:
    """An unsaved `stock.changed` event for the caller to record with its own events."""
    return events.new(
        tenant_id,
        "stock.changed",
        "stock",
        levels[0].sku_id if levels else 0,
        {
            "reference": reference,
            "levels": level_payload(levels, sku_codes, warehouse_codes),
        },
    )


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
    levels = {(sku.id, warehouse.id): level}
    apply_changes(tenant_id, levels, [change], reason=reason, reference=reference)
    event = stock_event(
        tenant_id, [level], {sku.id: sku.code}, {warehouse.id: warehouse.code}, reference
    )
    events.record(event)
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


def open_reservations(tenant_id: int, order_line_ids: Iterable[int]) -> list[Reservation]:
    """Reservations still holding stock for these lines, in warehouse priority order."""
    return list(
        Reservation.objects.filter(
            tenant_id=tenant_id, order_line_id__in=list(order_line_ids), quantity__gt=0
        )
        .select_related("warehouse")
        .order_by("warehouse__priority", "warehouse_id", "id")
    )


MAX_WAREHOUSE_PRIORITY = 32_767  # the column is a PositiveSmallIntegerField


def _warehouse_input_errors(code: str | None, priority: int | None) -> list[FieldError]:
    errors = []
    if code is not None and not (
        0 < len(code) <= 32 and all(c.isascii() and (c.isalnum() or c in "-_") for c in code)
    ):
        errors.append(
            FieldError("code", "invalid_code", "1–32 letters, digits, hyphens or underscores")
        )
    if priority is not None and not 0 <= priority <= MAX_WAREHOUSE_PRIORITY:
        errors.append(
            FieldError("priority", "invalid_priority", f"From 0 to {MAX_WAREHOUSE_PRIORITY}")
        )
    return errors


def _code_taken(code: str) -> Conflict:
    message = f"Another warehouse has code {code}"
    return Conflict(
        message,
        code="warehouse_code_taken",
        errors=[FieldError("code", "warehouse_code_taken", message)],
    )


def _save_unique_code(warehouse: Warehouse, update_fields: list[str] | None = None) -> None:
    """Save a warehouse whose code was checked; a concurrent request that took it first wins."""
    others = Warehouse.objects.filter(tenant_id=warehouse.tenant_id, code=warehouse.code)
    if others.exclude(pk=warehouse.pk).exists():
        raise _code_taken(warehouse.code)
    try:
        with transaction.atomic():
            warehouse.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise _code_taken(warehouse.code) from exc


def _warehouse_payload(warehouse: Warehouse) -> dict[str, object]:
    return {
        "warehouse": warehouse.code,
        "name": warehouse.name,
        "priority": warehouse.priority,
        "is_active": warehouse.is_active,
    }


@transaction.atomic
def create_warehouse(*, tenant_id: int, code: str, name: str, priority: int = 100) -> Warehouse:
    """A new warehouse; orders reserve from lower `priority` numbers first."""
    refuse(_warehouse_input_errors(code, priority), "The warehouse is not valid.")
    warehouse = Warehouse(tenant_id=tenant_id, code=code, name=name, priority=priority)
    _save_unique_code(warehouse)
    events.record(
        events.new(
            tenant_id, "warehouse.created", "warehouse", warehouse.pk, _warehouse_payload(warehouse)
        )
    )
    return warehouse


@transaction.atomic
def update_warehouse(
    *,
    tenant_id: int,
    warehouse_id: int,
    code: str | None = None,
    name: str | None = None,
    priority: int | None = None,
    is_active: bool | None = None,
) -> Warehouse:
    """Change what is given (None leaves a field as it is).

    An inactive warehouse takes no new reservations; what it already holds for orders still
    ships from it, and its stock can still be received and adjusted.
    """
    warehouse = locked_tenant_row(
        Warehouse.objects.all(), tenant_id, warehouse_id, f"No warehouse {warehouse_id}."
    )
    refuse(_warehouse_input_errors(code, priority), "The warehouse is not valid.")
    wanted = {"code": code, "name": name, "priority": priority, "is_active": is_active}
    changed = [f for f, v in wanted.items() if v is not None and v != getattr(warehouse, f)]
    if changed:
        for field in changed:
            setattr(warehouse, field, wanted[field])
        _save_unique_code(warehouse, changed)
        payload = {**_warehouse_payload(warehouse), "changed": changed}
        events.record(
            events.new(tenant_id, "warehouse.updated", "warehouse", warehouse.pk, payload)
        )
    return warehouse
