"""How much to buy of one SKU for one warehouse. Pure, no database; the query set-based
inputs come from `queries.suggestions`.

The stock position of a SKU in a warehouse is
    covered = available (on hand − reserved) + incoming (open purchase-order lines)
              − backordered (units open orders wait for, counted at the SKU's first warehouse)
and the demand expected until a new delivery arrives is the forecast
    lead_demand = ⌈units shipped in the last `window_days` days × lead time days ÷ window_days⌉
(the average daily shipped quantity over the window, times the supplier's lead time).

- With a reorder rule (reorder point P, reorder quantity Q): when covered − lead_demand < P,
  order the larger of Q and what brings the position back to P: P + lead_demand − covered.
- Without a rule: only what backorders need beyond stock and incoming, −covered when covered
  is below 0 (a SKU nobody set a rule for is not forecast).

The quantity is then at least the supplier's minimum order and rounded up to a whole number
of packs (a minimum that is not a multiple of the pack rounds up too).
"""

from dataclasses import dataclass

BELOW_REORDER_POINT = "below_reorder_point"
BACKORDERS = "backorders"


@dataclass(frozen=True)
class Position:
    available: int
    incoming: int
    backordered: int = 0
    reorder_point: int | None = None
    reorder_quantity: int = 0
    shipped_in_window: int = 0
    window_days: int = 30
    lead_time_days: int = 0


@dataclass(frozen=True)
class Need:
    quantity: int  # before rounding to the supplier's packs
    reason: str  # BELOW_REORDER_POINT or BACKORDERS


def covered(position: Position) -> int:
    """Units left once stock and incoming have served every waiting order."""
    return position.available + position.incoming - position.backordered


def _lead_demand(shipped: int, window_days: int, lead_time_days: int) -> int:
    if window_days <= 0 or shipped <= 0:
        return 0
    return -(-(shipped * max(lead_time_days, 0)) // window_days)


def lead_demand(position: Position) -> int:
    """Units expected to ship during the lead time (rounded up), from the window's average."""
    return _lead_demand(position.shipped_in_window, position.window_days, position.lead_time_days)


def need_units(
    left: int,
    reorder_point: int | None,
    reorder_quantity: int,
    shipped: int,
    window_days: int,
    lead_time_days: int,
) -> tuple[int, str] | None:
    """`need` on plain numbers (`left` is `covered`), for callers that judge many
    positions at once (the suggestions' query)."""
    if reorder_point is not None:
        demand = _lead_demand(shipped, window_days, lead_time_days)
        if left - demand < reorder_point:
            return max(reorder_quantity, reorder_point + demand - left), BELOW_REORDER_POINT
        return None
    if left < 0:
        return -left, BACKORDERS
    return None


def need(position: Position) -> Need | None:
    """What to order before packs and minimums, and why; None when nothing is needed."""
    found = need_units(
        covered(position),
        position.reorder_point,
        position.reorder_quantity,
        position.shipped_in_window,
        position.window_days,
        position.lead_time_days,
    )
    return None if found is None else Need(*found)


def rounded(quantity: int, *, pack_size: int = 1, minimum: int = 1) -> int:
    """`quantity` raised to the minimum order, then up to a whole number of packs."""
    pack = max(pack_size, 1)
    wanted = max(quantity, minimum, 1)
    return -(-wanted // pack) * pack


def suggested(position: Position, *, pack_size: int = 1, minimum: int = 1) -> Need | None:
    """The quantity to order (rounded to the supplier's packs and minimum) and why."""
    found = need(position)
    if found is None:
        return None
    return Need(rounded(found.quantity, pack_size=pack_size, minimum=minimum), found.reason)
