"""Request and response bodies of carts, requisition lists, reorders and quotes, and the
functions that shape the answers."""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from dinghuo.api.schemas import Code, Day, Id, InSchema, LongText, PageFilters, PatchIn, Quantity
from dinghuo.buying.catalogue import CatalogueEntry
from dinghuo.buying.models import Quote, QuoteLine, RequisitionList
from dinghuo.buying.queries import PricedLine, PricedLines
from dinghuo.buying.quote_states import (
    BUYER_ACTIONS,
    SELLER_ACTIONS,
    QuoteStatus,
    allowed_actions,
    effective_status,
)
from dinghuo.buying.services import RepricedLine, Repricing
from dinghuo.catalog.schemas import TierOut, TranslationsOut
from dinghuo.catalog.services import LANGUAGES
from dinghuo.core.errors import FieldError
from dinghuo.core.money import format_amount, format_unit_price, round_money
from dinghuo.pricing.services import ladder_out
from dinghuo.pricing.tiers import unit_price_for

MAX_LINES = 1000
ListName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
ListNote = Annotated[str, StringConstraints(max_length=200)]
QuoteNote = Annotated[str, StringConstraints(max_length=300)]
PurchaseOrderNumber = Annotated[str, StringConstraints(max_length=64)]
# A sign is let through so that a negative price is reported as `negative_price`; 11 digits
# and 4 decimals are what SQLite (decimals as doubles) keeps exactly.
UnitPrice = Annotated[str, StringConstraints(pattern=r"^-?\d{1,11}(\.\d{1,4})?$", max_length=17)]
LineNumber = Annotated[int, Field(ge=1, le=1_000_000)]


def _in_utc(moment: datetime) -> datetime:
    # Far-off offsets near year 1 or 9999 cannot be moved to UTC: a 422, not a 500.
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


ExpiresAt = Annotated[
    AwareDatetime,
    Field(strict=False, description="ISO 8601 with a time zone, in the future"),
    AfterValidator(_in_utc),
]


# Requests


class CartLineIn(InSchema):
    sku: Code
    quantity: Quantity = Field(description="Units to add to what the cart holds of this SKU")


class CartQuantityIn(InSchema):
    quantity: Quantity = Field(description="Units the cart should hold of this SKU")


class CheckoutIn(InSchema):
    ship_to_id: Id
    purchase_order_number: PurchaseOrderNumber = ""
    notes: LongText = ""
    requested_delivery_date: Day | None = Field(
        None, description="When the customer wants the goods; today or later"
    )


class ListLineIn(InSchema):
    sku: Code
    quantity: Quantity
    note: ListNote = ""


class RequisitionListIn(InSchema):
    name: ListName
    lines: list[ListLineIn] = Field(default_factory=list, max_length=MAX_LINES)


class RequisitionListPatch(PatchIn):
    name: ListName | None = None
    lines: list[ListLineIn] | None = Field(
        None, max_length=MAX_LINES, description="Replaces every line of the list"
    )


class QuoteLineIn(InSchema):
    sku: Code
    quantity: Quantity
    note: QuoteNote = ""


class QuoteRequestIn(InSchema):
    lines: list[QuoteLineIn] = Field(max_length=MAX_LINES)
    ship_to_id: Id | None = None
    note: LongText = ""


class StaffQuoteRequestIn(QuoteRequestIn):
    company_id: Id


class QuoteAcceptIn(InSchema):
    ship_to_id: Id | None = Field(None, description="The ship-to of the request if omitted")
    purchase_order_number: PurchaseOrderNumber = ""


class QuotedLineIn(InSchema):
    line_number: LineNumber
    unit_price: UnitPrice = Field(description="Decimal string, at most 4 decimal places")


class QuoteAnswerIn(InSchema):
    lines: list[QuotedLineIn] = Field(max_length=MAX_LINES, description="A price for every line")
    expires_at: ExpiresAt
    note: LongText = ""


class QuoteRejectIn(InSchema):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]


class QuoteFilters(PageFilters):
    status: QuoteStatus | None = None


class StaffQuoteFilters(QuoteFilters):
    company_id: Id | None = None


# Answers


class ProblemOut(Schema):
    field: str
    code: str
    message: str


class CartLineOut(Schema):
    sku_id: int
    sku: str
    description: str
    quantity: int
    unit_price: str | None
    line_total: str | None
    available: int | None = Field(description="Units in stock now, if known")
    pricing: dict[str, Any] = Field(description="How the unit price came about")
    problems: list[ProblemOut] = Field(description="Why the line could not be ordered now")


