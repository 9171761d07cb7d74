"""The warehouse receives an approved return and decides, per line, what becomes of the
units that arrived. Stock is inventory's to write; what each fate writes there:

- restock: a receipt back into the warehouse the SKU shipped from (the ledger's `issue`
  took it out; this puts it back, available for orders again), then orders waiting for
  the SKU are served (`orders.services.fill_backorders`), as after any arrival;
- quarantine: a receipt into the seller's quarantine warehouse, an inactive warehouse, which
  orders never reserve from, so the units are counted but not sellable;
- scrap: a receipt into the shipped-from warehouse followed by a write-off adjustment, so
  the ledger shows the goods came back and were destroyed while on hand does not change;
- to the supplier: no stock movement (the goods never re-enter the seller's stock); the
  line records it.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.integrations import events
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Warehouse
from dinghuo.orders import services as orders
from dinghuo.returns import queries
from dinghuo.returns.models import Fate, ReturnLine, ReturnRequest, ReturnStatus
from dinghuo.returns.services.exchanging import release_exchange
from dinghuo.returns.services.shared import locked_return, require_status, return_event, rules_of


@dataclass(frozen=True)
class Inspected:
    """Of line `line_number`, `received_quantity` units arrived and go to `fate`."""

    line_number: int
    received_quantity: int
    fate: str = ""


def _problems(wanted: list[Inspected], lines: Mapping[int, ReturnLine]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[int] = set()
    for i, item in enumerate(wanted):
        at, line = f"lines[{i}]", lines.get(item.line_number)
        if line is None:
            errors.append(FieldError(f"{at}.line_number", "unknown_line", "No such line"))
        elif item.line_number in seen:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Line given twice"))
        elif not 0 <= item.received_quantity <= line.quantity:
            errors.append(
                FieldError(
                    f"{at}.received_quantity",
                    "exceeds_requested_quantity",
                    f"From 0 to the {line.quantity} units asked back",
                    {"requested": line.quantity},
                )
            )
        elif item.received_quantity and item.fate not in Fate.values:
            errors.append(FieldError(f"{at}.fate", "unknown_fate", "Choose what becomes of them"))
        seen.add(item.line_number)
    errors += [
        FieldError("lines", "line_not_inspected", f"Line {number} is not given", {"line": number})
        for number in sorted(set(lines) - seen)
    ]
    return errors


def _warehouse_of(
    line: ReturnLine, fate: str, shipped_from: Mapping[int, Warehouse], quarantine: Warehouse | None
) -> Warehouse | None:
    if fate == Fate.TO_SUPPLIER:
        return None
    if fate == Fate.QUARANTINE:
        if quarantine is None:
            raise Conflict(
                "Set a quarantine warehouse in the return policy first.", code="quarantine_not_set"
            )
        return quarantine
    return shipped_from[line.order_line.sku_id]


def _move_stock(tenant_id: int, request: ReturnRequest, lines: list[ReturnLine]) -> None:
    """Each line's units to its warehouse, in (sku, warehouse) order: the lock order of
    stock levels everywhere."""
    moving = [line for line in lines if line.warehouse is not None and line.received_quantity]
    moving.sort(key=lambda line: (line.order_line.sku_id, line.warehouse_id or 0))
    for line in moving:
        assert line.warehouse is not None and line.received_quantity
        units, sku_id = line.received_quantity, line.order_line.sku_id
        stock.receive_stock(
            tenant_id=tenant_id,
            warehouse_code=line.warehouse.code,
            sku_id=sku_id,
            quantity=units,
            reason=f"return {request.number} ({line.fate})",
            reference=request.number,
        )
        if line.fate == Fate.SCRAP:
            stock.adjust_stock(
                tenant_id=tenant_id,
                warehouse_code=line.warehouse.code,
                sku_id=sku_id,
                delta=-units,
                reason=f"return {request.number} scrapped",
                reference=request.number,
            )


@transaction.atomic
def receive_return(*, tenant_id: int, return_id: int, lines: list[Inspected]) -> ReturnRequest:
    """Record what arrived of an approved return, every line once (0 if nothing came), and
    each line's fate; stock moves as the module says; an exchange's held replacement order
    is confirmed. 409 `invalid_return_status` unless approved, `quarantine_not_set` for
    quarantine without a quarantine warehouse; 422 for bad lines. Records `return.received`
    (and, for the replacement order, orders' `order.confirmed`)."""
    order, request = locked_return(tenant_id, return_id)
    require_status(request, ReturnStatus.APPROVED)
    own = {
        line.line_number: line
        for line in request.lines.select_related("order_line").order_by("line_number")
    }
    errors = _problems(lines, own)
    if errors:
        raise ValidationFailed("The return cannot be received; see errors.", errors=errors)
    _, row = rules_of(request.seller_id)
    quarantine = row.quarantine_warehouse if row else None
    shipped_from = queries.shipped_from(tenant_id, order)
    for item in lines:
        line = own[item.line_number]
        line.received_quantity = item.received_quantity
        line.fate = item.fate if item.received_quantity else ""
        line.warehouse = (
            _warehouse_of(line, item.fate, shipped_from, quarantine) if line.fate else None
        )
    ReturnLine.objects.bulk_update(own.values(), ["received_quantity", "fate", "warehouse"])
    _move_stock(tenant_id, request, list(own.values()))
    restocked = {line.order_line.sku_id for line in own.values() if line.fate == Fate.RESTOCK}
    if restocked:
        orders.fill_backorders(tenant_id=tenant_id, sku_ids=restocked)
    request.status = ReturnStatus.RECEIVED
    request.received_at = clock.now()
    request.save(update_fields=["status", "received_at"])
    # The goods are back: a held replacement order may now ship.
    exchange_status = release_exchange(request)
    events.record(
        return_event(
            request,
            order,
            "return.received",
            exchange_status=exchange_status,
            lines=[
                {
                    "line_number": line.line_number,
                    "sku": line.order_line.sku_code,
                    "received_quantity": line.received_quantity,
                    "fate": line.fate,
                    "warehouse": line.warehouse.code if line.warehouse else None,
                }
                for line in own.values()
            ],
        )
    )
    return request
