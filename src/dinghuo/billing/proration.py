"""Billing part of a line: the amounts of some of its units. Pure, no database.

A line of `of` units is billed (or credited) in parts. Each part's amount is the difference
of two rounded running totals: what the units billed so far *including* this part are worth,
minus what those billed before it are worth, each rounded half up to the currency's minor
units. So parts are never negative, and however a line is split the parts add up exactly to
the line (the last part takes what rounding left over). Net and tax are shared this way
separately; a part's gross is its net plus its tax, so net + tax = gross holds on every part.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


def _running(amount: Decimal, units: int, of: int, minor_units: int) -> Decimal:
    exact = amount * units / of
    return exact.quantize(Decimal(1).scaleb(-minor_units), rounding=ROUND_HALF_UP)


def part(whole: Amounts, *, before: int, units: int, of: int, minor_units: int) -> Amounts:
    """The amounts of `units` units of a line of `of` units worth `whole`, when `before` units
    were billed already."""
    if units < 1 or before < 0 or before + units > of:
        raise ValueError(f"cannot bill {units} units after {before} of {of}")

    def share(amount: Decimal) -> Decimal:
        return _running(amount, before + units, of, minor_units) - _running(
            amount, before, of, minor_units
        )

    return Amounts(share(whole.net), share(whole.tax))


def split_by_weight(amount: Decimal, weights: list[Decimal], minor_units: int) -> list[Decimal]:
    """`amount` shared in proportion to `weights` (not all zero), each share in whole minor
    units, by largest remainder (the earlier share first on a tie): the shares add up to it."""
    total = sum(weights, Decimal(0))
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    scale = Decimal(10) ** minor_units
    units = int((amount * scale).to_integral_value(rounding=ROUND_HALF_UP))
    exact = [units * w / total for w in weights]
    shares = [int(e) for e in exact]  # weights are not negative: int() floors
    left = units - sum(shares)
    for i in sorted(range(len(weights)), key=lambda i: shares[i] - exact[i])[:left]:
        shares[i] += 1
    return [Decimal(s) / scale for s in shares]


def tax_in_gross(gross: Decimal, percent: Decimal, minor_units: int) -> Decimal:
    """The tax contained in a gross amount at `percent`, rounded half up."""
    tax = gross * percent / (100 + percent)
    return tax.quantize(Decimal(1).scaleb(-minor_units), rounding=ROUND_HALF_UP)
