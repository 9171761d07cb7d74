"""Which warehouses hold stock for which order lines. Pure, no database."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Want:
    """`quantity` units of `sku_id` for the line at `index`; `backorder` allows a shortfall."""

    index: int
    sku_id: int
    quantity: int
    backorder: bool


@dataclass(frozen=True)
class Level:
    warehouse_id: int
    sku_id: int
    available: int


@dataclass(frozen=True)
class Allocation:
    index: int
    sku_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class Shortage:
    index: int
    sku_id: int
    wanted: int
    available: int


@dataclass
class Plan:
    allocations: list[Allocation]
    backordered: dict[int, int]  # line index → units waiting for stock
    shortages: list[Shortage]  # lines that cannot be met and may not be backordered


def allocate(wants: list[Want], levels: list[Level]) -> Plan:
    """Fill each want from warehouses in the order given (priority first), splitting if needed.

    Lines for the same SKU draw on the same remaining stock in line order.
    """
    remaining: dict[int, list[list[int]]] = {}
    for level in levels:
        remaining.setdefault(level.sku_id, []).append([level.warehouse_id, max(level.available, 0)])
    plan = Plan(allocations=[], backordered={}, shortages=[])
    for want in wants:
        pools = remaining.get(want.sku_id, [])
        total = sum(pool[1] for pool in pools)
        if total < want.quantity and not want.backorder:
            plan.shortages.append(Shortage(want.index, want.sku_id, want.quantity, total))
            continue
        needed = want.quantity
        for pool in pools:
            take = min(needed, pool[1])
            if take:
                pool[1] -= take
                needed -= take
                plan.allocations.append(Allocation(want.index, want.sku_id, pool[0], take))
            if not needed:
                break
        if needed:
            plan.backordered[want.index] = needed
    return plan
