"""Helpers for returns tests: delivered orders (placed, confirmed, shipped and delivered
through the API), the seller's return policy, asking for a return as a buyer or as staff,
and moments some days after today (for the window)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from dinghuo.core.models import Seller
from dinghuo.returns import services
from dinghuo.returns.models import ReturnPolicy
from tests.billing.support import shipped_order
from tests.builders import World


def delivered_order(world: World, *lines: tuple[str, int]) -> int:
    """An order of these lines, shipped in full (invoiced at once) and delivered today."""
    order_id = shipped_order(world, *lines)
    r = world.client().post(f"/orders/{order_id}/deliver")
    assert r.status_code == 200, r.json()
    return order_id


def days_after_today(days: int) -> datetime:
    """Midday, `days` days after today (UTC): a business moment for `clock.as_of`."""
    today = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, 12, tzinfo=UTC)


def set_policy(world: World, seller: Seller | None = None, **fields: Any) -> ReturnPolicy:
    """The seller's return policy through the service (window 30 days, no fee, approval up
    to 1,000,000 unless told otherwise)."""
    fields.setdefault("auto_approve_limit", Decimal("1000000"))
    return services.set_return_policy(
        tenant_id=world.tenant.pk,
        seller=seller or world.seller,
        fields=services.PolicyFields(**fields),
    )


def ask(
    world: World,
    order_id: int,
    *lines: tuple[int, int, str],
    client: Any = None,
    key: str | None = None,
    mine: bool = False,
) -> Any:
    """POST a return of (line_number, quantity, reason) lines: as staff, or as the buyer
    `client` on /my."""
    body = {
        "lines": [{"line_number": n, "quantity": q, "reason": reason} for n, q, reason in lines]
    }
    path = f"/my/orders/{order_id}/returns" if mine else f"/orders/{order_id}/returns"
    return (client or world.client()).post(path, body, key=key)
