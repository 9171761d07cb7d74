"""A tenant with something of every kind a file holds: contract prices, users, addresses,
customer groups and a parent company, stock in two warehouses."""

from datetime import date
from decimal import Decimal

import pytest

from dinghuo.customers import services as customers
from dinghuo.inventory import services as inventory
from dinghuo.pricing import services as pricing
from tests.builders import World


@pytest.fixture
def full_world(world: World) -> World:
    tenant = world.tenant.pk
    group = customers.create_customer_group(tenant_id=tenant, code="dealers", name="Dealers")
    parent = customers.create_company(
        tenant_id=tenant, code="GRP", name="=Group Holdings", price_list_id=world.price_list.pk
    )
    customers.update_company(
        tenant_id=tenant, company_id=world.company.pk, parent_id=parent.pk, group_ids=[group.pk]
    )
    customers.create_company_user(
        tenant_id=tenant, company_id=world.company.pk, email="amy@buyer.example", name="Amy",
        role="admin", spending_limit=Decimal("-0") + Decimal("500"),
    )  # fmt: skip
    customers.create_location(
        tenant_id=tenant, company_id=world.company.pk, kind="bill_to", name="Head office",
        line1="+1 Queen's Rd", city="Hong Kong", country="HK",
    )  # fmt: skip
    pricing.create_contract_price(
        tenant_id=tenant, company_id=world.company.pk, sku_id=world.skus["A-1"].pk,
        valid_from=date(2026, 1, 1), valid_until=None, reference="K-1",
        tiers=[(1, Decimal("9.50")), (50, Decimal("8.75"))],
    )  # fmt: skip
    inventory.receive_stock(
        tenant_id=tenant, warehouse_code="north", sku_id=world.skus["B-2"].pk, quantity=12,
        reason="opening",
    )  # fmt: skip
    return world
