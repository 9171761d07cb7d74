"""Request and response bodies of stock counts."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Id, InSchema, PageFilters
from dinghuo.inventory.services import MAX_STOCK_QUANTITY
from dinghuo.stocktaking import count_states
from dinghuo.stocktaking.count_states import CountStatus
from dinghuo.stocktaking.models import CountLine, StockCount

Note = Annotated[str, StringConstraints(max_length=200)]
Counted = Annotated[
    int, Field(ge=0, le=MAX_STOCK_QUANTITY, description="Units found on the shelf: 0 or more")
]


class CountIn(InSchema):
    warehouse: Code = Field(description="Warehouse code")
    category_ids: list[Id] = Field(
        default_factory=list,
        max_length=100,
        description="Count only these categories (and those below them); empty = whole warehouse",
    )
    note: Note = ""


class CountedIn(InSchema):
    counted: Counted


class RecountIn(InSchema):
    line_ids: list[Id] = Field(
        default_factory=list, max_length=10_000, description="Lines to count again"
    )


class CountFilters(PageFilters):
    status: CountStatus | None = None
    warehouse: Code | None = Field(None, description="Warehouse code")


class CountLineFilters(PageFilters):
    only_variances: bool = Field(False, description="Only counted lines with a variance")


class CountOut(Schema):
    id: int
    reference: str
    warehouse: str
    scope: StockCount.Scope
    category_ids: list[int]
    status: CountStatus
    note: str
    lines: int = Field(description="SKUs in the count")
    counted_lines: int
    created_at: datetime
    updated_at: datetime
    posted_at: datetime | None


class CountPageOut(Schema):
    items: list[CountOut]
    next_cursor: str | None


class CountLineOut(Schema):
    id: int
    sku_id: int
    sku: str
    unit: str
    counted: int | None
    counted_at: datetime | None
    on_hand_at_count: int | None = Field(
        description="On hand when the line was counted: shown once the count is in review"
    )
    variance: int | None = Field(description="counted − on hand at count: shown from review on")


class CountLinePageOut(Schema):
    items: list[CountLineOut]
    next_cursor: str | None


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def count_out(count: StockCount) -> dict[str, Any]:
    return {
        "id": count.pk,
        "reference": count.reference,
        "warehouse": count.warehouse.code,
        "scope": count.scope,
        "category_ids": sorted(c.pk for c in count.categories.all()),
        "status": count.status,
        "note": count.note,
        "lines": getattr(count, "line_total", 0),
        "counted_lines": getattr(count, "line_counted", 0),
        "created_at": count.created_at.isoformat(),
        "updated_at": count.updated_at.isoformat(),
        "posted_at": _when(count.posted_at),
    }


def shows_expected(count: StockCount) -> bool:
    """Counting is blind: what the ledger said shows only once counting is over."""
    return not count_states.may_count(count.status)


def line_out(count: StockCount, line: CountLine) -> dict[str, Any]:
    expected = shows_expected(count)
    return {
        "id": line.pk,
        "sku_id": line.sku_id,
        "sku": line.sku.code,
        "unit": line.sku.unit,
        "counted": line.counted,
        "counted_at": _when(line.counted_at),
        "on_hand_at_count": line.on_hand_at_count if expected else None,
        "variance": line.variance if expected else None,
    }
