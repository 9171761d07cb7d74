"""Order reads for the API and pages: tenant-scoped, a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from dinghuo.core.errors import NotFound
from dinghuo.fulfilment.models import Shipment, ShipmentLine
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order, OrderLine


def orders(
    tenant_id: int, *, status: str | None = None, company_id: int | None = None
) -> QuerySet[Order]:
    """The tenant's orders, optionally by status and company."""
    qs = Order.objects.filter(tenant_id=tenant_id)
    if status:
        qs = qs.filter(status=status)
    if company_id:
        qs = qs.filter(company_id=company_id)
    return qs


def order_detail(tenant_id: int, order_id: int) -> tuple[Order, list[Shipment]]:
    """One order with its lines and its shipments with their lines (four queries)."""
    order = (
        Order.objects.select_related("seller")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        .filter(tenant_id=tenant_id, pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(f"No order {order_id}.")
    shipments = list(
        Shipment.objects.filter(order=order)
        .select_related("warehouse")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line"))
        )
        .order_by("id")
    )
    return order, shipments


def timeline(tenant_id: int, order_id: int) -> list[Event]:
    """Everything that happened to an order, oldest first (the same rows as the event feed)."""
    if not Order.objects.filter(tenant_id=tenant_id, pk=order_id).exists():
        raise NotFound(f"No order {order_id}.")
    return list(
        Event.objects.filter(
            tenant_id=tenant_id, aggregate_type="order", aggregate_id=order_id
        ).order_by("id")
    )
