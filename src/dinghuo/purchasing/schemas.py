"""The shapes of purchasing over HTTP: requests in (strict, bounded), answers out (costs as
decimal strings with the currency)."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Day, Id, InSchema, Name, PageFilters, PatchIn
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.purchasing import po_states
from dinghuo.purchasing.models import PurchaseOrder, ReorderRule, Supplier, SupplierItem
from dinghuo.purchasing.queries import StockPosition
from dinghuo.purchasing.suggestions import Suggestion

Cost = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,14}(\.\d{1,4})?$", max_length=19),
    Field(description="Decimal string in the supplier's currency, at most 4 decimals"),
]
Currency = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(description="ISO 4217, e.g. USD")
]
Phone = Annotated[str, StringConstraints(max_length=50)]
# Whether it is an address at all is the service's answer (422 `invalid_email`).
ContactEmail = Annotated[str, StringConstraints(max_length=150, strip_whitespace=True)]
Note = Annotated[str, StringConstraints(max_length=500)]
# Units where the rule is "at least one", refused by the service with its own code.
Units = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000, json_schema_extra={"minimum": 1})]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
PoStatusName = Literal[
    "draft", "awaiting_approval", "approved", "sent", "confirmed", "partially_received",
    "received", "closed", "cancelled",
]  # fmt: skip


def decimal(value: str) -> Decimal:
    return Decimal(value) + 0


class SupplierIn(InSchema):
    code: Code
    name: Name
    currency: Currency
    contact_name: Annotated[str, StringConstraints(max_length=200)] = ""
    contact_email: ContactEmail = ""
    contact_phone: Phone = ""
    is_active: bool = True


class SupplierPatch(PatchIn):
    code: Code | None = None
    name: Name | None = None
    currency: Currency | None = None
    contact_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    contact_email: ContactEmail | None = None
    contact_phone: Phone | None = None
    is_active: bool | None = None


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    contact_name: str
    contact_email: str
    contact_phone: str
    is_active: bool


class SupplierPageOut(Schema):
    items: list[SupplierOut]
    next_cursor: str | None


class SupplierFilters(PageFilters):
    is_active: bool | None = None


class CostTierIn(InSchema):
    min_quantity: Annotated[int, Field(ge=1, le=1_000_000_000)]
    unit_cost: Cost


class CostTierOut(Schema):
    min_quantity: int
    unit_cost: str


class SupplierItemIn(InSchema):
    supplier_id: Id
    sku_id: Id
    supplier_code: Annotated[str, StringConstraints(max_length=64)] = ""
    cost_tiers: list[CostTierIn] = Field(min_length=1, max_length=20)
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] = 7
    minimum_order_quantity: Units = 1
    pack_size: Units = 1
    is_preferred: bool = False


class SupplierItemPatch(PatchIn):
    supplier_code: Annotated[str, StringConstraints(max_length=64)] | None = None
    cost_tiers: list[CostTierIn] | None = Field(None, min_length=1, max_length=20)
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    minimum_order_quantity: Units | None = None
    pack_size: Units | None = None
    is_preferred: bool | None = None


class SupplierItemOut(Schema):
    id: int
    supplier_id: int
    sku_id: int
    sku: str
    supplier_code: str
    currency: str
    cost_tiers: list[CostTierOut]
    lead_time_days: int
    minimum_order_quantity: int
    pack_size: int
    is_preferred: bool


class SupplierItemPageOut(Schema):
    items: list[SupplierItemOut]
    next_cursor: str | None


class SupplierItemFilters(PageFilters):
    supplier_id: Id | None = None
    sku_id: Id | None = None


class ReorderRuleIn(InSchema):
    sku_id: Id
    warehouse_id: Id
    reorder_point: Count
    reorder_quantity: Units


class ReorderRuleOut(Schema):
    id: int
    sku_id: int
    sku: str
    warehouse_id: int
    warehouse: str
    reorder_point: int
    reorder_quantity: int


class ReorderRulePageOut(Schema):
    items: list[ReorderRuleOut]
    next_cursor: str | None


class ReorderRuleFilters(PageFilters):
    sku_id: Id | None = None
    warehouse_id: Id | None = None


class PoLineIn(InSchema):
    sku_id: Id
    quantity: Units
    unit_cost: Cost | None = Field(None, description="The supplier item's tier cost if omitted")


class PurchaseOrderIn(InSchema):
    supplier_id: Id
    warehouse_id: Id = Field(description="Where the goods are delivered")
    lines: list[PoLineIn] = Field(max_length=1000)
    note: Note = ""
    expected_date: Day | None = None


class PurchaseOrderPatch(PatchIn):
    nullable = frozenset({"expected_date"})
    lines: list[PoLineIn] | None = Field(None, max_length=1000)
    note: Note | None = None
    expected_date: Day | None = None


class PoRejectIn(InSchema):
    comment: Note


class PoCloseIn(InSchema):
    reason: Note = ""


class PoConfirmLineIn(InSchema):
    line_number: Id
    quantity: Count
    delivery_date: Day | None = None


class PoConfirmIn(InSchema):
    lines: list[PoConfirmLineIn] = Field(max_length=1000)


class PoReceiptLineIn(InSchema):
    line_number: Id
    quantity: Units
    unit_cost: Cost | None = Field(None, description="The line's cost if omitted")


class PoReceiptIn(InSchema):
    lines: list[PoReceiptLineIn] = Field(max_length=1000)
    reference: Annotated[str, StringConstraints(max_length=64)] = Field(
        "", description="The supplier's delivery note"
    )


class PoLineOut(Schema):
    line_number: int
    sku_id: int
    sku: str
    quantity: int
    unit_cost: str
    confirmed_quantity: int | None
    confirmed_date: str | None
    received_quantity: int
    cancelled_quantity: int
    open_quantity: int = Field(description="Still expected while the order is open")
    over_delivered: int = Field(description="Units received beyond the ordered quantity")


class PoReceiptLineOut(Schema):
    line_number: int
    quantity: int
    unit_cost: str


class PoReceiptOut(Schema):
    number: int
    reference: str
    received_at: str
    lines: list[PoReceiptLineOut]


class PurchaseOrderOut(Schema):
    id: int
    number: str
    supplier_id: int
    supplier: str
    warehouse_id: int
    warehouse: str
    status: PoStatusName
    allowed_actions: list[str]
    currency: str
    total: str
    note: str
    expected_date: str | None
    created_at: str
    approved_at: str | None
    sent_at: str | None
    closed_at: str | None
    lines: list[PoLineOut]
    receipts: list[PoReceiptOut]


class PurchaseOrderPageOut(Schema):
    items: list[PurchaseOrderOut]
    next_cursor: str | None


class PurchaseOrderFilters(PageFilters):
    status: PoStatusName | None = None
    supplier_id: Id | None = None


class SuggestionFilters(Schema):
    supplier_id: Id | None = None
    warehouse_id: Id | None = None


class SuggestionOut(Schema):
    sku_id: int
    sku: str
    warehouse_id: int
    supplier_id: int | None = Field(description="null: no active supplier sells the SKU")
    quantity: int = Field(description="Rounded up to the supplier's pack and minimum order")
    reason: Literal["below_reorder_point", "backorders"]
    available: int
    incoming: int
    backordered: int
    lead_demand: int = Field(description="Forecast units shipped during the lead time")
    reorder_point: int | None
    unit_cost: str | None


class SuggestionListOut(Schema):
    items: list[SuggestionOut]


class StockPositionOut(Schema):
    sku_id: int
    sku: str
    warehouse_id: int
    warehouse: str
    on_hand: int
    reserved: int
    available: int
    incoming: int = Field(description="Units open purchase orders still expect")


class StockPositionFilters(Schema):
    sku_id: Id | None = None


class StockPositionListOut(Schema):
    items: list[StockPositionOut]


def supplier_out(supplier: Supplier) -> dict[str, Any]:
    return {
        "id": supplier.pk,
        "code": supplier.code,
        "name": supplier.name,
        "currency": supplier.currency,
        "contact_name": supplier.contact_name,
        "contact_email": supplier.contact_email,
        "contact_phone": supplier.contact_phone,
        "is_active": supplier.is_active,
    }


def supplier_item_out(item: SupplierItem) -> dict[str, Any]:
    currency = item.supplier.currency
    return {
        "id": item.pk,
        "supplier_id": item.supplier_id,
        "sku_id": item.sku_id,
        "sku": item.sku.code,
        "supplier_code": item.supplier_code,
        "currency": currency,
        "cost_tiers": [
            {
                "min_quantity": tier["min_quantity"],
                "unit_cost": format_unit_price(Decimal(str(tier["unit_cost"])), currency),
            }
            for tier in item.cost_tiers
        ],
        "lead_time_days": item.lead_time_days,
        "minimum_order_quantity": item.minimum_order_quantity,
        "pack_size": item.pack_size,
        "is_preferred": item.is_preferred,
    }


def reorder_rule_out(rule: ReorderRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "sku_id": rule.sku_id,
        "sku": rule.sku.code,
        "warehouse_id": rule.warehouse_id,
        "warehouse": rule.warehouse.code,
        "reorder_point": rule.reorder_point,
        "reorder_quantity": rule.reorder_quantity,
    }


def _moment(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def purchase_order_out(po: PurchaseOrder) -> dict[str, Any]:
    currency = po.currency
    is_open = po.status in po_states.OPEN_STATUSES
    numbers = {line.pk: line.line_number for line in po.lines.all()}
    return {
        "id": po.pk,
        "number": po.number,
        "supplier_id": po.supplier_id,
        "supplier": po.supplier.name,
        "warehouse_id": po.warehouse_id,
        "warehouse": po.warehouse.code,
        "status": po.status,
        "allowed_actions": po_states.allowed_actions(po.status),
        "currency": currency,
        "total": format_amount(po.total, currency),
        "note": po.note,
        "expected_date": _moment(po.expected_date),
        "created_at": po.created_at.isoformat(),
        "approved_at": _moment(po.approved_at),
        "sent_at": _moment(po.sent_at),
        "closed_at": _moment(po.closed_at),
        "lines": [
            {
                "line_number": line.line_number,
                "sku_id": line.sku_id,
                "sku": line.sku.code,
                "quantity": line.quantity,
                "unit_cost": format_unit_price(line.unit_cost, currency),
                "confirmed_quantity": line.confirmed_quantity,
                "confirmed_date": _moment(line.confirmed_date),
                "received_quantity": line.received_quantity,
                "cancelled_quantity": line.cancelled_quantity,
                "open_quantity": line.open_quantity if is_open else 0,
                "over_delivered": max(line.received_quantity - line.quantity, 0),
            }
            for line in po.lines.all()
        ],
        "receipts": [
            {
                "number": receipt.number,
                "reference": receipt.reference,
                "received_at": receipt.received_at.isoformat(),
                "lines": [
                    {
                        "line_number": numbers[row.line_id],
                        "quantity": row.quantity,
                        "unit_cost": format_unit_price(row.unit_cost, currency),
                    }
                    for row in receipt.lines.all()
                ],
            }
            for receipt in po.receipts.all()
        ],
    }


def suggestion_out(s: Suggestion, currency: dict[int, str]) -> dict[str, Any]:
    cost = None
    if s.unit_cost is not None and s.supplier_id is not None:
        cost = format_unit_price(s.unit_cost, currency[s.supplier_id])
    return {
        "sku_id": s.sku_id,
        "sku": s.sku_code,
        "warehouse_id": s.warehouse_id,
        "supplier_id": s.supplier_id,
        "quantity": s.quantity,
        "reason": s.reason,
        "available": s.available,
        "incoming": s.incoming,
        "backordered": s.backordered,
        "lead_demand": s.lead_demand,
        "reorder_point": s.reorder_point,
        "unit_cost": cost,
    }


def stock_position_out(p: StockPosition) -> dict[str, Any]:
    return {
        "sku_id": p.sku_id,
        "sku": p.sku_code,
        "warehouse_id": p.warehouse_id,
        "warehouse": p.warehouse_code,
        "on_hand": p.on_hand,
        "reserved": p.reserved,
        "available": p.available,
        "incoming": p.incoming,
    }


Percent = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,3}(\.\d{1,2})?$", max_length=6),
    Field(description="0 to 100, at most two decimals, e.g. 10 or 12.50"),
]


class PurchasingPolicyIn(InSchema):
    approval_limit: Cost | None = Field(
        None, description="POs above this (base currency) wait for an approver; null: none do"
    )
    over_delivery_percent: Percent = "10"
    demand_window_days: int = Field(30, ge=1, le=365)


class PurchasingPolicyOut(Schema):
    approval_limit: str | None
    over_delivery_percent: str
    demand_window_days: int


class PoReceivedLineOut(Schema):
    line_number: int
    sku: str
    quantity: int
    received_quantity: int
    open_quantity: int


class PoReceivedOut(Schema):
    purchase_order_id: int
    number: str
    status: PoStatusName
    receipt: int
    lines: list[PoReceivedLineOut]


def received_out(po: PurchaseOrder, receipt: Any) -> dict[str, Any]:
    """What a receipt answers: quantities only, so a warehouse clerk sees no costs."""
    is_open = po.status in po_states.OPEN_STATUSES
    return {
        "purchase_order_id": po.pk,
        "number": po.number,
        "status": po.status,
        "receipt": receipt.number,
        "lines": [
            {
                "line_number": line.line_number,
                "sku": line.sku.code,
                "quantity": line.quantity,
                "received_quantity": line.received_quantity,
                "open_quantity": line.open_quantity if is_open else 0,
            }
            for line in po.lines.all()
        ],
    }


class PoLanguageFilter(Schema):
    language: Literal["en", "zh-hant", "zh-hans"] = Field(
        "en", description="The document's language"
    )
