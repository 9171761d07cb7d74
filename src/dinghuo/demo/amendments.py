"""The demo's amendments: a customer phoned to change a recent order, and a clerk did it
(`orders.services.amend_order`), so the order shows version 2 and the change on its
timeline; and the first featured buyer placed an order this morning that they may still
change themselves (the seller's window is open for the rest of the day). Through the
services, as a person would; deterministic."""

from datetime import timedelta

from dinghuo.core import clock
from dinghuo.core.errors import DomainError
from dinghuo.demo.buyers import Buyer
from dinghuo.orders import approval_rules, services
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus

NOTE = "Customer phoned: one more pack of this item."
PLACED_HOURS_AGO = 3  # well inside the default 24-hour window for buyers' changes
REORDERED_LINES = 3


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


def place_an_order_to_change(tenant_id: int, buyer: Buyer, email: str) -> dict[str, str]:
    """An order the buyer signing in as `email` placed in the portal a few hours ago: three
    items of their last delivered order, again. Returns what the load prints (company code →
    what it shows), or nothing when stock or credit refused every try."""
    user = next(u for u in buyer.users if u.user.email == email)
    delivered = Order.objects.filter(
        tenant_id=tenant_id, company=buyer.company, status=OrderStatus.DELIVERED
    ).order_by("-placed_at", "-id")[:5]
    for earlier in delivered:
        lines = OrderLine.objects.filter(order=earlier).order_by("line_number")
        wanted = [
            services.LineRequest(line.sku_code, line.quantity) for line in lines[:REORDERED_LINES]
        ]
        try:
            with clock.as_of(clock.now() - timedelta(hours=PLACED_HOURS_AGO)):
                order = services.place_order(
                    tenant_id=tenant_id,
                    company_id=buyer.company.pk,
                    ship_to_id=earlier.ship_to_id,
                    lines=wanted,
                    channel="portal",
                    placed_by_id=user.pk,
                )
        except DomainError:
            continue  # an item sold out or no longer sold: the order before
        return {
            buyer.company.code: f"an order placed this morning that its buyer may still "
            f"change ({order.number})"
        }
    return {}
