"""Catalogue request and response bodies, and the functions that shape the answers.

Translated text travels as `{"en": ..., "zh-hant": ..., "zh-hans": ...}`; a language without
a translation is `null` (readers fall back to English).
"""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from dinghuo.api.schemas import (
    NOT_BLANK,
    Code,
    Id,
    InSchema,
    LongText,
    PageFilters,
    PatchIn,
    Slug,
    UnitPriceText,
    Units,
)
from dinghuo.catalog.models import Category, Product, Sku, TaxCategory
from dinghuo.catalog.texts import localized

MAX_BULK_ITEMS = 1000
MAX_SKUS_PER_PRODUCT = 100

CategoryText = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
NameText = Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)]
Unit = Annotated[
    str, StringConstraints(min_length=1, max_length=16, strip_whitespace=True), NOT_BLANK
]
OrderUnits = Units
# A GS1 barcode number (GTIN-8, -12, -13 or -14); the service checks its check digit.
GtinIn = Annotated[
    str,
    StringConstraints(pattern=r"^([0-9]{8}|[0-9]{12,14})?$"),
    Field(description="GTIN-8, -12, -13 or -14 with its check digit; empty for none"),
]


class _Translations(InSchema):
    # Only the hyphenated language codes are accepted, never the Python names.
    model_config = ConfigDict(populate_by_name=False)


class CategoryNameIn(_Translations):
    en: CategoryText | None = None
    zh_hant: CategoryText | None = Field(None, alias="zh-hant")
    zh_hans: CategoryText | None = Field(None, alias="zh-hans")


class NameIn(_Translations):
    en: NameText | None = None
    zh_hant: NameText | None = Field(None, alias="zh-hant")
    zh_hans: NameText | None = Field(None, alias="zh-hans")


class DescriptionIn(_Translations):
    en: LongText | None = None
    zh_hant: LongText | None = Field(None, alias="zh-hant")
    zh_hans: LongText | None = Field(None, alias="zh-hans")


def texts(value: _Translations | None) -> dict[str, str | None]:
    """The languages the request named, by language code (`zh-hant`), with their text."""
    if value is None:
        return {}
    return value.model_dump(exclude_unset=True, by_alias=True)


class TranslationsOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    en: str | None
    zh_hant: str | None = Field(alias="zh-hant")
    zh_hans: str | None = Field(alias="zh-hans")


# --- categories ---------------------------------------------------------------------------


class CategoryIn(InSchema):
    code: Slug
    name: CategoryNameIn = Field(description="`en` is required")
    parent_id: Id | None = None


class CategoryPatch(PatchIn):
    nullable = frozenset({"parent_id"})

    code: Slug | None = None
    name: CategoryNameIn | None = Field(None, description="Only the languages given change")
    parent_id: Id | None = Field(None, description="null makes it a top-level category")


class CategoryOut(Schema):
    id: int
    code: str
    name: TranslationsOut
    parent_id: int | None


class CategoryPageOut(Schema):
    items: list[CategoryOut]
    next_cursor: str | None


def category_out(category: Category) -> dict[str, Any]:
    return {
        "id": category.pk,
        "code": category.code,
        "name": localized(category, "name"),
        "parent_id": category.parent_id,
    }


# --- tax categories -----------------------------------------------------------------------


class TaxCategoryIn(InSchema):
    code: Slug
    name: CategoryNameIn = Field(description="`en` is required")


class TaxCategoryPatch(PatchIn):
    code: Slug | None = None
    name: CategoryNameIn | None = Field(None, description="Only the languages given change")


class TaxCategoryOut(Schema):
    id: int
    code: str
    name: TranslationsOut


class TaxCategoryPageOut(Schema):
    items: list[TaxCategoryOut]
    next_cursor: str | None


def tax_category_out(category: TaxCategory) -> dict[str, Any]:
    return {"id": category.pk, "code": category.code, "name": localized(category, "name")}


# --- products -----------------------------------------------------------------------------


class ProductIn(InSchema):
    code: Code
    name: NameIn = Field(description="`en` is required")
    description: DescriptionIn | None = None
    category_id: Id | None = None
    tax_category_id: Id | None = Field(None, description="Empty: the destination's general rate")
    allow_backorder: bool = False
    is_active: bool = True
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class ProductPatch(PatchIn):
    nullable = frozenset({"category_id", "tax_category_id"})

    code: Code | None = None
    name: NameIn | None = Field(None, description="Only the languages given change")
    description: DescriptionIn | None = Field(None, description="Only the languages given change")
    category_id: Id | None = Field(None, description="null removes the category")
    tax_category_id: Id | None = Field(
        None, description="null: the destination's general rate applies"
    )
    allow_backorder: bool | None = None


