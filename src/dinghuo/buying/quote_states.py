"""A quote's life as one explicit table of allowed transitions. Pure, no database.

An answered quote whose `expires_at` has passed is expired whether or not `expire_quotes` has
marked it yet: `effective_status` is what every reader and every transition goes by.
"""

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by the buyer")
    REJECTED = "rejected", _("Rejected by the seller")
    WITHDRAWN = "withdrawn", _("Withdrawn by the buyer")
    EXPIRED = "expired", _("Expired")


class QuoteAction(models.TextChoices):
    ANSWER = "answer"  # seller
    REJECT = "reject"  # seller
    ACCEPT = "accept"  # buyer
    DECLINE = "decline"  # buyer
    WITHDRAW = "withdraw"  # buyer
    EXPIRE = "expire"  # the clock


S = QuoteStatus
A = QuoteAction
# (status, action) → the status the action leads to. A seller may take back an answer the buyer
# has not accepted yet (reject); a buyer withdraws a request, and declines an answer.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REQUESTED, A.ANSWER): S.ANSWERED,
    (S.REQUESTED, A.REJECT): S.REJECTED,
    (S.REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ANSWERED, A.ACCEPT): S.ACCEPTED,
    (S.ANSWERED, A.DECLINE): S.DECLINED,
    (S.ANSWERED, A.REJECT): S.REJECTED,
    (S.ANSWERED, A.EXPIRE): S.EXPIRED,
}

BUYER_ACTIONS = frozenset({A.ACCEPT, A.DECLINE, A.WITHDRAW})
SELLER_ACTIONS = frozenset({A.ANSWER, A.REJECT})
OPEN_STATUSES = frozenset({S.REQUESTED, S.ANSWERED})


def effective_status(status: str, expires_at: datetime | None, now: datetime) -> str:
    """The status a reader sees: an answered quote past its expiry is expired."""
    if status == S.ANSWERED and expires_at is not None and expires_at <= now:
        return S.EXPIRED
    return status


def target(status: str, action: str) -> str | None:
    """The status `action` leads to from `status`, or None when it is not allowed."""
    return TRANSITIONS.get((status, action))


def allowed_actions(status: str, actions: frozenset[str] | None = None) -> list[str]:
    """Actions allowed from `status` (only those in `actions`, if given), for clients deciding
    which buttons to show; the clock's `expire` is never offered."""
    return [
        action
        for (state, action) in TRANSITIONS
        if state == status and action != A.EXPIRE and (actions is None or action in actions)
    ]
