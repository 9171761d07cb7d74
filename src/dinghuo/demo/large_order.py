"""The demo's one very large order in US dollars: a Taipei banquet caterer stocks up for the
wedding season in the last day or so of the history. The sales desk's rule is in Hong Kong
dollars; the order, some US$16,000, is worth about HK$125,000 at its rate, so it waits in the
seller staff's approval inbox with a reason that gives both amounts.

Its lines are the SKUs whose stock is worth most at the company's prices, part of each
one's stock, until they are worth a quarter more than the rule's amount (so a promotion on
some of them cannot pull the order under it); tax to the ship-to only adds to that.
"""

import math
import random
from datetime import timedelta
from decimal import Decimal

from dinghuo.demo.buyers import Buyer
from dinghuo.demo.catalogue import HKD_PER_USD, SkuInfo
from dinghuo.demo.terms import SALES_DESK_REVIEW
from dinghuo.orders.models import Order
from dinghuo.orders.services import LineRequest, place_order
from dinghuo.pricing.models import PriceTier

COMPANY = "FORMOSABQ"
SHOWS = "a large order in US dollars over the sales desk's HK$100,000 (waits for its approval)"
NOTE = "Wedding season: stock for our banquets of the next two months. 婚宴旺季備貨。"
# Placed well within the approval expiry (72 hours), so it still waits when the demo starts.
WAITING_SINCE = timedelta(hours=30)
MARGIN = Decimal("1.25")  # worth this much more than the rule's amount
CANDIDATES = 12  # the SKUs it may take, worth most first
LINE_SHARE = Decimal("0.2")  # no line is worth more than this share of the order
STOCK_SHARE = 2  # takes at most 1/2 of a SKU's stock still free

Tiers = list[tuple[int, Decimal]]  # (from quantity, unit price), lowest quantity first


def price_at(tiers: Tiers, quantity: int) -> Decimal:
    """The unit price of the highest tier `quantity` reaches (the first tier below it)."""
    return next((p for q, p in reversed(tiers) if q <= quantity), tiers[0][1])


def wanted(currency: str) -> Decimal:
    """What the order's lines should be worth in `currency` (HKD or USD)."""
    rate = HKD_PER_USD if currency == "USD" else Decimal(1)
    return SALES_DESK_REVIEW * MARGIN / rate


def _quantity(info: SkuInfo, tiers: Tiers, worth: Decimal) -> int:
    """Whole packs worth about `worth` at the first tier, within the stock it may take and at
    least the SKU's minimum (0: none)."""
    sku = info.sku
    packs = min(
        math.ceil(worth / tiers[0][1] / sku.pack_size),
        info.stock // STOCK_SHARE // sku.pack_size,
    )
    quantity = packs * sku.pack_size
    return quantity if quantity >= max(1, sku.min_order_quantity) else 0


def pick(
    pool: list[SkuInfo], tiers: dict[int, Tiers], target: Decimal
) -> list[tuple[SkuInfo, int]]:
    """Lines worth `target` or as near as the stock allows, each at most `LINE_SHARE` of it;
    the stock taken is promised (pure: no database)."""
    priced = [i for i in pool if i.sku.pk in tiers]
    ranked = sorted(priced, key=lambda i: (-i.stock * tiers[i.sku.pk][0][1], i.sku.pk))
    lines: list[tuple[SkuInfo, int]] = []
    worth = Decimal(0)
    for info in ranked[:CANDIDATES]:
        if worth >= target:
            break
        sku_tiers = tiers[info.sku.pk]
        quantity = _quantity(info, sku_tiers, min(target - worth, target * LINE_SHARE))
        if quantity:
            info.stock -= quantity
            worth += quantity * price_at(sku_tiers, quantity)
            lines.append((info, quantity))
    return lines


def lines_for(buyer: Buyer, pool: list[SkuInfo]) -> list[tuple[SkuInfo, int]]:
    """The large order's lines for `buyer` from its orderable `pool`, at its list's tiers."""
    tiers: dict[int, Tiers] = {}
    rows = (
        PriceTier.objects.filter(
            price_list_id=buyer.company.price_list_id, sku_id__in=[i.sku.pk for i in pool]
        )
        .order_by("sku_id", "min_quantity")
        .values_list("sku_id", "min_quantity", "unit_price")
    )
    for sku_id, min_quantity, unit_price in rows:
        tiers.setdefault(sku_id, []).append((min_quantity, unit_price))
    return pick(pool, tiers, wanted(buyer.currency))


def place(tenant_id: int, buyer: Buyer, pool: list[SkuInfo], rng: random.Random) -> Order | None:
    """Place the large order in the portal as the company's administrator (who has no
    spending limit, so only the seller's review applies); None when stock is too short."""
    lines = lines_for(buyer, pool)
    if not lines:
        return None
    return place_order(
        tenant_id=tenant_id,
        company_id=buyer.company.pk,
        ship_to_id=rng.choice(buyer.ship_to_ids),
        lines=[LineRequest(info.sku.code, quantity) for info, quantity in lines],
        purchase_order_number=f"{buyer.spec.code[:4]}-{rng.randint(10000, 99999)}",
        notes=NOTE,
        channel="portal",
        placed_by_id=buyer.users[0].pk,  # the first user administers the company
    )