class SkuOut(Schema):
    id: int
    code: str
    product_id: int
    product: str
    name: TranslationsOut
    unit: str
    min_order_quantity: int
    pack_size: int
    gtin: str = Field(description="GS1 barcode number (GTIN); empty when the SKU has none")
    is_active: bool
    updated_at: datetime


class ProductOut(Schema):
    id: int
    code: str
    seller: str
    name: TranslationsOut
    description: TranslationsOut
    category_id: int | None
    tax_category_id: int | None
    is_active: bool
    allow_backorder: bool
    updated_at: datetime
    skus: list[SkuOut] | None = Field(None, description="Only when reading one product")


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductFilters(PageFilters):
    category_id: Id | None = None
    is_active: bool | None = None
    q: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] | None = Field(
        None, description="Part of the code or of the name in any language"
    )


def sku_out(sku: Sku, product_code: str) -> dict[str, Any]:
    return {
        "id": sku.pk,
        "code": sku.code,
        "product_id": sku.product_id,
        "product": product_code,
        "name": localized(sku, "name"),
        "unit": sku.unit,
        "min_order_quantity": sku.min_order_quantity,
        "pack_size": sku.pack_size,
        "gtin": sku.gtin,
        "is_active": sku.is_active,
        "updated_at": sku.updated_at.isoformat(),
    }


def product_out(
    product: Product, seller_slug: str, skus: list[Sku] | None = None
) -> dict[str, Any]:
    """One product; with `skus` when the SKUs were loaded for a detail answer."""
    return {
        "id": product.pk,
        "code": product.code,
        "seller": seller_slug,
        "name": localized(product, "name"),
        "description": localized(product, "description"),
        "category_id": product.category_id,
        "tax_category_id": product.tax_category_id,
        "is_active": product.is_active,
        "allow_backorder": product.allow_backorder,
        "updated_at": product.updated_at.isoformat(),
        "skus": None if skus is None else [sku_out(sku, product.code) for sku in skus],
    }


# --- SKUs ---------------------------------------------------------------------------------


class SkuIn(InSchema):
    product_id: Id
    code: Code
    name: NameIn | None = None
    unit: Unit = "pc"
    min_order_quantity: OrderUnits = 1
    pack_size: OrderUnits = 1
    is_active: bool = True
    gtin: GtinIn = ""


class SkuPatch(PatchIn):
    code: Code | None = None
    name: NameIn | None = Field(None, description="Only the languages given change")
    unit: Unit | None = None
    min_order_quantity: OrderUnits | None = None
    pack_size: OrderUnits | None = None
    gtin: GtinIn | None = Field(None, description='"" removes the GTIN')


class SkuPageOut(Schema):
    items: list[SkuOut]
    next_cursor: str | None


class SkuFilters(PageFilters):
    product_id: Id | None = None
    code: Code | None = None
    is_active: bool | None = None


# --- bulk upsert --------------------------------------------------------------------------


class BulkSkuIn(PatchIn):
    nullable = frozenset({"name"})

    code: Code
    name: NameIn | None = None
    unit: Unit | None = Field(None, description="Default pc for a new SKU; unchanged if omitted")
    min_order_quantity: OrderUnits | None = None
    pack_size: OrderUnits | None = None
    is_active: bool | None = None


class BulkProductIn(PatchIn):
    nullable = frozenset({"name", "description", "category", "tax_category"})

    code: Code
    name: NameIn | None = Field(None, description="`en` is required for a new product")
    description: DescriptionIn | None = None
    category: Slug | None = Field(None, description="Category code; null removes the category")
    tax_category: Slug | None = Field(
        None,
        description="Tax category code; null: the destination's general rate applies",
    )
    allow_backorder: bool | None = None
    is_active: bool | None = None
    skus: list[BulkSkuIn] = Field(default_factory=list, max_length=MAX_SKUS_PER_PRODUCT)


class BulkIn(InSchema):
    """Products by code: new codes are created, known codes updated with the fields given."""

    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    items: list[BulkProductIn] = Field(min_length=1, max_length=MAX_BULK_ITEMS)


class CountsOut(Schema):
    created: int
    updated: int
    unchanged: int


class BulkOut(Schema):
    products: CountsOut
    skus: CountsOut


class TierOut(Schema):
    min_quantity: int
    unit_price: UnitPriceText
