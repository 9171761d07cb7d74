"""The order's life as one explicit table of allowed transitions. Pure, no database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    CREDIT_HOLD = "credit_hold", _("On credit hold")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PLACED = "placed", _("Placed")
    CONFIRMED = "confirmed", _("Confirmed")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.TextChoices):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    SHIP = "ship"
    DELIVER = "deliver"
    RELEASE_HOLD = "release_hold"
    APPROVE = "approve"
    REJECT = "reject"
    SHORT_CLOSE = "short_close"


S = OrderStatus
# (status, action) → statuses the action may lead to. Shipping leads to "partially shipped" or
# "shipped" depending on what remains, so the service picks one of the allowed targets.
# Releasing a hold or approving the last level leads on to approval, to "placed" (a person
# confirms) or to "confirmed" (the automation rule confirms), so those too have several targets.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.CREDIT_HOLD, Action.RELEASE_HOLD): frozenset({S.AWAITING_APPROVAL, S.PLACED, S.CONFIRMED}),
    (S.CREDIT_HOLD, Action.CANCEL): frozenset({S.CANCELLED}),
    (S.AWAITING_APPROVAL, Action.APPROVE): frozenset({S.AWAITING_APPROVAL, S.PLACED, S.CONFIRMED}),
    (S.AWAITING_APPROVAL, Action.REJECT): frozenset({S.CANCELLED}),
    (S.AWAITING_APPROVAL, Action.CANCEL): frozenset({S.CANCELLED}),
    (S.PLACED, Action.CONFIRM): frozenset({S.CONFIRMED}),
    (S.PLACED, Action.CANCEL): frozenset({S.CANCELLED}),
    (S.CONFIRMED, Action.CANCEL): frozenset({S.CANCELLED}),
    (S.CONFIRMED, Action.SHIP): frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
    (S.PARTIALLY_SHIPPED, Action.SHIP): frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
    # Short-closing cancels what is left of a partially shipped order: it is then shipped.
    (S.PARTIALLY_SHIPPED, Action.SHORT_CLOSE): frozenset({S.SHIPPED}),
    (S.SHIPPED, Action.DELIVER): frozenset({S.DELIVERED}),
}

OPEN_STATUSES = frozenset(
    {S.CREDIT_HOLD, S.AWAITING_APPROVAL, S.PLACED, S.CONFIRMED, S.PARTIALLY_SHIPPED}
)


def allowed_targets(status: str, action: str) -> frozenset[str]:
    """Statuses `action` may lead to from `status`; empty when the action is not allowed."""
    return TRANSITIONS.get((status, action), frozenset())


def allowed_actions(status: str) -> list[str]:
    """Actions allowed from `status`, for clients deciding which buttons to show."""
    return [action for (state, action) in TRANSITIONS if state == status]
