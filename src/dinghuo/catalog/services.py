"""Catalogue writes: categories, products, SKUs and the bulk upsert. Each is one transaction
that records its events; a refusal changes nothing.

Partial updates take UNSET for "leave as it is", because None can be a value (no category).
Translated text comes as `{language code: text}`; only the languages given are written.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import (
    UNSET,
    Unset,
    code_must_be_free,
    locked_tenant_row,
    refuse,
    taken,
)
from dinghuo.integrations import events

LANGUAGES: Final = ("en", "zh-hant", "zh-hans")
MAX_BULK_SKUS = 5000
MAX_ORDER_UNITS = 1_000_000_000

Texts = Mapping[str, str | None]


def column(field_name: str, language: str) -> str:
    """The database column of one translation: `name`, `zh-hant` → `name_zh_hant`."""
    return f"{field_name}_{language.replace('-', '_')}"


def localized(obj: Model, field_name: str) -> dict[str, str | None]:
    """All translations of a field; a missing one is None."""
    return {lang: getattr(obj, column(field_name, lang)) or None for lang in LANGUAGES}


def _assign(obj: Model, attr: str, value: Any) -> bool:
    """Set `attr` unless `value` is UNSET; whether the stored value changes."""
    if value is UNSET or getattr(obj, attr) == value:
        return False
    setattr(obj, attr, value)
    return True


def _assign_texts(obj: Model, field_name: str, texts: Texts) -> bool:
    # English stays "" rather than NULL: it is the column the untranslated field mirrors.
    changed = False
    for lang, text in texts.items():
        value = text or ("" if lang == "en" else None)
        changed |= _assign(obj, column(field_name, lang), value)
    return changed


def _name_errors(obj: Model, at: str = "") -> list[FieldError]:
    if getattr(obj, column("name", "en")):
        return []
    return [FieldError(f"{at}name.en", "name_required", "An English name is required")]


# --- categories ---------------------------------------------------------------------------


def _category_payload(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": localized(category, "name"),
        "parent_id": category.parent_id,
    }


def _parent_errors(
    tenant_id: int, parent_id: int | None, category_id: int | None
) -> list[FieldError]:
    """A parent must be the tenant's and must not sit below the category itself."""
    if parent_id is None:
        return []
    parents = dict(Category.objects.filter(tenant_id=tenant_id).values_list("id", "parent_id"))
    if parent_id not in parents:
        return [FieldError("parent_id", "unknown_parent", f"No category {parent_id}")]
    ancestor: int | None = parent_id
    while ancestor is not None:
        if ancestor == category_id:
            return [FieldError("parent_id", "category_cycle", "A category cannot sit below itself")]
        ancestor = parents.get(ancestor)
    return []


@transaction.atomic
def create_category(
    *, tenant_id: int, code: str, name: Texts, parent_id: int | None = None
) -> Category:
    """Create a category; `name` needs English, `parent_id` must be one of the tenant's."""
    category = Category(tenant_id=tenant_id, code=code, parent_id=parent_id)
    _assign_texts(category, "name", name)
    errors = _name_errors(category) + _parent_errors(tenant_id, parent_id, None)
    refuse(errors, "The category cannot be created; see errors.")
    if Category.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        category.save()
    events.record(
        events.new(
            category.tenant_id,
            "category.created",
            "category",
            category.pk,
            _category_payload(category),
        )
    )
    return category


@transaction.atomic
def update_category(
    *,
    tenant_id: int,
    category_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
    parent_id: int | Unset | None = UNSET,
) -> Category:
    """Change what is given; moving a category below one of its own descendants is refused."""
    category = locked_tenant_row(
        Category.objects.all(), tenant_id, category_id, f"No category {category_id}."
    )
    changed = [
        attr
        for attr, moved in [
            ("code", _assign(category, "code", code)),
            ("name", name is not UNSET and _assign_texts(category, "name", name)),
            ("parent_id", _assign(category, "parent_id", parent_id)),
        ]
        if moved
    ]
    errors = _name_errors(category) if "name" in changed else []
    if "parent_id" in changed:
        errors += _parent_errors(tenant_id, category.parent_id, category.pk)
    refuse(errors, "The category cannot be changed; see errors.")
    if not changed:
        return category
    if (
        "code" in changed
        and Category.objects.filter(tenant_id=tenant_id, code=category.code).exists()
    ):
        raise taken("code", category.code)
    with code_must_be_free("code"):
        category.save()
    payload = {**_category_payload(category), "changed": changed}
    events.record(
        events.new(category.tenant_id, "category.updated", "category", category.pk, payload)
    )
    return category


