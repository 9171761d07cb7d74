"""Purchasing reads, tenant-scoped, a fixed number of queries each: suppliers, their items,
reorder rules, purchase orders with their lines and receipts, incoming stock (what open
PO lines still expect), and the replenishment suggestions.

Incoming is never stored: it is the sum, per SKU and warehouse, of
`quantity − received − cancelled` (not below 0) over the lines of POs in an open status
(`po_states.OPEN_STATUSES`: approved, sent, confirmed, partly received), so it always
equals the open PO quantities."""

from dataclasses import dataclass

from django.db.models import F, IntegerField, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Greatest

from dinghuo.core.queries import tenant_row
from dinghuo.inventory.models import StockLevel
from dinghuo.purchasing import po_states
from dinghuo.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    ReorderRule,
    Supplier,
    SupplierItem,
)

Pair = tuple[int, int]  # (sku, warehouse)


def suppliers(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[Supplier]:
    found = Supplier.objects.filter(tenant_id=tenant_id)
    return found if is_active is None else found.filter(is_active=is_active)


def supplier(tenant_id: int, supplier_id: int) -> Supplier:
    return tenant_row(Supplier.objects.all(), tenant_id, supplier_id, f"No supplier {supplier_id}.")


def supplier_items(
    tenant_id: int, *, supplier_id: int | None = None, sku_id: int | None = None
) -> QuerySet[SupplierItem]:
    found = SupplierItem.objects.filter(tenant_id=tenant_id).select_related("sku", "supplier")
    if supplier_id is not None:
        found = found.filter(supplier_id=supplier_id)
    return found if sku_id is None else found.filter(sku_id=sku_id)


def supplier_item(tenant_id: int, item_id: int) -> SupplierItem:
    return tenant_row(
        SupplierItem.objects.select_related("sku", "supplier"),
        tenant_id,
        item_id,
        f"No supplier item {item_id}.",
    )


def reorder_rules(
    tenant_id: int, *, sku_id: int | None = None, warehouse_id: int | None = None
) -> QuerySet[ReorderRule]:
    found = ReorderRule.objects.filter(tenant_id=tenant_id).select_related("sku", "warehouse")
    if sku_id is not None:
        found = found.filter(sku_id=sku_id)
    return found if warehouse_id is None else found.filter(warehouse_id=warehouse_id)


def reorder_rule(tenant_id: int, rule_id: int) -> ReorderRule:
    return tenant_row(
        ReorderRule.objects.select_related("sku", "warehouse"),
        tenant_id,
        rule_id,
        f"No reorder rule {rule_id}.",
    )


def _with_lines(found: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    return found.select_related("supplier", "warehouse").prefetch_related(
        Prefetch("lines", PurchaseOrderLine.objects.select_related("sku").order_by("line_number")),
        Prefetch("receipts", PurchaseReceipt.objects.prefetch_related("lines").order_by("number")),
    )


def purchase_orders(
    tenant_id: int, *, status: str | None = None, supplier_id: int | None = None
) -> QuerySet[PurchaseOrder]:
    found = PurchaseOrder.objects.filter(tenant_id=tenant_id)
    if status is not None:
        found = found.filter(status=status)
    if supplier_id is not None:
        found = found.filter(supplier_id=supplier_id)
    return _with_lines(found)


def purchase_order(tenant_id: int, po_id: int) -> PurchaseOrder:
    return tenant_row(
        _with_lines(PurchaseOrder.objects.all()), tenant_id, po_id, f"No purchase order {po_id}."
    )


def _open_lines(tenant_id: int) -> QuerySet[PurchaseOrderLine]:
    return PurchaseOrderLine.objects.filter(
        tenant_id=tenant_id, order__status__in=po_states.OPEN_STATUSES
    )


def incoming(tenant_id: int, sku_ids: list[int] | None = None) -> dict[Pair, int]:
    """Units open POs still expect, per (sku, warehouse): one aggregate query."""
    lines = _open_lines(tenant_id)
    if sku_ids is not None:
        lines = lines.filter(sku_id__in=sku_ids)
    rows = (
        lines.values("sku_id", "order__warehouse_id")
        .annotate(
            units=Sum(
                Greatest(
                    F("quantity") - F("received_quantity") - F("cancelled_quantity"),
                    Value(0),
                    output_field=IntegerField(),
                )
            )
        )
        .values_list("sku_id", "order__warehouse_id", "units")
    )
    return {(sku, wh): int(units) for sku, wh, units in rows if units}


@dataclass(frozen=True)
class StockPosition:
    sku_id: int
    sku_code: str
    warehouse_id: int
    warehouse_code: str
    on_hand: int
    reserved: int
    incoming: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def stock_positions(tenant_id: int, sku_ids: list[int] | None = None) -> list[StockPosition]:
    """Stock levels with their incoming, per SKU and warehouse (pairs that have only
    incoming show 0 on hand): two queries, plus one for the codes of such pairs."""
    levels = StockLevel.objects.filter(tenant_id=tenant_id)
    if sku_ids is not None:
        levels = levels.filter(sku_id__in=sku_ids)
    found = {
        (row.sku_id, row.warehouse_id): row
        for row in levels.select_related("sku", "warehouse").order_by("sku_id", "warehouse_id")
    }
    coming = incoming(tenant_id, sku_ids)
    missing = set(coming) - set(found)
    codes: dict[Pair, tuple[str, str]] = {}
    if missing:
        for line in (
            _open_lines(tenant_id)
            .filter(sku_id__in={s for s, _ in missing})
            .values_list("sku_id", "order__warehouse_id", "sku__code", "order__warehouse__code")
        ):
            codes[(line[0], line[1])] = (line[2], line[3])
    out = [
        StockPosition(
            sku,
            row.sku.code,
            wh,
            row.warehouse.code,
            row.on_hand,
            row.reserved,
            coming.get((sku, wh), 0),
        )
        for (sku, wh), row in found.items()
    ]
    out += [
        StockPosition(sku, codes[(sku, wh)][0], wh, codes[(sku, wh)][1], 0, 0, coming[(sku, wh)])
        for sku, wh in sorted(missing)
    ]
    return sorted(out, key=lambda p: (p.sku_id, p.warehouse_id))