class CartOut(Schema):
    company_id: int
    currency: str
    lines: list[CartLineOut]
    subtotal: str
    can_checkout: bool


class PriceChangeOut(Schema):
    direction: Literal["same", "up", "down"]
    difference: str = Field(description="Current minus previous unit price")
    percent: str | None = Field(description="Of the previous price; none when it was 0")


class RepricedLineOut(Schema):
    sku_id: int | None
    sku: str
    description: str
    quantity: int
    cart_quantity: int = Field(description="What the cart holds of the SKU now")
    previous_unit_price: str | None
    current_unit_price: str | None
    change: PriceChangeOut | None
    added: bool
    problems: list[ProblemOut]


class RepricingOut(Schema):
    currency: str
    added: int
    not_added: int
    lines: list[RepricedLineOut]
    cart: CartOut


class RequisitionListSummaryOut(Schema):
    id: int
    company_id: int
    owner_id: int | None
    name: str
    line_count: int
    created_at: datetime
    updated_at: datetime


class RequisitionLineOut(CartLineOut):
    note: str


class RequisitionListOut(Schema):
    id: int
    company_id: int
    owner_id: int | None
    name: str
    created_at: datetime
    updated_at: datetime
    currency: str
    lines: list[RequisitionLineOut]
    subtotal: str
    can_order: bool


class RequisitionListPageOut(Schema):
    items: list[RequisitionListSummaryOut]
    next_cursor: str | None


class QuoteLineOut(Schema):
    line_number: int
    sku_id: int
    sku: str
    description: str
    quantity: int
    note: str
    unit_price: str | None = Field(description="The quoted price, once answered")
    list_unit_price: str | None = Field(description="The company's price when answered")
    line_total: str | None


class QuoteSummaryOut(Schema):
    id: int
    number: str
    status: str
    company_id: int
    currency: str
    line_count: int
    requested_at: datetime
    answered_at: datetime | None
    expires_at: datetime | None
    order_id: int | None


class QuoteOut(QuoteSummaryOut):
    seller: str
    requested_by_id: int | None
    ship_to_id: int | None
    buyer_note: str
    seller_note: str
    reject_reason: str
    allowed_actions: list[str]
    order_number: str | None
    total: str | None
    lines: list[QuoteLineOut]


class QuotePageOut(Schema):
    items: list[QuoteSummaryOut]
    next_cursor: str | None


def problems_out(problems: list[FieldError]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]


