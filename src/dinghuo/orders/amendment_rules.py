"""The rules of amending an order, as plain values: who may amend it and when, what the
wanted lines change on each line, and what each change does to stock. Pure, no database;
`services.amending` acts on the answers.

An order is amended by giving the lines it should have (SKU and quantity, as when placing):
an order has each SKU once, so lines are matched by SKU. A line left out is removed, a new
SKU is a new line, a changed quantity changes its line. Units already shipped stay: a line
cannot go below what has shipped of it, nor be removed once any of it has shipped.

A buyer amends within the seller's window after placing (`OrderPolicy.buyer_amend_hours`)
and only before the warehouse starts picking; staff amend any open order until everything
has shipped. Orders on hold or awaiting approval may be amended too.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from dinghuo.orders.states import OrderStatus

S = OrderStatus
# Orders that can still change: everything not shipped, delivered or cancelled.
AMENDABLE = frozenset(
    {S.CREDIT_HOLD, S.AWAITING_APPROVAL, S.PLACED, S.CONFIRMED, S.PARTIALLY_SHIPPED}
)

# Why an order cannot be amended (the refusals' codes).
NOT_AMENDABLE = "order_not_amendable"
WINDOW_CLOSED = "amend_window_closed"
PICKING_STARTED = "picking_started"
BUYERS_MAY_NOT = "buyer_amendments_off"


@dataclass(frozen=True)
class AmendingOrder:
    """What decides whether an order may be amended, and by whom."""

    status: str
    placed_at: datetime
    picking_started: bool
    anything_shipped: bool


def refusal(order: AmendingOrder, *, by_buyer: bool, window_hours: int, now: datetime) -> str:
    """Why the order cannot be amended now, by a buyer or by staff; "" when it can. A buyer's
    window is `window_hours` after placing, the last moment included; 0 hours: never."""
    if order.status not in AMENDABLE:
        return NOT_AMENDABLE
    if not by_buyer:
        return ""
    if window_hours == 0:
        return BUYERS_MAY_NOT
    if order.picking_started or order.anything_shipped:
        return PICKING_STARTED
    if now > order.placed_at + timedelta(hours=window_hours):
        return WINDOW_CLOSED
    return ""


@dataclass(frozen=True)
class Line:
    """A line of the order as it stands."""

    line_number: int
    sku: str
    quantity: int
    shipped: int = 0
    backordered: int = 0

    @property
    def reserved(self) -> int:
        """Units held in stock for it: what has not shipped nor waits for stock."""
        return self.quantity - self.shipped - self.backordered


@dataclass(frozen=True)
class Change:
    """One line's change: `before` 0 is a new line, `after` 0 a removed one."""

    sku: str
    before: int
    after: int
    line: Line | None = None  # the line as it stands; None for a new line
    index: int | None = None  # where the wanted line is in the request; None if removed

    @property
    def added(self) -> bool:
        return self.line is None

    @property
    def removed(self) -> bool:
        return self.after == 0

    @property
    def grows(self) -> bool:
        return self.after > self.before


def changes(lines: list[Line], wanted: list[tuple[str, int]]) -> list[Change]:
    """Every line that changes, wanted lines first in their order, then the removed ones in
    line order. Unchanged lines are left out. The wanted SKUs are distinct (placing's
    checks refuse a SKU twice)."""
    current = {line.sku: line for line in lines}
    found: list[Change] = []
    for index, (sku, quantity) in enumerate(wanted):
        line = current.get(sku)
        before = line.quantity if line else 0
        if quantity != before:
            found.append(Change(sku, before, quantity, line, index))
    kept = {sku for sku, _quantity in wanted}
    found += [Change(line.sku, line.quantity, 0, line) for line in lines if line.sku not in kept]
    return found


def below_shipped(change: Change) -> bool:
    """The change would take a line below what has shipped of it (or remove a line that has
    shipped units)."""
    return change.line is not None and change.after < change.line.shipped


@dataclass(frozen=True)
class StockMove:
    """What a change does to stock: units no longer waited for, units released, and units
    newly wanted (reserved if there is stock, else backordered where allowed)."""

    backorder_dropped: int = 0
    released: int = 0
    wanted: int = 0


def stock_move(change: Change) -> StockMove:
    """A smaller line gives up its backordered units first (they hold no stock), then its
    reserved ones; a bigger line wants the difference."""
    if change.grows:
        return StockMove(wanted=change.after - change.before)
    less = change.before - change.after
    # Only a line the order has can get smaller: a new one grows from nothing.
    assert change.line is not None
    dropped = min(less, change.line.backordered)
    return StockMove(backorder_dropped=dropped, released=less - dropped)
