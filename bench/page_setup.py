"""The people of the pages phase, set up by a child process of `bench.pages` (Django
configured): a buyer with a password, a cart of 20 lines and at least 30 orders, and a staff
member.

    python -m bench.page_setup --world W --out O    (run by bench.pages; DATABASE_URL set)

The buyer's company is the first of the world file that buys from its base list alone, with
no assortment and no SKU terms: it can order every SKU, and its pages cost what a plain
buyer's do, whatever other phases (or earlier runs on this database) added. Writes the
password and the company's code to --out.
"""

import argparse
import json
import secrets
from pathlib import Path
from typing import Any

EMAIL = "bench.buyer@bench.example"
STAFF_EMAIL = "bench.staff@bench.example"


def _plain_company(world: dict[str, Any]) -> Any:
    """The first company of the world file that buys from its base list alone, with no
    assortment and no SKU terms (see above why)."""
    from dinghuo.customers.models import Company
    from dinghuo.pricing.queries import company_pricing

    tenant = world["tenant_id"]
    for company_id, _ in world["companies"]:
        pricing = company_pricing(tenant, company_id)
        if len(pricing.offers) == 1 and not pricing.has_assortment and not pricing.has_terms:
            return Company.objects.get(tenant_id=tenant, pk=company_id)
    raise RuntimeError("no company of the world file buys from its base list alone: load anew")


def _buyer(world: dict[str, Any], company: Any, password: str) -> None:
    """The buyer of `company` signs in with `password` and has a cart of 20 lines and at
    least 30 orders."""
    from django.contrib.auth import get_user_model

    from dinghuo.buying import services as buying
    from dinghuo.customers.models import CompanyUser, Location
    from dinghuo.orders.models import Order
    from dinghuo.orders.services import LineRequest, place_order

    tenant, skus = world["tenant_id"], world["skus"]
    user, _ = get_user_model().objects.get_or_create(
        username=EMAIL, defaults={"email": EMAIL, "first_name": "Bench"}
    )
    user.set_password(password)
    user.save()
    # Updated, not only created: an earlier run on this database may have picked another.
    member, _ = CompanyUser.objects.update_or_create(
        user=user, defaults={"tenant_id": tenant, "company": company, "role": "admin"}
    )
    for code in skus[:20]:
        buying.add_to_cart(
            tenant_id=tenant, company_id=company.pk, owner_id=member.pk, sku=code, quantity=1
        )
    ship_tos = Location.objects.filter(company=company, kind="ship_to")
    ship_to = ship_tos.values_list("id", flat=True)[0]
    for n in range(max(0, 30 - Order.objects.filter(company=company).count())):
        place_order(
            tenant_id=tenant,
            company_id=company.pk,
            ship_to_id=ship_to,
            lines=[LineRequest(skus[(n * 7 + k) % len(skus)], 1 + k) for k in range(5)],
        )


def main() -> None:
    """Entry point of the child: set the people up, write how they sign in to --out."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from dinghuo.backoffice.models import StaffMember

    call_command("migrate", verbosity=0)  # a reused database may predate the newest tables
    world = json.loads(args.world.read_text())
    company = _plain_company(world)
    password = secrets.token_urlsafe(16)
    with transaction.atomic():
        _buyer(world, company, password)
        staff, _ = get_user_model().objects.get_or_create(
            username=STAFF_EMAIL, defaults={"email": STAFF_EMAIL, "first_name": "Bench"}
        )
        staff.set_password(password)
        staff.save()
        StaffMember.objects.get_or_create(user=staff, defaults={"tenant_id": world["tenant_id"]})
    login = {"email": EMAIL, "password": password, "company": company.code}
    args.out.write_text(json.dumps(login))


if __name__ == "__main__":
    main()
