"""Shipping an order, in as many partial shipments as it takes."""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.fulfilment.models import Shipment, ShipmentLine
from dinghuo.integrations import events
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockMovement, Warehouse
from dinghuo.orders.models import OrderLine
from dinghuo.orders.services import _locked_order, _order_event, transition
from dinghuo.orders.states import Action, OrderStatus


@dataclass(frozen=True)
class ShipLine:
    line_number: int
    quantity: int


def _plan_issue(
    line: OrderLine, quantity: int, reservations: list[Reservation], warehouse_id: int | None
) -> list[tuple[Reservation, int]]:
    """Take `quantity` from the line's reservations (in the shipping warehouse, if named)."""
    taken = []
    for reservation in reservations:
        if quantity == 0:
            break
        if reservation.order_line_id != line.pk or reservation.quantity == 0:
            continue
        if warehouse_id is not None and reservation.warehouse_id != warehouse_id:
            continue
        take = min(quantity, reservation.quantity)
        taken.append((reservation, take))
        quantity -= take
    return taken


@transaction.atomic
def ship_order(
    *,
    tenant_id: int,
    order_id: int,
    carrier: str,
    tracking_number: str,
    lines: list[ShipLine] | None = None,
    warehouse_code: str | None = None,
) -> Shipment:
    """Record a shipment: reserved stock becomes issued stock; the order is (partially) shipped.

    Without `lines`, everything still reserved for the order ships. Backordered units ship
    only once stock is available, taken directly from the warehouse.
    """
    order = _locked_order(tenant_id, order_id)
    transition(order, Action.SHIP)
    errors = []
    if not carrier.strip():
        errors.append(FieldError("carrier", "required", "Name the carrier"))
    if not tracking_number.strip():
        errors.append(FieldError("tracking_number", "required", "Give the tracking number"))
    warehouse = None
    if warehouse_code is not None:
        warehouse = Warehouse.objects.filter(tenant_id=tenant_id, code=warehouse_code).first()
        if warehouse is None:
            errors.append(
                FieldError("warehouse", "unknown_warehouse", f"No warehouse {warehouse_code}")
            )
    order_lines = {line.line_number: line for line in OrderLine.objects.filter(order=order)}
    reservations = stock.open_reservations(tenant_id, (line.pk for line in order_lines.values()))
    warehouse_id = warehouse.pk if warehouse else None

    if lines is None:
        reserved: dict[int, int] = {}
        for r in reservations:
            if warehouse_id is None or r.warehouse_id == warehouse_id:
                reserved[r.order_line_id] = reserved.get(r.order_line_id, 0) + r.quantity
        lines = [
            ShipLine(line.line_number, reserved[line.pk])
            for line in order_lines.values()
            if reserved.get(line.pk)
        ]
        if not lines and not errors:
            errors.append(
                FieldError("lines", "nothing_to_ship", "No reserved stock is left to ship")
            )
    seen: set[int] = set()
    for i, wanted in enumerate(lines):
        line = order_lines.get(wanted.line_number)
        if line is None:
            errors.append(
                FieldError(f"lines[{i}].line_number", "unknown_line", "No such line on this order")
            )
        elif wanted.line_number in seen:
            errors.append(
                FieldError(f"lines[{i}].line_number", "duplicate_line", "Line given twice")
            )
        elif wanted.quantity <= 0:
            errors.append(
                FieldError(
                    f"lines[{i}].quantity", "quantity_not_positive", "Ship at least one unit"
                )
            )
        elif wanted.quantity > line.quantity - line.shipped_quantity:
            errors.append(
                FieldError(
                    f"lines[{i}].quantity",
                    "exceeds_open_quantity",
                    f"Only {line.quantity - line.shipped_quantity} left on line {line.line_number}",
                )
            )
        seen.add(wanted.line_number)
    if errors:
        raise ValidationFailed("The shipment cannot be recorded; see errors.", errors=errors)

    issues: list[tuple[OrderLine, list[tuple[Reservation, int]], int]] = []
    for wanted in lines:
        line = order_lines[wanted.line_number]
        taken = _plan_issue(line, wanted.quantity, reservations, warehouse_id)
        issues.append((line, taken, wanted.quantity - sum(q for _, q in taken)))

    # Units not reserved (backorders) come straight from available stock.
    warehouses = [warehouse] if warehouse else stock.active_warehouses(tenant_id)
    warehouse_ids = {w.pk for w in warehouses} | {
        r.warehouse_id for _, t, _ in issues for r, _ in t
    }
    levels = stock.lock_levels(tenant_id, {line.sku_id for line, _, _ in issues}, warehouse_ids)
    changes = []
    drawn: Counter[tuple[int, int]] = Counter()
    short = []
    for line, taken, extra in issues:
        for reservation, quantity in taken:
            changes.append(
                stock.Change(
                    reservation.warehouse_id,
                    line.sku_id,
                    StockMovement.Kind.ISSUE,
                    -quantity,
                    -quantity,
                )
            )
            reservation.quantity -= quantity
        for w in warehouses:
            level = levels.get((line.sku_id, w.pk))
            take = min(extra, level.available - drawn[(line.sku_id, w.pk)]) if level else 0
            if take > 0:
                changes.append(stock.Change(w.pk, line.sku_id, StockMovement.Kind.ISSUE, -take, 0))
                drawn[(line.sku_id, w.pk)] += take
                extra -= take
        if extra:
            short.append(
                FieldError(
                    "lines",
                    "insufficient_stock",
                    f"{line.sku_code}: {extra} units are neither reserved nor in stock",
                    {"line_number": line.line_number},
                )
            )
    if short:
        raise Conflict(
            "Some units are not in stock to ship.", code="insufficient_stock", errors=short
        )

    now = clock.now()
    shipment = Shipment.objects.create(
        tenant_id=tenant_id,
        order=order,
        warehouse=warehouse,
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
        shipped_at=now,
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                tenant_id=tenant_id, shipment=shipment, order_line=line, quantity=w.quantity
            )
            for w in lines
            for line in [order_lines[w.line_number]]
        ]
    )
    for line, taken, extra in issues:
        shipped = sum(q for _, q in taken) + extra
        line.shipped_quantity += shipped
        line.backordered_quantity = max(0, line.backordered_quantity - extra)
    OrderLine.objects.bulk_update(
        [line for line, _, _ in issues], ["shipped_quantity", "backordered_quantity"]
    )
    Reservation.objects.bulk_update([r for _, taken, _ in issues for r, _ in taken], ["quantity"])
    reference = f"order:{order.pk}"
    changed = stock.apply_changes(tenant_id, levels, changes, reason="shipped", reference=reference)

    everything_shipped = all(ol.shipped_quantity == ol.quantity for ol in order_lines.values())
    order.status = OrderStatus.SHIPPED if everything_shipped else OrderStatus.PARTIALLY_SHIPPED
    order.save(update_fields=["status", "updated_at"])
    shipped_event = _order_event(
        order,
        "order.shipped",
        {
            "shipment": shipment.pk,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "lines": [{"line_number": w.line_number, "quantity": w.quantity} for w in lines],
        },
    )
    recorded = [shipped_event]
    if changed:
        sku_codes = {line.sku_id: line.sku_code for line in order_lines.values()}
        warehouse_codes = {w.pk: w.code for w in warehouses}
        warehouse_codes.update({r.warehouse_id: r.warehouse.code for r in reservations})
        recorded.append(
            stock.stock_event(tenant_id, changed, sku_codes, warehouse_codes, reference)
        )
    events.record(*recorded)
    return shipment
