"""Order request and response bodies."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import (
    NOT_BLANK,
    Code,
    Day,
    Id,
    InSchema,
    LongText,
    Name,
    Quantity,
    UnitPriceText,
    Units,
)
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.core.phrases import english
from dinghuo.orders.models import (
    ApprovalRule,
    Approver,
    Order,
    OrderApproval,
    OrderLine,
)
from dinghuo.orders.states import allowed_actions
from dinghuo.pricing.tax import LineTax, percent_text, summarise
from dinghuo.pricing.values import frozen_pricing_out

MAX_LINES = 1000


class OrderLineIn(InSchema):
    sku: Code
    quantity: Units = Field(description="Units to order: positive, a multiple of the pack size")


class OrderIn(InSchema):
    company_id: Id
    ship_to_id: Id
    lines: list[OrderLineIn] = Field(max_length=MAX_LINES)
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    purchase_order_number: Annotated[str, StringConstraints(max_length=64)] = ""
    notes: LongText = ""
    requested_delivery_date: Day | None = Field(
        None, description="When the customer wants the goods; today or later"
    )
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class BuyerOrderIn(InSchema):
    """An order a buyer places for their own company."""

    ship_to_id: Id
    lines: list[OrderLineIn] = Field(max_length=MAX_LINES)
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    purchase_order_number: Annotated[str, StringConstraints(max_length=64)] = ""
    notes: LongText = ""
    requested_delivery_date: Day | None = Field(
        None, description="When the customer wants the goods; today or later"
    )


class OrderLineOut(Schema):
    line_number: int
    sku: str
    description: str
    quantity: int
    unit_price: UnitPriceText
    line_total: str = Field(
        description="quantity × unit_price, rounded: the net amount, or the gross one when the "
        "order's prices include tax"
    )
    tax_rate_id: int | None = Field(description="The seller's tax rate charged (none: no tax)")
    tax_name: str | None = Field(description="What the tax is called (GST, VAT)")
    tax_percent: str = Field(description="The rate charged, in percent (0 when exempt)")
    net_amount: str
    tax_amount: str
    gross_amount: str = Field(description="net_amount + tax_amount")
    backordered_quantity: int
    shipped_quantity: int
    cancelled_quantity: int = Field(
        description="Units of the line cancelled when the rest of the order was short-closed"
    )
    pricing: dict[str, object] = Field(description="How the unit price came about")


class TaxSummaryOut(Schema):
    """The order's lines of one rate, summed."""

    tax_percent: str
    net_amount: str
    tax_amount: str
    gross_amount: str


class ApprovalOut(Schema):
    level: int
    approver: Approver
    status: OrderApproval.Status
    reasons: list[str]
    decided_by: str
    decided_at: datetime | None
    comment: str


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
    currency: str = Field(description="ISO 4217 code of every amount of the order")
    base_currency: str = Field(description="The seller's base currency (ISO 4217)")
    exchange_rate: str = Field(
        description="What one unit of `currency` was worth in `base_currency` on the day the "
        "order was placed, frozen with it (a decimal string such as 7.8; 1 when the two "
        "are the same)"
    )
    subtotal: str = Field(description="The lines' net amounts (without tax); = net_total")
    total: str = Field(description="What the buyer owes: net plus tax; = gross_total")
    net_total: str
    tax_total: str
    gross_total: str
    prices_include_tax: bool = Field(description="The order was priced with tax included")
    tax_rounding: Literal["line", "document"] = Field(
        description="Tax was rounded per line or per document (per rate)"
    )
    tax_exemption_certificate: str = Field(
        description="The company's exemption certificate that counted (empty: not exempt)"
    )
    tax_summary: list[TaxSummaryOut]
    purchase_order_number: str
    notes: str
    requested_delivery_date: date | None
    channel: str
    placed_by_id: int | None
    entered_by_id: int | None = Field(
        description="The seller's staff user who entered the order for the customer"
    )
    placed_at: datetime
    updated_at: datetime
    version: int = Field(description="1 as placed; each amendment makes the next version")
    picking_started_at: datetime | None = Field(
        description="When the warehouse started picking it (buyers can no longer amend it)"
    )
    review_reasons: list[str] = Field(
        description="Why the order did not go straight through (empty when it did)"
    )
    hold_reason: str
    confirmed_automatically: bool
    credit_reserved: str
    prepayment_due: str = Field(
        description="What the buyer must pay before the order is confirmed: the whole total "
        "on prepaid terms, the deposit when the credit line asks for one, else 0"
    )
    approval_expires_at: datetime | None
    approvals: list[ApprovalOut]
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut] | None = None


class OrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    company_id: int
    currency: str
    total: str = Field(description="What the buyer owes: net plus tax")
    tax_total: str
    purchase_order_number: str
    placed_at: datetime
    updated_at: datetime = Field(description="When the order last changed (UTC)")


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class CancelIn(InSchema):
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class DecisionIn(InSchema):
    comment: LongText = ""


class CommentIn(InSchema):
    comment: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class OrderPolicyIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    auto_confirm: bool
    credit_action: Literal["hold", "refuse"]
    overdue_grace_days: Annotated[int, Field(ge=0, le=365)]
    approval_expiry_hours: Annotated[int, Field(ge=1, le=8760)]
    backorder_fill: Literal["oldest", "priority", "delivery_date"] = Field(
        "oldest",
        description="Which waiting orders arriving stock serves first: the oldest order, the "
        "priority group's companies (then the oldest), or the earliest requested delivery date",
    )
    priority_group_id: int | None = Field(
        None, ge=1, description="The customer group whose companies are the priority customers"
    )
    buyer_amend_hours: Annotated[int, Field(ge=0, le=8760)] = Field(
        24,
        description="How many hours after placing a buyer may still amend an order (before "
        "picking starts); 0: only staff amend",
    )


class OrderPolicyOut(Schema):
    seller: str
    auto_confirm: bool
    credit_action: str
    overdue_grace_days: int
    approval_expiry_hours: int
    backorder_fill: Literal["oldest", "priority", "delivery_date"]
    priority_group_id: int | None
    buyer_amend_hours: int


# A decimal string; a sign is let through so that the service can say `min_amount_negative`.
Amount = Annotated[str, StringConstraints(pattern=r"^-?\d{1,14}(\.\d{1,4})?$", max_length=20)]
ApproverIn = Literal["company", "seller"]
BuyerRole = Literal["buyer", "approver", "admin"]
CreditState = Literal["near_limit", "overdue"]
# Checked by the service against ISO 4217, so that a wrong code gets `invalid_currency`.
RuleCurrency = Annotated[
    str, StringConstraints(min_length=1, max_length=8, strip_whitespace=True), NOT_BLANK
]


class ApprovalRuleIn(InSchema):
    name: Name
    level: Annotated[int, Field(ge=1, le=9)] = 1
    approver: ApproverIn
    seller: Code | None = None
    company_id: Id | None = None
    min_amount: Amount | None = None
    category_id: Id | None = None
    buyer_role: BuyerRole | None = None
    credit_state: CreditState | None = None
    is_active: bool = True
    currency: RuleCurrency | None = Field(
        None, description="ISO 4217 code of min_amount; the seller's base currency if omitted"
    )


class ApprovalRulePatch(InSchema):
    name: Name | None = None
    level: Annotated[int, Field(ge=1, le=9)] | None = None
    approver: ApproverIn | None = None
    company_id: Id | None = None
    min_amount: Amount | None = None
    category_id: Id | None = None
    buyer_role: BuyerRole | None = None
    credit_state: CreditState | None = None
    is_active: bool | None = None
    currency: RuleCurrency | None = Field(None, description="ISO 4217 code of min_amount")


class ApprovalRuleOut(Schema):
    id: int
    name: str
    seller: str
    level: int
    approver: str
    company_id: int | None
    min_amount: str | None = Field(
        description="The rule asks for approval of orders of this amount or more, in "
        "`currency` (an order in another currency is converted at the day's rate)"
    )
    currency: str = Field(description="ISO 4217 code of min_amount")
    category_id: int | None
    buyer_role: str | None
    credit_state: str | None
    is_active: bool


class ApprovalRulePageOut(Schema):
    items: list[ApprovalRuleOut]
    next_cursor: str | None


class StraightThroughOut(Schema):
    since: datetime | None
    until: datetime | None
    orders: int
    straight_through: int
    share: float | None = Field(description="Orders with no human touch / all orders placed")
    waiting_for_a_person: int
    reasons: dict[str, int] = Field(description="How many orders each reason stopped")


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
        "tax_rate_id": line.tax_rate_id,
        "tax_name": line.tax_name or None,
        "tax_percent": percent_text(line.tax_percent),
        "net_amount": format_amount(line.net_amount, currency),
        "tax_amount": format_amount(line.tax_amount, currency),
        "gross_amount": format_amount(line.gross_amount, currency),
        "backordered_quantity": line.backordered_quantity,
        "shipped_quantity": line.shipped_quantity,
        "cancelled_quantity": line.cancelled_quantity,
        "pricing": frozen_pricing_out(line.pricing, currency),
    }


def approval_out(approval: OrderApproval) -> dict[str, object]:
    return {
        "level": approval.level,
        "approver": approval.approver,
        "status": approval.status,
        "reasons": [english(reason) for reason in approval.reasons],
        "decided_by": approval.decided_by,
        "decided_at": approval.decided_at.isoformat() if approval.decided_at else None,
        "comment": approval.comment,
    }


