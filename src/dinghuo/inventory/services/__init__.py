"""Stock writes: receive, adjust, transfer, reserve, release, issue; warehouses. Each one writes its
ledger rows and its `stock.changed` event. Inventory alone writes stock levels, reservations
and the ledger: orders and fulfilment call `allocate`/`reserve`, `release` and
`plan_issue`/`issue` here.

Locks: every writer locks stock levels in (sku, warehouse) order (`levels`), after whatever
its caller locked first (the order row, then the credit line), so no two writers can wait on
each other in a cycle.
"""

from dinghuo.inventory.services.bulk import MAX_STOCK_LINES, StockLine, adjust_many, receive_many
from dinghuo.inventory.services.issuing import Draw, IssuePlan, issue, plan_issue
from dinghuo.inventory.services.levels import stock_event
from dinghuo.inventory.services.receipts import MAX_STOCK_QUANTITY, adjust_stock, receive_stock
from dinghuo.inventory.services.reservations import (
    Allocated,
    allocate,
    change_reservations,
    drop_empty_reservations,
    release,
    reserve,
)
from dinghuo.inventory.services.transfers import TRANSFER_REFERENCE, transfer_many, transfer_stock
from dinghuo.inventory.services.warehouses import (
    MAX_WAREHOUSE_PRIORITY,
    create_warehouse,
    update_warehouse,
)

__all__ = [
    "MAX_STOCK_LINES",
    "MAX_STOCK_QUANTITY",
    "MAX_WAREHOUSE_PRIORITY",
    "TRANSFER_REFERENCE",
    "Allocated",
    "Draw",
    "IssuePlan",
    "StockLine",
    "adjust_many",
    "adjust_stock",
    "allocate",
    "change_reservations",
    "create_warehouse",
    "drop_empty_reservations",
    "issue",
    "plan_issue",
    "receive_many",
    "receive_stock",
    "release",
    "reserve",
    "stock_event",  # the demo's opening stock
    "transfer_many",
    "transfer_stock",
    "update_warehouse",
]
