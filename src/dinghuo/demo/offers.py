"""The demo's customer-specific prices, made through the pricing and customer services: a
customer group of key accounts that buys on the wholesale list first, a group with a member
company (集團), contract prices for one key account, a running promotion on one category, and
an assortment that limits what one company sees. So `GET /companies/{id}/price-explanation`
has something to explain.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from dinghuo.catalog.models import Category
from dinghuo.core.models import Tenant
from dinghuo.customers.services import create_customer_group, update_company
from dinghuo.demo.buyers import Buyer
from dinghuo.demo.catalogue import SkuInfo
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList, PriceTier

CONTRACT_DISCOUNT = Decimal("0.92")


@dataclass(frozen=True)
class Offers:
    """Which demo company shows what, for the printout."""

    shows: dict[str, str]


def set_up_prices(
    *,
    tenant: Tenant,
    buyers: list[Buyer],
    price_lists: dict[str, PriceList],
    skus: list[SkuInfo],
    history_start: datetime,
    rng: random.Random,
) -> Offers:
    """Groups, assigned list, contracts and a promotion: before the history, so its orders
    are priced by them."""
    t = tenant.pk
    key_accounts = create_customer_group(tenant_id=t, code="key-accounts", name="Key accounts")
    retail = sorted(
        (b for b in buyers if b.price_list_code == "retail-hkd"), key=lambda b: b.company.code
    )
    members = retail[:4]
    for buyer in members:
        update_company(tenant_id=t, company_id=buyer.company.pk, group_ids=[key_accounts.pk])
    pricing.assign_price_list(
        tenant_id=t,
        price_list_id=price_lists["wholesale-hkd"].pk,
        customer_group_id=key_accounts.pk,
        priority=10,
    )
    shows = {
        b.company.code: "key-account prices (wholesale list through its group)" for b in members
    }
    if len(retail) > 5:
        parent, member = retail[4], retail[5]
        update_company(tenant_id=t, company_id=member.company.pk, parent_id=parent.company.pk)
        shows[member.company.code] = f"a parent company ({parent.company.code}, 集團)"

    if members:
        contracted = members[0]
        shows[contracted.company.code] += " and contract prices on 15 SKUs"
        _contracts(t, contracted, price_lists, skus, history_start.date(), rng)

    food = Category.objects.filter(tenant=tenant, code="food").first()
    if food is not None:
        pricing.create_promotion(
            tenant_id=t,
            code="food-fair",
            name="Food fair: 10% off food",
            kind="percent",
            value=Decimal(10),
            starts_at=history_start + timedelta(days=90),
            ends_at=history_start + timedelta(days=150),
            targets=pricing.PromotionTargets(
                category_ids=[food.pk], sku_ids=[], customer_group_ids=[]
            ),
        )
    return Offers(shows)


def _contracts(
    tenant_id: int,
    buyer: Buyer,
    price_lists: dict[str, PriceList],
    skus: list[SkuInfo],
    start: date,
    rng: random.Random,
) -> None:
    """Contract prices 8% under the company's best list price on SKUs it is likely to buy."""
    families = set(buyer.families)
    candidates = [i for i in skus if i.orderable and i.family in families]
    chosen = rng.sample(candidates, min(15, len(candidates)))
    ids = [i.sku.pk for i in chosen]
    best = dict(
        PriceTier.objects.filter(
            price_list=price_lists["wholesale-hkd"], sku_id__in=ids, min_quantity=1
        ).values_list("sku_id", "unit_price")
    )
    for info in chosen:
        price = best.get(info.sku.pk)
        if price is None:
            continue
        pricing.create_contract_price(
            tenant_id=tenant_id,
            company_id=buyer.company.pk,
            sku_id=info.sku.pk,
            valid_from=start,
            valid_until=start + timedelta(days=365),
            tiers=[(1, (price * CONTRACT_DISCOUNT).quantize(Decimal("0.01")))],
            reference=f"K-{buyer.spec.code[:6]}-2026",
        )


def limit_assortment(*, tenant: Tenant, buyers: list[Buyer]) -> dict[str, str]:
    """After the history: one company sees only its two main families (its earlier orders
    stand)."""
    bakery = next((b for b in sorted(buyers, key=lambda b: b.company.code)), None)
    if bakery is None:
        return {}
    family_codes = sorted(f for f, _ in Counter(bakery.families).most_common(2))
    categories = list(
        Category.objects.filter(tenant=tenant, code__in=family_codes).values_list("id", flat=True)
    )
    pricing.create_assortment(
        tenant_id=tenant.pk,
        code=f"range-{bakery.company.code.lower()}",
        name=f"Range of {bakery.company.name}",
        members=pricing.AssortmentMembers(
            category_ids=categories,
            sku_ids=[],
            company_ids=[bakery.company.pk],
            customer_group_ids=[],
        ),
    )
    return {bakery.company.code: f"an assortment (sees only {', '.join(family_codes)})"}
