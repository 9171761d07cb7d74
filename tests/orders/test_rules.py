"""Pure rules: tier prices, allocation, the transition table, money rounding."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.core.money import minor_units, round_money
from dinghuo.inventory.allocation import Level, Want, allocate
from dinghuo.orders.states import TRANSITIONS, Action, OrderStatus, allowed_targets
from dinghuo.pricing.tiers import check_tiers, unit_price_for

prices = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
ladders = st.dictionaries(st.integers(1, 1000), prices, min_size=1, max_size=6).map(
    lambda d: sorted(d.items())
)


@given(ladders, st.integers(1, 5000))
def test_tier_price_is_that_of_the_highest_reached_minimum(ladder, quantity):
    reached = [price for minimum, price in ladder if minimum <= quantity]
    assert unit_price_for(ladder, quantity) == (reached[-1] if reached else None)


def test_check_tiers():
    assert check_tiers([(1, Decimal(2)), (10, Decimal(1))]) == []
    assert check_tiers([(1, Decimal(2)), (1, Decimal(1))]) == [
        "tiers[1]: min_quantity must be higher than the tier before"
    ]
    assert check_tiers([(0, Decimal(-1))]) == [
        "tiers[0]: min_quantity must be at least 1",
        "tiers[0]: unit_price must not be negative",
    ]


wants = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 30), st.booleans()), min_size=1, max_size=8
)
levels = st.lists(st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(0, 40)), max_size=6)


@given(wants, levels)
def test_allocation_never_takes_more_than_available(raw_wants, raw_levels):
    unique_levels = {(sku, wh): qty for sku, wh, qty in raw_levels}
    levels_ = [Level(wh, sku, qty) for (sku, wh), qty in unique_levels.items()]
    wants_ = [Want(i, sku, qty, backorder) for i, (sku, qty, backorder) in enumerate(raw_wants)]
    plan = allocate(wants_, levels_)
    taken: dict[tuple[int, int], int] = {}
    for a in plan.allocations:
        taken[(a.sku_id, a.warehouse_id)] = taken.get((a.sku_id, a.warehouse_id), 0) + a.quantity
    for key, quantity in taken.items():
        assert quantity <= unique_levels[key]
    short = {s.index for s in plan.shortages}
    for want in wants_:
        got = sum(a.quantity for a in plan.allocations if a.index == want.index)
        if want.index in short:
            assert got == 0 and not want.backorder
        else:
            assert got + plan.backordered.get(want.index, 0) == want.quantity


def test_transition_table():
    assert allowed_targets(OrderStatus.PLACED, Action.CONFIRM) == {OrderStatus.CONFIRMED}
    assert allowed_targets(OrderStatus.SHIPPED, Action.CANCEL) == frozenset()
    terminal = {OrderStatus.DELIVERED, OrderStatus.CANCELLED}
    assert not [key for key in TRANSITIONS if key[0] in terminal]


@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=6, allow_nan=False, allow_infinity=False
    ),
    st.sampled_from(["USD", "JPY", "KWD", "TWD", "CLF"]),
)
def test_rounding_to_minor_units(amount, currency):
    rounded = round_money(amount, currency)
    assert -rounded.as_tuple().exponent == minor_units(currency)  # type: ignore[operator]
    assert abs(rounded - amount) <= Decimal(1).scaleb(-minor_units(currency)) / 2
