"""The shapes of returns over HTTP: requests in (strict, bounded), returns out (money as
decimal strings with the currency)."""

from typing import Annotated, Any, Literal, cast

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Id, InSchema, PageFilters
from dinghuo.core.money import format_amount
from dinghuo.returns.models import ReturnPhoto, ReturnRequest, default_fee_reasons

Reason = Literal["damaged", "defective", "wrong_item", "not_as_described", "not_needed", "other"]
FEE_REASONS = (
    "The return reasons whose lines bear the restocking fee; lines returned for any other "
    "reason are credited in full"
)
FateIn = Literal["restock", "quarantine", "scrap", "to_supplier"]
Status = Literal["requested", "approved", "rejected", "received", "closed"]
Outcome = Literal["credit", "exchange"]
# Decimal strings: JSON numbers would pass through floats.
Percent = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,3}(\.\d{1,2})?$", max_length=6),
    Field(description="0 to 100, at most two decimals, e.g. 15 or 12.50"),
]
Money = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,12}(\.\d{1,4})?$", max_length=17),
    Field(description="Decimal string in the seller's base currency, e.g. 500.00"),
]
Note = Annotated[str, StringConstraints(max_length=500)]
Comment = Annotated[str, StringConstraints(max_length=500)]
Units = Annotated[int, Field(ge=0, le=1_000_000_000)]
Language = Literal["en", "zh-hant", "zh-hans"]


class ReturnLineIn(InSchema):
    line_number: Id = Field(description="The order line's number")
    quantity: Units
    reason: Reason
    note: Note = ""


class ReplacementIn(InSchema):
    sku: Code = Field(description="The SKU's code")
    quantity: Annotated[int, Field(ge=1, le=1_000_000_000)]


class ReturnIn(InSchema):
    lines: list[ReturnLineIn] = Field(max_length=500)
    note: Note = ""
    outcome: Outcome = Field(
        "credit",
        description=(
            "credit: a credit note for what arrives; exchange: also a replacement order, "
            "placed (stock reserved) when the return is approved and shipped when it is "
            "received (or at once, as the seller's policy says). The credit note is issued "
            "either way, so the two net out on the statement"
        ),
    )
    replacements: list[ReplacementIn] | None = Field(
        None,
        max_length=500,
        description="An exchange's replacement goods; omitted: the same SKUs and quantities",
    )


class ReturnDecisionIn(InSchema):
    comment: Comment = ""


class InspectedLineIn(InSchema):
    line_number: Id = Field(description="The return line's number")
    received_quantity: Units
    fate: FateIn | None = Field(None, description="Required when units arrived")


class ReceiveIn(InSchema):
    lines: list[InspectedLineIn] = Field(max_length=500)


class ReturnRefundIn(InSchema):
    method: Annotated[str, StringConstraints(min_length=1, max_length=20)] = "bank_transfer"
    reference: Annotated[str, StringConstraints(max_length=100)] = ""


class CloseIn(InSchema):
    refund: ReturnRefundIn | None = Field(None, description="Pay back the credit the return freed")


class ReturnPolicyIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    window_days: Annotated[int, Field(ge=0, le=3650)] = 30
    restocking_fee_percent: Percent = "0"
    non_returnable_categories: list[Code] = Field(default_factory=list, max_length=500)
    auto_approve_limit: Money | None = Field(
        None, description="Up to this gross a request approves itself; none: a clerk decides"
    )
    quarantine_warehouse: Code | None = None
    ship_exchange_at_once: bool = Field(
        False,
        description="Confirm an exchange's replacement order when the return is approved, "
        "instead of when the returned goods arrive",
    )
    fee_reasons: list[Reason] = Field(
        cast(list[Reason], default_fee_reasons()),  # a copy for each request (pydantic)
        max_length=20,
        description=f"{FEE_REASONS} (repeats ignored; []: no fee on any return)",
    )


# (A comment, not a docstring: a docstring would become the schema's description.)
class LanguageFilter(Schema):
    language: Language = Field("en", description="The document's language")


class ReturnFilters(PageFilters):
    status: Status | None = None
    order_id: Id | None = None
    company_id: Id | None = None


