"""Purchasing writes, one module per use case: suppliers and their items, reorder rules and
the purchasing policy (master data, audited); a PO's life before delivery (draft, change,
submit, approve, reject, send, confirm, close, cancel); receiving deliveries against it.
Each is one transaction with its events (`supplier.*`, `supplier_item.*`, `reorder_rule.*`,
`purchase_order.*`).

Locks, in the order used everywhere: the PO row, then its lines, then stock levels (in SKU
order, through inventory's receipt), then waiting orders (skipping locked ones, through
`orders.services.fill_backorders`).
"""

from dinghuo.purchasing.services.purchase_orders import (
    Confirmed,
    LineWanted,
    approve_purchase_order,
    cancel_purchase_order,
    close_purchase_order,
    confirm_purchase_order,
    create_purchase_order,
    reject_purchase_order,
    send_purchase_order,
    submit_purchase_order,
    update_purchase_order,
)
from dinghuo.purchasing.services.receiving import Arrived, receive_purchase_order
from dinghuo.purchasing.services.suppliers import (
    create_supplier,
    create_supplier_item,
    delete_reorder_rule,
    set_purchasing_policy,
    set_reorder_rule,
    update_supplier,
    update_supplier_item,
)

__all__ = [
    "Arrived",
    "Confirmed",
    "LineWanted",
    "approve_purchase_order",
    "cancel_purchase_order",
    "close_purchase_order",
    "confirm_purchase_order",
    "create_purchase_order",
    "create_supplier",
    "create_supplier_item",
    "delete_reorder_rule",
    "receive_purchase_order",
    "reject_purchase_order",
    "send_purchase_order",
    "set_purchasing_policy",
    "set_reorder_rule",
    "submit_purchase_order",
    "update_purchase_order",
    "update_supplier",
    "update_supplier_item",
]
