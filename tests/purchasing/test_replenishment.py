"""The replenishment rule alone (no database): the position, the lead time's forecast, the
reorder point's boundary, backorders without a rule, and rounding to packs and minimums,
each against an independent reference."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.purchasing import costs, replenishment
from dinghuo.purchasing.replenishment import Position


def test_below_the_point_by_one_unit_orders_the_reorder_quantity():
    at = Position(available=10, incoming=0, reorder_point=10, reorder_quantity=50)
    assert replenishment.need(at) is None  # at the point: nothing
    below = Position(available=9, incoming=0, reorder_point=10, reorder_quantity=50)
    assert replenishment.need(below) == replenishment.Need(50, "below_reorder_point")


def test_incoming_counts_as_stock():
    position = Position(available=2, incoming=8, reorder_point=10, reorder_quantity=50)
    assert replenishment.need(position) is None


def test_a_deep_shortfall_orders_more_than_the_reorder_quantity():
    position = Position(
        available=0, incoming=0, backordered=70, reorder_point=10, reorder_quantity=50
    )
    assert replenishment.need(position) == replenishment.Need(80, "below_reorder_point")


def test_the_forecast_is_the_daily_average_times_the_lead_time_rounded_up():
    position = Position(
        available=100, incoming=0, shipped_in_window=31, window_days=30, lead_time_days=10
    )
    assert replenishment.lead_demand(position) == 11  # 10.33 → 11
    ruled = Position(
        available=19,
        incoming=0,
        reorder_point=10,
        reorder_quantity=5,
        shipped_in_window=30,
        window_days=30,
        lead_time_days=10,
    )
    # 19 − 10 is below 10 (at 20 it would not be): the reorder quantity, 5.
    assert replenishment.need(ruled) == replenishment.Need(5, "below_reorder_point")
    assert replenishment.need(replace(ruled, available=20)) is None
    # At 5, back to the point takes 10 + 10 − 5 = 15, more than the 5.
    assert replenishment.need(replace(ruled, available=5)) == (
        replenishment.Need(15, "below_reorder_point")
    )
    # Without a rule nothing is forecast: only backorders ask.
    assert replenishment.need(Position(available=0, incoming=0, shipped_in_window=99)) is None


def test_backorders_without_a_rule_ask_for_what_stock_and_incoming_cannot_cover():
    assert replenishment.need(Position(available=3, incoming=4, backordered=7)) is None
    assert replenishment.need(Position(available=3, incoming=4, backordered=9)) == (
        replenishment.Need(2, "backorders")
    )


def test_packs_and_minimums():
    assert replenishment.rounded(1, pack_size=6, minimum=1) == 6
    assert replenishment.rounded(6, pack_size=6, minimum=1) == 6
    assert replenishment.rounded(7, pack_size=6, minimum=1) == 12
    assert replenishment.rounded(1, pack_size=1, minimum=10) == 10
    assert replenishment.rounded(1, pack_size=4, minimum=10) == 12  # minimum not a pack


def _reference_rounded(quantity: int, pack: int, minimum: int) -> int:
    """Count packs until there are enough."""
    packs = 1
    while packs * pack < max(quantity, minimum):
        packs += 1
    return packs * pack


@given(st.integers(1, 500), st.integers(1, 24), st.integers(1, 100))
def test_rounding_is_the_fewest_whole_packs_reaching_need_and_minimum(quantity, pack, minimum):
    assert replenishment.rounded(quantity, pack_size=pack, minimum=minimum) == (
        _reference_rounded(quantity, pack, minimum)
    )


positions = st.builds(
    Position,
    available=st.integers(-50, 500),
    incoming=st.integers(0, 500),
    backordered=st.integers(0, 300),
    reorder_point=st.none() | st.integers(0, 300),
    reorder_quantity=st.integers(1, 300),
    shipped_in_window=st.integers(0, 2000),
    window_days=st.integers(1, 90),
    lead_time_days=st.integers(0, 60),
)


def _reference_need(p: Position) -> int:
    """Simulate: add reorder quantities (or single units) until the position is safe."""
    stock = p.available + p.incoming - p.backordered
    demand = 0
    if p.reorder_point is not None:
        while demand * p.window_days < p.shipped_in_window * p.lead_time_days:
            demand += 1
        if stock - demand >= p.reorder_point:
            return 0
        ordered = p.reorder_quantity
        while stock + ordered - demand < p.reorder_point:
            ordered += 1
        return ordered
    ordered = 0
    while stock + ordered < 0:
        ordered += 1
    return ordered


@given(positions)
def test_the_need_matches_a_simulation(position):
    found = replenishment.need(position)
    assert (found.quantity if found else 0) == _reference_need(position)


@given(positions, st.integers(1, 24), st.integers(1, 50))
def test_a_suggestion_always_makes_the_position_safe(position, pack, minimum):
    found = replenishment.suggested(position, pack_size=pack, minimum=minimum)
    if found is None:
        return
    assert found.quantity % pack == 0 and found.quantity >= minimum
    after = replenishment.covered(position) + found.quantity
    if position.reorder_point is not None:
        assert after - replenishment.lead_demand(position) >= position.reorder_point
    else:
        assert after >= 0


def test_the_cost_of_a_quantity_is_its_tier():
    tiers = [{"min_quantity": 1, "unit_cost": "9.50"}, {"min_quantity": 100, "unit_cost": "8.00"}]
    assert str(costs.unit_cost(tiers, 99)) == "9.50"
    assert str(costs.unit_cost(tiers, 100)) == "8.00"
    assert costs.unit_cost([], 5) is None
