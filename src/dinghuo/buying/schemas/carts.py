"""Bodies of the cart, its checkout and of repricing (reorder, a saved list added to a cart),
and the functions that shape those answers."""

from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from dinghuo.api.schemas import Code, Day, Id, InSchema, LongText, Quantity, UnitPriceText
from dinghuo.buying.queries import PricedLines
from dinghuo.buying.schemas.shared import (
    ProblemOut,
    PurchaseOrderNumber,
    price_text,
    priced_line_out,
    problems_out,
    subtotal_text,
)
from dinghuo.buying.services import RepricedLine, Repricing
from dinghuo.core.money import format_amount, format_unit_price, round_money


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


class CartLineOut(Schema):
    sku_id: int
    sku: str
    description: str
    quantity: int
    unit_price: UnitPriceText | None
    line_total: str | None
    available: int | None = Field(description="Units in stock now, if known")
    pricing: dict[str, Any] = Field(description="How the unit price came about")
    problems: list[ProblemOut] = Field(description="Why the line could not be ordered now")


class CartOut(Schema):
    company_id: int
    currency: str
    lines: list[CartLineOut]
    subtotal: str = Field(
        description="The lines' amounts as priced (with tax where prices include it)"
    )
    ship_to_id: int | None = Field(
        description="The ship-to the tax is computed for (none: the company has none yet)"
    )
    prices_include_tax: bool = Field(description="Whether the unit prices include tax")
    tax_total: str = Field(description="Tax of the priced lines to the ship-to")
    total: str = Field(description="What the order would cost: net plus tax")
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
    previous_unit_price: UnitPriceText | None
    current_unit_price: UnitPriceText | None
    change: PriceChangeOut | None
    added: bool
    problems: list[ProblemOut]


class RepricingOut(Schema):
    currency: str
    added: int
    not_added: int
    lines: list[RepricedLineOut]
    cart: CartOut


def cart_out(company_id: int, priced: PricedLines, ship_to_id: int | None) -> dict[str, Any]:
    """The JSON body of a cart priced now, taxed to `ship_to_id`."""
    check = priced.check
    return {
        "company_id": company_id,
        "currency": priced.currency,
        "lines": [priced_line_out(line, priced.currency) for line in priced.lines],
        "subtotal": subtotal_text(priced),
        "ship_to_id": ship_to_id,
        "prices_include_tax": check.prices_include_tax if check else False,
        "tax_total": format_amount(check.tax if check else Decimal(0), priced.currency),
        "total": format_amount(check.total if check else Decimal(0), priced.currency),
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
        "previous_unit_price": price_text(line.previous_unit_price, currency),
        "current_unit_price": price_text(line.current_unit_price, currency),
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