# --- products -----------------------------------------------------------------------------


def _product_payload(product: Product, seller_slug: str) -> dict[str, Any]:
    return {
        "code": product.code,
        "seller": seller_slug,
        "name": localized(product, "name"),
        "category_id": product.category_id,
        "is_active": product.is_active,
        "allow_backorder": product.allow_backorder,
    }


def _category_errors(tenant_id: int, category_id: int | None) -> list[FieldError]:
    if category_id is None or Category.objects.filter(tenant_id=tenant_id, pk=category_id).exists():
        return []
    return [FieldError("category_id", "unknown_category", f"No category {category_id}")]


def _locked_product(tenant_id: int, product_id: int) -> Product:
    return locked_tenant_row(
        Product.objects.select_related("seller"), tenant_id, product_id, f"No product {product_id}."
    )


@transaction.atomic
def create_product(
    *,
    tenant_id: int,
    code: str,
    name: Texts,
    description: Texts | None = None,
    category_id: int | None = None,
    allow_backorder: bool = False,
    is_active: bool = True,
    seller_slug: str | None = None,
) -> Product:
    """Create a product of the tenant's own store, or of the seller named by `seller_slug`."""
    seller = seller_for(tenant_id, seller_slug)
    product = Product(
        tenant_id=tenant_id,
        seller=seller,
        code=code,
        category_id=category_id,
        allow_backorder=allow_backorder,
        is_active=is_active,
    )
    _assign_texts(product, "name", name)
    _assign_texts(product, "description", {"en": "", **(description or {})})
    errors = _name_errors(product) + _category_errors(tenant_id, category_id)
    refuse(errors, "The product cannot be created; see errors.")
    if Product.objects.filter(seller=seller, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        product.save()
    payload = _product_payload(product, seller.slug)
    events.record(events.new(product.tenant_id, "product.created", "product", product.pk, payload))
    return product


@transaction.atomic
def update_product(
    *,
    tenant_id: int,
    product_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
    description: Texts | Unset = UNSET,
    category_id: int | Unset | None = UNSET,
    allow_backorder: bool | Unset = UNSET,
) -> Product:
    """Change what is given; a code must stay unique within the seller."""
    product = _locked_product(tenant_id, product_id)
    changed = [
        attr
        for attr, moved in [
            ("code", _assign(product, "code", code)),
            ("name", name is not UNSET and _assign_texts(product, "name", name)),
            (
                "description",
                description is not UNSET and _assign_texts(product, "description", description),
            ),
            ("category_id", _assign(product, "category_id", category_id)),
            ("allow_backorder", _assign(product, "allow_backorder", allow_backorder)),
        ]
        if moved
    ]
    errors = _name_errors(product) if "name" in changed else []
    if "category_id" in changed:
        errors += _category_errors(tenant_id, product.category_id)
    refuse(errors, "The product cannot be changed; see errors.")
    if not changed:
        return product
    if (
        "code" in changed
        and Product.objects.filter(seller_id=product.seller_id, code=product.code).exists()
    ):
        raise taken("code", product.code)
    with code_must_be_free("code"):
        product.save()
    payload = {**_product_payload(product, product.seller.slug), "changed": changed}
    events.record(events.new(product.tenant_id, "product.updated", "product", product.pk, payload))
    return product


@transaction.atomic
def set_product_active(*, tenant_id: int, product_id: int, active: bool) -> Product:
    """Offer the product again, or stop offering it; asking for the current state is a no-op.

    An inactive product's SKUs leave the buyers' catalogue and can no longer be ordered.
    """
    product = _locked_product(tenant_id, product_id)
    if product.is_active == active:
        return product
    product.is_active = active
    product.save(update_fields=["is_active", "updated_at"])
    type = "product.activated" if active else "product.deactivated"
    payload = _product_payload(product, product.seller.slug)
    events.record(events.new(product.tenant_id, type, "product", product.pk, payload))
    return product


# --- SKUs ---------------------------------------------------------------------------------


def _sku_payload(sku: Sku, product_code: str) -> dict[str, Any]:
    return {
        "code": sku.code,
        "product": product_code,
        "name": localized(sku, "name"),
        "unit": sku.unit,
        "min_order_quantity": sku.min_order_quantity,
        "pack_size": sku.pack_size,
        "is_active": sku.is_active,
    }


def _quantity_errors(sku: Sku, at: str) -> list[FieldError]:
    return [
        FieldError(f"{at}{attr}", "must_be_positive", f"{attr} must be at least 1")
        for attr in ("min_order_quantity", "pack_size")
        if not 1 <= getattr(sku, attr) <= MAX_ORDER_UNITS
    ]


def _locked_sku(tenant_id: int, sku_id: int) -> Sku:
    return locked_tenant_row(
        Sku.objects.select_related("product"), tenant_id, sku_id, f"No SKU {sku_id}."
    )


@transaction.atomic
def create_sku(
    *,
    tenant_id: int,
    product_id: int,
    code: str,
    name: Texts | None = None,
    unit: str = "pc",
    min_order_quantity: int = 1,
    pack_size: int = 1,
    is_active: bool = True,
) -> Sku:
    """Add a SKU to a product of the tenant; it belongs to the product's seller."""
    product = Product.objects.filter(tenant_id=tenant_id, pk=product_id).first()
    if product is None:
        raise ValidationFailed(
            "Unknown product.",
            errors=[FieldError("product_id", "unknown_product", f"No product {product_id}")],
        )
    sku = Sku(
        tenant_id=tenant_id,
        seller_id=product.seller_id,
        product=product,
        code=code,
        unit=unit,
        min_order_quantity=min_order_quantity,
        pack_size=pack_size,
        is_active=is_active,
    )
    _assign_texts(sku, "name", {"en": "", **(name or {})})
    refuse(_quantity_errors(sku, ""), "The SKU cannot be created; see errors.")
    if Sku.objects.filter(seller_id=product.seller_id, code=code).exists():
        raise taken("code", code)
    with code_must_be_free("code"):
        sku.save()
    events.record(
        events.new(sku.tenant_id, "sku.created", "sku", sku.pk, _sku_payload(sku, product.code))
    )
    return sku


@transaction.atomic
def update_sku(
    *,
    tenant_id: int,
    sku_id: int,
    code: str | Unset = UNSET,
    name: Texts | Unset = UNSET,
    unit: str | Unset = UNSET,
    min_order_quantity: int | Unset = UNSET,
    pack_size: int | Unset = UNSET,
) -> Sku:
    """Change what is given; minimum order quantity and pack size stay at least 1."""
    sku = _locked_sku(tenant_id, sku_id)
    changed = [
        attr
        for attr, moved in [
            ("code", _assign(sku, "code", code)),
            ("name", name is not UNSET and _assign_texts(sku, "name", name)),
            ("unit", _assign(sku, "unit", unit)),
            ("min_order_quantity", _assign(sku, "min_order_quantity", min_order_quantity)),
            ("pack_size", _assign(sku, "pack_size", pack_size)),
        ]
        if moved
    ]
    refuse(_quantity_errors(sku, ""), "The SKU cannot be changed; see errors.")
    if not changed:
        return sku
    if "code" in changed and Sku.objects.filter(seller_id=sku.seller_id, code=sku.code).exists():
        raise taken("code", sku.code)
    with code_must_be_free("code"):
        sku.save()
    payload = {**_sku_payload(sku, sku.product.code), "changed": changed}
    events.record(events.new(sku.tenant_id, "sku.updated", "sku", sku.pk, payload))
    return sku


@transaction.atomic
def set_sku_active(*, tenant_id: int, sku_id: int, active: bool) -> Sku:
    """Offer the SKU again, or stop offering it; asking for the current state is a no-op."""
    sku = _locked_sku(tenant_id, sku_id)
    if sku.is_active == active:
        return sku
    sku.is_active = active
    sku.save(update_fields=["is_active", "updated_at"])
    type = "sku.activated" if active else "sku.deactivated"
    events.record(
        events.new(sku.tenant_id, type, "sku", sku.pk, _sku_payload(sku, sku.product.code))
    )
    return sku


# --- bulk upsert --------------------------------------------------------------------------


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
    allow_backorder: bool | Unset = UNSET
    is_active: bool | Unset = UNSET
    skus: Sequence[SkuRow] = ()


@dataclass(frozen=True)
class Counts:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class BulkResult:
    products: Counts
    skus: Counts


_PRODUCT_COLUMNS = [
    *(column(f, lang) for f in ("name", "description") for lang in LANGUAGES),
    "category",
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


def _category_change(
    plan: _Plan, at: str, item: ProductRow, categories: dict[str, int]
) -> int | Unset | None:
    if not isinstance(item.category, str):
        return item.category
    category_id = categories.get(item.category)
    if category_id is None:
        plan.errors.append(
            FieldError(f"{at}.category", "unknown_category", f"No category {item.category}")
        )
        return UNSET
    return category_id


def _merge_product(
    plan: _Plan, at: str, item: ProductRow, product: Product, categories: dict[str, int]
) -> None:
    is_new = product.pk is None
    renamed = _assign_texts(product, "name", item.name)
    changed = [
        renamed,
        _assign_texts(product, "description", item.description),
        _assign(product, "category_id", _category_change(plan, at, item, categories)),
        _assign(product, "allow_backorder", item.allow_backorder),
        _assign(product, "is_active", item.is_active),
    ]
    if is_new or renamed:
        plan.errors += _name_errors(product, f"{at}.")
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
        _assign_texts(sku, "name", row.name),
        _assign(sku, "unit", row.unit),
        _assign(sku, "min_order_quantity", row.min_order_quantity),
        _assign(sku, "pack_size", row.pack_size),
        _assign(sku, "is_active", row.is_active),
    ]
    plan.errors += _quantity_errors(sku, f"{at}.")
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
    categories: dict[str, int],
) -> _Plan:
    plan = _Plan()
    for i, item in enumerate(items):
        product = products.get(item.code) or Product(
            tenant_id=tenant_id, seller=seller, code=item.code, description_en=""
        )
        _merge_product(plan, f"items[{i}]", item, product, categories)
        for j, row in enumerate(item.skus):
            sku = skus.get(row.code) or Sku(
                tenant_id=tenant_id, seller=seller, code=row.code, name_en=""
            )
            _merge_sku(plan, f"items[{i}].skus[{j}]", row, sku, product)
    return plan


