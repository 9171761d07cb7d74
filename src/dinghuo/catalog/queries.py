"""Catalogue reads for the API and pages: tenant-scoped, a fixed number of queries each."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.catalog.services import LANGUAGES, column
from dinghuo.core.errors import Conflict, FieldError, NotFound
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company
from dinghuo.inventory.models import StockLevel
from dinghuo.pricing.models import PriceTier
from dinghuo.pricing.queries import ladders


def _text_search(q: str, prefix: str = "") -> Q:
    """`q` in the code or in the name in any language (not only the request's language)."""
    match = Q(**{f"{prefix}code__icontains": q})
    for lang in LANGUAGES:
        match |= Q(**{f"{prefix}{column('name', lang)}__icontains": q})
    return match


def categories(tenant_id: int) -> QuerySet[Category]:
    return Category.objects.filter(tenant_id=tenant_id)


def category(tenant_id: int, category_id: int) -> Category:
    return tenant_row(Category.objects.all(), tenant_id, category_id, f"No category {category_id}.")


def products(
    tenant_id: int,
    *,
    category_id: int | None = None,
    is_active: bool | None = None,
    q: str | None = None,
) -> QuerySet[Product]:
    """The tenant's products, with their seller; `category_id` matches that category only."""
    qs = Product.objects.filter(tenant_id=tenant_id).select_related("seller")
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if q:
        qs = qs.filter(_text_search(q))
    return qs


def product_detail(tenant_id: int, product_id: int) -> tuple[Product, list[Sku]]:
    """One product with its seller, and its SKUs oldest first (two queries)."""
    product = tenant_row(
        Product.objects.select_related("seller"), tenant_id, product_id, f"No product {product_id}."
    )
    return product, list(Sku.objects.filter(product=product).order_by("id"))


def skus(
    tenant_id: int,
    *,
    product_id: int | None = None,
    code: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Sku]:
    """The tenant's SKUs, each annotated with `product_code`."""
    qs = Sku.objects.filter(tenant_id=tenant_id).annotate(product_code=F("product__code"))
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if code is not None:
        qs = qs.filter(code=code)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def sku(tenant_id: int, sku_id: int) -> Sku:
    """One SKU annotated with `product_code`."""
    found = skus(tenant_id).filter(pk=sku_id).first()
    if found is None:
        raise NotFound(f"No SKU {sku_id}.")
    return found


# --- the buyer's catalogue ----------------------------------------------------------------

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


def _with_descendants(tenant_id: int, category_id: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for cid, parent_id in Category.objects.filter(tenant_id=tenant_id).values_list(
        "id", "parent_id"
    ):
        children.setdefault(parent_id, []).append(cid)
    found, todo = set(), [category_id]
    while todo:
        cid = todo.pop()
        if cid not in found:
            found.add(cid)
            todo += children.get(cid, [])
    return found


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


def buyer_catalogue(
    tenant_id: int,
    company_id: int,
    *,
    after_id: int = 0,
    limit: int = 50,
    category_id: int | None = None,
    q: str | None = None,
) -> CataloguePage:
    """What a company can order: active SKUs of active products priced on its price list.

    Four queries whatever the page size (five with `category_id`, which includes the
    categories below it): the company and its price list; one page of SKUs with their
    product's columns; the tier ladders of that page; availability of that page summed in
    one grouped query. An inactive or unknown company is 404; an inactive price list 409.
    """
    company = (
        Company.objects.filter(tenant_id=tenant_id, pk=company_id, is_active=True)
        .select_related("price_list")
        .only("id", "price_list__id", "price_list__currency", "price_list__is_active")
        .first()
    )
    if company is None:
        raise NotFound(
            f"No company {company_id}.",
            errors=[FieldError("company_id", "unknown_company", "No active company with this id")],
        )
    price_list = company.price_list
    if not price_list.is_active:
        raise Conflict(
            "The company's price list is inactive; it cannot order now.",
            code="price_list_inactive",
        )
    # The bound on sku_id repeats the page's cursor inside the subquery: without it PostgreSQL
    # merges with the tiers from the first SKU on, reading every tier before the cursor.
    priced = PriceTier.objects.filter(
        price_list_id=price_list.pk, sku_id=OuterRef("pk"), sku_id__gt=after_id
    )
    qs = Sku.objects.filter(
        Exists(priced),
        tenant_id=tenant_id,
        is_active=True,
        product__is_active=True,
        id__gt=after_id,
    )
    if category_id is not None:
        qs = qs.filter(product__category_id__in=_with_descendants(tenant_id, category_id))
    if q:
        qs = qs.filter(_text_search(q) | _text_search(q, "product__"))
    rows = list(qs.order_by("id").values(*_CATALOGUE_COLUMNS)[: limit + 1])
    next_after = rows[limit - 1]["id"] if len(rows) > limit else None
    rows = rows[:limit]
    if not rows:
        return CataloguePage(price_list.currency, [], None)
    ids = [row["id"] for row in rows]
    tiers = ladders(price_list.pk, ids)
    available = available_by_sku(tenant_id, ids)
    entries = [
        CatalogueEntry(row, tiers.get(row["id"], []), available.get(row["id"], 0)) for row in rows
    ]
    return CataloguePage(price_list.currency, entries, next_after)
