"""Forms that create something (an order, a shipment) carry a one-time token: a second submit
of the same form (a double click, a resent request) finds the first answer and creates
nothing, as the API's Idempotency-Key does (`core.idempotency.run_once`)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from dinghuo.core import idempotency

# The order services' field names, as the order forms (checkout, staff order entry) call them.
ORDER_FORM_FIELDS = {
    "ship_to_id": "ship_to",
    "purchase_order_number": "purchase_order_number",
    "requested_delivery_date": "requested_date",
}


def submit_once(
    request: HttpRequest,
    *,
    tenant_id: int,
    scope: str,
    token: str,
    body: Any,
    create: Callable[[], tuple[int, Any]],
) -> Any:
    """Run `create` once per form token, in the write's own transaction; the answer's body
    (the first one's, on a repeat). `scope` keeps one person's tokens apart from another's."""
    outcome = idempotency.run_once(
        tenant_id=tenant_id,
        key=token,
        scope=scope,
        method="POST",
        path=request.path,
        request_body=body,
        create=create,
    )
    return outcome.body
