"""The rule for stock that moves during a count, against a simulation of the shelf."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinghuo.stocktaking.count_rules import (
    Counted,
    adjustments,
    on_hand_after_posting,
    variance,
    variance_value,
)

moves = st.lists(st.integers(-50, 50), max_size=6)
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _shelf(start: int, error: int, before: list[int], after: list[int]) -> tuple[int, int, int]:
    """A reference walk: the ledger and the shelf start apart by `error` (units lost or found
    unrecorded); every recorded movement moves both. Answers (the ledger when counted, the
    shelf when counted, the shelf at posting time)."""
    ledger, shelf = start, start + error
    for m in before:
        ledger, shelf = ledger + m, shelf + m
    at_count_ledger, at_count_shelf = ledger, shelf
    for m in after:
        shelf += m
    return at_count_ledger, at_count_shelf, shelf


@RELAXED
@given(st.integers(0, 1000), st.integers(-100, 100), moves, moves)
def test_after_posting_on_hand_is_the_shelf_whatever_moved_since_counting(
    start, error, before, after
):
    at_count_ledger, at_count_shelf, shelf_now = _shelf(start, error, before, after)
    ledger_now = at_count_ledger + sum(after)
    line = Counted(counted=at_count_shelf, on_hand_at_count=at_count_ledger)
    assert on_hand_after_posting(ledger_now, line) == shelf_now
    assert variance(line) == error


@RELAXED
@given(st.integers(0, 1000), st.integers(0, 1000), moves)
def test_the_count_never_overwrites_on_hand(counted, at_count, after):
    line = Counted(counted, at_count)
    now = at_count + sum(after)
    assert on_hand_after_posting(now, line) - now == counted - at_count


def test_exact_boundaries():
    assert variance(Counted(0, 0)) == 0
    assert variance(Counted(0, 5)) == -5
    assert variance(Counted(7, 5)) == 2
    # 3 sold between counting (ledger 10, shelf 8) and posting: 7 − 2 = 5 on the shelf.
    assert on_hand_after_posting(7, Counted(8, 10)) == 5


def test_value_at_cost_only_when_there_is_a_cost():
    assert variance_value(Counted(3, 5), Decimal("2.50")) == Decimal("-5.00")
    assert variance_value(Counted(3, 5), None) is None


@RELAXED
@given(st.lists(st.one_of(st.none(), st.tuples(st.integers(0, 9), st.integers(0, 9)))))
def test_adjustments_are_the_counted_lines_that_differ(lines):
    keyed = [(i, None if x is None else Counted(*x)) for i, x in enumerate(lines)]
    expected = [(i, x[0] - x[1]) for i, x in enumerate(lines) if x is not None and x[0] != x[1]]
    assert adjustments(keyed) == expected