def _write(plan: _Plan) -> None:
    now = timezone.now()
    # bulk_update does not apply auto_now.
    for product in plan.changed_products:
        product.updated_at = now
    for sku in plan.changed_skus:
        sku.updated_at = now
    with code_must_be_free("items"):
        Product.objects.bulk_create(plan.new_products)
        Product.objects.bulk_update(plan.changed_products, _PRODUCT_COLUMNS)
        for new_sku, its_product in plan.new_skus:
            new_sku.product_id = its_product.pk
        Sku.objects.bulk_create([new_sku for new_sku, _ in plan.new_skus])
        Sku.objects.bulk_update(plan.changed_skus, _SKU_COLUMNS)


@transaction.atomic
def bulk_upsert(
    *, tenant_id: int, items: Sequence[ProductRow], seller_slug: str | None = None
) -> BulkResult:
    """Create or update products and their SKUs by code, all or nothing.

    Every problem of every item is reported at once (`items[i].skus[j].code`, …). Reads and
    writes are one statement per table whatever the number of items: on PostgreSQL a dozen
    queries in all; SQLite splits inserts and updates into batches of 999 parameters (about
    70 rows). Only rows whose values change are written; one `catalog.bulk_upserted` event
    names them.
    """
    seller = seller_for(tenant_id, seller_slug)
    errors = _duplicate_errors(items)
    if sum(len(item.skus) for item in items) > MAX_BULK_SKUS:
        errors.append(
            FieldError("items", "too_many_skus", f"At most {MAX_BULK_SKUS} SKUs per request")
        )
    refuse(errors, "The catalogue cannot be updated; see errors.")
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
    wanted = {item.category for item in items if isinstance(item.category, str)}
    categories = dict(
        Category.objects.filter(tenant_id=tenant_id, code__in=wanted).values_list("code", "id")
        if wanted
        else []
    )
    plan = _plan(tenant_id, seller, items, products, skus, categories)
    refuse(plan.errors, "The catalogue cannot be updated; see errors.")
    _write(plan)
    result = BulkResult(
        Counts(len(plan.new_products), len(plan.changed_products), plan.unchanged_products),
        Counts(len(plan.new_skus), len(plan.changed_skus), plan.unchanged_skus),
    )
    if plan.new_products or plan.changed_products or plan.new_skus or plan.changed_skus:
        events.record(
            events.new(
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
        )
    return result
