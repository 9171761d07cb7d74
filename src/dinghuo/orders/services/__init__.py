"""Order writes, one module per use case: placing; the lifecycle (confirm, cancel, release
a credit hold, the order's side of a shipment and of a delivery); approvals; the seller's
policy and approval rules; backorders filled when stock arrives (`backorders`); short-closing
a partially shipped order (`short_closing`); amending an open order (`amending`, with
`amending_lines` and `amending_writes`). Each use case is one transaction with its events.

Locks are always taken in one order: the order row, then the company's credit line, then
stock levels (in sku, warehouse order). Stock itself is inventory's to write
(`inventory.services`); shipments are fulfilment's, which calls `locked_order`, `transition`
and `record_shipment` here.
"""

from dinghuo.orders.line_checks import LineRequest, QuotedPrices
from dinghuo.orders.services.amending import AmendRequest, amend_order
from dinghuo.orders.services.approvals import (
    Actor,
    approve_order,
    expire_approvals,
    reject_order,
)
from dinghuo.orders.services.backorders import (
    FILLED_STATUSES,
    Filled,
    fill_backorders,
    fill_waiting_backorders,
    with_backorders_filled,
)
from dinghuo.orders.services.lifecycle import (
    ShippedLine,
    awaits_payment_only,
    cancel_order,
    confirm_order,
    confirm_paid_order,
    record_delivery,
    record_shipment,
    release_credit_hold,
    release_invoiced_credit,
    start_picking,
)
from dinghuo.orders.services.locking import locked_order, transition
from dinghuo.orders.services.placing import place_order
from dinghuo.orders.services.policy import (
    RuleFields,
    create_approval_rule,
    set_order_policy,
    update_approval_rule,
)
from dinghuo.orders.services.short_closing import ShortClosed, short_close_order

__all__ = [
    "FILLED_STATUSES",
    "Actor",
    "AmendRequest",
    "Filled",
    "LineRequest",
    "QuotedPrices",
    "RuleFields",
    "ShippedLine",
    "ShortClosed",
    "amend_order",
    "approve_order",
    "awaits_payment_only",
    "cancel_order",
    "confirm_order",
    "confirm_paid_order",
    "create_approval_rule",
    "expire_approvals",
    "fill_backorders",
    "fill_waiting_backorders",
    "locked_order",
    "place_order",
    "record_delivery",
    "record_shipment",
    "reject_order",
    "release_credit_hold",
    "release_invoiced_credit",
    "set_order_policy",
    "short_close_order",
    "start_picking",
    "transition",
    "update_approval_rule",
    "with_backorders_filled",
]
