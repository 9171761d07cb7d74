"""The bulk upsert: create or update many products and their SKUs by code, all or nothing.

The whole request is worked out in memory first (`_Plan`); only then is anything written,
one statement per table.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category, Product, Sku, TaxCategory
from dinghuo.catalog.services.fields import assign, assign_texts, name_errors, quantity_errors
from dinghuo.catalog.texts import LANGUAGES, Texts, column
from dinghuo.core.db import insert_instances, update_instances
from dinghuo.core.errors import FieldError
from dinghuo.core.models import Seller
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, refuse
from dinghuo.integrations import events
from dinghuo.integrations.models import Event

MAX_BULK_SKUS = 5000


@dataclass(frozen=True)
class SkuRow:
    """One SKU of a bulk item; UNSET fields keep their value (or the default for a new SKU)."""

    code: str
    name: Texts = field(default_factory=dict)
    unit: str | Unset = UNSET
    min_order_quantity: int | Unset = UNSET
    pack_size: int | Unset = UNSET
    is_active: bool | Unset = UNSET


@dataclass(frozen=True)
class ProductRow:
    """One bulk item: a product by code with some of its SKUs (others are left alone)."""

    code: str
    name: Texts = field(default_factory=dict)
    description: Texts = field(default_factory=dict)
    category: str | Unset | None = UNSET
    tax_category: str | Unset | None = UNSET  # by code; None: the country's general rate
    allow_backorder: bool | Unset = UNSET
    is_active: bool | Unset = UNSET
    skus: Sequence[SkuRow] = ()


@dataclass(frozen=True)
class Counts:
    """How many rows of one kind a bulk request created, updated or left as they were."""

    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class BulkResult:
    """What a bulk request did to products and to SKUs."""

    products: Counts
    skus: Counts


_PRODUCT_COLUMNS = [
    *(column(f, lang) for f in ("name", "description") for lang in LANGUAGES),
    "category",
    "tax_category",
    "allow_backorder",
    "is_active",
    "updated_at",
]
_SKU_COLUMNS = [
    *(column("name", lang) for lang in LANGUAGES),
    "unit",
    "min_order_quantity",
    "pack_size",
    "is_active",
    "updated_at",
]
_NEW_PRODUCT_COLUMNS = ["tenant", "seller", "code", "name", "description", *_PRODUCT_COLUMNS]
_NEW_SKU_COLUMNS = ["tenant", "seller", "product", "code", "name", *_SKU_COLUMNS]


def _duplicate_errors(items: Sequence[ProductRow]) -> list[FieldError]:
    product_codes = Counter(item.code for item in items)
    sku_codes = Counter(sku.code for item in items for sku in item.skus)
    errors = []
    for i, item in enumerate(items):
        if product_codes[item.code] > 1:
            errors.append(
                FieldError(f"items[{i}].code", "duplicate_code", f"{item.code} is in several items")
            )
        errors += [
            FieldError(f"items[{i}].skus[{j}].code", "duplicate_code", f"{sku.code} is given twice")
            for j, sku in enumerate(item.skus)
            if sku_codes[sku.code] > 1
        ]
    return errors


def _request_errors(items: Sequence[ProductRow]) -> list[FieldError]:
    """What is wrong with the request itself, before anything is read."""
    errors = _duplicate_errors(items)
    if sum(len(item.skus) for item in items) > MAX_BULK_SKUS:
        errors.append(
            FieldError("items", "too_many_skus", f"At most {MAX_BULK_SKUS} SKUs per request")
        )
    return errors


@dataclass
class _Plan:
    """What a bulk request will write, worked out in memory before anything is written."""

    new_products: list[Product] = field(default_factory=list)
    changed_products: list[Product] = field(default_factory=list)
    unchanged_products: int = 0
    new_skus: list[tuple[Sku, Product]] = field(default_factory=list)
    changed_skus: list[Sku] = field(default_factory=list)
    unchanged_skus: int = 0
    errors: list[FieldError] = field(default_factory=list)

    def changes_anything(self) -> bool:
        return bool(
            self.new_products or self.changed_products or self.new_skus or self.changed_skus
        )

    def result(self) -> BulkResult:
        return BulkResult(
            Counts(len(self.new_products), len(self.changed_products), self.unchanged_products),
            Counts(len(self.new_skus), len(self.changed_skus), self.unchanged_skus),
        )


def _code_change(
    plan: _Plan, at: str, given: str | Unset | None, ids: dict[str, int], field_: str, code: str
) -> int | Unset | None:
    """The id a code names (a category's, a tax category's); UNSET and None as given; an
    unknown code is an error of the item."""
    if not isinstance(given, str):
        return given
    found = ids.get(given)
    if found is None:
        plan.errors.append(
            FieldError(f"{at}.{field_}", code, f"No {field_.replace('_', ' ')} {given}")
        )
        return UNSET
    return found


@dataclass(frozen=True)
class _Codes:
    """The ids of the categories and tax categories the request names, by code."""

    categories: dict[str, int]
    tax_categories: dict[str, int]


def _merge_product(plan: _Plan, at: str, item: ProductRow, product: Product, codes: _Codes) -> None:
    is_new = product.pk is None
    renamed = assign_texts(product, "name", item.name)
    changed = [
        renamed,
        assign_texts(product, "description", item.description),
        assign(
            product,
            "category_id",
            _code_change(plan, at, item.category, codes.categories, "category", "unknown_category"),
        ),
        assign(
            product,
            "tax_category_id",
            _code_change(
                plan,
                at,
                item.tax_category,
                codes.tax_categories,
                "tax_category",
                "unknown_tax_category",
            ),
        ),
        assign(product, "allow_backorder", item.allow_backorder),
        assign(product, "is_active", item.is_active),
    ]
    if is_new or renamed:
        plan.errors += name_errors(product, f"{at}.")
    if is_new:
        plan.new_products.append(product)
    elif any(changed):
        plan.changed_products.append(product)
    else:
        plan.unchanged_products += 1


def _merge_sku(plan: _Plan, at: str, row: SkuRow, sku: Sku, product: Product) -> None:
    is_new = sku.pk is None
    if not is_new and sku.product_id != product.pk:
        plan.errors.append(
            FieldError(f"{at}.code", "sku_of_other_product", f"{row.code} is another product's")
        )
        return
    changed = [
        assign_texts(sku, "name", row.name),
        assign(sku, "unit", row.unit),
        assign(sku, "min_order_quantity", row.min_order_quantity),
        assign(sku, "pack_size", row.pack_size),
        assign(sku, "is_active", row.is_active),
    ]
    plan.errors += quantity_errors(sku, f"{at}.")
    if is_new:
        plan.new_skus.append((sku, product))
    elif any(changed):
        plan.changed_skus.append(sku)
    else:
        plan.unchanged_skus += 1


def _plan(
    tenant_id: int,
    seller: Seller,
    items: Sequence[ProductRow],
    products: dict[str, Product],
    skus: dict[str, Sku],
    codes: _Codes,
) -> _Plan:
    plan = _Plan()
    for i, item in enumerate(items):
        product = products.get(item.code) or Product(
            tenant_id=tenant_id, seller=seller, code=item.code, description_en=""
        )
        _merge_product(plan, f"items[{i}]", item, product, codes)
        for j, row in enumerate(item.skus):
            sku = skus.get(row.code) or Sku(
                tenant_id=tenant_id, seller=seller, code=row.code, name_en=""
            )
            _merge_sku(plan, f"items[{i}].skus[{j}]", row, sku, product)
    return plan


def _locked_rows(
    seller: Seller, items: Sequence[ProductRow]
) -> tuple[dict[str, Product], dict[str, Sku]]:
    """The seller's products and SKUs the items name, by code, locked in id order."""
    products = {
        p.code: p
        for p in Product.objects.select_for_update(of=("self",))
        .filter(seller=seller, code__in={item.code for item in items})
        .order_by("id")
    }
    skus = {
        s.code: s
        for s in Sku.objects.select_for_update(of=("self",))
        .filter(seller=seller, code__in={sku.code for item in items for sku in item.skus})
        .order_by("id")
    }
    return products, skus


