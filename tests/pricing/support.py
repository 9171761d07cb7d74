"""Helpers of the B2B pricing tests: groups, lists, sources, and a snapshot of every row."""

from decimal import Decimal
from typing import Any

from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.integrations.models import Event
from dinghuo.pricing.models import (
    Assortment,
    CompanySkuTerms,
    ContractPrice,
    ContractPriceTier,
    PriceList,
    PriceListAssignment,
    PriceTier,
    Promotion,
)
from tests.builders import World
from tests.catalog.support import catalogue_state


def pricing_state() -> dict[str, Any]:
    """Every catalogue and pricing row, memberships and events: equal means unchanged."""
    state = catalogue_state()
    for name, model in {
        "assignments": PriceListAssignment,
        "contracts": ContractPrice,
        "contract_tiers": ContractPriceTier,
        "promotions": Promotion,
        "terms": CompanySkuTerms,
        "assortments": Assortment,
    }.items():
        state[name] = list(model.objects.order_by("id").values())
    for model, rel in (
        (Promotion, "skus"),
        (Promotion, "categories"),
        (Promotion, "customer_groups"),
        (Assortment, "skus"),
        (Assortment, "categories"),
        (Assortment, "companies"),
        (Assortment, "customer_groups"),
    ):
        through = getattr(model, rel).through
        state[f"{model.__name__}.{rel}"] = list(through.objects.order_by("id").values())
    state["all_events"] = list(Event.objects.order_by("id").values_list("id", "type"))
    return state


def group(world: World, code: str, *companies: Company) -> CustomerGroup:
    found = CustomerGroup.objects.create(tenant=world.tenant, code=code, name=code.title())
    for company in companies:
        company.groups.add(found)
    return found


def price_list(world: World, code: str, prices: dict[str, list[tuple[int, str]]], **kw: Any):
    """A list of the world's seller with the given ladders by SKU code."""
    created = PriceList.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        code=code,
        name=code.title(),
        currency=kw.pop("currency", "USD"),
        **kw,
    )
    PriceTier.objects.bulk_create(
        PriceTier(
            tenant=world.tenant,
            price_list=created,
            sku=world.skus[sku],
            min_quantity=m,
            unit_price=Decimal(p),
        )
        for sku, ladder in prices.items()
        for m, p in ladder
    )
    return created


def ladder(*tiers: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"min_quantity": m, "unit_price": p} for m, p in tiers]
