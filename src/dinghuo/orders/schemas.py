"""Order request and response bodies."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Id, InSchema, LongText, Quantity
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import allowed_actions

MAX_LINES = 1000


class OrderLineIn(InSchema):
    sku: Code
    quantity: Quantity = Field(description="Units to order: positive, a multiple of the pack size")


class OrderIn(InSchema):
    company_id: Id
    ship_to_id: Id
    lines: list[OrderLineIn] = Field(max_length=MAX_LINES)
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    purchase_order_number: Annotated[str, StringConstraints(max_length=64)] = ""
    notes: LongText = ""
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class OrderLineOut(Schema):
    line_number: int
    sku: str
    description: str
    quantity: int
    unit_price: str
    line_total: str
    backordered_quantity: int
    shipped_quantity: int


class ShipmentLineOut(Schema):
    line_number: int
    quantity: int


class ShipmentOut(Schema):
    id: int
    carrier: str
    tracking_number: str
    warehouse: str | None
    shipped_at: datetime
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]


class OrderOut(Schema):
    id: int
    number: str
    status: str
    allowed_actions: list[str]
    company_id: int
    ship_to_id: int
    seller: str
    currency: str
    subtotal: str
    total: str
    purchase_order_number: str
    notes: str
    channel: str
    placed_at: datetime
    updated_at: datetime
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut] | None = None


class OrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    company_id: int
    currency: str
    total: str
    placed_at: datetime


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class CancelIn(InSchema):
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class ShipLineIn(InSchema):
    line_number: Annotated[int, Field(ge=1, le=1_000_000)]
    quantity: Quantity


class ShipmentIn(InSchema):
    carrier: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    warehouse: Code | None = None
    lines: list[ShipLineIn] | None = Field(
        None, max_length=MAX_LINES, description="Omit to ship everything still reserved"
    )


class TimelineEntryOut(Schema):
    type: str
    occurred_at: datetime
    data: dict[str, object]


def line_out(line: OrderLine, currency: str) -> dict[str, object]:
    return {
        "line_number": line.line_number,
        "sku": line.sku_code,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": format_unit_price(line.unit_price, currency),
        "line_total": format_amount(line.line_total, currency),
        "backordered_quantity": line.backordered_quantity,
        "shipped_quantity": line.shipped_quantity,
    }


def order_out(
    order: Order, seller_slug: str, shipments: list[dict[str, object]] | None = None
) -> dict[str, object]:
    """The JSON body of one order (lines must be loaded)."""
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "allowed_actions": allowed_actions(order.status),
        "company_id": order.company_id,
        "ship_to_id": order.ship_to_id,
        "seller": seller_slug,
        "currency": order.currency,
        "subtotal": format_amount(order.subtotal, order.currency),
        "total": format_amount(order.total, order.currency),
        "purchase_order_number": order.purchase_order_number,
        "notes": order.notes,
        "channel": order.channel,
        "placed_at": order.placed_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "lines": [line_out(line, order.currency) for line in order.lines.all()],
        "shipments": shipments,
    }


def summary_out(order: Order) -> dict[str, object]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "company_id": order.company_id,
        "currency": order.currency,
        "total": format_amount(order.total, order.currency),
        "placed_at": order.placed_at.isoformat(),
    }
