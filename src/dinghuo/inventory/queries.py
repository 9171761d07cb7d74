"""Stock reads for the API and pages: tenant-scoped, a fixed number of queries."""

from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, QuerySet, Sum

from dinghuo.catalog.models import Sku
from dinghuo.core.queries import tenant_row
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement, Warehouse


def warehouses(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[Warehouse]:
    """The tenant's warehouses."""
    qs = Warehouse.objects.filter(tenant_id=tenant_id)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def warehouse(tenant_id: int, warehouse_id: int) -> Warehouse:
    return tenant_row(
        Warehouse.objects.all(), tenant_id, warehouse_id, f"No warehouse {warehouse_id}."
    )


def warehouse_by_code(tenant_id: int, code: str) -> Warehouse | None:
    """The tenant's warehouse with this code, if there is one."""
    return Warehouse.objects.filter(tenant_id=tenant_id, code=code).first()


def active_warehouses(tenant_id: int) -> list[Warehouse]:
    """The tenant's active warehouses, highest priority (lowest number) first."""
    return list(
        Warehouse.objects.filter(tenant_id=tenant_id, is_active=True).order_by("priority", "id")
    )


def stock_levels(
    tenant_id: int,
    *,
    sku_id: int | None = None,
    sku_code: str | None = None,
    warehouse_code: str | None = None,
) -> QuerySet[StockLevel]:
    """Stock levels with their SKU and warehouse loaded, optionally for one SKU or warehouse."""
    qs = StockLevel.objects.filter(tenant_id=tenant_id).select_related("sku", "warehouse")
    if sku_id is not None:
        qs = qs.filter(sku_id=sku_id)
    if sku_code:
        qs = qs.filter(sku__code=sku_code)
    if warehouse_code:
        qs = qs.filter(warehouse__code=warehouse_code)
    return qs


def stock_level(tenant_id: int, level_id: int) -> StockLevel:
    """One stock level with its SKU and warehouse (the answer to a receipt or adjustment)."""
    return stock_levels(tenant_id).get(pk=level_id)


def sku_stock(tenant_id: int, sku_id: int) -> tuple[Sku, list[StockLevel]]:
    """A SKU and its level in every warehouse that has one, by warehouse priority (2 queries)."""
    sku = tenant_row(Sku.objects.all(), tenant_id, sku_id, f"No SKU {sku_id}.")
    levels = list(
        StockLevel.objects.filter(tenant_id=tenant_id, sku=sku)
        .select_related("warehouse")
        .order_by("warehouse__priority", "warehouse_id")
    )
    return sku, levels


def movements(
    tenant_id: int,
    *,
    sku_id: int | None = None,
    sku_code: str | None = None,
    warehouse_code: str | None = None,
    kind: str | None = None,
    reference: str | None = None,
) -> QuerySet[StockMovement]:
    """The stock ledger with SKU and warehouse loaded, optionally narrowed."""
    qs = StockMovement.objects.filter(tenant_id=tenant_id).select_related("sku", "warehouse")
    if sku_id is not None:
        qs = qs.filter(sku_id=sku_id)
    if sku_code:
        qs = qs.filter(sku__code=sku_code)
    if warehouse_code:
        qs = qs.filter(warehouse__code=warehouse_code)
    if kind:
        qs = qs.filter(kind=kind)
    if reference:
        qs = qs.filter(reference=reference)
    return qs


def available_by_sku(tenant_id: int, sku_ids: Iterable[int]) -> dict[int, int]:
    """On hand less reserved over the tenant's active warehouses, per SKU (one query)."""
    rows = (
        StockLevel.objects.filter(
            tenant_id=tenant_id, sku_id__in=list(sku_ids), warehouse__is_active=True
        )
        .values("sku_id")
        .annotate(units=Sum(F("on_hand") - F("reserved")))
        .values_list("sku_id", "units")
    )
    return dict(rows)


def has_available(sku_ref: str = "pk") -> Exists:
    """A filter for SKU rows (`sku_ref` names the SKU's id): some units available now in
    an active warehouse (on hand above reserved)."""
    return Exists(
        StockLevel.objects.filter(
            sku_id=OuterRef(sku_ref), warehouse__is_active=True, on_hand__gt=F("reserved")
        )
    )


def open_reservations(tenant_id: int, order_line_ids: Iterable[int]) -> list[Reservation]:
    """Reservations still holding stock for these lines, in warehouse priority order, with
    their warehouse (one query)."""
    return list(
        Reservation.objects.filter(
            tenant_id=tenant_id, order_line_id__in=list(order_line_ids), quantity__gt=0
        )
        .select_related("warehouse")
        .order_by("warehouse__priority", "warehouse_id", "id")
    )
