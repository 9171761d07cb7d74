"""What the return services share: the request locked for a change, its status checked,
the seller's rules, the business date, and the events they record."""

from datetime import date
from typing import Any

from django.utils import timezone

from dinghuo.core import clock
from dinghuo.core.errors import Conflict, NotFound
from dinghuo.integrations import events
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order
from dinghuo.returns import policy
from dinghuo.returns.models import ReturnPolicy, ReturnRequest


def today() -> date:
    """The business date (dates are UTC here, as the seller's documents')."""
    return timezone.localdate(clock.now())


def rules_of(seller_id: int) -> tuple[policy.Rules, ReturnPolicy | None]:
    """The seller's return rules (the defaults without a policy row) and the row."""
    row = ReturnPolicy.objects.filter(seller_id=seller_id).first()
    if row is None:
        return policy.DEFAULTS, None
    return (
        policy.Rules(
            window_days=row.window_days,
            restocking_fee_percent=row.restocking_fee_percent,
            non_returnable_categories=frozenset(
                row.non_returnable_categories.values_list("id", flat=True)
            ),
            auto_approve_limit=row.auto_approve_limit,
            fee_reasons=frozenset(row.fee_reasons),
        ),
        row,
    )


def locked_return(
    tenant_id: int, return_id: int, company_id: int | None = None
) -> tuple[Order, ReturnRequest]:
    """The return and its order, locked in the order used everywhere: the order row first
    (as placing, shipping and requesting a return take it), then the request. 404 for
    another tenant's or, when `company_id` is given, another company's return."""
    found = ReturnRequest.objects.filter(tenant_id=tenant_id, pk=return_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    order_id = found.values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(f"No return {return_id}.")
    order = orders.locked_order(tenant_id, order_id)
    request = ReturnRequest.objects.select_for_update().get(pk=return_id)
    return order, request


def require_status(request: ReturnRequest, *allowed: str) -> None:
    """409 `invalid_return_status` unless the return is in one of `allowed`."""
    if request.status not in allowed:
        raise Conflict(
            f"The return is {request.status}; this needs it {' or '.join(allowed)}.",
            code="invalid_return_status",
        )


def return_event(request: ReturnRequest, order: Order, type: str, **extra: Any) -> Any:
    """An unsaved event of the return (`return.requested`, …), naming its order."""
    return events.new(
        request.tenant_id,
        type,
        "return",
        request.pk,
        {
            "return_id": request.pk,
            "rma": request.number,
            "order_id": order.pk,
            "order": order.number,
            "company_id": request.company_id,
            "status": request.status,
            **extra,
        },
    )
