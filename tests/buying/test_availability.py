"""The availability words a buyer reads, against an independent table of the rule."""

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.buying.availability import FEW_LEFT, Availability, availability


def _reference(available: int, smallest: int, backorder: bool) -> str:
    enough = available >= max(smallest, 1)
    if not enough:
        return "backorder" if backorder else "unavailable"
    return "few_left" if available <= FEW_LEFT else "in_stock"


@given(st.integers(-50, 500), st.integers(1, 200), st.booleans())
def test_the_rule_matches_the_reference(available, smallest, backorder):
    assert availability(available, smallest, backorder).value == _reference(
        available, smallest, backorder
    )


def test_the_boundaries():
    assert availability(FEW_LEFT + 1, 1, False) is Availability.IN_STOCK
    assert availability(FEW_LEFT, 1, False) is Availability.FEW_LEFT
    assert availability(1, 1, False) is Availability.FEW_LEFT
    assert availability(0, 1, False) is Availability.UNAVAILABLE
    assert availability(0, 1, True) is Availability.BACKORDER
    assert availability(11, 12, False) is Availability.UNAVAILABLE  # less than a minimum order
    assert availability(12, 12, False) is Availability.IN_STOCK
    assert availability(10, 10, False) is Availability.FEW_LEFT


def test_only_unavailable_cannot_be_ordered():
    assert [a for a in Availability if not a.can_order] == [Availability.UNAVAILABLE]
