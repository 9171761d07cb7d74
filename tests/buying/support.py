"""Buyers with their own API keys, and a second company of the same tenant."""

from typing import Any

from dinghuo.catalog.models import Product, Sku
from dinghuo.core.services import create_api_key
from dinghuo.customers.models import Company, Location
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import Order
from tests.builders import ApiClient, World


def add_buyer(
    world: World, email: str, role: str = "buyer", company: Company | None = None
) -> tuple[int, ApiClient]:
    """A company user created through the staff API, and a client with their buyer key."""
    company = company or world.company
    r = world.client().post(
        f"/companies/{company.pk}/users", {"email": email, "name": email, "role": role}
    )
    assert r.status_code == 201, r.content
    member_id = r.json()["id"]
    key = create_api_key(
        tenant=world.tenant, name=email, scopes={"read", "write"}, company_user_id=member_id
    ).secret
    return member_id, ApiClient(key)


def second_company(world: World) -> tuple[Company, Location]:
    """Another buyer company of the same tenant, on the same price list, with a ship-to."""
    company = Company.objects.create(
        tenant=world.tenant, code="C002", name="Buyer Two", price_list=world.price_list
    )
    ship_to = Location.objects.create(
        tenant=world.tenant,
        company=company,
        kind="ship_to",
        name="Dock 2",
        line1="2 Harbour Rd",
        city="Hong Kong",
        country="HK",
    )
    return company, ship_to


def unpriced_sku(world: World, code: str = "E-5") -> Sku:
    """A SKU of the seller with no price on any list (one only a quote can price)."""
    product = Product.objects.create(
        tenant=world.tenant,
        seller=world.seller,
        code=f"P-{code}",
        name_en=f"Product {code}",
        category=world.skus["A-1"].product.category,
        allow_backorder=True,
    )
    return Sku.objects.create(
        tenant=world.tenant, seller=world.seller, product=product, code=code, name_en=f"Item {code}"
    )


def cart_lines(body: dict[str, Any]) -> list[tuple[str, int]]:
    return [(line["sku"], line["quantity"]) for line in body["lines"]]


def snapshot(world: World) -> dict[str, Any]:
    """What a refused buying request must leave as it was."""
    from dinghuo.buying.models import (
        Cart,
        CartLine,
        Quote,
        QuoteLine,
        QuoteRound,
        RequisitionList,
        RequisitionListLine,
    )
    from dinghuo.integrations.models import Event

    tenant = world.tenant.pk
    return {
        model.__name__: list(model.objects.filter(tenant_id=tenant).order_by("pk").values())
        for model in (
            Cart,
            CartLine,
            RequisitionList,
            RequisitionListLine,
            Quote,
            QuoteLine,
            QuoteRound,
            Order,
            Event,
            StockLevel,
        )
    }


def patch(api: ApiClient, path: str, body: Any) -> Any:
    import json

    return api.send("PATCH", path, json.dumps(body))
