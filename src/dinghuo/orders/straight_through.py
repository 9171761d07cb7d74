"""Where a placed order goes next: straight through to "confirmed", or to a person. Pure.

An order is confirmed at once, with no human touch, when the seller's automation rule is on
and the order passed validation (it exists), every unit is reserved (no backorder), it is on
account within credit (not held, not prepaid) and it needs no approval. Otherwise it waits,
and `review_reasons` says why, so the seller can see which rule stops automation most often.
"""

from dataclasses import dataclass

from dinghuo.orders.states import OrderStatus

CREDIT_HOLD = "credit_hold"
APPROVAL = "approval"
BACKORDER = "backorder"
PREPAID = "prepaid"
AUTOMATION_OFF = "automation_off"

REASONS = (CREDIT_HOLD, APPROVAL, BACKORDER, PREPAID, AUTOMATION_OFF)


@dataclass(frozen=True)
class Route:
    status: str
    review_reasons: tuple[str, ...]

    @property
    def automatic(self) -> bool:
        return self.status == OrderStatus.CONFIRMED


def route(
    *,
    credit_held: bool,
    approvals_pending: bool,
    backordered: bool,
    prepaid: bool,
    auto_confirm: bool,
) -> Route:
    """The status a placed order takes, and every reason it is not confirmed automatically."""
    reasons = []
    if credit_held:
        reasons.append(CREDIT_HOLD)
    if approvals_pending:
        reasons.append(APPROVAL)
    if backordered:
        reasons.append(BACKORDER)
    if prepaid:
        reasons.append(PREPAID)
    if not auto_confirm:
        reasons.append(AUTOMATION_OFF)
    if credit_held:
        status = OrderStatus.CREDIT_HOLD
    elif approvals_pending:
        status = OrderStatus.AWAITING_APPROVAL
    elif reasons:
        status = OrderStatus.PLACED
    else:
        status = OrderStatus.CONFIRMED
    return Route(status, tuple(reasons))
