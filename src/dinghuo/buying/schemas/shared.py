"""What the answers of carts, lists and quotes share: problems, prices and amounts as text,
a cart's or a list's line priced now, and the limits of their requests."""

from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import StringConstraints

from dinghuo.buying.queries import PricedLine, PricedLines
from dinghuo.core.errors import FieldError
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.pricing.values import frozen_pricing_out

MAX_LINES = 1000
PurchaseOrderNumber = Annotated[str, StringConstraints(max_length=64)]


class ProblemOut(Schema):
    field: str
    code: str
    message: str


def problems_out(problems: list[FieldError]) -> list[dict[str, Any]]:
    """The JSON of field errors (`FieldError.as_dict` each)."""
    return [p.as_dict() for p in problems]


def price_text(amount: Decimal | None, currency: str) -> str | None:
    """A unit price as a decimal string for the currency; None stays None."""
    return None if amount is None else format_unit_price(amount, currency)


def amount_text(amount: Decimal | None, currency: str) -> str | None:
    """An amount in the currency's minor units as a decimal string; None stays None."""
    return None if amount is None else format_amount(amount, currency)


def priced_line_out(line: PricedLine, currency: str) -> dict[str, Any]:
    """The JSON of a saved line (cart or list) priced now."""
    check = line.check
    return {
        "sku_id": line.sku_id,
        "sku": check.sku,
        "description": check.description,
        "quantity": check.quantity,
        "unit_price": price_text(check.unit_price, currency),
        "line_total": amount_text(check.line_total, currency),
        "available": check.available,
        "pricing": frozen_pricing_out(check.pricing, currency),
        "problems": problems_out(check.problems),
    }


def subtotal_text(priced: PricedLines) -> str:
    """The subtotal of lines priced now (0 when there are none)."""
    subtotal = priced.check.subtotal if priced.check is not None else Decimal(0)
    return format_amount(subtotal, priced.currency)
