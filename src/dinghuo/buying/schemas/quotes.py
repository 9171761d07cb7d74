"""Bodies of quotes (RFQ), and the functions that shape their answers."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

from dinghuo.api.schemas import (
    NOT_BLANK,
    Code,
    Id,
    InSchema,
    LongText,
    PageFilters,
    Quantity,
    UnitPriceText,
    iso_instant,
)
from dinghuo.buying.models import Quote, QuoteLine, QuoteRound
from dinghuo.buying.quote_states import (
    BUYER_ACTIONS,
    SELLER_ACTIONS,
    QuoteStatus,
    allowed_actions,
    effective_status,
)
from dinghuo.buying.schemas.shared import MAX_LINES, PurchaseOrderNumber, amount_text, price_text
from dinghuo.core.money import round_money

QuoteNote = Annotated[str, StringConstraints(max_length=300)]
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
    BeforeValidator(iso_instant),
    Field(strict=False, description="ISO 8601 with a time zone, in the future"),
    AfterValidator(_in_utc),
]


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
    note: QuoteNote = Field("", description="The seller's word on this line")


class CounterLineIn(InSchema):
    line_number: LineNumber
    quantity: Quantity
    unit_price: UnitPrice | None = Field(
        None, description="The price proposed; omitted, the seller is asked for their price"
    )


class QuoteCounterIn(InSchema):
    lines: list[CounterLineIn] = Field(
        max_length=MAX_LINES, description="The lines to change; the others stay as they are"
    )
    note: LongText = ""


class QuoteAnswerIn(InSchema):
    lines: list[QuotedLineIn] = Field(max_length=MAX_LINES, description="A price for every line")
    expires_at: ExpiresAt
    note: LongText = ""


class QuoteRejectIn(InSchema):
    reason: Annotated[
        str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True), NOT_BLANK
    ]


class QuoteFilters(PageFilters):
    status: QuoteStatus | None = None


class StaffQuoteFilters(QuoteFilters):
    company_id: Id | None = None


class QuoteLineOut(Schema):
    line_number: int
    sku_id: int
    sku: str
    description: str
    quantity: int
    note: str
    unit_price: UnitPriceText | None = Field(description="The quoted price, once answered")
    list_unit_price: UnitPriceText | None = Field(
        description="The company's price for the line when last asked or answered"
    )
    line_total: str | None
    seller_note: str = Field(description="The seller's word on the line, with its price")
    asked_unit_price: UnitPriceText | None = Field(
        description="The price the buyer proposed in their last counter-offer"
    )


class QuoteRoundLineOut(Schema):
    line_number: int
    sku: str
    quantity: int
    unit_price: UnitPriceText | None
    note: str


class QuoteRoundOut(Schema):
    number: int
    kind: str = Field(description="request, answer or counter")
    party: str = Field(description="buyer or seller")
    at: datetime
    note: str
    expires_at: datetime | None
    lines: list[QuoteRoundLineOut]


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
    rounds: list[QuoteRoundOut] = Field(description="The negotiation, oldest first")


class QuotePageOut(Schema):
    items: list[QuoteSummaryOut]
    next_cursor: str | None


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
        "unit_price": price_text(line.unit_price, currency),
        "list_unit_price": price_text(line.list_unit_price, currency),
        "line_total": amount_text(total, currency),
        "seller_note": line.seller_note,
        "asked_unit_price": price_text(line.asked_unit_price, currency),
    }


def _round_out(found: QuoteRound, currency: str) -> dict[str, Any]:
    return {
        "number": found.number,
        "kind": found.kind,
        "party": "seller" if found.kind == QuoteRound.Kind.ANSWER else "buyer",
        "at": found.at.isoformat(),
        "note": found.note,
        "expires_at": _iso(found.expires_at),
        "lines": [
            {
                "line_number": line["line_number"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "unit_price": None
                if line["unit_price"] is None
                else price_text(Decimal(line["unit_price"]), currency),
                "note": line.get("note", ""),
            }
            for line in found.lines
        ],
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
        "total": amount_text(total, currency),
        "lines": [_quote_line_out(line, currency) for line in quote_lines],
        "rounds": [_round_out(found, currency) for found in quote.rounds.all()],
    }
