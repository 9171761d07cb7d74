"""Which mails there are, who may choose them, and what each is sent for (pure rules).

A kind is one mail (one template pair). Invitations and password resets are essential: they
are always sent and offer no unsubscribe link. Every other kind is the person's choice, with a
default when they never chose: buyers get every mail about their own orders and quotes; staff
get "needs your approval" and "a buyer countered a quote" (both wait for them) and must ask
for "order placed" (a busy seller would drown in it).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    APPROVAL_NEEDED = "approval_needed", _("An order needs your approval")
    ORDER_APPROVED = "order_approved", _("Order approved")
    ORDER_REJECTED = "order_rejected", _("Order rejected")
    ORDER_CONFIRMED = "order_confirmed", _("Order confirmed")
    ORDER_SHIPPED = "order_shipped", _("Order shipped")
    ORDER_DELIVERED = "order_delivered", _("Order delivered")
    QUOTE_ANSWERED = "quote_answered", _("Quote answered")
    QUOTE_COUNTERED = "quote_countered", _("A buyer countered a quote")
    INVITATION = "invitation", _("Invitation")
    PASSWORD_RESET = "password_reset", _("Password reset")


class Audience(models.TextChoices):
    BUYER = "buyer"
    STAFF = "staff"


ESSENTIAL = frozenset({Kind.INVITATION, Kind.PASSWORD_RESET})

# The kinds each audience can receive (and so choose on its preferences page), in page order.
CHOSEN_BY: dict[Audience, tuple[Kind, ...]] = {
    Audience.BUYER: (
        Kind.ORDER_PLACED,
        Kind.APPROVAL_NEEDED,
        Kind.ORDER_APPROVED,
        Kind.ORDER_REJECTED,
        Kind.ORDER_CONFIRMED,
        Kind.ORDER_SHIPPED,
        Kind.ORDER_DELIVERED,
        Kind.QUOTE_ANSWERED,
    ),
    Audience.STAFF: (Kind.ORDER_PLACED, Kind.APPROVAL_NEEDED, Kind.QUOTE_COUNTERED),
}

# What a person gets when they never chose: everything offered to buyers; staff only what
# waits for them.
DEFAULT_ON: dict[Audience, frozenset[Kind]] = {
    Audience.BUYER: frozenset(CHOSEN_BY[Audience.BUYER]),
    Audience.STAFF: frozenset({Kind.APPROVAL_NEEDED, Kind.QUOTE_COUNTERED}),
}


def wants(audience: Audience, kind: Kind, choices: dict[str, bool]) -> bool:
    """Whether a person of `audience` with these saved `choices` (kind → on/off; a kind not in
    it keeps its default) gets a mail of `kind`."""
    if kind in ESSENTIAL:
        return True
    if kind not in CHOSEN_BY[audience]:
        return False
    return choices.get(kind.value, kind in DEFAULT_ON[audience])


# The order and quote events that become mails (integrations' feed), and their kind.
ORDER_EVENT_KINDS: dict[str, Kind] = {
    "order.placed": Kind.ORDER_PLACED,
    "order.approval_requested": Kind.APPROVAL_NEEDED,
    "order.approved": Kind.ORDER_APPROVED,
    "order.rejected": Kind.ORDER_REJECTED,
    "order.confirmed": Kind.ORDER_CONFIRMED,
    "order.shipped": Kind.ORDER_SHIPPED,
    "order.delivered": Kind.ORDER_DELIVERED,
}
QUOTE_EVENT_KINDS: dict[str, Kind] = {
    "quote.answered": Kind.QUOTE_ANSWERED,
    "quote.rejected": Kind.QUOTE_ANSWERED,
    "quote.countered": Kind.QUOTE_COUNTERED,
}
EVENT_KINDS = {**ORDER_EVENT_KINDS, **QUOTE_EVENT_KINDS}
