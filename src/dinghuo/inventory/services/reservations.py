"""Stock held for orders: allocating an order's lines over the warehouses, holding what was
allocated, and letting it go again when the order is cancelled.

These run in the caller's transaction (placing, cancelling an order), after the caller has
locked what comes before stock in the lock order (the order row, the credit line).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection

from dinghuo.core.db import insert_rows, placeholders, update_instances
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory.models import Reservation, StockMovement, Warehouse
from dinghuo.inventory.services import levels
from dinghuo.inventory.services.levels import Change, LockedLevels

_RESERVATION_FIELDS = ["tenant_id", "order_line_id", "warehouse_id", "sku_id", "quantity"]


@dataclass(frozen=True)
class Allocated:
    """An order's lines planned over stock rows locked for it; nothing written yet."""

    tenant_id: int
    locked: LockedLevels
    plan: allocation.Plan


def allocate(
    tenant_id: int, wants: list[allocation.Want], *, also_lock: Iterable[int] = ()
) -> Allocated:
    """Lock the wanted SKUs' stock rows in every active warehouse (`lock_available_levels`, in
    (sku, warehouse) order) and plan where each line's units come from, warehouses by
    priority (`allocation.allocate`). Writes nothing: `plan.shortages` names the lines that
    cannot be met, for the caller to refuse; `reserve` then holds the rest.

    `also_lock`: SKUs whose levels the caller changes next in the same transaction (units it
    releases, `change_reservations`); their rows are locked in the same ordered statement, since
    locking them afterwards could wait, in a cycle, on a writer holding them first."""
    locked = levels.lock_available_levels(
        tenant_id, {want.sku_id for want in wants} | set(also_lock)
    )
    plan = allocation.allocate(
        wants,
        sorted(
            (
                allocation.Level(lv.warehouse_id, lv.sku_id, lv.available)
                for lv in locked.levels.values()
            ),
            key=lambda level: locked.rank[level.warehouse_id],
        ),
    )
    return Allocated(tenant_id, locked, plan)


def reserve(
    allocated: Allocated,
    *,
    order_line_ids: Sequence[int],
    sku_codes: Mapping[int, str],
    reference: str,
    reason: str = "order placed",
) -> None:
    """Hold the allocated units for the order's lines (`order_line_ids[i]` is the line of
    want `i`): reservation rows, the levels' reserved units, their ledger rows and the
    `stock.changed` event; one statement each, whatever the number of lines."""
    tenant_id, allocations = allocated.tenant_id, allocated.plan.allocations
    insert_rows(
        Reservation,
        _RESERVATION_FIELDS,
        [
            (tenant_id, order_line_ids[a.index], a.warehouse_id, a.sku_id, a.quantity)
            for a in allocations
        ],
    )
    levels.write_changes(
        tenant_id,
        allocated.locked.levels,
        [
            Change(
                a.warehouse_id, a.sku_id, StockMovement.Kind.RESERVATION, reserved_delta=a.quantity
            )
            for a in allocations
        ],
        reason=reason,
        reference=reference,
        sku_codes=sku_codes,
        warehouse_codes=allocated.locked.warehouse_codes,
    )


def release(tenant_id: int, order_line_ids: Iterable[int], *, reason: str, reference: str) -> None:
    """Let go of every unit still reserved for these order lines (a query of ids is read as a
    subquery): the levels' reserved units fall, with their ledger rows and the
    `stock.changed` event, and the reservations are emptied."""
    reservations = list(
        Reservation.objects.filter(
            tenant_id=tenant_id, order_line_id__in=order_line_ids, quantity__gt=0
        )
        .select_related("sku", "warehouse")
        .order_by("id")
    )
    if not reservations:
        return
    locked = levels.lock_levels(
        tenant_id, (r.sku_id for r in reservations), (r.warehouse_id for r in reservations)
    )
    levels.write_changes(
        tenant_id,
        locked,
        [
            Change(r.warehouse_id, r.sku_id, StockMovement.Kind.RELEASE, reserved_delta=-r.quantity)
            for r in reservations
        ],
        reason=reason[:200],
        reference=reference,
        sku_codes={r.sku_id: r.sku.code for r in reservations},
        warehouse_codes={r.warehouse_id: r.warehouse.code for r in reservations},
    )
    for r in reservations:
        r.quantity = 0
    Reservation.objects.bulk_update(reservations, ["quantity"])


