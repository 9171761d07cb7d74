"""The company's catalogue: what one company can order, at the prices it gets, with what is
available now (reads catalog, pricing and inventory; a fixed number of queries a page)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from dinghuo.catalog import queries as catalog
from dinghuo.catalog.models import Sku
from dinghuo.catalog.texts import LANGUAGES, column
from dinghuo.core.errors import Conflict
from dinghuo.inventory import queries as stock
from dinghuo.pricing.models import ContractPrice, PriceTier
from dinghuo.pricing.queries import CompanyPricing, book_for, company_pricing, visibility

_CATALOGUE_COLUMNS = [
    "id",
    "code",
    *(column("name", lang) for lang in LANGUAGES),
    "unit",
    "min_order_quantity",
    "pack_size",
    "product_id",
    "product__code",
    *(f"product__{column('name', lang)}" for lang in LANGUAGES),
    "product__category_id",
    "product__allow_backorder",
]


@dataclass(frozen=True)
class CatalogueEntry:
    """One orderable SKU: its columns (`.values()` names), its tier ladder, what is available."""

    row: dict[str, Any]
    tiers: list[tuple[int, Decimal]]
    available: int


@dataclass(frozen=True)
class CataloguePage:
    currency: str
    entries: list[CatalogueEntry]
    next_after: int | None


def buyer_catalogue(
    tenant_id: int,
    company_id: int,
    *,
    after_id: int = 0,
    limit: int = 50,
    category_id: int | None = None,
    q: str | None = None,
    at: datetime | None = None,
) -> CataloguePage:
    """What a company can order: active SKUs of active products of its seller that its
    assortment lets it see and that one of its price lists or a valid contract prices, each
    with the ladder it gets (`pricing/resolution.py`) and what is available now.

    Four queries whatever the page size for a company with only its base list: the company
    (with flags for the kinds of price source it has), one page of SKUs with their product's
    columns, the ladders of that page, availability summed in one grouped query. One more
    with `category_id` (the categories below it) and for each kind of source the company has
    (assigned lists; own SKU terms; an assortment; promotions count two): at most 9. An
    inactive or unknown company is 404; an inactive base price list 409.
    """
    pricing = company_pricing(tenant_id, company_id, at)
    if not pricing.base.is_active:
        raise Conflict(
            "The company's price list is inactive; it cannot order now.",
            code="price_list_inactive",
        )
    qs = _orderable_skus(tenant_id, company_id, pricing).filter(id__gt=after_id)
    if category_id is not None:
        qs = qs.filter(
            product__category_id__in=catalog.category_and_descendants(tenant_id, category_id)
        )
    if q:
        qs = qs.filter(catalog.text_search(q) | catalog.text_search(q, "product__"))
    rows = list(qs.order_by("id").values(*_CATALOGUE_COLUMNS)[: limit + 1])
    next_after = rows[limit - 1]["id"] if len(rows) > limit else None
    rows = rows[:limit]
    if not rows:
        return CataloguePage(pricing.currency, [], None)
    return CataloguePage(pricing.currency, _entries(tenant_id, pricing, rows), next_after)


def _orderable_skus(tenant_id: int, company_id: int, pricing: CompanyPricing) -> QuerySet[Sku]:
    """Active SKUs of active products of the company's seller that one of its price lists or
    a valid contract prices, and that its assortment (if it has one) lets it see."""
    day = pricing.day
    # One index probe per SKU, stopped by the page's LIMIT: as two EXISTS joined by OR,
    # PostgreSQL hashed every tier after the cursor (26 ms a page at 100,000 SKUs).
    on_a_list = PriceTier.objects.filter(
        price_list_id__in=pricing.counted_list_ids, sku_id=OuterRef("pk")
    ).values("pk")[:1]
    in_a_contract = ContractPrice.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        company_id=company_id,
        sku_id=OuterRef("pk"),
        valid_from__lte=day,
    ).values("pk")[:1]
    qs = Sku.objects.annotate(
        list_tier=Subquery(on_a_list), contract=Subquery(in_a_contract)
    ).filter(
        Q(list_tier__isnull=False) | Q(contract__isnull=False),
        tenant_id=tenant_id,
        seller_id=pricing.buyer.seller_id,
        is_active=True,
        product__is_active=True,
    )
    if pricing.has_assortment:
        qs = qs.filter(visibility(tenant_id, company_id))
    return qs


def _entries(
    tenant_id: int, pricing: CompanyPricing, rows: list[dict[str, Any]]
) -> list[CatalogueEntry]:
    """The page's rows with the ladder and the ordering terms the company gets, and what is
    available now."""
    ids = [row["id"] for row in rows]
    book = book_for(pricing, ids)
    available = stock.available_by_sku(tenant_id, ids)
    entries = []
    for row in rows:
        sku_id = row["id"]
        row["min_order_quantity"], row["pack_size"] = book.ordering_terms(
            sku_id, row["min_order_quantity"], row["pack_size"]
        )
        entries.append(CatalogueEntry(row, book.ladder(sku_id), available.get(sku_id, 0)))
    return entries
