"""The exchange-rate arithmetic of `pricing/fx.py`, property-tested against a reference in
exact fractions and whole minor units (never the module under test), and its boundaries
pinned: what a rate may be, which rate holds on a day, and parts that add up to the whole."""

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.core.money import minor_units
from dinghuo.pricing.fx import (
    MAX_RATE,
    ONE,
    base_part,
    convert,
    rate_of_day,
    rate_problem,
    to_base,
)

D = Decimal
CURRENCIES = ["USD", "HKD", "JPY", "KWD", "CNY", "EUR"]


def _half_up(x: Fraction, places: int) -> Fraction:
    """x rounded half up (away from zero) to `places` decimals, exactly."""
    scale = 10**places
    whole = math.floor(abs(x) * scale + Fraction(1, 2))
    return Fraction(whole if x >= 0 else -whole, scale)


def _exact_base(amount: Decimal, rate: Decimal, currency: str) -> Fraction:
    return _half_up(Fraction(amount) * Fraction(rate), minor_units(currency))


rates = st.decimals(
    min_value=D("0.0000000001"), max_value=MAX_RATE, places=10, allow_nan=False
).map(lambda r: r.normalize())
amounts = st.decimals(min_value=D("-10000000"), max_value=D("10000000"), places=2)
currencies = st.sampled_from(CURRENCIES)


# --- what a rate may be ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "problem"),
    [
        (D("7.8"), None),
        (D("0.0000000001"), None),  # the smallest: 10 decimals
        (D("0.1282051282"), None),
        (D("0.12820512820"), "rate_too_precise"),  # 11 decimals, even a trailing zero
        (D("0.00000000001"), "rate_too_precise"),
        (D("1E+3"), None),
        (MAX_RATE, None),
        (MAX_RATE + D("0.0000000001"), "rate_too_large"),
        (D(0), "rate_not_positive"),
        (D("-0.0000000001"), "rate_not_positive"),
        (D("NaN"), "rate_not_positive"),
        (D("sNaN"), "rate_not_positive"),
        (D("Infinity"), "rate_not_positive"),
    ],
)
def test_a_rate_is_above_zero_below_a_billion_with_ten_decimals_at_most(rate, problem):
    assert rate_problem(rate) == problem


@given(rates)
def test_every_rate_the_column_holds_is_accepted(rate):
    assert rate_problem(rate) is None


# --- the rate of a day ----------------------------------------------------------------------


MONDAY = date(2026, 3, 2)


def test_the_days_own_rate_wins_over_the_day_before():
    kept = [(MONDAY, D("7.80")), (MONDAY + timedelta(1), D("7.81"))]
    assert rate_of_day(kept, MONDAY + timedelta(1)) == D("7.81")
    assert rate_of_day(kept, MONDAY) == D("7.80")
    # a rate holds until the next one: the weekend keeps Friday's
    assert rate_of_day(kept, MONDAY + timedelta(5)) == D("7.81")
    # nothing before the first
    assert rate_of_day(kept, MONDAY - timedelta(1)) is None
    assert rate_of_day([], MONDAY) is None


@given(
    st.dictionaries(st.integers(0, 60), rates, max_size=20),
    st.integers(-5, 70),
)
def test_the_rate_of_a_day_is_the_latest_on_or_before_it(by_offset, offset):
    kept = [(MONDAY + timedelta(k), rate) for k, rate in by_offset.items()]
    earlier = [k for k in by_offset if k <= offset]
    expected = by_offset[max(earlier)] if earlier else None
    assert rate_of_day(kept, MONDAY + timedelta(offset)) == expected
    assert rate_of_day(list(reversed(kept)), MONDAY + timedelta(offset)) == expected


# --- converting -----------------------------------------------------------------------------


@given(amounts, rates, currencies)
def test_to_base_is_the_exact_product_rounded_half_up_once(amount, rate, base):
    assert Fraction(to_base(amount, rate, base)) == _exact_base(amount, rate, base)


def test_to_base_rounds_half_up_to_the_bases_minor_units():
    assert to_base(D("100.00"), D("7.80125"), "HKD") == D("780.13")  # 780.125 → up
    assert to_base(D("-100.00"), D("7.80125"), "HKD") == D("-780.13")  # away from zero
    assert to_base(D("100"), D("0.0521"), "JPY") == D("5")  # 5.21 yen → 5
    assert to_base(D("1.000"), D("0.3"), "KWD") == D("0.300")
    assert to_base(D("12.34"), ONE, "USD") == D("12.34")


@given(amounts, rates, rates, currencies)
def test_convert_goes_through_the_base_exactly_and_rounds_once(amount, from_rate, to_rate, to):
    exact = Fraction(amount) * Fraction(from_rate) / Fraction(to_rate)
    assert Fraction(convert(amount, from_rate, to_rate, to)) == _half_up(exact, minor_units(to))


def test_convert_at_the_same_rate_only_rounds():
    assert convert(D("10.005"), D("7.8"), D("7.8"), "USD") == D("10.01")
    # 100 USD at 7.8 HKD into CNY at 1.08 HKD: 722.222… → 722.22
    assert convert(D(100), D("7.8"), D("1.08"), "CNY") == D("722.22")


# --- parts that add up ----------------------------------------------------------------------


@given(
    st.lists(st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2), max_size=30),
    rates,
    currencies,
)
def test_the_base_parts_of_a_document_always_add_up_to_the_whole_in_base(parts, rate, base):
    settled = D(0)
    in_base = D(0)
    for part in parts:
        in_base += base_part(settled, part, rate, base)
        settled += part
    assert in_base == to_base(settled, rate, base)
    assert Fraction(in_base) == _exact_base(settled, rate, base)


def test_a_part_takes_what_rounding_left_over():
    # three cents at 0.5: alone each would be 0.005 → 0.01 (0.03 together), but the whole is
    # 0.015 → 0.02; by running totals the parts take 0.01, 0.00 and 0.01
    rate = D("0.5")
    parts = [D("0.01"), D("0.01"), D("0.01")]
    taken = []
    before = D(0)
    for part in parts:
        taken.append(base_part(before, part, rate, "USD"))
        before += part
    assert taken == [D("0.01"), D("0.00"), D("0.01")]
    assert sum(taken) == to_base(D("0.03"), rate, "USD") == D("0.02")
