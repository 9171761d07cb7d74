"""Stock leaving for a shipment: reserved units become issued units, and backordered units are
drawn from available stock once it has arrived.

Two steps in the caller's transaction (shipping an order): `plan_issue` locks the levels and
works out where every unit comes from, writing nothing, so the caller can refuse a shipment
that cannot be made up; `issue` then writes it.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from dinghuo.inventory import queries
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import levels
from dinghuo.inventory.services.levels import Change


@dataclass(frozen=True)
class Draw:
    """`quantity` units of one order line's SKU to issue: from the line's reservations first,
    the rest (its backordered units) from available stock."""

    order_line_id: int
    sku_id: int
    quantity: int


@dataclass
class IssuePlan:
    """Where each line's units come from, on levels locked for it; nothing written yet."""

    tenant_id: int
    levels: dict[tuple[int, int], StockLevel]
    warehouse_codes: dict[int, str]
    changes: list[Change] = field(default_factory=list)
    taken: list[Reservation] = field(default_factory=list)  # quantities already lowered
    unreserved: dict[int, int] = field(default_factory=dict)  # line → units not reserved
    short: dict[int, int] = field(
        default_factory=dict
    )  # line → units neither reserved nor in stock


def _from_reservations(
    draw: Draw, reservations: list[Reservation], warehouse_id: int | None
) -> list[tuple[Reservation, int]]:
    """Take the draw's units from its line's reservations (in the shipping warehouse, if
    named)."""
    quantity, taken = draw.quantity, []
    for reservation in reservations:
        if quantity == 0:
            break
        if reservation.order_line_id != draw.order_line_id or reservation.quantity == 0:
            continue
        if warehouse_id is not None and reservation.warehouse_id != warehouse_id:
            continue
        take = min(quantity, reservation.quantity)
        taken.append((reservation, take))
        quantity -= take
    return taken


def plan_issue(
    tenant_id: int,
    draws: list[Draw],
    reservations: list[Reservation],
    *,
    warehouse: Warehouse | None,
) -> IssuePlan:
    """Plan the draws on the lines' open `reservations` (`queries.open_reservations`, in
    priority order): reserved units in `warehouse` if named, else wherever they are held;
    unreserved units from available stock in `warehouse`, or the active warehouses by
    priority. Locks the levels involved in (sku, warehouse) order and writes nothing; `short`
    says what cannot be had, for the caller to refuse."""
    warehouse_id = warehouse.pk if warehouse else None
    taken = {d.order_line_id: _from_reservations(d, reservations, warehouse_id) for d in draws}
    warehouses = [warehouse] if warehouse else queries.active_warehouses(tenant_id)
    warehouse_ids = {w.pk for w in warehouses} | {
        r.warehouse_id for pairs in taken.values() for r, _ in pairs
    }
    locked = levels.lock_levels(tenant_id, {d.sku_id for d in draws}, warehouse_ids)
    codes = {w.pk: w.code for w in warehouses}
    codes.update({r.warehouse_id: r.warehouse.code for r in reservations})
    plan = IssuePlan(tenant_id, locked, codes)
    drawn: Counter[tuple[int, int]] = Counter()  # units drawn from each level's available
    for draw in draws:
        _take_reserved(plan, draw, taken[draw.order_line_id])
        _take_available(plan, draw, warehouses, drawn)
    return plan


def _take_reserved(plan: IssuePlan, draw: Draw, taken: list[tuple[Reservation, int]]) -> None:
    """Issue the reserved units the draw takes: on hand and reserved both fall."""
    for reservation, quantity in taken:
        kind = StockMovement.Kind.ISSUE
        plan.changes.append(
            Change(reservation.warehouse_id, draw.sku_id, kind, -quantity, -quantity)
        )
        reservation.quantity -= quantity
        plan.taken.append(reservation)
    plan.unreserved[draw.order_line_id] = draw.quantity - sum(q for _, q in taken)


def _take_available(
    plan: IssuePlan, draw: Draw, warehouses: list[Warehouse], drawn: Counter[tuple[int, int]]
) -> None:
    """Draw the unreserved units from available stock, warehouses in order; what none of
    them has is short."""
    extra = plan.unreserved[draw.order_line_id]
    for w in warehouses:
        level = plan.levels.get((draw.sku_id, w.pk))
        take = min(extra, level.available - drawn[(draw.sku_id, w.pk)]) if level else 0
        if take > 0:
            plan.changes.append(Change(w.pk, draw.sku_id, StockMovement.Kind.ISSUE, -take, 0))
            drawn[(draw.sku_id, w.pk)] += take
            extra -= take
    if extra:
        plan.short[draw.order_line_id] = extra


def issue(
    plan: IssuePlan, *, sku_codes: Mapping[int, str], reference: str, reason: str = "shipped"
) -> None:
    """Issue what the plan takes: the reservations drawn on fall, on hand (and reserved) fall
    with their ledger rows, and the `stock.changed` event is recorded."""
    Reservation.objects.bulk_update(plan.taken, ["quantity"])
    levels.write_changes(
        plan.tenant_id,
        plan.levels,
        plan.changes,
        reason=reason,
        reference=reference,
        sku_codes=sku_codes,
        warehouse_codes=plan.warehouse_codes,
    )
