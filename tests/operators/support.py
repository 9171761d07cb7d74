"""A tenant made by `dinghuo tenant create`, and an operator (a Django superuser)."""

import io
import re
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from dinghuo.catalog.models import Product, Sku
from dinghuo.core.models import Seller, Tenant
from dinghuo.core.services import create_api_key
from dinghuo.customers.models import Location
from dinghuo.customers.services import create_company
from dinghuo.inventory import services as stock
from dinghuo.pricing.models import PriceList, PriceTier

OWNER = "owner@harbour.test"
LINK = re.compile(r"https?://\S+/operator/welcome/\S+/")


def create_by_command(
    slug: str = "harbour", owner: str = OWNER, *, print_link: bool = True
) -> tuple[Tenant, str]:
    """The tenant the command creates, and what it printed (the owner's link, or with
    `print_link=False` the line saying the invitation is mailed)."""
    out = io.StringIO()
    call_command(
        "tenant",
        "create",
        "--name",
        "Harbour Trading",
        "--slug",
        slug,
        "--currency",
        "HKD",
        "--languages",
        "en,zh-hant",
        "--time-zone",
        "Asia/Hong_Kong",
        "--owner-email",
        owner,
        *(["--print-link"] if print_link else []),
        stdout=out,
    )
    return Tenant.objects.get(slug=slug), out.getvalue()


def owner_link(printed: str) -> str:
    found = LINK.search(printed)
    assert found, printed
    return found.group(0)


def first_trade(tenant: Tenant) -> tuple[str, dict[str, object]]:
    """What a new seller does first: a product with a price on the standard list and stock in
    the main warehouse, a buyer company with a ship-to; an API key and an order body."""
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    product = Product.objects.create(tenant=tenant, seller=seller, code="P-1", name_en="Tea")
    sku = Sku.objects.create(tenant=tenant, seller=seller, product=product, code="T-1")
    price_list = PriceList.objects.get(tenant=tenant, code="standard")
    PriceTier.objects.create(
        tenant=tenant, price_list=price_list, sku=sku, min_quantity=1, unit_price=Decimal("12.50")
    )
    stock.receive_stock(
        tenant_id=tenant.pk, warehouse_code="main", sku_id=sku.pk, quantity=10, reason="opening"
    )
    company = create_company(
        tenant_id=tenant.pk, code="C1", name="Kowloon Cafe", price_list_id=price_list.pk
    )
    ship_to = Location.objects.create(
        tenant=tenant,
        company=company,
        kind="ship_to",
        name="Shop",
        line1="1 Nathan Rd",
        city="Hong Kong",
        country="HK",
    )
    key = create_api_key(tenant=tenant, name="erp", scopes={"read", "write"}).secret
    body = {
        "company_id": company.pk,
        "ship_to_id": ship_to.pk,
        "lines": [{"sku": "T-1", "quantity": 2}],
    }
    return key, body


def operator_client() -> Client:
    user = User.objects.create_superuser("root", "root@platform.test", "operator password 1")
    client = Client()
    client.force_login(user)
    return client
