"""Setting a seller's ordering policy, credit and approval rules in order tests; placing an
order and reading its stock."""

from decimal import Decimal
from typing import Any

from dinghuo.customers import services as customers
from dinghuo.customers.models import CreditLine
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import ApprovalRule, OrderPolicy


def set_policy(world: Any, **fields: Any) -> OrderPolicy:
    """The seller's ordering policy with `fields`; `overdue_grace_days` goes to its credit
    policy, where customers keeps it."""
    grace_days = fields.pop("overdue_grace_days", None)
    if grace_days is not None:
        customers.set_overdue_grace_days(
            tenant_id=world.tenant.pk, seller_id=world.seller.pk, days=grace_days
        )
    policy, _ = OrderPolicy.objects.update_or_create(
        seller=world.seller, defaults={"tenant": world.tenant, **fields}
    )
    return policy


def set_credit(world: Any, limit: str | None, **fields: Any) -> CreditLine:
    line, _ = CreditLine.objects.update_or_create(
        company=world.company,
        defaults={
            "tenant": world.tenant,
            "credit_limit": None if limit is None else Decimal(limit),
            **fields,
        },
    )
    return line


def add_rule(world: Any, name: str, approver: str = "company", level: int = 1, **c: Any) -> Any:
    return ApprovalRule.objects.create(
        tenant=world.tenant, seller=world.seller, name=name, approver=approver, level=level, **c
    )


def exposure(world: Any) -> Decimal:
    return CreditLine.objects.get(company=world.company).order_exposure


def place(world: Any, *lines: tuple[str, int], key: str = "k1") -> int:
    """Place an order of these (sku, quantity) lines through the API; its id."""
    r = world.client().place(world.order_body(*lines), key=key)
    assert r.status_code == 201, r.json()
    return int(r.json()["id"])


def stock_of(world: Any, sku: str) -> tuple[int, int]:
    """On hand and reserved of the SKU in the main warehouse."""
    level = StockLevel.objects.get(sku=world.skus[sku], warehouse__code="main")
    return level.on_hand, level.reserved