# Plain SQL: an amendment reads these on its hot path, where the ORM's statement building
# costs more than the query.
_HELD = """SELECT r.*, w.code AS warehouse_code FROM {reservations} r
JOIN {warehouses} w ON w.id = r.warehouse_id
WHERE r.tenant_id = %s AND r.order_line_id IN ({lines}) AND r.quantity > 0
ORDER BY w.priority DESC, w.id DESC, r.id DESC"""


def _releases(tenant_id: int, units: Mapping[int, int]) -> tuple[list[Reservation], list[Change]]:
    """The reservations that give back `units[line]` of each line's units, lowered in memory,
    and the changes to their levels: from the warehouses the line would ship from last first
    (lowest priority), so what stays reserved is what ships soonest. A line never gives
    back more than it holds (the caller counts backordered units apart)."""
    wanted = {line: count for line, count in units.items() if count > 0}
    if not wanted:
        return [], []
    quote = connection.ops.quote_name
    reservations = Reservation.objects.raw(
        _HELD.format(
            reservations=quote(Reservation._meta.db_table),
            warehouses=quote(Warehouse._meta.db_table),
            lines=placeholders(len(wanted)),
        ),
        [tenant_id, *wanted],
    )
    taken, changes = [], []
    for reservation in reservations:
        take = min(wanted[reservation.order_line_id], reservation.quantity)
        if take == 0:
            continue
        wanted[reservation.order_line_id] -= take
        reservation.quantity -= take
        taken.append(reservation)
        changes.append(
            Change(
                reservation.warehouse_id,
                reservation.sku_id,
                StockMovement.Kind.RELEASE,
                reserved_delta=-take,
            )
        )
    return taken, changes


def change_reservations(
    allocated: Allocated,
    *,
    release: Mapping[int, int],
    order_line_ids: Sequence[int],
    sku_codes: Mapping[int, str],
    reference: str,
    reason: str,
) -> Event | None:
    """An order's reservations changed at once (an amendment): hold the allocated units for
    the lines that grew (`order_line_ids[i]` is the line of want `i`) and let go of
    `release[line]` units of the lines that shrank (see `_releases`), with one write of the
    levels and their ledger rows. Returns the unsaved `stock.changed` of the levels changed
    (None when none did), for the caller to record after its own events in one INSERT.
    The released SKUs' levels must have been locked by `allocate(..., also_lock=...)`; a
    reservation in a warehouse no longer active is locked here (no writer of orders waits on
    those)."""
    tenant_id, locked = allocated.tenant_id, allocated.locked
    taken, changes = _releases(tenant_id, release)
    missing = [r for r in taken if (r.sku_id, r.warehouse_id) not in locked.levels]
    if missing:
        locked.levels.update(
            levels.lock_levels(
                tenant_id, (r.sku_id for r in missing), (r.warehouse_id for r in missing)
            )
        )
    warehouse_codes = {
        **locked.warehouse_codes,
        **{r.warehouse_id: r.warehouse_code for r in taken},  # type: ignore[attr-defined]
    }
    allocations = allocated.plan.allocations
    insert_rows(
        Reservation,
        _RESERVATION_FIELDS,
        [
            (tenant_id, order_line_ids[a.index], a.warehouse_id, a.sku_id, a.quantity)
            for a in allocations
        ],
    )
    update_instances(taken, ["quantity"])
    changes += [
        Change(a.warehouse_id, a.sku_id, StockMovement.Kind.RESERVATION, reserved_delta=a.quantity)
        for a in allocations
    ]
    changed = levels.apply_changes(
        tenant_id, locked.levels, changes, reason=reason[:200], reference=reference
    )
    if not changed:
        return None
    return levels.stock_event(tenant_id, changed, sku_codes, warehouse_codes, reference)


def drop_empty_reservations(tenant_id: int, order_line_ids: Sequence[int]) -> None:
    """Delete the emptied reservations of order lines that are going away (an amendment
    removed them once their units were released); one statement."""
    if not order_line_ids:
        return
    table = connection.ops.quote_name(Reservation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} "  # noqa: S608 (model's name)
            f"WHERE tenant_id = %s AND quantity = 0 "
            f"AND order_line_id IN ({placeholders(len(order_line_ids))})",
            [tenant_id, *order_line_ids],
        )
