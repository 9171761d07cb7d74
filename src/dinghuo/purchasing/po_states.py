"""A purchase order's life as one explicit table of allowed transitions. Pure, no database.

draft → (submit) → awaiting approval, or approved at once when the seller's rule needs no
approver (`needs_approval`); awaiting approval → approve → approved, or reject → back to
draft; approved → send → sent; sent/confirmed → confirm (the supplier's answer, recorded by
staff) → confirmed; sent/confirmed/partially received → receive → partially received, or
received once every line has all it ordered; approved/sent/confirmed/partially received →
close (what is left is cancelled) → closed; draft/awaiting approval → cancel → cancelled.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class PoStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    CONFIRMED = "confirmed", _("Confirmed by the supplier")
    PARTIALLY_RECEIVED = "partially_received", _("Partly received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PoAction(models.TextChoices):
    SUBMIT = "submit"  # asks for approval
    SUBMIT_APPROVED = "submit_approved"  # below the approval limit: approved on submit
    APPROVE = "approve"
    REJECT = "reject"
    SEND = "send"
    CONFIRM = "confirm"
    RECEIVE_PART = "receive_part"
    RECEIVE_ALL = "receive_all"
    CLOSE = "close"
    CANCEL = "cancel"


S = PoStatus
A = PoAction
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.SUBMIT): S.AWAITING_APPROVAL,
    (S.DRAFT, A.SUBMIT_APPROVED): S.APPROVED,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.AWAITING_APPROVAL, A.APPROVE): S.APPROVED,
    (S.AWAITING_APPROVAL, A.REJECT): S.DRAFT,
    (S.AWAITING_APPROVAL, A.CANCEL): S.CANCELLED,
    (S.APPROVED, A.SEND): S.SENT,
    (S.APPROVED, A.CLOSE): S.CLOSED,
    (S.SENT, A.CONFIRM): S.CONFIRMED,
    (S.SENT, A.RECEIVE_PART): S.PARTIALLY_RECEIVED,
    (S.SENT, A.RECEIVE_ALL): S.RECEIVED,
    (S.SENT, A.CLOSE): S.CLOSED,
    (S.CONFIRMED, A.CONFIRM): S.CONFIRMED,
    (S.CONFIRMED, A.RECEIVE_PART): S.PARTIALLY_RECEIVED,
    (S.CONFIRMED, A.RECEIVE_ALL): S.RECEIVED,
    (S.CONFIRMED, A.CLOSE): S.CLOSED,
    (S.PARTIALLY_RECEIVED, A.CONFIRM): S.PARTIALLY_RECEIVED,
    (S.PARTIALLY_RECEIVED, A.RECEIVE_PART): S.PARTIALLY_RECEIVED,
    (S.PARTIALLY_RECEIVED, A.RECEIVE_ALL): S.RECEIVED,
    (S.PARTIALLY_RECEIVED, A.CLOSE): S.CLOSED,
}

# What the supplier still owes on these: their open quantities are stock's "incoming".
OPEN_STATUSES = frozenset({S.APPROVED, S.SENT, S.CONFIRMED, S.PARTIALLY_RECEIVED})
# Lines may be added, changed or removed only while the order is a draft.
EDITABLE_STATUSES = frozenset({S.DRAFT})


def target(status: str, action: str) -> str | None:
    """The status `action` leads to from `status`, or None when it is not allowed."""
    return TRANSITIONS.get((status, action))


def allowed_actions(status: str) -> list[str]:
    """The actions a person may take from `status` (the two submits are one button)."""
    found: list[str] = []
    for state, action in TRANSITIONS:
        name = A.SUBMIT if action == A.SUBMIT_APPROVED else action
        if state == status and name not in found:
            found.append(name)
    return found


def needs_approval(
    total: Decimal, currency: str, *, limit: Decimal | None, base_currency: str
) -> bool:
    """Whether submitting a PO of `total` in `currency` waits for an approver: never when
    the seller set no limit; else when the total is above the limit (the limit itself
    approves on submit), and always for a PO in another currency than the seller's base
    currency (no conversion is guessed)."""
    if limit is None:
        return False
    if currency != base_currency:
        return True
    return total > limit


def receipt_action(ordered: list[int], received: list[int]) -> str:
    """After a receipt: everything ordered has arrived on every line (receive_all), or not."""
    done = all(got >= wanted for wanted, got in zip(ordered, received, strict=True))
    return A.RECEIVE_ALL if done else A.RECEIVE_PART


def over_delivery_limit(ordered: int, tolerance_percent: Decimal) -> int:
    """The most units a line may receive in all: the ordered quantity plus the tolerance,
    rounded down to whole units (10 % of 15 is 1, so 16 may arrive, not 17)."""
    extra = (Decimal(ordered) * tolerance_percent / 100).to_integral_value(rounding="ROUND_FLOOR")
    return ordered + int(extra)