def _codes(tenant_id: int, items: Sequence[ProductRow]) -> _Codes:
    """The ids of the categories and tax categories the items name by code (no query for
    a kind they name none of)."""
    found = []
    for model, wanted in (
        (Category, {i.category for i in items if isinstance(i.category, str)}),
        (TaxCategory, {i.tax_category for i in items if isinstance(i.tax_category, str)}),
    ):
        rows = model.objects.filter(tenant_id=tenant_id, code__in=wanted) if wanted else None
        found.append(dict(rows.values_list("code", "id")) if rows is not None else {})
    return _Codes(*found)


def _write(plan: _Plan) -> None:
    now = timezone.now()
    # bulk_update does not apply auto_now.
    for product in plan.changed_products:
        product.updated_at = now
    for sku in plan.changed_skus:
        sku.updated_at = now
    for product in plan.new_products:
        product.updated_at = now
    for new_sku, _product in plan.new_skus:
        new_sku.updated_at = now
    # Lean multi-row statements (`core.db`): bulk_create and bulk_update spent most of a
    # 100,000-row file import's time building their SQL.
    with code_must_be_free("items"):
        insert_instances(plan.new_products, _NEW_PRODUCT_COLUMNS)
        update_instances(plan.changed_products, _PRODUCT_COLUMNS)
        for new_sku, its_product in plan.new_skus:
            new_sku.product_id = its_product.pk
        insert_instances([new_sku for new_sku, _ in plan.new_skus], _NEW_SKU_COLUMNS)
        update_instances(plan.changed_skus, _SKU_COLUMNS)


