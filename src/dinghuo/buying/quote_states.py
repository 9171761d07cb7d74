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
    COUNTERED = "countered", _("Countered by the buyer")
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
    COUNTER = "counter"  # buyer
    WITHDRAW = "withdraw"  # buyer
    EXPIRE = "expire"  # the clock


S = QuoteStatus
A = QuoteAction
# (status, action) → the status the action leads to. A seller may take back an answer the buyer
# has not accepted yet (reject) or answer it again with other prices or expiry (a new round); a
# buyer withdraws a request, declines an answer, or counters it with other prices or quantities,
# which puts the quote back on the seller's desk (a new round) until the seller answers again.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REQUESTED, A.ANSWER): S.ANSWERED,
    (S.REQUESTED, A.REJECT): S.REJECTED,
    (S.REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.ANSWERED, A.ACCEPT): S.ACCEPTED,
    (S.ANSWERED, A.DECLINE): S.DECLINED,
    (S.ANSWERED, A.COUNTER): S.COUNTERED,
    (S.ANSWERED, A.ANSWER): S.ANSWERED,
    (S.ANSWERED, A.REJECT): S.REJECTED,
    (S.ANSWERED, A.EXPIRE): S.EXPIRED,
    (S.COUNTERED, A.ANSWER): S.ANSWERED,
    (S.COUNTERED, A.REJECT): S.REJECTED,
    (S.COUNTERED, A.WITHDRAW): S.WITHDRAWN,
}

BUYER_ACTIONS = frozenset({A.ACCEPT, A.DECLINE, A.COUNTER, A.WITHDRAW})
SELLER_ACTIONS = frozenset({A.ANSWER, A.REJECT})
OPEN_STATUSES = frozenset({S.REQUESTED, S.ANSWERED, S.COUNTERED})
# Quotes waiting for the seller: the desk's incoming ones.
WAITING_STATUSES = frozenset({S.REQUESTED, S.COUNTERED})


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
