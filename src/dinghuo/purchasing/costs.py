"""A supplier's cost for a quantity: the tier with the highest minimum at or below it.
Pure, no database."""

from decimal import Decimal
from typing import Any


def unit_cost(tiers: list[dict[str, Any]], quantity: int) -> Decimal | None:
    """The unit cost of `quantity` units from tiers `[{"min_quantity", "unit_cost"}]`;
    None when no tier applies (no tiers, or none from 1)."""
    best: tuple[int, Decimal] | None = None
    for tier in tiers:
        minimum = int(tier["min_quantity"])
        if minimum <= quantity and (best is None or minimum > best[0]):
            best = (minimum, Decimal(str(tier["unit_cost"])))
    return None if best is None else best[1]
