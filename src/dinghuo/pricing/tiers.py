"""Quantity tiers: which unit price applies to an ordered quantity. Pure, no database."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# 15 significant digits with 4 decimals: exact even where decimals are stored as doubles.
MAX_UNIT_PRICE = Decimal(10) ** 11


def unit_price_for(tiers: Iterable[tuple[int, Decimal]], quantity: int) -> Decimal | None:
    """The price of the highest tier whose minimum `quantity` reaches; None below every tier."""
    best_min = 0
    best: Decimal | None = None
    for min_quantity, price in tiers:
        if best_min < min_quantity <= quantity:
            best_min, best = min_quantity, price
    return best


@dataclass(frozen=True)
class TierProblem:
    """One problem of one tier: its index, the field at fault, a stable code, a message."""

    index: int
    field: str
    code: str
    message: str


def tier_problems(tiers: list[tuple[int, Decimal]]) -> list[TierProblem]:
    """Every problem of a tier ladder as given: minimums ≥ 1 and each higher than the one
    before (`tier_below_one`, `tiers_not_rising`), prices neither negative nor too large
    (`negative_price`, `price_too_large`)."""
    problems = []
    previous = 0
    for index, (min_quantity, price) in enumerate(tiers):
        if min_quantity < 1:
            problems.append(
                TierProblem(
                    index, "min_quantity", "tier_below_one", "min_quantity must be at least 1"
                )
            )
        elif min_quantity <= previous:
            problems.append(
                TierProblem(
                    index,
                    "min_quantity",
                    "tiers_not_rising",
                    "min_quantity must be higher than the tier before",
                )
            )
        if price < 0:
            problems.append(
                TierProblem(
                    index, "unit_price", "negative_price", "unit_price must not be negative"
                )
            )
        elif price >= MAX_UNIT_PRICE:
            problems.append(
                TierProblem(
                    index,
                    "unit_price",
                    "price_too_large",
                    f"unit_price must be below {MAX_UNIT_PRICE}",
                )
            )
        previous = max(previous, min_quantity)
    return problems


def check_tiers(tiers: list[tuple[int, Decimal]]) -> list[str]:
    """Problems with a tier ladder as given: minimums rising, ≥ 1, prices not negative."""
    return [
        f"tiers[{p.index}]: {p.message}"
        for p in tier_problems(tiers)
        if p.code != "price_too_large"
    ]
