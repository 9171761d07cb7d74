"""The lines an amended order will have, priced and taxed (`amending`): reads and arithmetic
only, nothing written.

Existing lines keep their frozen unit price and price explanation, and their tax unless the
ship-to changes (`retax`: every line then takes the rate of the new destination). New lines
get today's price and rate. With `reprice` (staff), lines nothing has shipped of take today's
price too; a line with shipped units keeps the price its shipped units were sold at. Tax is
computed over the whole order by the rules frozen on it (prices with or without tax, the
rounding rule, the exemption it had).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dinghuo.core import money
from dinghuo.orders.line_checks import LineResult, description
from dinghuo.orders.models import Order, OrderLine
from dinghuo.pricing import tax


@dataclass
class AmendedLine:
    """One line of the amended order: the existing row (None for a new line) and its values."""

    result: LineResult  # placing's check of the wanted line (its SKU, today's price and rate)
    line: OrderLine | None
    quantity: int
    unit_price: Decimal
    pricing: dict[str, Any]
    tax_rate_id: int | None
    tax_name: str
    tax_percent: Decimal
    line_total: Decimal = Decimal(0)
    net_amount: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)
    gross_amount: Decimal = Decimal(0)
    price_before: Decimal | None = None  # the line's price before (None for a new line)

    @property
    def repriced(self) -> bool:
        return self.price_before is not None and self.unit_price != self.price_before

    @property
    def sku_code(self) -> str:
        return self.line.sku_code if self.line else self.result.request.sku


@dataclass
class AmendedLines:
    """Every line of the amended order, in the wanted order, with the order's amounts."""

    lines: list[AmendedLine] = field(default_factory=list)
    subtotal: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    total: Decimal = Decimal(0)

    @property
    def repriced(self) -> bool:
        return any(line.repriced for line in self.lines)


def price_lines(
    order: Order,
    lines: list[OrderLine],
    results: list[LineResult],
    *,
    reprice: bool,
    retax: bool,
) -> AmendedLines:
    """The wanted lines (`results`, placing's checks in the wanted order) priced and taxed as
    the module docstring says."""
    current = {line.sku_code: line for line in lines}
    exempt = bool(order.tax_exemption_certificate)
    amended = AmendedLines()
    for result in results:
        line = current.get(result.request.sku)
        fresh = line is None or (reprice and line.shipped_quantity == 0 and result.ok)
        if line is None or fresh:
            price, pricing = result.price, result.pricing
        else:
            price, pricing = line.unit_price, line.pricing
        item = AmendedLine(
            result, line, result.request.quantity, price, pricing, None, "", Decimal(0)
        )
        item.price_before = line.unit_price if line else None
        if line is not None and not (fresh or retax):
            item.tax_rate_id, item.tax_name = line.tax_rate_id, line.tax_name
            item.tax_percent = line.tax_percent
        elif result.tax_rate is not None and not exempt:
            rate = result.tax_rate
            item.tax_rate_id, item.tax_name, item.tax_percent = rate.id, rate.name, rate.percent
        item.line_total = money.round_money(price * item.quantity, order.currency)
        amended.lines.append(item)
    _tax(order, amended, exempt)
    return amended


def _tax(order: Order, amended: AmendedLines, exempt: bool) -> None:
    """Each line's net, tax and gross and the order's, by the order's frozen tax rules."""
    taxed = tax.compute(
        [tax.TaxLine(item.line_total, item.tax_percent) for item in amended.lines],
        prices_include_tax=order.prices_include_tax,
        rounding=tax.Rounding(order.tax_rounding),
        minor_units=money.minor_units(order.currency),
        exempt=exempt,
    )
    for item, line_tax in zip(amended.lines, taxed.lines, strict=True):
        item.net_amount, item.tax_amount = line_tax.net, line_tax.tax
        item.gross_amount, item.tax_percent = line_tax.gross, line_tax.rate
    amended.subtotal, amended.tax_total, amended.total = taxed.net, taxed.tax, taxed.gross


def new_line_description(item: AmendedLine) -> str:
    """A new line's text, as placing writes it."""
    assert item.result.sku is not None
    return description(item.result.sku)
