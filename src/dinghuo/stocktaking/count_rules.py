"""The rule for stock that moves while it is counted (a pure rule, no database).

Each line records the on-hand quantity of its level at the moment it is counted (read in the
same transaction as the count). Its variance is counted − on hand at that moment, and posting
adjusts the level by that variance: units sold, shipped, received or moved between the
moment of counting and the moment of posting stay in the figures. On hand is never
overwritten with the count.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Counted:
    """One counted line: what the counter found and what the ledger said at that moment."""

    counted: int
    on_hand_at_count: int


def variance(line: Counted) -> int:
    """Units found (positive) or missing (negative) at the moment the line was counted."""
    return line.counted - line.on_hand_at_count


def on_hand_after_posting(on_hand_now: int, line: Counted) -> int:
    """On hand once the count is posted: today's on hand moved by the line's variance."""
    return on_hand_now + variance(line)


def variance_value(line: Counted, unit_cost: Decimal | None) -> Decimal | None:
    """The variance at cost, or None when the SKU has no cost."""
    if unit_cost is None:
        return None
    return unit_cost * variance(line)


def adjustments(lines: Iterable[tuple[int, Counted | None]]) -> list[tuple[int, int]]:
    """(key, delta) of each counted line with a variance, in the given order: lines not
    counted (None) and lines that match are not adjusted."""
    return [
        (key, variance(line)) for key, line in lines if line is not None and variance(line) != 0
    ]