def shipment_out(shipment: Any) -> dict[str, object]:
    """The JSON body of one shipment (fulfilment's row, with its warehouse and its lines'
    order lines loaded): in an order's answer and in the answer to shipping."""
    return {
        "id": shipment.pk,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "warehouse": shipment.warehouse.code if shipment.warehouse else None,
        "shipped_at": shipment.shipped_at.isoformat(),
        "delivered_at": shipment.delivered_at.isoformat() if shipment.delivered_at else None,
        "lines": [
            {"line_number": line.order_line.line_number, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
    }


def order_out(
    order: Order,
    seller_slug: str,
    shipments: list[dict[str, object]] | None = None,
    approvals: list[OrderApproval] | None = None,
) -> dict[str, object]:
    """The JSON body of one order (lines must be loaded; approvals are read unless given or
    held by the service that wrote the order)."""
    held = getattr(order, "_prefetched_objects_cache", {}).get("approvals")
    if approvals is None and held is not None:
        approvals = sorted(held, key=lambda a: (a.level, a.approver))
    if approvals is None:
        approvals = list(order.approvals.order_by("level", "approver"))
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "allowed_actions": allowed_actions(order.status),
        "company_id": order.company_id,
        "ship_to_id": order.ship_to_id,
        "seller": seller_slug,
        "currency": order.currency,
        "base_currency": order.seller.base_currency,
        "exchange_rate": format(order.fx_rate.normalize(), "f"),
        "subtotal": format_amount(order.subtotal, order.currency),
        "total": format_amount(order.total, order.currency),
        **tax_out(order),
        "purchase_order_number": order.purchase_order_number,
        "notes": order.notes,
        "requested_delivery_date": order.requested_delivery_date.isoformat()
        if order.requested_delivery_date
        else None,
        "channel": order.channel,
        "placed_by_id": order.placed_by_id,
        "entered_by_id": order.entered_by_id,
        "placed_at": order.placed_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "version": order.version,
        "picking_started_at": order.picking_started_at.isoformat()
        if order.picking_started_at
        else None,
        "review_reasons": order.review_reasons,
        "hold_reason": order.hold_reason,
        "confirmed_automatically": order.confirmed_automatically,
        "credit_reserved": format_amount(order.credit_reserved, order.currency),
        "prepayment_due": format_amount(order.prepayment_due, order.currency),
        "approval_expires_at": order.approval_expires_at.isoformat()
        if order.approval_expires_at
        else None,
        "approvals": [approval_out(a) for a in approvals],
        "lines": [line_out(line, order.currency) for line in order.lines.all()],
        "shipments": shipments,
    }


def tax_out(order: Order) -> dict[str, object]:
    """An order's tax in its answer (lines must be loaded): totals, how it was computed and
    the summary per rate."""
    cur = order.currency
    return {
        "net_total": format_amount(order.subtotal, cur),
        "tax_total": format_amount(order.tax_total, cur),
        "gross_total": format_amount(order.total, cur),
        "prices_include_tax": order.prices_include_tax,
        "tax_rounding": order.tax_rounding,
        "tax_exemption_certificate": order.tax_exemption_certificate,
        "tax_summary": [
            {
                "tax_percent": percent_text(rate.rate),
                "net_amount": format_amount(rate.net, cur),
                "tax_amount": format_amount(rate.tax, cur),
                "gross_amount": format_amount(rate.gross, cur),
            }
            for rate in summarise(
                LineTax(line.tax_percent, line.net_amount, line.tax_amount, line.gross_amount)
                for line in order.lines.all()
            )
        ],
    }


def summary_out(order: Order) -> dict[str, object]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "company_id": order.company_id,
        "currency": order.currency,
        "total": format_amount(order.total, order.currency),
        "tax_total": format_amount(order.tax_total, order.currency),
        "purchase_order_number": order.purchase_order_number,
        "placed_at": order.placed_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
    }


def rule_out(rule: ApprovalRule, seller_slug: str) -> dict[str, object]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "seller": seller_slug,
        "level": rule.level,
        "approver": rule.approver,
        "company_id": rule.company_id,
        "min_amount": None
        if rule.min_amount is None
        else format_amount(rule.min_amount, rule.currency),
        "currency": rule.currency,
        "category_id": rule.category_id,
        "buyer_role": rule.buyer_role or None,
        "credit_state": rule.credit_state or None,
        "is_active": rule.is_active,
    }


def order_detail_out(order: Order, shipments: list[Any]) -> dict[str, object]:
    """The whole order answer, from what `queries.order_detail` loads: lines, shipments and
    approvals."""
    return order_out(
        order, order.seller.slug, [shipment_out(s) for s in shipments], list(order.approvals.all())
    )
