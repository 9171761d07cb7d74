"""Replenishment suggestions, per supplier, set-based: one aggregate query per input (reorder
rules, stock levels, incoming, backorders, recent shipments, supplier items, warehouses),
then the pure rule `replenishment.suggested` for each SKU and warehouse considered.

Considered: every (SKU, warehouse) with a reorder rule, and every SKU with backordered
units, at its first active warehouse (lowest priority number), where its backorders are
counted (backorders wait for a SKU, not for a warehouse). Each SKU is bought from its
preferred supplier, else from the supplier item made first; a SKU no supplier sells is
listed without one (`unassigned`). Units shipped come from the ledger's `issue` movements of
the last `demand_window_days` days (the seller's purchasing policy)."""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum, TextField
from django.db.models.functions import Cast

from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.orders.models import OrderLine
from dinghuo.orders.services import FILLED_STATUSES
from dinghuo.purchasing import costs, replenishment
from dinghuo.purchasing.models import ReorderRule, SupplierItem
from dinghuo.purchasing.queries import Pair, incoming
from dinghuo.purchasing.services.shared import policy_of


@dataclass(slots=True)
class Suggestion:
    sku_id: int
    sku_code: str
    warehouse_id: int
    supplier_id: int | None
    quantity: int
    reason: str
    available: int
    incoming: int
    backordered: int
    lead_demand: int
    reorder_point: int | None
    unit_cost: Decimal | None


@dataclass(frozen=True)
class _Source:
    supplier_id: int
    pack_size: int
    minimum: int
    lead_time_days: int
    tiers: str  # JSON, read only for the SKUs suggested


def _rules(tenant_id: int, warehouse_id: int | None) -> dict[Pair, tuple[int, int]]:
    found = ReorderRule.objects.filter(tenant_id=tenant_id)
    if warehouse_id is not None:
        found = found.filter(warehouse_id=warehouse_id)
    return {
        (sku, wh): (point, qty)
        for sku, wh, point, qty in found.values_list(
            "sku_id", "warehouse_id", "reorder_point", "reorder_quantity"
        )
    }


def _backordered(tenant_id: int) -> dict[int, int]:
    rows = (
        OrderLine.objects.filter(
            tenant_id=tenant_id, backordered_quantity__gt=0, order__status__in=FILLED_STATUSES
        )
        .values("sku_id")
        .annotate(units=Sum("backordered_quantity"))
        .values_list("sku_id", "units")
    )
    return {sku: int(units) for sku, units in rows}


def _shipped(tenant_id: int, days: int) -> dict[Pair, int]:
    since = clock.now() - timedelta(days=days)
    rows = (
        StockMovement.objects.filter(
            tenant_id=tenant_id, kind=StockMovement.Kind.ISSUE, created_at__gte=since
        )
        .values("sku_id", "warehouse_id")
        .annotate(units=Sum("on_hand_delta"))
        .values_list("sku_id", "warehouse_id", "units")
    )
    return {(sku, wh): -int(units) for sku, wh, units in rows if units}


def _available(tenant_id: int) -> dict[Pair, int]:
    rows = StockLevel.objects.filter(tenant_id=tenant_id).values_list(
        "sku_id", "warehouse_id", "on_hand", "reserved"
    )
    return {(sku, wh): on_hand - reserved for sku, wh, on_hand, reserved in rows}


def _sources(tenant_id: int) -> dict[int, _Source]:
    """Each SKU's supplier: the preferred one, else the supplier item made first."""
    found: dict[int, _Source] = {}
    rows = (
        SupplierItem.objects.filter(tenant_id=tenant_id, supplier__is_active=True)
        .order_by("sku_id", "-is_preferred", "id")
        .values_list(
            "sku_id",
            "supplier_id",
            "pack_size",
            "minimum_order_quantity",
            "lead_time_days",
            Cast("cost_tiers", TextField()),
        )
    )
    for sku, supplier, pack, minimum, lead, tiers in rows:
        found.setdefault(sku, _Source(supplier, pack, minimum, lead, tiers))
    return found


def suggestions(
    tenant_id: int, *, supplier_id: int | None = None, warehouse_id: int | None = None
) -> list[Suggestion]:
    """What to buy, ordered by supplier, SKU and warehouse (see the module docstring)."""
    window = policy_of(tenant_id).demand_window_days
    rules = _rules(tenant_id, warehouse_id)
    backordered = _backordered(tenant_id)
    first = (
        Warehouse.objects.filter(tenant_id=tenant_id, is_active=True)
        .order_by("priority", "id")
        .values_list("id", flat=True)
        .first()
    )
    pairs = set(rules)
    if first is not None and warehouse_id in (None, first):
        pairs |= {(sku, first) for sku in backordered}
    if not pairs:
        return []
    available, incoming_of = _available(tenant_id), incoming(tenant_id)
    shipped, sources = _shipped(tenant_id, window), _sources(tenant_id)
    found = []
    for sku, wh in pairs:
        source = sources.get(sku)
        if supplier_id is not None and (source is None or source.supplier_id != supplier_id):
            continue
        point, quantity = rules.get((sku, wh), (None, 0))
        have, coming_units = available.get((sku, wh), 0), incoming_of.get((sku, wh), 0)
        waiting = backordered.get(sku, 0) if wh == first else 0
        shipped_units = shipped.get((sku, wh), 0)
        lead = source.lead_time_days if source else 0
        needed = replenishment.need_units(
            have + coming_units - waiting, point, quantity, shipped_units, window, lead
        )
        if needed is None:
            continue
        units = replenishment.rounded(
            needed[0],
            pack_size=source.pack_size if source else 1,
            minimum=source.minimum if source else 1,
        )
        found.append(
            Suggestion(
                sku,
                "",
                wh,
                source.supplier_id if source else None,
                units,
                needed[1],
                have,
                coming_units,
                waiting,
                replenishment.lead_demand(
                    replenishment.Position(
                        have, coming_units, waiting, point, quantity, shipped_units, window, lead
                    )
                ),
                point,
                costs.unit_cost(json.loads(source.tiers), units) if source else None,
            )
        )
    if found:
        codes = dict(Sku.objects.filter(tenant_id=tenant_id).values_list("id", "code"))
        for suggestion in found:
            suggestion.sku_code = codes.get(suggestion.sku_id, "")
    return sorted(found, key=lambda s: (s.supplier_id or 0, s.sku_code, s.warehouse_id))


def by_supplier(found: list[Suggestion]) -> dict[int | None, list[Suggestion]]:
    grouped: dict[int | None, list[Suggestion]] = defaultdict(list)
    for suggestion in found:
        grouped[suggestion.supplier_id].append(suggestion)
    return dict(grouped)
