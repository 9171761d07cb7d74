"""Billing in several currencies: a seller keeping its books in HKD, companies buying in USD
or CNY (or any currency), its exchange rates by day, and documents dated on those days."""

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from dinghuo.core import clock
from dinghuo.customers.models import Company, Location
from dinghuo.pricing.models import ExchangeRate, PriceList, PriceTier
from tests.billing.support import at, shipped_order
from tests.builders import World, build_world

D = Decimal


def hkd_world(slug: str = "fx") -> World:
    """A seller keeping its books in HKD (its own price list in HKD)."""
    return build_world(slug, currency="HKD", stock_per_sku=10_000)


def buyer_in(world: World, currency: str, price: str, code: str) -> World:
    """The world seen from a company buying A-1 in `currency` at `price` a unit."""
    price_list = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code=code.lower(), name=code, currency=currency
    )
    PriceTier.objects.create(
        tenant=world.tenant,
        price_list=price_list,
        sku=world.skus["A-1"],
        min_quantity=1,
        unit_price=D(price),
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
        city="Hong Kong",
        country="HK",
    )
    return dataclasses.replace(world, price_list=price_list, company=company, ship_to=ship_to)


def rate(world: World, currency: str, day: date, value: str) -> ExchangeRate:
    """One unit of `currency` is worth `value` HKD from `day` on."""
    return ExchangeRate.objects.create(
        tenant=world.tenant, seller=world.seller, currency=currency, day=day, rate=D(value)
    )


def invoiced_on(world: World, day: date, units: int, **kw: Any) -> int:
    """An order of `units` A-1 placed, confirmed and shipped (so invoiced) on `day`."""
    with clock.as_of(at(day)):
        return shipped_order(world, ("A-1", units), **kw)
