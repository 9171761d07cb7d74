"""A purchase order's life before its goods arrive: drafted (by hand or from suggestions),
changed while a draft, submitted (approved at once below the seller's approval limit, else
waiting for an approver with `purchasing.approve`), approved or rejected (back to draft),
sent to the supplier, the supplier's confirmation recorded, closed (what is left is
cancelled) or cancelled. Each write locks the PO row first and records its event."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError
from dinghuo.core.models import Seller
from dinghuo.core.money import round_money
from dinghuo.core.writes import UNSET, Unset
from dinghuo.integrations import events
from dinghuo.inventory.models import Warehouse
from dinghuo.purchasing import costs, po_states
from dinghuo.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierItem
from dinghuo.purchasing.po_states import PoAction
from dinghuo.purchasing.services.shared import (
    MAX_COST,
    MAX_UNITS,
    cost_errors,
    lines_of,
    locked_po,
    move,
    po_event,
    policy_of,
    refuse_all,
)

MAX_LINES = 1000


@dataclass(frozen=True)
class LineWanted:
    """`quantity` of SKU `sku_id`; the cost is the supplier item's tier cost unless given."""

    sku_id: int
    quantity: int
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class Confirmed:
    """The supplier confirms `quantity` units of line `line_number`, for `delivery_date`."""

    line_number: int
    quantity: int
    delivery_date: date | None = None


def _priced_lines(
    tenant_id: int, supplier: Supplier, wanted: list[LineWanted]
) -> list[PurchaseOrderLine]:
    """Lines checked (every problem at once) and costed from the supplier's tiers."""
    errors: list[FieldError] = []
    if not 1 <= len(wanted) <= MAX_LINES:
        errors.append(FieldError("lines", "no_lines", f"1 to {MAX_LINES} lines"))
    ids = {line.sku_id for line in wanted}
    skus = {s.pk: s for s in Sku.objects.filter(tenant_id=tenant_id, pk__in=ids)}
    items = {i.sku_id: i for i in SupplierItem.objects.filter(supplier=supplier, sku_id__in=ids)}
    seen: set[int] = set()
    made = []
    for i, line in enumerate(wanted):
        at = f"lines[{i}]"
        if line.sku_id not in skus:
            errors.append(FieldError(f"{at}.sku_id", "unknown_sku", f"No SKU {line.sku_id}"))
            continue
        if line.sku_id in seen:
            errors.append(FieldError(f"{at}.sku_id", "duplicate_sku", "The SKU is given twice"))
        seen.add(line.sku_id)
        if not 1 <= line.quantity <= MAX_UNITS:
            errors.append(FieldError(f"{at}.quantity", "quantity_not_positive", "At least 1"))
            continue
        cost = line.unit_cost
        if cost is None and line.sku_id in items:
            cost = costs.unit_cost(items[line.sku_id].cost_tiers, line.quantity)
        if cost is None:
            errors.append(
                FieldError(f"{at}.unit_cost", "no_supplier_cost", "The supplier has no cost")
            )
            continue
        errors += cost_errors(f"{at}.unit_cost", cost)
        made.append(
            PurchaseOrderLine(
                tenant_id=tenant_id,
                line_number=i + 1,
                sku=skus[line.sku_id],
                quantity=line.quantity,
                unit_cost=cost,
            )
        )
    if not errors and sum(line.quantity * line.unit_cost for line in made) > MAX_COST:
        errors.append(FieldError("lines", "po_total_too_large", "The total is too large"))
    refuse_all(errors, "The purchase order's lines are not valid; see errors.")
    return made


def _total(lines: list[PurchaseOrderLine], currency: str) -> Decimal:
    return round_money(
        sum((line.quantity * line.unit_cost for line in lines), Decimal(0)), currency
    )


