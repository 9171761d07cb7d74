"""The demo seller's exchange rates: its books are in Hong Kong dollars, and it keeps a rate a
business day for the currencies it sells in (US dollars, the export list) and those its
customers in mainland China, Singapore, Taiwan, Japan and Europe might pay in, over the last
half year, set in one call to the rates service (one bulk write).

The rates wander around real-world levels by small daily moves, pulled back towards their
level; the US dollar stays inside the Hong Kong dollar's peg (7.75 to 7.85). They come from a
generator of their own, seeded from the demo's seed, so that they are the same at every load
and drawing them changes nothing else of the demo.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from dinghuo.core.models import Seller, Tenant
from dinghuo.pricing import services as pricing

BASE_CURRENCY = "HKD"
RATE_DAYS = 180  # more than the order history (`HISTORY_DAYS`): every order finds a rate
SATURDAY = 5
# Each day a rate moves back towards its level by this share of the gap: it drifts over weeks
# (a few percent over the half year) but never far.
PULL = Decimal("0.03")


# currency: (its level in HKD, the day's typical move as a share of the rate, decimals kept,
# lowest, highest)
LEVELS: dict[str, tuple[Decimal, float, int, Decimal, Decimal]] = {
    "USD": (Decimal("7.80"), 0.0004, 4, Decimal("7.75"), Decimal("7.85")),
    "CNY": (Decimal("1.08"), 0.0020, 4, Decimal("1.02"), Decimal("1.14")),
    "SGD": (Decimal("5.80"), 0.0025, 4, Decimal("5.50"), Decimal("6.10")),
    "TWD": (Decimal("0.24"), 0.0025, 5, Decimal("0.228"), Decimal("0.252")),
    "JPY": (Decimal("0.052"), 0.0040, 6, Decimal("0.048"), Decimal("0.056")),
    "EUR": (Decimal("8.40"), 0.0035, 4, Decimal("7.95"), Decimal("8.85")),
}


def business_days(today: date, days: int = RATE_DAYS) -> list[date]:
    """The weekdays of the `days` days up to `today`, oldest first (banks publish no rate on
    a weekend; Friday's holds until Monday's)."""
    first = today - timedelta(days=days - 1)
    every = (first + timedelta(days=n) for n in range(days))
    return [day for day in every if day.weekday() < SATURDAY]


def walk(currency: str, days: list[date], rng: random.Random) -> list[tuple[date, Decimal]]:
    """A rate for each day: yesterday's, moved by a small random step and a little back
    towards the level (`PULL`), kept within the currency's band."""
    level, move, places, lowest, highest = LEVELS[currency]
    step = Decimal(1).scaleb(-places)
    rate = level
    found = []
    for day in days:
        change = Decimal(str(round(rng.gauss(0, move), 6)))
        rate = rate * (1 + change) + (level - rate) * PULL
        rate = min(max(rate, lowest), highest).quantize(step)
        found.append((day, rate))
    return found


def set_up_rates(*, tenant: Tenant, seller: Seller, today: date, seed: int) -> int:
    """Set the seller's rates of the last `RATE_DAYS` days for every currency of `LEVELS`;
    returns how many."""
    rng = random.Random(f"demo-exchange-rates-{seed}")
    days = business_days(today)
    rates = [
        (currency, day, rate) for currency in LEVELS for day, rate in walk(currency, days, rng)
    ]
    done = pricing.set_rates(
        tenant_id=tenant.pk, seller_slug=seller.slug, rates=rates, source="demo"
    )
    return len(done.rates)
