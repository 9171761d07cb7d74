"""Bodies of the company's catalogue, and the function that shapes an item of it."""

from collections.abc import Mapping
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Id, PageFilters, UnitPriceText
from dinghuo.buying.catalogue import CatalogueEntry
from dinghuo.catalog.schemas import TierOut, TranslationsOut
from dinghuo.catalog.texts import LANGUAGES
from dinghuo.core.money import format_unit_price
from dinghuo.pricing.services import ladder_out
from dinghuo.pricing.tiers import unit_price_for


class MyCatalogueFilters(PageFilters):
    category_id: Id | None = Field(None, description="This category and those below it")
    q: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] | None = Field(
        None, description="Part of the SKU or product code, or of a name in any language"
    )
    # Each item carries its tier ladder and availability, so pages are smaller than elsewhere.
    limit: int = Field(50, ge=1, le=200)


class CatalogueFilters(MyCatalogueFilters):
    company_id: Id


class CatalogueItemOut(Schema):
    sku_id: int
    sku: str
    name: TranslationsOut
    unit: str
    min_order_quantity: int
    pack_size: int
    product_id: int
    product: str
    product_name: TranslationsOut
    category_id: int | None
    allow_backorder: bool
    unit_price: UnitPriceText | None = Field(
        description="The price of one unit; null if tiers start above 1"
    )
    tiers: list[TierOut] = Field(
        description="The ladder the company gets: from each minimum on, the unit price its "
        "contract or price lists give, with any promotion"
    )
    available: int = Field(description="On hand less reserved, over active warehouses")


class CataloguePageOut(Schema):
    currency: str
    items: list[CatalogueItemOut]
    next_cursor: str | None


def language_values(row: Mapping[str, Any], prefix: str) -> dict[str, str | None]:
    """Translations of a `.values()` row, e.g. prefix `product__name`."""
    return {lang: row[f"{prefix}_{lang.replace('-', '_')}"] or None for lang in LANGUAGES}


def catalogue_item_out(entry: CatalogueEntry, currency: str) -> dict[str, Any]:
    row = entry.row
    one = unit_price_for(entry.tiers, 1)
    return {
        "sku_id": row["id"],
        "sku": row["code"],
        "name": language_values(row, "name"),
        "unit": row["unit"],
        "min_order_quantity": row["min_order_quantity"],
        "pack_size": row["pack_size"],
        "product_id": row["product_id"],
        "product": row["product__code"],
        "product_name": language_values(row, "product__name"),
        "category_id": row["product__category_id"],
        "allow_backorder": row["product__allow_backorder"],
        "unit_price": None if one is None else format_unit_price(one, currency),
        "tiers": ladder_out(entry.tiers, currency),
        "available": entry.available,
    }
