"""The count's transition table, pinned move by move."""

import pytest

from dinghuo.stocktaking.count_states import (
    TRANSITIONS,
    CountStatus,
    is_final,
    may_count,
    may_move,
)

S = CountStatus
ALLOWED = {
    (S.OPEN, S.COUNTING),
    (S.OPEN, S.CANCELLED),
    (S.COUNTING, S.IN_REVIEW),
    (S.COUNTING, S.CANCELLED),
    (S.IN_REVIEW, S.COUNTING),
    (S.IN_REVIEW, S.POSTED),
    (S.IN_REVIEW, S.CANCELLED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_each_move_is_allowed_exactly_when_the_table_says(current, target):
    assert may_move(current, target) == ((current, target) in ALLOWED)


def test_the_table_has_every_status_and_nothing_leaves_posted_or_cancelled():
    assert set(TRANSITIONS) == set(S)
    assert TRANSITIONS[S.POSTED] == TRANSITIONS[S.CANCELLED] == frozenset()
    assert [s for s in S if is_final(s)] == [S.POSTED, S.CANCELLED]


def test_quantities_are_typed_only_while_open_or_counting():
    assert [s for s in S if may_count(s)] == [S.OPEN, S.COUNTING]


def test_unknown_statuses_never_move():
    assert not may_move("draft", "open")
    assert not may_move("open", "done")
