"""What every stock writer shares: locking levels in one fixed order, applying deltas with
their ledger rows, and the `stock.changed` event that reports the levels changed.

Locks: every writer locks stock levels with `lock_levels` or `lock_available_levels`, ordered
by (sku, warehouse), so two writers can never wait on each other in a cycle (no deadlocks).
Values are set while the rows are locked; the database's check constraints
(0 ≤ reserved ≤ on_hand) are the last guard.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection

from dinghuo.core import clock
from dinghuo.core.db import insert_rows
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel, StockMovement


@dataclass(frozen=True)
class Change:
    """A delta to one stock level, with the ledger text that explains it (`reason` and
    `reference` of its own, or the write's when None)."""

    warehouse_id: int
    sku_id: int
    kind: str
    on_hand_delta: int = 0
    reserved_delta: int = 0
    reason: str | None = None
    reference: str | None = None


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


_MOVEMENT_FIELDS = [
    "tenant_id", "warehouse_id", "sku_id", "kind", "on_hand_delta", "reserved_delta", "reason",
    "reference", "created_at",
]  # fmt: skip


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
        _MOVEMENT_FIELDS,
        [
            (
                tenant_id,
                c.warehouse_id,
                c.sku_id,
                c.kind,
                c.on_hand_delta,
                c.reserved_delta,
                reason if c.reason is None else c.reason,
                reference if c.reference is None else c.reference,
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
    levels: list[StockLevel], sku_codes: Mapping[int, str], warehouse_codes: Mapping[int, str]
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
    sku_codes: Mapping[int, str],
    warehouse_codes: Mapping[int, str],
    reference: str,
) -> Event:
    """An unsaved `stock.changed` event of these levels (`write_changes` records it)."""
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


def write_changes(
    tenant_id: int,
    levels: dict[tuple[int, int], StockLevel],
    changes: list[Change],
    *,
    reason: str,
    reference: str,
    sku_codes: Mapping[int, str],
    warehouse_codes: Mapping[int, str],
) -> list[StockLevel]:
    """Apply deltas to locked levels with their ledger rows and record the `stock.changed`
    event of the levels changed (one statement each; none when nothing changes)."""
    changed = apply_changes(tenant_id, levels, changes, reason=reason, reference=reference)
    if changed:
        events.record(stock_event(tenant_id, changed, sku_codes, warehouse_codes, reference))
    return changed
