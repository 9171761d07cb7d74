"""The company's catalogue: what one company can order, at the prices it gets, with what is
available now (reads catalog, pricing and inventory; a fixed number of queries a page)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

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
    image: str = ""  # the storage name of its product's main image's small copy, or ""


@dataclass(frozen=True)
class CataloguePage:
    currency: str
    entries: list[CatalogueEntry]
    next_after: int | None
    total: int | None = None  # how many match, counted up to COUNT_CAP (+1 means "more")


SORTS = ("name", "price", "newest")
COUNT_CAP = 1000  # a count past this says "more than 1,000": counting stops there


@dataclass(frozen=True)
class Browse:
    """How a person browses the catalogue: a sort (`SORTS`, else the SKUs' own order), the
    language names sort in, the in-stock filter, the offset of a page, whether to count."""

    sort: str = ""
    language: str = "en"
    in_stock: bool = False
    offset: int = 0
    count: bool = False


def buyer_catalogue(
    tenant_id: int,
    company_id: int,
    *,
    after_id: int = 0,
    limit: int = 50,
    category_id: int | None = None,
    q: str | None = None,
    at: datetime | None = None,
    browse: Browse | None = None,
) -> CataloguePage:
    """What a company can order: active SKUs of active products of its seller that its
    assortment lets it see and that one of its price lists or a valid contract prices, each
    with the ladder it gets (`pricing/resolution.py`) and what is available now.

    Five queries whatever the page size for a company with only its base list: the company
    (with flags for the kinds of price source it has), one page of SKUs with their product's
    columns, the ladders of that page, availability summed in one grouped query, the main
    pictures of the page's products. One more
    with `category_id` (the categories below it) and for each kind of source the company has
    (assigned lists; own SKU terms; an assortment; promotions count two): at most 10; one more
    with `browse.count` (the matches, counted up to `COUNT_CAP` + 1). An inactive or unknown
    company is 404; an inactive base price list 409.

    `browse` sorts (by name in its language, by the price of the smallest quantity on the
    company's lists, newest first) and pages by offset; without a sort the page starts after
    `after_id`. `browse.in_stock` keeps SKUs with units available now.
    """
    browse = browse or Browse()
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
    if browse.in_stock:
        qs = qs.filter(stock.has_available())
    total = qs.values("pk")[: COUNT_CAP + 1].count() if browse.count else None
    start = browse.offset if browse.sort in SORTS else 0
    page = _sorted(qs, pricing, browse).values(*_CATALOGUE_COLUMNS)[start : start + limit + 1]
    rows = list(page)
    next_after = rows[limit - 1]["id"] if len(rows) > limit else None
    rows = rows[:limit]
    if not rows:
        return CataloguePage(pricing.currency, [], None, total)
    return CataloguePage(pricing.currency, _entries(tenant_id, pricing, rows), next_after, total)


def _sorted(qs: QuerySet[Sku], pricing: CompanyPricing, browse: Browse) -> QuerySet[Sku]:
    """The SKUs in the order asked, the id breaking ties (so pages do not overlap)."""
    if browse.sort == "name":
        own = column("name", browse.language if browse.language in LANGUAGES else "en")
        name = Coalesce(
            NullIf(F(own), Value("")),
            NullIf(F(f"product__{own}"), Value("")),
            NullIf(F("name_en"), Value("")),
            F("product__name_en"),
        )
        return qs.annotate(sort_name=name).order_by("sort_name", "id")
    if browse.sort == "price":
        first_price = PriceTier.objects.filter(
            price_list_id__in=pricing.counted_list_ids, sku_id=OuterRef("pk")
        ).order_by("min_quantity", "unit_price")
        price = Subquery(first_price.values("unit_price")[:1])
        return qs.annotate(sort_price=price).order_by(F("sort_price").asc(nulls_last=True), "id")
    if browse.sort == "newest":
        return qs.order_by("-id")
    return qs.order_by("id")


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
    images = catalog.main_images(tenant_id, {row["product_id"] for row in rows})
    entries = []
    for row in rows:
        sku_id = row["id"]
        row["min_order_quantity"], row["pack_size"] = book.ordering_terms(
            sku_id, row["min_order_quantity"], row["pack_size"]
        )
        entries.append(
            CatalogueEntry(
                row,
                book.ladder(sku_id),
                available.get(sku_id, 0),
                images.get(row["product_id"], ""),
            )
        )
    return entries
