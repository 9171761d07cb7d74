"""An order's tax as its pages show it, in the reader's language: one row per rate (the
rate's translated name and percent, the net amount taxed and the tax), for the buyer's and
the staff's order page."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dinghuo.orders.models import OrderLine


@dataclass(frozen=True)
class TaxRow:
    """The order's lines of one rate, summed."""

    name: str
    percent: Decimal
    net: Decimal
    tax: Decimal


def tax_rows(lines: Iterable[OrderLine]) -> list[TaxRow]:
    """The tax per rate of an order's lines (their rates loaded, as `order_detail` loads
    them), in order of percent; lines charged no rate (none applied, or exempt) are left out.
    Names come in the active language (django-modeltranslation falls back to English)."""
    sums: dict[tuple[Decimal, str], tuple[Decimal, Decimal]] = {}
    for line in lines:
        if line.tax_rate is None:
            continue
        key = (line.tax_percent, str(line.tax_rate.name))
        net, tax = sums.get(key, (Decimal(0), Decimal(0)))
        sums[key] = (net + line.net_amount, tax + line.tax_amount)
    return [TaxRow(name, percent, *sums[percent, name]) for percent, name in sorted(sums)]
