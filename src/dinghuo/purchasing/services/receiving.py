"""Goods received against a purchase order, in one or several deliveries.

Each receipt, in one transaction: the PO row is locked first (two clerks receiving the
same PO wait for each other, and the second sees what the first received), then its lines;
every line may receive in all at most its ordered quantity plus the seller's over-delivery
tolerance (`po_states.over_delivery_limit`, 422 `over_delivery` beyond it, nothing
changed); then each line's units go into the PO's warehouse through inventory's receipt
(ledger movement, on hand up, `stock.changed`), in SKU order as stock levels are always
locked; the cost is recorded on the receipt line; the received units leave the incoming;
and orders waiting for these SKUs are served at once (`orders.services.fill_backorders`).
An under-delivery stays open (partly received) until more arrives or the PO is closed.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.integrations import events
from dinghuo.inventory import services as stock
from dinghuo.orders import services as orders
from dinghuo.purchasing import po_states
from dinghuo.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
)
from dinghuo.purchasing.po_states import PoAction
from dinghuo.purchasing.services.shared import (
    cost_errors,
    lines_of,
    locked_po,
    move,
    po_event,
    policy_of,
)


@dataclass(frozen=True)
class Arrived:
    """`quantity` units of line `line_number` arrived (at `unit_cost`, else the line's)."""

    line_number: int
    quantity: int
    unit_cost: Decimal | None = None


def _problems(
    arrived: list[Arrived], own: dict[int, PurchaseOrderLine], tolerance: Decimal
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[int] = set()
    if not arrived:
        errors.append(FieldError("lines", "no_lines", "Receive at least one line"))
    for i, item in enumerate(arrived):
        at, line = f"lines[{i}]", own.get(item.line_number)
        if line is None:
            errors.append(FieldError(f"{at}.line_number", "unknown_line", "No such line"))
            continue
        if item.line_number in seen:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Line given twice"))
        seen.add(item.line_number)
        if item.quantity < 1:
            errors.append(FieldError(f"{at}.quantity", "quantity_not_positive", "At least 1"))
            continue
        most = po_states.over_delivery_limit(line.quantity, tolerance)
        if line.received_quantity + item.quantity > most:
            left = max(most - line.received_quantity, 0)
            errors.append(
                FieldError(
                    f"{at}.quantity",
                    "over_delivery",
                    f"At most {left} more units may arrive",
                    {"left": left},
                )
            )
        if item.unit_cost is not None:
            errors += cost_errors(f"{at}.unit_cost", item.unit_cost)
    return errors


def _new_receipt(po: PurchaseOrder, reference: str, user_id: int | None) -> PurchaseReceipt:
    last = po.receipts.aggregate(last=Max("number"))["last"] or 0
    return PurchaseReceipt.objects.create(
        tenant_id=po.tenant_id,
        order=po,
        number=last + 1,
        reference=reference[:64],
        received_by_id=user_id,
        received_at=clock.now(),
    )


def _into_stock(
    po: PurchaseOrder, receipt: PurchaseReceipt, lines: list[PurchaseReceiptLine]
) -> None:
    """Each line's units into the PO's warehouse, in SKU order (the levels' lock order)."""
    for row in sorted(lines, key=lambda r: r.line.sku_id):
        stock.receive_stock(
            tenant_id=po.tenant_id,
            warehouse_code=po.warehouse.code,
            sku_id=row.line.sku_id,
            quantity=row.quantity,
            reason=f"purchase order {po.number} receipt {receipt.number}",
            reference=po.number,
        )


@transaction.atomic
def receive_purchase_order(
    *,
    tenant_id: int,
    po_id: int,
    lines: list[Arrived],
    reference: str = "",
    user_id: int | None = None,
) -> PurchaseReceipt:
    """Record a delivery against a sent (or confirmed, or partly received) PO, as the module
    says. 409 `invalid_po_transition` for a PO in another state (a draft, a closed one); 422
    naming every bad line (`unknown_line`, `duplicate_line`, `quantity_not_positive`,
    `over_delivery`, `invalid_cost`). Records `purchase_order.received` (with inventory's
    `stock.changed` and orders' `order.backorder_filled`)."""
    po = locked_po(tenant_id, po_id)
    move(po, PoAction.RECEIVE_PART)  # refuses a PO that cannot receive at all
    own = {line.line_number: line for line in lines_of(po, lock=True)}
    errors = _problems(lines, own, policy_of(tenant_id).over_delivery_percent)
    if errors:
        raise ValidationFailed("The delivery cannot be received; see errors.", errors=errors)
    receipt = _new_receipt(po, reference, user_id)
    rows = []
    for item in lines:
        line = own[item.line_number]
        line.received_quantity += item.quantity
        cost = item.unit_cost if item.unit_cost is not None else line.unit_cost
        rows.append(
            PurchaseReceiptLine(
                tenant_id=tenant_id,
                receipt=receipt,
                line=line,
                quantity=item.quantity,
                unit_cost=cost,
            )
        )
    PurchaseReceiptLine.objects.bulk_create(rows)
    PurchaseOrderLine.objects.bulk_update(own.values(), ["received_quantity"])
    _into_stock(po, receipt, rows)
    ordered = [line.quantity for line in own.values()]
    received = [line.received_quantity for line in own.values()]
    po.status = move(po, po_states.receipt_action(ordered, received))
    po.updated_at = clock.now()
    po.save(update_fields=["status", "updated_at"])
    events.record(
        po_event(
            po,
            "purchase_order.received",
            receipt=receipt.number,
            lines=[
                {"line_number": r.line.line_number, "sku": r.line.sku.code, "quantity": r.quantity}
                for r in rows
            ],
        )
    )
    orders.fill_backorders(tenant_id=tenant_id, sku_ids={row.line.sku_id for row in rows})
    return receipt
