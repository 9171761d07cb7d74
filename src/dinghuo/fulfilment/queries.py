"""Shipment reads for the API and pages: tenant-scoped, a fixed number of queries. (An order's
answer reads its shipments through `order.shipments`, in `orders.queries.order_detail`.)"""

from django.db.models import Prefetch

from dinghuo.core.errors import NotFound
from dinghuo.fulfilment.models import Shipment, ShipmentLine


def shipment(tenant_id: int, shipment_id: int, *, order_id: int | None = None) -> Shipment:
    """One shipment with its warehouse and its lines with their order lines (two queries);
    with `order_id`, only if it belongs to that order."""
    found = Shipment.objects.filter(tenant_id=tenant_id, pk=shipment_id)
    if order_id is not None:
        found = found.filter(order_id=order_id)
    row = (
        found.select_related("warehouse")
        .prefetch_related(
            Prefetch(
                "lines", queryset=ShipmentLine.objects.select_related("order_line").order_by("id")
            )
        )
        .first()
    )
    if row is None:
        raise NotFound(f"No shipment {shipment_id}.")
    return row
