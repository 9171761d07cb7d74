"""Reads of stock counts, tenant-scoped, a fixed number of queries each."""

from django.db.models import Count, F, Q, QuerySet

from dinghuo.core.queries import tenant_row
from dinghuo.stocktaking.models import CountLine, StockCount


def counts(
    tenant_id: int, *, status: str | None = None, warehouse_code: str | None = None
) -> QuerySet[StockCount]:
    """The tenant's counts (oldest first), with how many lines each has and has counted."""
    found = StockCount.objects.filter(tenant_id=tenant_id)
    if status:
        found = found.filter(status=status)
    if warehouse_code:
        found = found.filter(warehouse__code=warehouse_code)
    return (
        found.select_related("warehouse")
        .annotate(
            line_total=Count("lines"),
            line_counted=Count("lines", filter=Q(lines__counted__isnull=False)),
        )
        .order_by("pk")
    )


def count(tenant_id: int, count_id: int) -> StockCount:
    """One count with its figures (404 for another tenant's)."""
    return tenant_row(counts(tenant_id), tenant_id, count_id, "No such stock count.")


def lines(
    count: StockCount,
    *,
    only_variances: bool = False,
    uncounted_only: bool = False,
    sku_code: str | None = None,
) -> QuerySet[CountLine]:
    """A count's lines in SKU code order, with their SKUs; `only_variances`: counted lines
    whose count differs from what was on hand when counted."""
    found = CountLine.objects.filter(tenant_id=count.tenant_id, count=count)
    if only_variances:
        found = found.filter(counted__isnull=False).exclude(counted=F("on_hand_at_count"))
    if uncounted_only:
        found = found.filter(counted__isnull=True)
    if sku_code:
        found = found.filter(sku__code__iexact=sku_code.strip())
    return found.select_related("sku", "sku__product").order_by("sku__code", "pk")
