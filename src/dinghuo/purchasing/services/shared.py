"""What the purchasing services share: the seller's policy, the PO locked for a change, its
transitions checked against `po_states`, refusals naming a field, and the PO's events."""

from decimal import Decimal
from typing import Any

from dinghuo.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from dinghuo.core.money import format_amount
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.purchasing import po_states
from dinghuo.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchasingPolicy

DEFAULT_POLICY = PurchasingPolicy(
    approval_limit=None, over_delivery_percent=Decimal(10), demand_window_days=30
)
MAX_UNITS = 1_000_000_000
MAX_COST = Decimal("99999999999999")


def policy_of(tenant_id: int) -> PurchasingPolicy:
    """The tenant's purchasing policy, or the defaults (no approval limit, 10 %, 30 days)."""
    return PurchasingPolicy.objects.filter(tenant_id=tenant_id).first() or DEFAULT_POLICY


def refuse_all(errors: list[FieldError], detail: str) -> None:
    """422 naming every problem; its code is the first problem's."""
    if errors:
        raise ValidationFailed(detail, code=errors[0].code, errors=errors)


def cost_errors(field: str, cost: Decimal) -> list[FieldError]:
    """A unit cost: not negative, at most 4 decimals, below 10^14."""
    if not cost.is_finite() or cost < 0:
        return [FieldError(field, "invalid_cost", "A cost is zero or more")]
    if cost != cost.quantize(Decimal("0.0001")) or cost > MAX_COST:
        return [FieldError(field, "invalid_cost", "At most 4 decimals")]
    return []


def locked_po(tenant_id: int, po_id: int) -> PurchaseOrder:
    """The tenant's PO, its row locked (the first lock of every PO write); else 404."""
    found = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("supplier", "warehouse")
        .filter(tenant_id=tenant_id, pk=po_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No purchase order {po_id}.")
    return found


def move(po: PurchaseOrder, action: str) -> str:
    """The status `action` leads to; 409 `invalid_po_transition` when the table forbids it."""
    status = po_states.target(po.status, action)
    if status is None:
        shown = "submit" if action == po_states.PoAction.SUBMIT_APPROVED else action
        raise InvalidTransition(
            f"A purchase order that is {po.status} cannot be {shown}.",
            code="invalid_po_transition",
        )
    return status


def lines_of(po: PurchaseOrder, *, lock: bool = False) -> list[PurchaseOrderLine]:
    found = PurchaseOrderLine.objects.filter(order=po).select_related("sku")
    if lock:
        found = found.select_for_update(of=("self",))
    return list(found.order_by("line_number"))


def po_event(po: PurchaseOrder, type: str, **extra: Any) -> Event:
    """An unsaved event of the PO (`purchase_order.created`, …)."""
    return events.new(
        po.tenant_id,
        type,
        "purchase_order",
        po.pk,
        {
            "purchase_order_id": po.pk,
            "number": po.number,
            "supplier_id": po.supplier_id,
            "status": po.status,
            "total": format_amount(po.total, po.currency),
            "currency": po.currency,
            **extra,
        },
    )
