"""The demo's amended order: a customer phoned to change a recent order, and a clerk did it
(`orders.services.amend_order`), so the order shows version 2 and the change on its
timeline. Through the service, as a person would; deterministic (the newest open order that
can take one more pack of its smallest line)."""

from dinghuo.core.errors import DomainError
from dinghuo.orders import approval_rules, services
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus

NOTE = "Customer phoned: one more pack of this item."


def amend_a_recent_order(tenant_id: int) -> dict[str, str]:
    """Amend the newest open order nothing has shipped of; returns what the load prints
    (company code → what it shows), or nothing when no order could take the change."""
    candidates = (
        Order.objects.filter(
            tenant_id=tenant_id,
            status__in=[OrderStatus.PLACED, OrderStatus.CONFIRMED],
            picking_started_at__isnull=True,
        )
        .select_related("company")
        .order_by("-placed_at", "-id")[:10]
    )
    clerk = services.Actor(approval_rules.SELLER, "Sales desk")
    for order in candidates:
        lines = list(OrderLine.objects.filter(order=order).select_related("sku"))
        if not lines or any(line.shipped_quantity for line in lines):
            continue
        smallest = min(lines, key=lambda line: (line.quantity, line.line_number))
        wanted = [
            services.LineRequest(
                line.sku_code,
                line.quantity + (line.sku.pack_size if line is smallest else 0),
            )
            for line in lines
        ]
        try:
            amended = services.amend_order(
                tenant_id=tenant_id,
                order_id=order.pk,
                changes=services.AmendRequest(lines=wanted, note=NOTE),
                by=clerk,
            )
        except DomainError:
            continue  # not enough stock, or the credit would not hold: the next order
        return {
            order.company.code: f"an order changed by phone ({order.number}, version "
            f"{amended.version})"
        }
    return {}
