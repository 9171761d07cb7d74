"""Short-closing a partially shipped order over HTTP (staff): `POST /orders/{id}/short-close`
with the reason. The unshipped rest is cancelled, its stock and credit released; the answer
is the order as `GET /orders/{id}` shows it. Mounted beside the orders router."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import StringConstraints

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import run_change
from dinghuo.api.schemas import InSchema, ObjectId
from dinghuo.core.services import Caller
from dinghuo.orders import queries, services
from dinghuo.orders.schemas import OrderOut, order_detail_out
from dinghuo.orders.services.short_closing import MAX_REASON

router = Router(tags=["orders"])


class ShortCloseIn(InSchema):
    reason: Annotated[str, StringConstraints(max_length=MAX_REASON)]


@router.post(
    "/orders/{order_id}/short-close",
    response=OrderOut,
    summary="Short-close an order",
    auth=staff_may("orders.cancel"),
)
def short_close_order(
    request: HttpRequest, order_id: ObjectId, payload: ShortCloseIn
) -> HttpResponse:
    """Cancel what has not shipped of a partially shipped order; it becomes shipped. Its
    reservations and the credit held for the cancelled units are released, and the buyer
    sees `order.short_closed` with the reason on the order's timeline. 409 `nothing_shipped`
    before anything shipped (cancel instead), `already_short_closed` the second time."""
    tenant = tenant_id(request)
    caller: Caller = request.auth  # type: ignore[attr-defined]

    def run() -> dict[str, object]:
        services.short_close_order(
            tenant_id=tenant,
            order_id=order_id,
            reason=payload.reason,
            closed_by=f"staff (API key {caller.key_prefix})",
        )
        return order_detail_out(*queries.order_detail(tenant, order_id))

    return run_change(run)
