"""The demo seller keeps its books in Hong Kong dollars and a rate a business day for the
other currencies, believable and the same at every load; its orders in US dollars find the
rate of their day."""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from dinghuo.core.models import Seller
from dinghuo.demo import HISTORY_DAYS
from dinghuo.demo.loader import Scale, load_demo
from dinghuo.demo.rates import LEVELS, RATE_DAYS, business_days, set_up_rates, walk
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order
from dinghuo.pricing import queries
from dinghuo.pricing.models import ExchangeRate, PriceList
from tests.builders import build_world

FRIDAY = date(2026, 3, 20)


def test_rates_are_kept_for_weekdays_of_the_last_half_year():
    days = business_days(FRIDAY)
    assert days[-1] == FRIDAY and days[0] >= FRIDAY - timedelta(RATE_DAYS - 1)
    assert {d.weekday() for d in days} == {0, 1, 2, 3, 4}
    assert len(days) == 130  # 180 days: 25 weeks and 5 days
    assert RATE_DAYS > HISTORY_DAYS


@pytest.mark.parametrize("currency", list(LEVELS))
def test_each_rate_stays_near_its_real_level_and_moves_a_little_a_day(currency):
    level, _move, places, lowest, highest = LEVELS[currency]
    rates = [r for _, r in walk(currency, business_days(FRIDAY), random.Random(currency))]
    assert all(lowest <= r <= highest for r in rates)
    assert all(-r.as_tuple().exponent == places for r in rates)  # type: ignore[operator]
    assert abs(sum(rates) / len(rates) - level) / level < Decimal("0.03")
    steps = [abs(b - a) / a for a, b in pairwise(rates)]
    assert max(steps) < Decimal("0.02")  # no day jumps by 2%
    assert len(set(rates)) > len(rates) // 2  # but they do move


def test_the_usd_rate_keeps_to_the_peg():
    assert LEVELS["USD"][3:] == (Decimal("7.75"), Decimal("7.85"))
    assert LEVELS["USD"][0] == Decimal("7.80")


@pytest.mark.django_db
def test_the_rates_are_the_same_at_every_load_and_written_at_once():
    first = build_world("one", currency="HKD")
    second = build_world("two", currency="HKD")
    for world in (first, second):
        count = set_up_rates(tenant=world.tenant, seller=world.seller, today=FRIDAY, seed=7)
        assert count == 130 * len(LEVELS)

    def kept(world):
        return list(
            ExchangeRate.objects.filter(seller=world.seller)
            .order_by("currency", "day")
            .values_list("currency", "day", "rate", "source")
        )

    assert kept(first) == kept(second)
    assert {source for *_, source in kept(first)} == {"demo"}
    assert Event.objects.filter(type="exchange_rates.updated").count() == 2


SKUS, ORDERS = 60, 40


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small demo, loaded once for the module and rolled back at the end."""
    with (
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        load_demo(scale=Scale(SKUS, ORDERS))
        yield
        transaction.set_rollback(True)


def test_the_demo_seller_keeps_its_books_in_hkd_with_rates_for_its_other_currencies(demo, db):
    seller = Seller.objects.get(tenant__slug="demo", is_primary=True)
    assert seller.base_currency == "HKD"
    in_use = set(PriceList.objects.filter(seller=seller).values_list("currency", flat=True))
    assert in_use - {"HKD"} <= set(LEVELS)
    found = queries.currencies_in_use(seller, timezone.localdate())
    assert found and not any(c.missing or c.stale for c in found)


def test_every_demo_order_in_a_foreign_currency_froze_the_rate_of_its_day(demo, db):
    seller = Seller.objects.get(tenant__slug="demo", is_primary=True)
    orders = Order.objects.filter(seller=seller).exclude(currency="HKD")
    assert orders.count() > 0
    currencies = Counter(orders.values_list("currency", flat=True))
    assert set(currencies) == {"USD"}
    for order in orders:
        rate = queries.rate_on(seller, order.currency, order.placed_at.date())
        assert rate is not None and order.fx_rate == rate, order.number


def test_usd_money_froze_the_rate_of_its_day_and_its_difference_follows_the_rates(demo, db):
    """Invoices and payments in US dollars keep the rate of the day they were issued or
    received; what a payment settles of an invoice differs in HKD by its amount times the
    two rates' difference (to the cent of each side's rounding)."""
    from dinghuo.billing.models import Allocation, Invoice, Payment

    seller = Seller.objects.get(tenant__slug="demo", is_primary=True)
    invoices = Invoice.objects.filter(seller=seller, currency="USD")
    payments = Payment.objects.filter(seller=seller, currency="USD")
    assert invoices.exists() and payments.exists()
    for invoice in invoices:
        assert invoice.fx_rate == queries.rate_on(seller, "USD", invoice.issued_on)
    for payment in payments:
        assert payment.fx_rate == queries.rate_on(seller, "USD", payment.received_on)
    settled = Allocation.objects.filter(payment__in=payments, invoice__isnull=False).select_related(
        "payment", "invoice"
    )
    differences = []
    for allocation in settled:
        moved = allocation.amount * (allocation.payment.fx_rate - allocation.invoice.fx_rate)
        assert abs(allocation.exchange_difference - moved) <= Decimal("0.02"), allocation.pk
        differences.append(allocation.exchange_difference)
    assert any(differences)