def _write_lines(po: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    for line in lines:
        line.order = po
    PurchaseOrderLine.objects.bulk_create(lines)


def _lines_payload(lines: list[PurchaseOrderLine]) -> list[dict[str, Any]]:
    return [
        {"line_number": line.line_number, "sku": line.sku.code, "quantity": line.quantity}
        for line in lines
    ]


@transaction.atomic
def create_purchase_order(
    *,
    tenant_id: int,
    supplier_id: int,
    warehouse_id: int,
    lines: list[LineWanted],
    note: str = "",
    expected_date: date | None = None,
    user_id: int | None = None,
) -> PurchaseOrder:
    """A draft PO to an active supplier, delivered to one of the tenant's warehouses; costs
    in the supplier's currency. 422 naming every bad line (`unknown_sku`, `duplicate_sku`,
    `quantity_not_positive`, `no_supplier_cost`, `invalid_cost`) or party
    (`unknown_supplier`, `supplier_inactive`, `unknown_warehouse`)."""
    supplier = Supplier.objects.filter(tenant_id=tenant_id, pk=supplier_id).first()
    warehouse = Warehouse.objects.filter(tenant_id=tenant_id, pk=warehouse_id).first()
    errors = []
    if supplier is None:
        errors.append(FieldError("supplier_id", "unknown_supplier", f"No supplier {supplier_id}"))
    elif not supplier.is_active:
        errors.append(FieldError("supplier_id", "supplier_inactive", "The supplier is inactive"))
    if warehouse is None:
        errors.append(FieldError("warehouse_id", "unknown_warehouse", "No such warehouse"))
    refuse_all(errors, "The purchase order is not valid; see errors.")
    assert supplier is not None and warehouse is not None
    made = _priced_lines(tenant_id, supplier, lines)
    now = clock.now()
    po = PurchaseOrder.objects.create(
        tenant_id=tenant_id,
        supplier=supplier,
        warehouse=warehouse,
        currency=supplier.currency,
        note=note,
        expected_date=expected_date,
        total=_total(made, supplier.currency),
        created_by_id=user_id,
        created_at=now,
        updated_at=now,
    )
    _write_lines(po, made)
    events.record(po_event(po, "purchase_order.created", lines=_lines_payload(made)))
    return po


@transaction.atomic
def update_purchase_order(
    *,
    tenant_id: int,
    po_id: int,
    lines: list[LineWanted] | Unset = UNSET,
    note: str | Unset = UNSET,
    expected_date: date | Unset | None = UNSET,
) -> PurchaseOrder:
    """Change a draft: its note, expected date, or all its lines at once (409
    `po_not_draft` after it was submitted)."""
    po = locked_po(tenant_id, po_id)
    if po.status not in po_states.EDITABLE_STATUSES:
        raise Conflict("Only a draft purchase order can be changed.", code="po_not_draft")
    changed: list[str] = []
    if not isinstance(note, Unset):
        po.note, changed = note, [*changed, "note"]
    if not isinstance(expected_date, Unset):
        po.expected_date, changed = expected_date, [*changed, "expected_date"]
    if not isinstance(lines, Unset):
        made = _priced_lines(tenant_id, po.supplier, lines)
        PurchaseOrderLine.objects.filter(order=po).delete()
        _write_lines(po, made)
        po.total, changed = _total(made, po.currency), [*changed, "lines"]
    po.updated_at = clock.now()
    po.save()
    events.record(po_event(po, "purchase_order.updated", changed=changed))
    return po


def _stamp(po: PurchaseOrder, status: str, *fields: str) -> None:
    now = clock.now()
    po.status = status
    po.updated_at = now
    for name in fields:
        setattr(po, name, now)
    po.save(update_fields=["status", "updated_at", *fields])


@transaction.atomic
def submit_purchase_order(
    *, tenant_id: int, po_id: int, user_id: int | None = None
) -> PurchaseOrder:
    """A draft goes for approval: approved at once when the seller's rule needs no approver
    (`po_states.needs_approval`), else it waits (`purchase_order.approval_requested`)."""
    po = locked_po(tenant_id, po_id)
    limit = policy_of(tenant_id).approval_limit
    base = (
        Seller.objects.filter(tenant_id=tenant_id, is_primary=True)
        .values_list("base_currency", flat=True)
        .first()
    )
    waits = po_states.needs_approval(po.total, po.currency, limit=limit, base_currency=base or "")
    status = move(po, PoAction.SUBMIT if waits else PoAction.SUBMIT_APPROVED)
    if waits:
        _stamp(po, status, "submitted_at")
        events.record(po_event(po, "purchase_order.approval_requested"))
        return po
    po.approved_by_id = user_id
    _stamp(po, status, "submitted_at", "approved_at")
    po.save(update_fields=["approved_by"])
    events.record(po_event(po, "purchase_order.approved", automatically=True))
    return po


@transaction.atomic
def approve_purchase_order(
    *, tenant_id: int, po_id: int, user_id: int | None = None
) -> PurchaseOrder:
    """An approver approves a PO waiting for approval."""
    po = locked_po(tenant_id, po_id)
    status = move(po, PoAction.APPROVE)
    po.approved_by_id = user_id
    _stamp(po, status, "approved_at")
    po.save(update_fields=["approved_by"])
    events.record(po_event(po, "purchase_order.approved", automatically=False))
    return po


@transaction.atomic
def reject_purchase_order(*, tenant_id: int, po_id: int, comment: str) -> PurchaseOrder:
    """An approver sends a waiting PO back to draft, saying why (422 `comment_required`)."""
    if not comment.strip():
        refuse_all(
            [FieldError("comment", "comment_required", "Say why it is rejected")],
            "The purchase order cannot be rejected; see errors.",
        )
    po = locked_po(tenant_id, po_id)
    _stamp(po, move(po, PoAction.REJECT))
    events.record(po_event(po, "purchase_order.rejected", comment=comment.strip()[:500]))
    return po


@transaction.atomic
def send_purchase_order(*, tenant_id: int, po_id: int) -> PurchaseOrder:
    """An approved PO is sent to the supplier (its PDF is `documents.po_pdf`); from now on
    its open quantities are stock's incoming."""
    po = locked_po(tenant_id, po_id)
    _stamp(po, move(po, PoAction.SEND), "sent_at")
    events.record(po_event(po, "purchase_order.sent", contact_email=po.supplier.contact_email))
    return po


@transaction.atomic
def confirm_purchase_order(*, tenant_id: int, po_id: int, lines: list[Confirmed]) -> PurchaseOrder:
    """Staff record the supplier's confirmation: per line, the quantity and date it will
    deliver (0 to the ordered quantity; a line not named keeps what it had)."""
    po = locked_po(tenant_id, po_id)
    status = move(po, PoAction.CONFIRM)
    own = {line.line_number: line for line in lines_of(po, lock=True)}
    errors = []
    for i, item in enumerate(lines):
        line = own.get(item.line_number)
        if line is None:
            errors.append(FieldError(f"lines[{i}].line_number", "unknown_line", "No such line"))
        elif not 0 <= item.quantity <= line.quantity:
            errors.append(
                FieldError(
                    f"lines[{i}].quantity",
                    "exceeds_ordered_quantity",
                    f"From 0 to the {line.quantity} units ordered",
                )
            )
    if not lines:
        errors.append(FieldError("lines", "no_lines", "Confirm at least one line"))
    refuse_all(errors, "The confirmation is not valid; see errors.")
    for item in lines:
        own[item.line_number].confirmed_quantity = item.quantity
        own[item.line_number].confirmed_date = item.delivery_date
    PurchaseOrderLine.objects.bulk_update(own.values(), ["confirmed_quantity", "confirmed_date"])
    _stamp(po, status)
    confirmed = [
        {
            "line_number": c.line_number,
            "quantity": c.quantity,
            "delivery_date": c.delivery_date.isoformat() if c.delivery_date else None,
        }
        for c in lines
    ]
    events.record(po_event(po, "purchase_order.confirmed", lines=confirmed))
    return po


@transaction.atomic
def close_purchase_order(*, tenant_id: int, po_id: int, reason: str = "") -> PurchaseOrder:
    """Nothing more is expected: each line's units not received are cancelled (shown on the
    line), and they leave stock's incoming."""
    po = locked_po(tenant_id, po_id)
    status = move(po, PoAction.CLOSE)
    lines = lines_of(po, lock=True)
    for line in lines:
        line.cancelled_quantity = max(line.quantity - line.received_quantity, 0)
    PurchaseOrderLine.objects.bulk_update(lines, ["cancelled_quantity"])
    _stamp(po, status, "closed_at")
    cancelled = [
        {"line_number": line.line_number, "cancelled": line.cancelled_quantity}
        for line in lines
        if line.cancelled_quantity
    ]
    events.record(po_event(po, "purchase_order.closed", reason=reason[:500], lines=cancelled))
    return po


@transaction.atomic
def cancel_purchase_order(*, tenant_id: int, po_id: int) -> PurchaseOrder:
    """A draft or waiting PO is given up before it was approved."""
    po = locked_po(tenant_id, po_id)
    _stamp(po, move(po, PoAction.CANCEL))
    events.record(po_event(po, "purchase_order.cancelled"))
    return po
