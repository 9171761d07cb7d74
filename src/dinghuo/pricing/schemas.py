"""Price list request and response bodies, and the functions that shape the answers."""

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, InSchema, PageFilters, PatchIn, Quantity, Slug
from dinghuo.catalog.schemas import TierOut
from dinghuo.pricing.models import PriceList

MAX_PRICE_ENTRIES = 1000
MAX_TIERS = 20

ListName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
# Checked by the service against ISO 4217 so that a wrong code gets `invalid_currency`.
Currency = Annotated[str, StringConstraints(min_length=1, max_length=8, strip_whitespace=True)]
# A sign is let through so that a negative price is reported as `invalid_tiers`. Below 10^11
# with 4 decimals is 15 significant digits: what SQLite (which stores decimals as doubles)
# keeps exactly.
UnitPrice = Annotated[
    str,
    StringConstraints(pattern=r"^-?\d{1,11}(\.\d{1,4})?$", max_length=17),
]


class PriceListIn(InSchema):
    code: Slug
    name: ListName
    currency: Currency = Field(description="ISO 4217, e.g. HKD")
    is_active: bool = True
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class PriceListPatch(PatchIn):
    code: Slug | None = None
    name: ListName | None = None
    currency: Currency | None = Field(None, description="Only while the list has no prices")
    is_active: bool | None = None


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    seller: str
    is_active: bool


class PriceListPageOut(Schema):
    items: list[PriceListOut]
    next_cursor: str | None


class PriceListFilters(PageFilters):
    is_active: bool | None = None


class PriceFilters(PageFilters):
    sku: Code | None = Field(None, description="Only this SKU code")


class TierIn(InSchema):
    min_quantity: Quantity = Field(description="From this many units on; rising, the first ≥ 1")
    unit_price: UnitPrice = Field(description="Decimal string, at most 4 decimal places")


class PriceEntryIn(InSchema):
    sku: Code
    tiers: list[TierIn] = Field(max_length=MAX_TIERS, description="Empty removes the price")


class PricesIn(InSchema):
    entries: list[PriceEntryIn] = Field(max_length=MAX_PRICE_ENTRIES)


class SkuPricesOut(Schema):
    sku_id: int
    sku: str
    tiers: list[TierOut]


class PricePageOut(Schema):
    currency: str
    items: list[SkuPricesOut]
    next_cursor: str | None


class PriceChangeOut(Schema):
    changed: int = Field(description="SKUs whose ladder was replaced")
    unchanged: int = Field(description="SKUs whose ladder was already as given")


def price_list_out(price_list: PriceList) -> dict[str, Any]:
    return {
        "id": price_list.pk,
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "seller": price_list.seller.slug,
        "is_active": price_list.is_active,
    }
