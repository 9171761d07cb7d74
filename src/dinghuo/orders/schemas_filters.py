"""The filters of the order lists (GET /orders, /my/orders) an integrator syncs with: order
number, PO number, company, one or several statuses, `updated_since`."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Id, Instant, PageFilters
from dinghuo.orders.models import order_number
from dinghuo.orders.queries import OrderSearch
from dinghuo.orders.states import OrderStatus

OrderNumber = Annotated[str, StringConstraints(pattern=r"^SO-[0-9]{7,18}$", max_length=22)]


# Filters an integrator syncs with (comments, not docstrings: see PageFilters). Every filter
# given narrows the list; pages stay in ascending id order and `after` keeps its meaning.
class BuyerOrderFilters(PageFilters):
    status: list[OrderStatus] = Field(
        default_factory=list,
        description="One or several statuses (`status=placed&status=confirmed`): orders in any",
    )
    purchase_order_number: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = (
        Field(None, description="The buyer's PO number, exactly, whatever the case")
    )
    updated_since: Instant | None = Field(
        None,
        description="Orders changed at or after this moment: ISO 8601 with an offset "
        "(`2026-05-01T08:00:00Z`, `…+08:00`); a moment without one is read as UTC",
    )

    def search(self, company_id: int | None = None, number: str | None = None) -> OrderSearch:
        """The order search these filters ask for."""
        return OrderSearch(
            statuses=tuple(self.status),
            company_id=company_id,
            order_id=None if number is None else order_id_of(number),
            purchase_order_number=self.purchase_order_number,
            updated_since=as_utc(self.updated_since),
        )


class OrderFilters(BuyerOrderFilters):
    number: OrderNumber | None = Field(None, description="The order number, exactly (`SO-0000123`)")
    company_id: Id | None = None
    awaiting_seller_approval: bool = Field(
        False, description="Only orders whose current approval level waits for seller staff"
    )


def order_id_of(number: str) -> int:
    """The id an order number names; 0 (no order) when it is not written as we write it
    (`SO-00000123` for `SO-0000123`), so that the filter stays exact."""
    order_id = int(number[3:])
    return order_id if order_number(order_id) == number else 0


def as_utc(moment: datetime | None) -> datetime | None:
    """A moment sent without an offset is read as UTC (every time of the API is UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
