"""What a buyer reads about a SKU's stock, and what they may do about it. Pure: no database.

- "In stock": more than `FEW_LEFT` units available, and at least the smallest quantity the
  buyer may order (its minimum, in whole packs).
- "Few left": some, but `FEW_LEFT` units or fewer, and still enough for that quantity.
- "On backorder": not enough for that quantity, and the product may be ordered beyond the
  stock (`Product.allow_backorder`): the order is taken and the rest ships when stock arrives.
- "Unavailable": not enough for that quantity and no backorder: nothing to add to a cart.
"""

from enum import StrEnum

FEW_LEFT = 10


class Availability(StrEnum):
    IN_STOCK = "in_stock"
    FEW_LEFT = "few_left"
    BACKORDER = "backorder"
    UNAVAILABLE = "unavailable"

    @property
    def can_order(self) -> bool:
        return self is not Availability.UNAVAILABLE


def availability(available: int, smallest_order: int, allow_backorder: bool) -> Availability:
    """How the stock reads for a buyer who must order at least `smallest_order` units."""
    if available >= max(smallest_order, 1):
        return Availability.IN_STOCK if available > FEW_LEFT else Availability.FEW_LEFT
    return Availability.BACKORDER if allow_backorder else Availability.UNAVAILABLE
