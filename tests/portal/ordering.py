"""Helpers for the ordering pages' tests: a signed-in buyer, a second company, a placed order."""

from dataclasses import dataclass
from typing import Any

from django.test import Client

from dinghuo.buying import services as buying
from dinghuo.catalog.models import Product, Sku
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.orders.models import Order
from dinghuo.pricing.models import PriceTier
from tests.builders import World, add_buyer


@dataclass
class SignedIn:
    member: CompanyUser
    client: Client

    def add(self, world: World, sku: str, quantity: int) -> None:
        """Put a line in this buyer's cart through the service the page uses."""
        buying.add_to_cart(
            tenant_id=world.tenant.pk,
            company_id=self.member.company_id,
            owner_id=self.member.pk,
            sku=sku,
            quantity=quantity,
        )

    def place(self, world: World, *lines: tuple[str, int], **extra: Any) -> Order:
        """Fill the cart and check it out as this buyer (the checkout page's service)."""
        for sku, quantity in lines:
            self.add(world, sku, quantity)
        ship_to = Location.objects.filter(company_id=self.member.company_id).first()
        assert ship_to is not None
        return buying.checkout_cart(
            tenant_id=world.tenant.pk,
            company_id=self.member.company_id,
            owner_id=self.member.pk,
            ship_to_id=ship_to.pk,
            placed_by_id=self.member.pk,
            **extra,
        )


def sign_in(
    world: World,
    email: str = "ann@buyer.test",
    role: str = "buyer",
    *,
    company: Company | None = None,
    spending_limit: str | None = None,
) -> SignedIn:
    """A buyer of the world's company (or `company`), signed in with a CSRF-checking client."""
    member, _ = add_buyer(world, email, role, company=company, spending_limit=spending_limit)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    return SignedIn(member, client)


def csrf_post(client: Client, path: str, data: Any = None, **kw: Any) -> Any:
    """POST as a browser does: first GET a page for the CSRF cookie, then send the token."""
    if "csrftoken" not in client.cookies:
        client.get("/catalogue/")
    token = client.cookies["csrftoken"].value
    return client.post(path, data or {}, HTTP_X_CSRFTOKEN=token, **kw)


def second_company(world: World, code: str = "C002") -> Company:
    """Another buyer company of the same tenant, on the same price list, with a ship-to."""
    company = Company.objects.create(
        tenant=world.tenant, code=code, name=f"Buyer {code}", price_list=world.price_list
    )
    Location.objects.create(
        tenant=world.tenant,
        company=company,
        kind="ship_to",
        name=f"Dock {code}",
        line1="2 Harbour Rd",
        city="Hong Kong",
        country="HK",
    )
    return company


def more_skus(world: World, count: int) -> None:
    """`count` more priced SKUs of the world's seller, each with a two-step ladder."""
    category = world.skus["A-1"].product.category
    for i in range(count):
        product = Product.objects.create(
            tenant=world.tenant,
            seller=world.seller,
            code=f"P-X{i}",
            name_en=f"Extra {i}",
            category=category,
        )
        sku = Sku.objects.create(
            tenant=world.tenant, seller=world.seller, product=product, code=f"X-{i}"
        )
        PriceTier.objects.bulk_create(
            [
                PriceTier(tenant=world.tenant, price_list=world.price_list, sku=sku,
                          min_quantity=1, unit_price="5.00"),
                PriceTier(tenant=world.tenant, price_list=world.price_list, sku=sku,
                          min_quantity=20, unit_price="4.50"),
            ]
        )  # fmt: skip
