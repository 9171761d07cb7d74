"""The demo's stock count: the first warehouse's count of one category, counted, with a few
variances, waiting for a manager's review (through the count services, as a counter would)."""

from dinghuo.catalog.models import Sku
from dinghuo.inventory.models import StockLevel, Warehouse
from dinghuo.stocktaking import services as counts

# What the counter found beside what the ledger says: units missing, found, missing.
VARIANCES = (-2, 1, -1)
LINES_COUNTED = 8


def count_in_review(tenant_id: int) -> int:
    """Count the category of the first SKU holding stock in the first warehouse; answers the
    count's id."""
    warehouse = Warehouse.objects.filter(tenant_id=tenant_id).order_by("priority", "id").first()
    assert warehouse is not None
    held = StockLevel.objects.filter(
        tenant_id=tenant_id, warehouse=warehouse, on_hand__gt=0
    ).order_by("sku__code")
    first = held.select_related("sku__product").first()
    assert first is not None
    category_id = first.sku.product.category_id
    assert category_id is not None  # every demo product has a category
    count = counts.start_count(
        tenant_id=tenant_id,
        warehouse_code=warehouse.code,
        category_ids=[category_id],
        note="Monthly count",
    )
    levels = held.filter(sku__product__category_id=category_id)[:LINES_COUNTED]
    for n, level in enumerate(levels):
        change = VARIANCES[n] if n < len(VARIANCES) else 0
        # Never below what orders reserved, so the count can be posted as it is.
        counted = max(level.on_hand + change, level.reserved)
        sku = Sku.objects.only("code").get(pk=level.sku_id)
        counts.record_count(
            tenant_id=tenant_id, count_id=count.pk, sku_code=sku.code, counted=counted
        )
    counts.submit_count(tenant_id=tenant_id, count_id=count.pk)
    return count.pk
