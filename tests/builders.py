"""A small, complete tenant for tests: seller, warehouses, SKUs with tiers, a company, a key."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core.models import Seller, Tenant
from dinghuo.core.services import create_api_key, create_tenant
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Warehouse
from dinghuo.pricing.models import PriceList, PriceTier


@dataclass
class World:
    tenant: Tenant
    seller: Seller
    price_list: PriceList
    company: Company
    ship_to: Location
    warehouses: list[Warehouse]
    skus: dict[str, Sku]
    key: str
    read_key: str
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, key: str | None = None) -> "ApiClient":
        return ApiClient(key or self.key)

    def order_body(self, *lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
        return {
            "company_id": self.company.pk,
            "ship_to_id": self.ship_to.pk,
            "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines],
            **extra,
        }


class ApiClient:
    """Django's test client speaking JSON with an API key."""

    def __init__(self, key: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(
        self, path: str, body: Any = None, *, key: str | None = None, raw: bytes | None = None
    ) -> Any:
        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        data: Any = raw if raw is not None else ("" if body is None else body)
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=headers
        )

    def send(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.generic(
            method,
            f"/api/v1{path}",
            data=b"" if body is None else body,
            content_type="application/json",
            headers={**self.headers, **kw},
        )

    def place(self, body: dict[str, Any], key: str = "k1") -> Any:
        return self.post("/orders", body, key=key)


def build_world(slug: str = "acme", *, stock_per_sku: int = 100, currency: str = "USD") -> World:
    """A tenant with 2 warehouses, 4 SKUs (tiers on A-1), a company with a ship-to, two keys."""
    # Offering every language, so that pages in each can be tested (core.tenant_locale).
    tenant = create_tenant(
        slug=slug,
        name=f"{slug.title()} Wholesale",
        base_currency=currency,
        languages=("en", "zh-hant", "zh-hans"),
    )
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    main = Warehouse.objects.create(tenant=tenant, code="main", name="Main", priority=1)
    north = Warehouse.objects.create(tenant=tenant, code="north", name="North", priority=2)
    price_list = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Standard", currency=currency
    )
    category = Category.objects.create(tenant=tenant, code="tools", name_en="Tools")
    skus: dict[str, Sku] = {}
    specs = [
        ("A-1", {}, [(1, "10.00"), (10, "9.00"), (100, "8.00")]),
        ("B-2", {"min_order_quantity": 6, "pack_size": 6}, [(1, "2.50")]),
        ("C-3", {}, [(1, "0.3333")]),
        ("D-4", {"backorder": True}, [(1, "100.00")]),
    ]
    for code, opts, tiers in specs:
        product = Product.objects.create(
            tenant=tenant,
            seller=seller,
            code=f"P-{code}",
            name_en=f"Product {code}",
            name_zh_hant=f"產品 {code}",
            category=category,
            allow_backorder=bool(opts.get("backorder")),
        )
        sku = Sku.objects.create(
            tenant=tenant,
            seller=seller,
            product=product,
            code=code,
            name_en=f"Item {code}",
            min_order_quantity=int(opts.get("min_order_quantity", 1)),
            pack_size=int(opts.get("pack_size", 1)),
        )
        for min_qty, price in tiers:
            PriceTier.objects.create(
                tenant=tenant,
                price_list=price_list,
                sku=sku,
                min_quantity=min_qty,
                unit_price=Decimal(price),
            )
        if stock_per_sku and code != "D-4":
            stock.receive_stock(
                tenant_id=tenant.pk,
                warehouse_code="main",
                sku_id=sku.pk,
                quantity=stock_per_sku,
                reason="opening",
            )
        skus[code] = sku
    company = Company.objects.create(
        tenant=tenant, code="C001", name="Buyer One", price_list=price_list
    )
    ship_to = Location.objects.create(
        tenant=tenant,
        company=company,
        kind="ship_to",
        name="Dock 1",
        line1="1 Harbour Rd",
        city="Hong Kong",
        country="HK",
    )
    key = create_api_key(tenant=tenant, name="test", scopes={"read", "write"}).secret
    read_key = create_api_key(tenant=tenant, name="ro", scopes={"read"}).secret
    return World(tenant, seller, price_list, company, ship_to, [main, north], skus, key, read_key)


def add_buyer(
    world: World,
    email: str,
    role: str = "buyer",
    *,
    spending_limit: str | None = None,
    company: Company | None = None,
) -> tuple[CompanyUser, ApiClient]:
    """A person of the world's company (or `company`) with a buyer API key acting as them."""
    user = User.objects.create_user(username=email, email=email, first_name=email.split("@")[0])
    member = CompanyUser.objects.create(
        tenant=world.tenant,
        company=company or world.company,
        user=user,
        role=role,
        spending_limit=None if spending_limit is None else Decimal(spending_limit),
    )
    key = create_api_key(
        tenant=world.tenant, name=email, scopes={"read", "write"}, company_user_id=member.pk
    )
    return member, ApiClient(key.secret)
