"""Quantity tiers: which unit price applies to an ordered quantity. Pure, no database."""

from collections.abc import Iterable
from decimal import Decimal


def unit_price_for(tiers: Iterable[tuple[int, Decimal]], quantity: int) -> Decimal | None:
    """The price of the highest tier whose minimum `quantity` reaches; None below every tier."""
    best_min = 0
    best: Decimal | None = None
    for min_quantity, price in tiers:
        if best_min < min_quantity <= quantity:
            best_min, best = min_quantity, price
    return best


def check_tiers(tiers: list[tuple[int, Decimal]]) -> list[str]:
    """Problems with a tier ladder as given: minimums rising, ≥ 1, prices not negative."""
    problems = []
    previous = 0
    for index, (min_quantity, price) in enumerate(tiers):
        if min_quantity < 1:
            problems.append(f"tiers[{index}]: min_quantity must be at least 1")
        elif min_quantity <= previous:
            problems.append(f"tiers[{index}]: min_quantity must be higher than the tier before")
        if price < 0:
            problems.append(f"tiers[{index}]: unit_price must not be negative")
        previous = max(previous, min_quantity)
    return problems
