"""Price list reads: tenant-scoped, a fixed number of queries each."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import NotFound
from dinghuo.pricing.models import PriceList, PriceTier


def price_lists(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[PriceList]:
    """The tenant's price lists, with their seller."""
    qs = PriceList.objects.filter(tenant_id=tenant_id).select_related("seller")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def price_list(tenant_id: int, price_list_id: int) -> PriceList:
    found = price_lists(tenant_id).filter(pk=price_list_id).first()
    if found is None:
        raise NotFound(f"No price list {price_list_id}.")
    return found


def priced_skus(price_list: PriceList, *, sku_code: str | None = None) -> QuerySet[Sku]:
    """The SKUs that have a price on `price_list` (id and code only)."""
    qs = Sku.objects.filter(
        tenant_id=price_list.tenant_id,
        id__in=PriceTier.objects.filter(price_list=price_list).values("sku_id"),
    ).only("id", "code")
    if sku_code is not None:
        qs = qs.filter(code=sku_code)
    return qs


def ladders(price_list_id: int, sku_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """The tier ladder of each SKU on the list, lowest minimum first (one query).

    SKUs without a price on the list are absent from the answer.
    """
    found: dict[int, list[tuple[int, Decimal]]] = {}
    rows = (
        PriceTier.objects.filter(price_list_id=price_list_id, sku_id__in=list(sku_ids))
        .order_by("sku_id", "min_quantity")
        .values_list("sku_id", "min_quantity", "unit_price")
    )
    for sku_id, min_quantity, unit_price in rows:
        found.setdefault(sku_id, []).append((min_quantity, unit_price))
    return found