def _price(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_unit_price(amount, currency)


def _amount(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


def _priced_line_out(line: PricedLine, currency: str) -> dict[str, Any]:
    check = line.check
    return {
        "sku_id": line.sku_id,
        "sku": check.sku,
        "description": check.description,
        "quantity": check.quantity,
        "unit_price": _price(check.unit_price, currency),
        "line_total": _amount(check.line_total, currency),
        "available": check.available,
        "pricing": check.pricing,
        "problems": problems_out(check.problems),
    }


def _subtotal(priced: PricedLines) -> str:
    subtotal = priced.check.subtotal if priced.check is not None else Decimal(0)
    return format_amount(subtotal, priced.currency)


def cart_out(company_id: int, priced: PricedLines) -> dict[str, Any]:
    """The JSON body of a cart priced now."""
    return {
        "company_id": company_id,
        "currency": priced.currency,
        "lines": [_priced_line_out(line, priced.currency) for line in priced.lines],
        "subtotal": _subtotal(priced),
        "can_checkout": priced.can_order,
    }


def price_change_out(
    previous: Decimal | None, current: Decimal | None, currency: str
) -> dict[str, Any] | None:
    """How a unit price moved since an earlier order; None when either price is unknown."""
    if previous is None or current is None:
        return None
    difference = current - previous
    direction = "same" if difference == 0 else ("up" if difference > 0 else "down")
    percent = (
        None
        if previous == 0
        else str(round_money(difference * 100 / previous, "USD"))  # two decimals
    )
    return {
        "direction": direction,
        "difference": format_unit_price(difference, currency),
        "percent": percent,
    }


def _repriced_line_out(line: RepricedLine, currency: str) -> dict[str, Any]:
    return {
        "sku_id": line.sku_id,
        "sku": line.sku,
        "description": line.description,
        "quantity": line.quantity,
        "cart_quantity": line.cart_quantity,
        "previous_unit_price": _price(line.previous_unit_price, currency),
        "current_unit_price": _price(line.current_unit_price, currency),
        "change": price_change_out(line.previous_unit_price, line.current_unit_price, currency),
        "added": line.added,
        "problems": problems_out(line.problems),
    }


def repricing_out(repricing: Repricing, cart: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of a reorder or of a list added to a cart: line by line, then the cart."""
    added = sum(1 for line in repricing.lines if line.added)
    return {
        "currency": repricing.currency,
        "added": added,
        "not_added": len(repricing.lines) - added,
        "lines": [_repriced_line_out(line, repricing.currency) for line in repricing.lines],
        "cart": cart,
    }


def requisition_list_summary_out(saved: RequisitionList) -> dict[str, Any]:
    """The JSON body of a list in a page (`line_count` annotated)."""
    return {
        "id": saved.pk,
        "company_id": saved.company_id,
        "owner_id": saved.owner_id,
        "name": saved.name,
        "line_count": saved.line_count,  # type: ignore[attr-defined]
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
    }


def requisition_list_out(saved: RequisitionList, priced: PricedLines) -> dict[str, Any]:
    """The JSON body of one list, its lines priced now."""
    return {
        "id": saved.pk,
        "company_id": saved.company_id,
        "owner_id": saved.owner_id,
        "name": saved.name,
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
        "currency": priced.currency,
        "lines": [
            {**_priced_line_out(line, priced.currency), "note": line.note} for line in priced.lines
        ],
        "subtotal": _subtotal(priced),
        "can_order": priced.can_order,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def quote_summary_out(quote: Quote, now: datetime) -> dict[str, Any]:
    """The JSON body of a quote in a page (`line_count` annotated)."""
    return {
        "id": quote.pk,
        "number": quote.number,
        "status": effective_status(quote.status, quote.expires_at, now),
        "company_id": quote.company_id,
        "currency": quote.currency,
        "line_count": quote.line_count,  # type: ignore[attr-defined]
        "requested_at": quote.requested_at.isoformat(),
        "answered_at": _iso(quote.answered_at),
        "expires_at": _iso(quote.expires_at),
        "order_id": quote.order_id,
    }


def _quote_line_out(line: QuoteLine, currency: str) -> dict[str, Any]:
    total = (
        None if line.unit_price is None else round_money(line.unit_price * line.quantity, currency)
    )
    return {
        "line_number": line.line_number,
        "sku_id": line.sku_id,
        "sku": line.sku.code,
        "description": (line.sku.name or line.sku.code)[:300],
        "quantity": line.quantity,
        "note": line.note,
        "unit_price": _price(line.unit_price, currency),
        "list_unit_price": _price(line.list_unit_price, currency),
        "line_total": _amount(total, currency),
    }


def quote_out(quote: Quote, now: datetime, *, for_buyer: bool) -> dict[str, Any]:
    """The JSON body of one quote (seller and lines with SKUs loaded); `allowed_actions` are
    those of the party reading it."""
    currency = quote.currency
    quote_lines = list(quote.lines.all())
    status = effective_status(quote.status, quote.expires_at, now)
    totals = [
        round_money(line.unit_price * line.quantity, currency)
        for line in quote_lines
        if line.unit_price is not None
    ]
    total = sum(totals, Decimal(0)) if quote_lines and len(totals) == len(quote_lines) else None
    return {
        "id": quote.pk,
        "number": quote.number,
        "status": status,
        "company_id": quote.company_id,
        "currency": currency,
        "line_count": len(quote_lines),
        "requested_at": quote.requested_at.isoformat(),
        "answered_at": _iso(quote.answered_at),
        "expires_at": _iso(quote.expires_at),
        "order_id": quote.order_id,
        "seller": quote.seller.slug,
        "requested_by_id": quote.requested_by_id,
        "ship_to_id": quote.ship_to_id,
        "buyer_note": quote.buyer_note,
        "seller_note": quote.seller_note,
        "reject_reason": quote.reject_reason,
        "allowed_actions": allowed_actions(status, BUYER_ACTIONS if for_buyer else SELLER_ACTIONS),
        "order_number": quote.order.number if quote.order is not None else None,
        "total": _amount(total, currency),
        "lines": [_quote_line_out(line, currency) for line in quote_lines],
    }


# --- the company's catalogue ----------------------------------------------------------------


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
    unit_price: str | None = Field(description="The price of one unit; null if tiers start above 1")
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