class BuyerReturnFilters(PageFilters):
    status: Status | None = None
    order_id: Id | None = None


class ReturnLineOut(Schema):
    line_number: int
    order_line_number: int
    sku: str
    description: str
    quantity: int
    reason: str
    note: str
    received_quantity: int | None
    fate: str | None
    warehouse: str | None


class ReplacementOut(Schema):
    line_number: int
    sku: str
    quantity: int


class PhotoOut(Schema):
    id: int
    number: int
    content_type: str
    size: int = Field(description="Bytes")
    width: int
    height: int
    uploaded_at: str


class ReturnOut(Schema):
    id: int
    rma_number: str | None
    status: str
    order_id: int
    order_number: str
    company_id: int
    note: str
    outcome: str
    replacements: list[ReplacementOut]
    exchange_order_id: int | None
    exchange_order_number: str | None
    review_reasons: list[str]
    approved_automatically: bool
    decision_comment: str
    currency: str
    restocking_fee_percent: str
    fee_reasons: list[Reason] = Field(
        description=f"{FEE_REASONS}: the seller's when the return was asked for"
    )
    credited_amount: str
    restocking_fee: str
    credit_notes: list[dict[str, Any]]
    refund_id: int | None
    requested_at: str
    decided_at: str | None
    received_at: str | None
    closed_at: str | None
    lines: list[ReturnLineOut]
    photos: list[PhotoOut]


class ReturnPageOut(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


class ReturnPolicyOut(Schema):
    seller: str
    window_days: int
    restocking_fee_percent: str
    non_returnable_categories: list[str]
    auto_approve_limit: str | None
    quarantine_warehouse: str | None
    ship_exchange_at_once: bool
    fee_reasons: list[Reason] = Field(description=f"{FEE_REASONS} (sorted)")


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def return_out(request: ReturnRequest) -> dict[str, Any]:
    """A return as the API shows it (its lines, order lines and notes prefetched)."""
    currency = request.currency
    return {
        "id": request.pk,
        "rma_number": request.number or None,
        "status": request.status,
        "order_id": request.order_id,
        "order_number": request.order.number,
        "company_id": request.company_id,
        "note": request.note,
        "outcome": request.outcome,
        "replacements": [
            {"line_number": line.line_number, "sku": line.sku.code, "quantity": line.quantity}
            for line in sorted(request.replacements.all(), key=lambda line: line.line_number)
        ],
        "exchange_order_id": request.exchange_order_id,
        "exchange_order_number": request.exchange_order.number if request.exchange_order else None,
        "review_reasons": request.review_reasons,
        "approved_automatically": request.approved_automatically,
        "decision_comment": request.decision_comment,
        "currency": currency,
        "restocking_fee_percent": str(request.restocking_fee_percent),
        "fee_reasons": request.fee_reasons,
        "credited_amount": format_amount(request.credited_amount, currency),
        "restocking_fee": format_amount(request.fee_amount, currency),
        "credit_notes": [
            {"id": note.pk, "number": note.number, "total": format_amount(note.total, currency)}
            for note in request.credit_notes.all()
        ],
        "refund_id": request.refund_id,
        "requested_at": _when(request.requested_at),
        "decided_at": _when(request.decided_at),
        "received_at": _when(request.received_at),
        "closed_at": _when(request.closed_at),
        "lines": [
            {
                "line_number": line.line_number,
                "order_line_number": line.order_line.line_number,
                "sku": line.order_line.sku_code,
                "description": line.order_line.description,
                "quantity": line.quantity,
                "reason": line.reason,
                "note": line.note,
                "received_quantity": line.received_quantity,
                "fate": line.fate or None,
                "warehouse": line.warehouse.code if line.warehouse else None,
            }
            for line in sorted(request.lines.all(), key=lambda line: line.line_number)
        ],
        "photos": [photo_out(photo) for photo in request.photos.all()],
    }


def photo_out(photo: ReturnPhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "number": photo.number,
        "content_type": photo.content_type,
        "size": photo.size,
        "width": photo.width,
        "height": photo.height,
        "uploaded_at": photo.uploaded_at.isoformat(),
    }
