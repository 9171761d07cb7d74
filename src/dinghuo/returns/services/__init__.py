"""Return writes, one module per use case: the seller's policy, requesting (a buyer, or
staff for them), approving and rejecting, receiving with each line's fate, and closing with
its credit note and refund; photos attached to a request; exchanges (the replacement order
placed on approval, confirmed on receipt). Each is one transaction with its events
(`return.requested`, `return.photos_added`, `return.approved`, `return.exchange_placed`,
`return.rejected`, `return.received`, `return.closed`).

Locks, in the order used everywhere: the order row (`orders.services.locked_order`), then
the return request, then what billing and inventory lock (credit line, stock levels,
document series, account, receivables).
"""

from dinghuo.returns.photos import Photo
from dinghuo.returns.services.approving import approve_return, reject_return
from dinghuo.returns.services.closing import RefundAsked, close_return
from dinghuo.returns.services.exchanging import Replacement
from dinghuo.returns.services.photos import attach_photos
from dinghuo.returns.services.policy import PolicyFields, set_return_policy
from dinghuo.returns.services.receiving import Inspected, receive_return
from dinghuo.returns.services.requesting import LineAsked, request_return, returned_units

__all__ = [
    "Inspected",
    "LineAsked",
    "Photo",
    "PolicyFields",
    "RefundAsked",
    "Replacement",
    "approve_return",
    "attach_photos",
    "close_return",
    "receive_return",
    "reject_return",
    "request_return",
    "returned_units",
    "set_return_policy",
]
