"""The credit rule as a pure function (property-tested)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.customers import credit

money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
TODAY = date(2026, 11, 25)


def state(limit, orders=Decimal(0), invoices=Decimal(0), due=None, terms="net"):
    return credit.CreditState(limit, orders, invoices, due, terms)


@given(st.none() | money, money, money, money)
def test_blocked_for_limit_exactly_when_exposure_after_exceeds_it(limit, orders, invoices, amount):
    judged = credit.check(state(limit, orders, invoices), amount, TODAY, 0)
    over = limit is not None and orders + invoices + amount > limit
    assert (credit.OVER_LIMIT in judged.blocked) == over
    assert judged.uses_credit


@given(money, money, money)
def test_a_smaller_order_passes_whenever_a_larger_one_does(limit, orders, amount):
    big = credit.check(state(limit, orders), amount, TODAY, 0)
    small = credit.check(state(limit, orders), amount / 2, TODAY, 0)
    assert big.passed <= small.passed


@given(st.integers(0, 400), st.integers(0, 60))
def test_overdue_blocks_only_beyond_grace(days_late, grace):
    judged = credit.check(
        state(None, due=TODAY - timedelta(days=days_late)), Decimal(1), TODAY, grace
    )
    assert (credit.OVERDUE in judged.blocked) == (days_late > grace)
    assert (credit.OVERDUE_IN_GRACE in judged.flags) == (0 < days_late <= grace)


def test_examples():
    near = credit.check(state(Decimal(100), Decimal(80)), Decimal(10), TODAY, 0)
    assert near.passed and credit.NEAR_LIMIT in near.flags
    exactly = credit.check(state(Decimal(100), Decimal(80)), Decimal(20), TODAY, 0)
    assert exactly.passed  # reaching the limit is allowed; going over is not
    prepaid = credit.check(state(Decimal(0), terms="prepaid"), Decimal(10**6), TODAY, 0)
    assert prepaid.passed and not prepaid.uses_credit and credit.PREPAID in prepaid.flags
    over = state(Decimal(100), Decimal(95), due=TODAY - timedelta(days=3))
    judged = credit.check(over, Decimal(10), TODAY, 1)
    assert judged.blocked == (credit.OVER_LIMIT, credit.OVERDUE)
    text = str(credit.explain(judged, over, Decimal(10), TODAY, "HKD"))
    assert text == (
        "Credit: the order (10.00 HKD) would take exposure from 95.00 HKD over the credit "
        "limit of 100.00 HKD; payments are 3 days overdue"
    )
    assert credit.status(over, TODAY, 1) == "blocked"
    assert credit.status(state(None), TODAY, 0) == "ok"


def test_nothing_owed_is_not_near_a_zero_limit():
    assert credit.status(state(Decimal(0)), TODAY, 0) == "ok"
    assert credit.check(state(Decimal(0)), Decimal("0.01"), TODAY, 0).blocked == (
        credit.OVER_LIMIT,
    )
