"""What placing an order now would do, in words for the page that asks: the buyer's checkout
or the staff's order entry. The rules are `orders.judging.preview_routing`'s (those placing
uses); this module only says their answer, to the buyer ("your company", "the seller") or to
staff ("the company", "the order desk")."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinghuo.core import refusals
from dinghuo.core.phrases import Phrase
from dinghuo.orders import approval_rules
from dinghuo.orders.judging import RoutingPreview
from dinghuo.orders.states import OrderStatus

REFUSED = "refused"
# The headline for each outcome: a refusal on credit, else the status the order would take.
HEADLINES: dict[refusals.Audience, dict[str, Any]] = {
    refusals.BUYER: {
        REFUSED: _("The seller will not accept this order on account now."),
        OrderStatus.CREDIT_HOLD: _(
            "This order will go on credit hold until the seller releases it."
        ),
        OrderStatus.AWAITING_APPROVAL: _("This order will need approval before it is confirmed."),
        OrderStatus.CONFIRMED: _("This order will be confirmed at once."),
        OrderStatus.PLACED: _("The seller will confirm this order."),
    },
    refusals.STAFF: {
        REFUSED: _("The seller's policy refuses this order on account now."),
        OrderStatus.CREDIT_HOLD: _("This order will go on credit hold until it is released."),
        OrderStatus.AWAITING_APPROVAL: _("This order will need approval before it is confirmed."),
        OrderStatus.CONFIRMED: _("This order will be confirmed at once."),
        OrderStatus.PLACED: _("This order will wait for confirmation on the order desk."),
    },
}
APPROVERS: dict[refusals.Audience, dict[str, Any]] = {
    refusals.BUYER: {
        approval_rules.COMPANY: _("an approver of your company"),
        approval_rules.SELLER: _("the seller"),
    },
    refusals.STAFF: {
        approval_rules.COMPANY: _("the buying company"),
        approval_rules.SELLER: _("the seller (staff)"),
    },
}


@dataclass(frozen=True)
class RoutingNotice:
    """What placing would do to the order, said to one audience."""

    status: str
    headline: str
    approvals: list[tuple[int, str, tuple[Phrase | str, ...]]]  # level, who, why
    credit_reasons: list[str]
    prepaid: bool
    # The deposit the order waits for (0 when it waits for all of it, or for nothing).
    deposit: Decimal
    currency: str
    refused: bool  # the seller refuses orders its credit check blocks: placing would fail


def notice(preview: RoutingPreview, audience: refusals.Audience) -> RoutingNotice:
    """The preview in the audience's words, in the active language."""
    headlines = HEADLINES[audience]
    outcome = REFUSED if preview.refused else preview.status
    approvers = APPROVERS[audience]
    return RoutingNotice(
        status=preview.status,
        headline=str(headlines.get(outcome, headlines[OrderStatus.PLACED])),
        approvals=[
            (step.level, str(approvers.get(step.approver, step.approver)), step.reasons)
            for step in preview.approvals
        ],
        credit_reasons=[
            refusals.code_message(reason, audience=audience) for reason in preview.credit_blocked
        ],
        prepaid="prepaid" in preview.review_reasons,
        deposit=(
            preview.prepayment_due if 0 < preview.prepayment_due < preview.total else Decimal(0)
        ),
        currency=preview.currency,
        refused=preview.refused,
    )