def _bulk_event(tenant_id: int, seller: Seller, plan: _Plan) -> Event:
    """The `catalog.bulk_upserted` event naming the rows written."""
    return events.new(
        tenant_id,
        "catalog.bulk_upserted",
        "catalog",
        seller.pk,
        {
            "seller": seller.slug,
            "products": {
                "created": [p.code for p in plan.new_products],
                "updated": [p.code for p in plan.changed_products],
            },
            "skus": {
                "created": [s.code for s, _ in plan.new_skus],
                "updated": [s.code for s in plan.changed_skus],
            },
        },
    )


@transaction.atomic
def bulk_upsert(
    *,
    tenant_id: int,
    items: Sequence[ProductRow],
    seller_slug: str | None = None,
    check_only: bool = False,
) -> BulkResult:
    """Create or update products and their SKUs by code, all or nothing.

    Every problem of every item is reported at once (`items[i].skus[j].code`, …). Reads and
    writes are one statement per table whatever the number of items: on PostgreSQL a dozen
    queries in all; SQLite splits inserts and updates into batches of 999 parameters (about
    70 rows). Only rows whose values change are written; one `catalog.bulk_upserted` event
    names them. `check_only`: make every check and answer the counts, write nothing (a file
    import's dry run).
    """
    seller = seller_for(tenant_id, seller_slug)
    refuse(_request_errors(items), "The catalogue cannot be updated; see errors.")
    products, skus = _locked_rows(seller, items)
    before = {id(row): audit.snapshot(row) for row in [*products.values(), *skus.values()]}
    plan = _plan(tenant_id, seller, items, products, skus, _codes(tenant_id, items))
    refuse(plan.errors, "The catalogue cannot be updated; see errors.")
    if check_only:  # a dry run: every check made, nothing written
        return plan.result()
    _write(plan)
    audit.created_many([*plan.new_products, *(sku for sku, _ in plan.new_skus)])
    changed = [*plan.changed_products, *plan.changed_skus]
    audit.changed_many((row, before[id(row)]) for row in changed if id(row) in before)
    if plan.changes_anything():
        events.record(_bulk_event(tenant_id, seller, plan))
    return plan.result()
