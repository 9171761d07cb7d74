"""Setting a seller's ordering policy, credit and approval rules in order tests."""

from decimal import Decimal
from typing import Any

from dinghuo.customers.models import CreditLine
from dinghuo.orders.models import ApprovalRule, OrderPolicy


def set_policy(world: Any, **fields: Any) -> OrderPolicy:
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
