"""Shipping an order, in as many partial shipments as it takes.

Fulfilment writes the shipment; the order's side (its lines' shipped units, its status and
`order.shipped`) is orders' (`record_shipment`), the stock is inventory's (`plan_issue`,
`issue`). Locks in the order used everywhere: the order row, then stock levels.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from dinghuo.billing import services as billing
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.customers import services as customers
from dinghuo.fulfilment.models import Shipment, ShipmentLine
from dinghuo.inventory import queries as inventory
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, Warehouse
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import Action


@dataclass(frozen=True)
class ShipLine:
    """`quantity` units of the order's line `line_number` to ship."""

    line_number: int
    quantity: int


@transaction.atomic
def deliver_order(*, tenant_id: int, order_id: int) -> Order:
    """The buyer has everything: a fully shipped order becomes delivered, and so do its
    shipments not yet marked delivered."""
    order = orders.locked_order(tenant_id, order_id)
    orders.transition(order, Action.DELIVER)
    Shipment.objects.filter(order=order, delivered_at__isnull=True).update(delivered_at=clock.now())
    orders.record_delivery(order)
    return order


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

    The shipment is billed as the seller's billing policy says (an invoice now, or with
    the period's). Without `lines`, everything still reserved for the order (in the
    warehouse, if named) ships. Backordered units ship only once stock is available, taken
    directly from the warehouse. Refused with 422 (every problem at once) for bad input,
    409 when units are neither reserved nor in stock; nothing changes then.
    """
    order = orders.locked_order(tenant_id, order_id)
    orders.transition(order, Action.SHIP)
    # Billing moves credit when it invoices: the credit line is locked now, before stock
    # levels, in the lock order every writer keeps.
    customers.lock_credit_line(tenant_id=tenant_id, company_id=order.company_id)
    warehouse, errors = _shipment_problems(tenant_id, carrier, tracking_number, warehouse_code)
    order_lines = {line.line_number: line for line in OrderLine.objects.filter(order=order)}
    reservations = inventory.open_reservations(tenant_id, (ol.pk for ol in order_lines.values()))
    if lines is None:
        lines = _everything_reserved(order_lines, reservations, warehouse)
        if not lines and not errors:
            errors.append(
                FieldError("lines", "nothing_to_ship", "No reserved stock is left to ship")
            )
    errors += _line_problems(lines, order_lines)
    if errors:
        raise ValidationFailed("The shipment cannot be recorded; see errors.", errors=errors)
    plan = _plan_issue(tenant_id, lines, order_lines, reservations, warehouse)
    shipment = _write_shipment(order, warehouse, carrier, tracking_number, lines, order_lines)
    orders.record_shipment(
        order,
        order_lines,
        [
            orders.ShippedLine(
                w.line_number, w.quantity, plan.unreserved[order_lines[w.line_number].pk]
            )
            for w in lines
        ],
        shipment_id=shipment.pk,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
    )
    stock.issue(
        plan,
        sku_codes={line.sku_id: line.sku_code for line in order_lines.values()},
        reference=f"order:{order.pk}",
    )
    billing.bill_shipment(
        order=order,
        shipment_id=shipment.pk,
        lines=[billing.Billed(order_lines[w.line_number], w.quantity) for w in lines],
    )
    return shipment


def _shipment_problems(
    tenant_id: int, carrier: str, tracking_number: str, warehouse_code: str | None
) -> tuple[Warehouse | None, list[FieldError]]:
    """The warehouse named (if any), and what is wrong with carrier, tracking number and
    warehouse."""
    errors = []
    if not carrier.strip():
        errors.append(FieldError("carrier", "required", "Name the carrier"))
    if not tracking_number.strip():
        errors.append(FieldError("tracking_number", "required", "Give the tracking number"))
    warehouse = None
    if warehouse_code is not None:
        warehouse = inventory.warehouse_by_code(tenant_id, warehouse_code)
        if warehouse is None:
            errors.append(
                FieldError("warehouse", "unknown_warehouse", f"No warehouse {warehouse_code}")
            )
    return warehouse, errors


def _everything_reserved(
    order_lines: Mapping[int, OrderLine],
    reservations: list[Reservation],
    warehouse: Warehouse | None,
) -> list[ShipLine]:
    """Every line with units still reserved (in the warehouse, if named), all of them."""
    reserved: dict[int, int] = {}
    for r in reservations:
        if warehouse is None or r.warehouse_id == warehouse.pk:
            reserved[r.order_line_id] = reserved.get(r.order_line_id, 0) + r.quantity
    return [
        ShipLine(line.line_number, reserved[line.pk])
        for line in order_lines.values()
        if reserved.get(line.pk)
    ]


def _line_problems(lines: list[ShipLine], order_lines: Mapping[int, OrderLine]) -> list[FieldError]:
    """Unknown or repeated lines, and quantities that are not positive or exceed what is open."""
    errors, seen = [], set()
    for i, wanted in enumerate(lines):
        line = order_lines.get(wanted.line_number)
        at = f"lines[{i}]"
        if line is None:
            errors.append(
                FieldError(f"{at}.line_number", "unknown_line", "No such line on this order")
            )
        elif wanted.line_number in seen:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Line given twice"))
        elif wanted.quantity <= 0:
            errors.append(
                FieldError(f"{at}.quantity", "quantity_not_positive", "Ship at least one unit")
            )
        elif wanted.quantity > line.quantity - line.shipped_quantity:
            errors.append(
                FieldError(
                    f"{at}.quantity",
                    "exceeds_open_quantity",
                    f"Only {line.quantity - line.shipped_quantity} left on line {line.line_number}",
                )
            )
        seen.add(wanted.line_number)
    return errors


def _plan_issue(
    tenant_id: int,
    lines: list[ShipLine],
    order_lines: Mapping[int, OrderLine],
    reservations: list[Reservation],
    warehouse: Warehouse | None,
) -> stock.IssuePlan:
    """Where every unit comes from (`inventory.services.plan_issue`, which locks the levels);
    refused (409 `insufficient_stock`) when units are neither reserved nor in stock."""
    shipped = [order_lines[w.line_number] for w in lines]
    plan = stock.plan_issue(
        tenant_id,
        [
            stock.Draw(line.pk, line.sku_id, w.quantity)
            for line, w in zip(shipped, lines, strict=True)
        ],
        reservations,
        warehouse=warehouse,
    )
    short = [
        FieldError(
            "lines",
            "insufficient_stock",
            f"{line.sku_code}: {plan.short[line.pk]} units are neither reserved nor in stock",
            {"line_number": line.line_number},
        )
        for line in shipped
        if line.pk in plan.short
    ]
    if short:
        raise Conflict(
            "Some units are not in stock to ship.", code="insufficient_stock", errors=short
        )
    return plan


def _write_shipment(
    order: Order,
    warehouse: Warehouse | None,
    carrier: str,
    tracking_number: str,
    lines: list[ShipLine],
    order_lines: Mapping[int, OrderLine],
) -> Shipment:
    """The shipment and its lines."""
    shipment = Shipment.objects.create(
        tenant_id=order.tenant_id,
        order=order,
        warehouse=warehouse,
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
        shipped_at=clock.now(),
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                tenant_id=order.tenant_id,
                shipment=shipment,
                order_line=order_lines[w.line_number],
                quantity=w.quantity,
            )
            for w in lines
        ]
    )
    return shipment
