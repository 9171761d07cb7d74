"""Receivables aging: what is open, by how long past its due date. Pure, no database.

Buckets, by whole days past the due date on the day of the report: current (not yet due,
or due today), 1–30, 31–60, 61–90, and over 90. A bucket's bounds are both inclusive.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CURRENT = "current"
DAYS_1_30 = "1_30"
DAYS_31_60 = "31_60"
DAYS_61_90 = "61_90"
OVER_90 = "over_90"
BUCKETS = (CURRENT, DAYS_1_30, DAYS_31_60, DAYS_61_90, OVER_90)
# The last day past due of each bucket but the last (which has no end).
_UPPER = ((0, CURRENT), (30, DAYS_1_30), (60, DAYS_31_60), (90, DAYS_61_90))


def bucket(due_on: date, on: date) -> str:
    """The bucket of an amount due on `due_on`, aged on `on`."""
    late = (on - due_on).days
    for upper, name in _UPPER:
        if late <= upper:
            return name
    return OVER_90


@dataclass(frozen=True)
class Aged:
    """Open amounts by bucket; `total` is their sum."""

    current: Decimal = Decimal(0)
    days_1_30: Decimal = Decimal(0)
    days_31_60: Decimal = Decimal(0)
    days_61_90: Decimal = Decimal(0)
    over_90: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.current + self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90

    def by_bucket(self) -> dict[str, Decimal]:
        """The amounts keyed by bucket name, in bucket order."""
        return dict(
            zip(
                BUCKETS,
                (self.current, self.days_1_30, self.days_31_60, self.days_61_90, self.over_90),
                strict=True,
            )
        )


def age(open_amounts: list[tuple[date, Decimal]], on: date) -> Aged:
    """Sum (due date, open amount) pairs into buckets as of `on`."""
    sums = dict.fromkeys(BUCKETS, Decimal(0))
    for due_on, amount in open_amounts:
        sums[bucket(due_on, on)] += amount
    return Aged(*(sums[name] for name in BUCKETS))


def add(first: Aged, second: Aged) -> Aged:
    """Two agings summed bucket by bucket."""
    a, b = first.by_bucket(), second.by_bucket()
    return Aged(*(a[name] + b[name] for name in BUCKETS))
