"""Bodies of requisition (saved) lists, and the functions that shape their answers."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import NOT_BLANK, Code, InSchema, PatchIn, Quantity
from dinghuo.buying.models import RequisitionList
from dinghuo.buying.queries import PricedLines
from dinghuo.buying.schemas.carts import CartLineOut
from dinghuo.buying.schemas.shared import MAX_LINES, priced_line_out, subtotal_text

ListName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
ListNote = Annotated[str, StringConstraints(max_length=200)]


class ListLineIn(InSchema):
    sku: Code
    quantity: Quantity
    note: ListNote = ""


class RequisitionListIn(InSchema):
    name: ListName
    lines: list[ListLineIn] = Field(default_factory=list, max_length=MAX_LINES)


class RequisitionListPatch(PatchIn):
    name: ListName | None = None
    lines: list[ListLineIn] | None = Field(
        None, max_length=MAX_LINES, description="Replaces every line of the list"
    )


class RequisitionListSummaryOut(Schema):
    id: int
    company_id: int
    owner_id: int | None
    name: str
    line_count: int
    created_at: datetime
    updated_at: datetime


class RequisitionLineOut(CartLineOut):
    note: str


class RequisitionListOut(Schema):
    id: int
    company_id: int
    owner_id: int | None
    name: str
    created_at: datetime
    updated_at: datetime
    currency: str
    lines: list[RequisitionLineOut]
    subtotal: str
    can_order: bool


class RequisitionListPageOut(Schema):
    items: list[RequisitionListSummaryOut]
    next_cursor: str | None


def requisition_list_summary_out(saved: RequisitionList) -> dict[str, Any]:
    """The JSON body of a list in a page (`line_count` annotated)."""
    return {
        "id": saved.pk,
        "company_id": saved.company_id,
        "owner_id": saved.owner_id,
        "name": saved.name,
        "line_count": saved.line_count,  # type: ignore[attr-defined]
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
    }


def requisition_list_out(saved: RequisitionList, priced: PricedLines) -> dict[str, Any]:
    """The JSON body of one list, its lines priced now."""
    return {
        "id": saved.pk,
        "company_id": saved.company_id,
        "owner_id": saved.owner_id,
        "name": saved.name,
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
        "currency": priced.currency,
        "lines": [
            {**priced_line_out(line, priced.currency), "note": line.note} for line in priced.lines
        ],
        "subtotal": subtotal_text(priced),
        "can_order": priced.can_order,
    }
