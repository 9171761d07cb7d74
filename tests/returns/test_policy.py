"""The return rules alone (no database): the window's last day, the fee's rounding, and
which requests a person must decide."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.returns import policy

D = Decimal


def test_the_window_ends_on_its_last_day_inclusive():
    rules = policy.Rules(window_days=30)
    delivered = date(2026, 3, 1)
    assert policy.last_day(delivered, rules) == date(2026, 3, 31)
    assert policy.within_window(delivered, date(2026, 3, 31), rules)
    assert not policy.within_window(delivered, date(2026, 4, 1), rules)
    # A window of 0 days: the day of delivery only.
    assert policy.within_window(delivered, delivered, policy.Rules(window_days=0))


def test_the_fee_is_rounded_half_up_to_the_currencys_minor_units():
    assert policy.restocking_fee(D("21.80"), D("15"), "USD") == D("3.27")
    assert policy.restocking_fee(D("0.10"), D("5"), "USD") == D("0.01")  # 0.005 → 0.01
    assert policy.restocking_fee(D("1250"), D("12.5"), "JPY") == D("156")  # 156.25
    assert policy.restocking_fee(D("99.99"), D("0"), "USD") == D("0.00")


@given(
    gross=st.decimals(min_value=0, max_value=10**9, places=2),
    percent=st.decimals(min_value=0, max_value=100, places=2),
)
def test_the_fee_never_exceeds_the_gross(gross, percent):
    fee = policy.restocking_fee(gross, percent, "USD")
    assert D(0) <= fee <= gross


def _asked(amount: str, reasons=("damaged",), categories=(1,)) -> policy.Asked:
    return policy.Asked(frozenset(categories), frozenset(reasons), D(amount))


def test_which_requests_wait_for_a_person():
    rules = policy.Rules(auto_approve_limit=D("100"), non_returnable_categories=frozenset({7}))
    assert policy.review_reasons(_asked("100.00"), rules) == []
    assert policy.review_reasons(_asked("100.01"), rules) == ["over_approval_limit"]
    assert policy.review_reasons(_asked("1", reasons=("other",)), rules) == ["reason_other"]
    assert policy.review_reasons(_asked("1", categories=(1, 7)), rules) == ["non_returnable"]
    assert policy.review_reasons(_asked("0"), policy.Rules()) == ["no_automatic_approval"]


def test_the_defaults_and_every_reason_at_once():
    assert (policy.DEFAULTS.window_days, policy.DEFAULTS.restocking_fee_percent) == (30, D(0))
    assert (policy.DEFAULTS.non_returnable_categories, policy.DEFAULTS.auto_approve_limit) == (
        frozenset(),
        None,
    )
    rules = policy.Rules(auto_approve_limit=D("10"), non_returnable_categories=frozenset({7}))
    everything = _asked("10.01", reasons=("other", "damaged"), categories=(7,))
    assert policy.review_reasons(everything, rules) == [
        "non_returnable",
        "reason_other",
        "over_approval_limit",
    ]
