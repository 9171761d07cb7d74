"""Tax on an order's lines: the one tax rule, pure, no database.

Given each line's amount as priced (quantity × unit price, already rounded to the currency's
minor units) and its rate in percent, whether the prices include tax, the seller's rounding
rule and the currency's minor units:

- **prices without tax** (exclusive): the amount is the line's net; tax = net × rate / 100;
  gross = net + tax.
- **prices with tax** (inclusive): the amount is the line's gross; the tax it contains is
  gross × rate / (100 + rate); net = gross − tax.
- **rounding per line**: each line's tax is rounded half up to the minor units; the
  document's tax per rate is the sum of its lines'.
- **rounding per document**: per rate, the tax of the sum of the lines' amounts is rounded
  half up once; it is shared among that rate's lines by largest remainder (each line gets its
  exact share rounded down, the units left over go one each to the lines with the largest
  remainders, the earlier line first on a tie), so the lines' taxes still add up to it.
- **an exempt buyer** pays no tax: the lines are computed as above, then their tax is dropped
  (gross = net); with prices that include tax the buyer thus pays the price without the tax
  it contains. Every line's rate is then 0.

Whatever the rule, for every line net + tax = gross, and the document's net, tax and gross
are the sums of its lines' (and of its rates').
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction


class Rounding(StrEnum):
    """Where the seller rounds tax to the currency's minor units."""

    LINE = "line"
    DOCUMENT = "document"


@dataclass(frozen=True)
class TaxLine:
    """A line as priced: its amount (net or gross, as the price list says) and rate (percent)."""

    amount: Decimal
    rate: Decimal


@dataclass(frozen=True)
class LineTax:
    """A line's net, tax and gross amounts, and the rate charged (percent)."""

    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class RateTotal:
    """A document's lines of one rate, summed: one row of its tax summary."""

    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class TaxedDocument:
    """Every line taxed, the summary per rate (rates in ascending order) and the totals."""

    lines: tuple[LineTax, ...]
    rates: tuple[RateTotal, ...]
    net: Decimal
    tax: Decimal
    gross: Decimal


def _share(amount: Decimal, rate: Fraction, prices_include_tax: bool, scale: int) -> Fraction:
    """The exact tax in `amount` at `rate` percent, in minor units (`scale` of them a unit).
    Exact fractions: a share at exactly half a unit, or two shares with equal remainders,
    are never blurred by a rounded quotient."""
    return Fraction(amount) * scale * rate / (100 + rate if prices_include_tax else 100)


def _half_up(units: Fraction) -> int:
    """Whole minor units, half up (tax is never negative)."""
    return math.floor(units + Fraction(1, 2))


def _line_taxes(
    lines: Sequence[TaxLine], prices_include_tax: bool, rounding: Rounding, scale: int
) -> list[int]:
    """Each line's tax in whole minor units, by the rounding rule."""
    rates = {line.rate: Fraction(line.rate) for line in lines}
    shares = [_share(line.amount, rates[line.rate], prices_include_tax, scale) for line in lines]
    if rounding == Rounding.LINE:
        return [_half_up(share) for share in shares]
    taxes = [math.floor(share) for share in shares]
    for rate in rates:
        indexes = [i for i, line in enumerate(lines) if line.rate == rate]
        left = _half_up(sum((shares[i] for i in indexes), Fraction(0))) - sum(
            taxes[i] for i in indexes
        )
        # Largest remainder first; on a tie the earlier line (sorted is stable).
        for i in sorted(indexes, key=lambda i: taxes[i] - shares[i])[:left]:
            taxes[i] += 1
    return taxes


def compute(
    lines: Sequence[TaxLine],
    *,
    prices_include_tax: bool,
    rounding: Rounding,
    minor_units: int,
    exempt: bool = False,
) -> TaxedDocument:
    """Tax every line and sum the document by the rule in this module's docstring."""
    scale = 10**minor_units
    taxes = _line_taxes(lines, prices_include_tax, rounding, scale)
    taxed = []
    for line, units in zip(lines, taxes, strict=True):
        tax = Decimal(units).scaleb(-minor_units)
        net = line.amount - tax if prices_include_tax else line.amount
        if exempt:
            taxed.append(LineTax(Decimal(0), net, Decimal(0), net))
        else:
            taxed.append(LineTax(line.rate, net, tax, net + tax))
    return TaxedDocument(
        tuple(taxed),
        summarise(taxed),
        sum((t.net for t in taxed), Decimal(0)),
        sum((t.tax for t in taxed), Decimal(0)),
        sum((t.gross for t in taxed), Decimal(0)),
    )


def summarise(lines: Iterable[LineTax]) -> tuple[RateTotal, ...]:
    """The tax summary per rate of taxed lines, rates in ascending order."""
    sums: dict[Decimal, tuple[Decimal, Decimal, Decimal]] = {}
    for line in lines:
        net, tax, gross = sums.get(line.rate, (Decimal(0), Decimal(0), Decimal(0)))
        sums[line.rate] = (net + line.net, tax + line.tax, gross + line.gross)
    return tuple(RateTotal(rate, *sums[rate]) for rate in sorted(sums))


@dataclass(frozen=True)
class RateCandidate:
    """A seller's tax rate that may apply to a line: for a category (None = any product
    whose category has no rate of its own) and a region ("" = the whole country)."""

    id: int
    category_id: int | None
    region: str
    valid_from: date
    valid_until: date | None
    percent: Decimal
    name: str = ""  # what the tax is called (GST, VAT), in the catalogue's default language


def applicable_rate(
    candidates: Iterable[RateCandidate], *, category_id: int | None, region: str, on: date
) -> RateCandidate | None:
    """The rate for a product of `category_id` sent to `region` (of the candidates' country)
    on `on`: valid that day (both ends inclusive); the product's category before the
    country's general rate, the region's before the whole country's, then the one in force
    latest. None when no rate applies (no tax)."""
    applying = [
        rate
        for rate in candidates
        if rate.valid_from <= on
        and (rate.valid_until is None or on <= rate.valid_until)
        and rate.category_id in (None, category_id)
        and rate.region in ("", region)
    ]
    if not applying:
        return None
    return max(
        applying,
        key=lambda rate: (
            rate.category_id is not None,
            rate.region != "",
            rate.valid_from,
            rate.id,
        ),
    )


def exemption_applies(certificate: str, expires_on: date | None, on: date) -> bool:
    """Whether a company's exemption counts on `on`: it has a certificate that has not
    expired (`expires_on` is its last valid day; none = no expiry)."""
    return bool(certificate) and (expires_on is None or on <= expires_on)


def percent_text(percent: Decimal) -> str:
    """A rate as the API writes it: no exponent, no trailing zeros ("9", "7.5", "10")."""
    return format(percent.normalize(), "f")
