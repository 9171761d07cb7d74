"""Catalogue reads for the API and pages: tenant-scoped, a fixed number of queries each."""

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Upper

from dinghuo.catalog.models import Category, Product, ProductImage, Sku, TaxCategory
from dinghuo.catalog.texts import LANGUAGES, column
from dinghuo.core.errors import NotFound
from dinghuo.core.queries import tenant_row


def text_search(q: str, prefix: str = "") -> Q:
    """`q` in the code or in the name in any language (not only the request's language)."""
    match = Q(**{f"{prefix}code__icontains": q})
    for lang in LANGUAGES:
        match |= Q(**{f"{prefix}{column('name', lang)}__icontains": q})
    return match


def categories(tenant_id: int) -> QuerySet[Category]:
    return Category.objects.filter(tenant_id=tenant_id)


def category(tenant_id: int, category_id: int) -> Category:
    return tenant_row(Category.objects.all(), tenant_id, category_id, f"No category {category_id}.")


def tax_categories(tenant_id: int) -> QuerySet[TaxCategory]:
    return TaxCategory.objects.filter(tenant_id=tenant_id)


def tax_category(tenant_id: int, tax_category_id: int) -> TaxCategory:
    return tenant_row(
        TaxCategory.objects.all(), tenant_id, tax_category_id, f"No tax category {tax_category_id}."
    )


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
        qs = qs.filter(text_search(q))
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


def category_and_descendants(tenant_id: int, category_id: int) -> set[int]:
    """The ids of a category and every category below it (one query)."""
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


def codes_as_listed(tenant_id: int, seller_id: int, codes: Iterable[str]) -> dict[str, str]:
    """The seller's own spelling of codes a person typed in another case ("ric-1" → "RIC-1"):
    one indexed query when every code is spelled as listed, one more (a case-blind look at the
    seller's SKUs) for those that are not. A code listed twice in different cases, or not at
    all, has no entry: it is left as typed."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    mine = Sku.objects.filter(tenant_id=tenant_id, seller_id=seller_id)
    found = set(mine.filter(code__in=wanted).values_list("code", flat=True))
    keys = {code.upper() for code in wanted - found}
    if not keys:
        return {}
    spellings: dict[str, set[str]] = {}
    for code in (
        mine.annotate(key=Upper("code")).filter(key__in=keys).values_list("code", flat=True)
    ):
        spellings.setdefault(code.upper(), set()).add(code)
    listed = {key: names.pop() for key, names in spellings.items() if len(names) == 1}
    return {code: listed[code.upper()] for code in wanted - found if code.upper() in listed}


def product_images(tenant_id: int, product_id: int) -> QuerySet[ProductImage]:
    """A product's pictures, the main one first."""
    return ProductImage.objects.filter(tenant_id=tenant_id, product_id=product_id).order_by(
        "position", "id"
    )


def main_images(tenant_id: int, product_ids: Iterable[int]) -> dict[int, str]:
    """The small copy of each product's main picture, for those that have one (one query)."""
    found: dict[int, str] = {}
    rows = ProductImage.objects.filter(tenant_id=tenant_id, product_id__in=list(product_ids))
    for product_id, small in rows.order_by("product_id", "position", "id").values_list(
        "product_id", "small"
    ):
        found.setdefault(product_id, small)
    return found
