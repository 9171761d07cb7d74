"""Setting a seller's ordering policy, credit and approval rules in order tests; placing an
order and reading its stock; a company buying in another currency, and exchange rates."""

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CreditLine, Location
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import ApprovalRule, OrderPolicy
from dinghuo.pricing.models import ExchangeRate, PriceList, PriceTier


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
    """An approval rule of the world's seller; its amount in the seller's base currency
    unless `currency` says otherwise."""
    c.setdefault("currency", world.seller.base_currency)
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


def buyer_in(world: Any, currency: str, prices: dict[str, str], code: str = "J001") -> Any:
    """The world seen from a company of its seller buying in `currency` at `prices` (SKU code →
    unit price, one tier each)."""
    price_list = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code=f"list-{code}", name=code, currency=currency
    )
    for sku, price in prices.items():
        PriceTier.objects.create(
            tenant=world.tenant,
            price_list=price_list,
            sku=world.skus[sku],
            min_quantity=1,
            unit_price=Decimal(price),
        )
    company = Company.objects.create(
        tenant=world.tenant, code=code, name=f"Buyer {code}", price_list=price_list
    )
    ship_to = Location.objects.create(
        tenant=world.tenant,
        company=company,
        kind="ship_to",
        name="Dock",
        line1="1 Quay",
        city="Osaka",
        country="JP",
    )
    return dataclasses.replace(world, price_list=price_list, company=company, ship_to=ship_to)


def set_rate(world: Any, currency: str, rate: str, day: date | None = None) -> ExchangeRate:
    """The seller's rate of `currency` from `day` (today) on."""
    found, _ = ExchangeRate.objects.update_or_create(
        seller=world.seller,
        currency=currency,
        day=day or timezone.localdate(),
        defaults={"tenant": world.tenant, "rate": Decimal(rate), "source": "test"},
    )
    return found
