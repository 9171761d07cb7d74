"""A clerk decides on a return request: approved (it gets its RMA number; an exchange its
replacement order) or rejected with a comment. Requests the seller's rules find
straightforward are approved when requested."""

from typing import Any

from django.db import transaction

from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.integrations import events
from dinghuo.orders.models import Order
from dinghuo.returns.models import Outcome, ReturnRequest, ReturnStatus
from dinghuo.returns.services.exchanging import place_exchange
from dinghuo.returns.services.numbering import take_rma_number
from dinghuo.returns.services.shared import locked_return, require_status, return_event

MAX_COMMENT = 500


def approve(request: ReturnRequest, order: Order, *, automatically: bool, comment: str = "") -> Any:
    """Approve a locked request in the caller's transaction; its unsaved `return.approved`."""
    request.status = ReturnStatus.APPROVED
    request.number = take_rma_number(tenant_id=request.tenant_id, seller_id=request.seller_id)
    request.approved_automatically = automatically
    request.decision_comment = comment
    request.decided_at = clock.now()
    request.save(
        update_fields=[
            "status",
            "number",
            "approved_automatically",
            "decision_comment",
            "decided_at",
        ]
    )
    return return_event(request, order, "return.approved", automatically=automatically)


def _comment_errors(comment: str, *, required: bool) -> list[FieldError]:
    if required and not comment.strip():
        return [FieldError("comment", "comment_required", "Say why the return is rejected")]
    if len(comment) > MAX_COMMENT:
        return [FieldError("comment", "too_long", f"At most {MAX_COMMENT} characters")]
    return []


@transaction.atomic
def approve_return(*, tenant_id: int, return_id: int, comment: str = "") -> ReturnRequest:
    """A clerk approves a requested return: it gets the seller's next RMA number (no gaps)
    and, for an exchange, its replacement order is placed (`services.exchanging`), refused as
    placing refuses (`insufficient_stock`, `credit_refused`, …), and then nothing changes.
    409 `invalid_return_status` unless requested. Records `return.approved` (and
    `return.exchange_placed`)."""
    errors = _comment_errors(comment, required=False)
    if errors:
        raise ValidationFailed("The return cannot be approved; see errors.", errors=errors)
    order, request = locked_return(tenant_id, return_id)
    require_status(request, ReturnStatus.REQUESTED)
    recorded = [approve(request, order, automatically=False, comment=comment.strip())]
    if request.outcome == Outcome.EXCHANGE:
        # Refused as placing refuses (stock, credit): then nothing of the approval stays.
        recorded.append(place_exchange(request, order))
    events.record(*recorded)
    return request


@transaction.atomic
def reject_return(*, tenant_id: int, return_id: int, comment: str) -> ReturnRequest:
    """A clerk rejects a requested return, saying why (422 `comment_required`); its units
    can be asked back again. 409 `invalid_return_status` unless requested. Records
    `return.rejected`."""
    errors = _comment_errors(comment, required=True)
    if errors:
        raise ValidationFailed("The return cannot be rejected; see errors.", errors=errors)
    order, request = locked_return(tenant_id, return_id)
    require_status(request, ReturnStatus.REQUESTED)
    request.status = ReturnStatus.REJECTED
    request.decision_comment = comment.strip()
    request.decided_at = clock.now()
    request.save(update_fields=["status", "decision_comment", "decided_at"])
    events.record(return_event(request, order, "return.rejected", comment=request.decision_comment))
    return request
