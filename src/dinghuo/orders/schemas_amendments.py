"""Amendment request and response bodies (`api_amendments`)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Day, Id, InSchema, UnitPriceText
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.orders.models import OrderAmendment
from dinghuo.orders.schemas import MAX_LINES, OrderLineIn, OrderOut
from dinghuo.orders.services.amending import MAX_NOTE, MAX_PO_NUMBER


class BuyerAmendmentIn(InSchema):
    """What a buyer changes; a field left out (or null) stays as it is."""

    lines: list[OrderLineIn] | None = Field(
        None,
        min_length=1,
        max_length=MAX_LINES,
        description="Every line the order should have (SKU and quantity), as when placing: a "
        "line left out is removed, a new SKU is added. Leave out to keep the lines.",
    )
    ship_to_id: Id | None = None
    purchase_order_number: Annotated[str, StringConstraints(max_length=MAX_PO_NUMBER)] | None = None
    requested_delivery_date: Day | None = Field(None, description="Today or later")
    clear_requested_delivery_date: bool = Field(
        False, description="Remove the requested delivery date"
    )
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE)] = Field(
        "", description="Why the order changes, shown on its timeline"
    )


class AmendmentIn(BuyerAmendmentIn):
    """What seller staff change."""

    reprice: bool = Field(
        False,
        description="Price the lines nothing has shipped of at today's prices (otherwise "
        "existing lines keep the prices they were ordered at)",
    )


class AmendedLineOut(Schema):
    line_number: int | None = Field(description="The line's number; null for a new line")
    sku: str
    before: int = Field(description="Units before (0: a new line)")
    after: int = Field(description="Units after (0: the line was removed)")
    unit_price: UnitPriceText | None = Field(description="Its unit price after; null when removed")


class AmendedFieldOut(Schema):
    field: str
    before: str | int | None
    after: str | int | None


class AmendmentOut(Schema):
    version: int = Field(description="The order's version this amendment made (2 and up)")
    amended_at: datetime
    amended_by: str
    by_buyer: bool
    note: str
    status_before: str
    status_after: str
    currency: str
    total_before: str
    total_after: str
    lines: list[AmendedLineOut]
    fields: list[AmendedFieldOut]
    repriced: list[str] = Field(description="SKUs whose unit price changed")


class AmendedOrderOut(Schema):
    amendment: AmendmentOut
    order: OrderOut


def amendment_out(amendment: OrderAmendment, currency: str) -> dict[str, Any]:
    """The JSON body of one amendment."""
    changes = amendment.changes
    return {
        "version": amendment.version,
        "amended_at": amendment.amended_at.isoformat(),
        "amended_by": amendment.amended_by,
        "by_buyer": amendment.by_buyer,
        "note": amendment.note,
        "status_before": amendment.status_before,
        "status_after": amendment.status_after,
        "currency": currency,
        "total_before": format_amount(amendment.total_before, currency),
        "total_after": format_amount(amendment.total_after, currency),
        "lines": [
            {
                "line_number": line["line_number"],
                "sku": line["sku"],
                "before": line["before"],
                "after": line["after"],
                "unit_price": _unit_price(line.get("unit_price"), currency),
            }
            for line in changes.get("lines", [])
        ],
        "fields": [
            {"field": name, "before": before, "after": after}
            for name, (before, after) in changes.get("fields", {}).items()
        ],
        "repriced": changes.get("repriced", []),
    }


def _unit_price(stored: str | None, currency: str) -> str | None:
    return format_unit_price(Decimal(stored), currency) if stored is not None else None
