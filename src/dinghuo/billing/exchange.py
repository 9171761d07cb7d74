"""Exchange differences: what money moved from one document to another is worth in the
seller's base currency at each one's rate. Pure, no database.

A payment received at one rate that settles an invoice issued at another moves one amount of
their currency, worth `source` in base at the payment's rate and `use` at the invoice's. Each
is the difference of running totals (`pricing.fx.base_part`): the base of what the document
had moved before and after this part. So a payment used in any number of parts gives exactly
its base amount, and an invoice settled in any number of parts receives exactly its base
total, to the cent. `source - use` is the exchange difference: a gain when positive (the money
came in worth more than the invoice booked), a loss when negative.
"""

from dataclasses import dataclass
from decimal import Decimal

from dinghuo.pricing.fx import base_part, to_base


@dataclass(frozen=True)
class Side:
    """One document of an allocation: its rate, and how much of it (in its currency) earlier
    allocations moved."""

    rate: Decimal
    before: Decimal = Decimal(0)


@dataclass(frozen=True)
class Bases:
    """An allocation's amount in base currency at the source's rate and at the use's."""

    source: Decimal
    use: Decimal

    @property
    def difference(self) -> Decimal:
        """Positive: an exchange gain; negative: a loss."""
        return self.source - self.use


def bases(amount: Decimal, *, source: Side, use: Side, base_currency: str) -> Bases:
    """`amount` moved from `source` to `use`, in base currency at each one's rate."""
    return Bases(
        base_part(source.before, amount, source.rate, base_currency),
        base_part(use.before, amount, use.rate, base_currency),
    )


def base_amount(amount: Decimal, rate: Decimal, base_currency: str) -> Decimal:
    """A document's amount in base currency: what its parts add up to."""
    return to_base(amount, rate, base_currency)


def rate_text(rate: Decimal) -> str:
    """A rate as a decimal string without trailing zeros ("7.8", never "7.8000000000")."""
    return format(rate.normalize(), "f")
