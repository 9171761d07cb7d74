"""A purchase order's transition table, pinned one transition at a time, and the two
numbers the services read from it: the approval limit and the over-delivery tolerance."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.purchasing import po_states
from dinghuo.purchasing.po_states import PoAction as A
from dinghuo.purchasing.po_states import PoStatus as S

ALLOWED = {
    (S.DRAFT, A.SUBMIT): S.AWAITING_APPROVAL,
    (S.DRAFT, A.SUBMIT_APPROVED): S.APPROVED,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.AWAITING_APPROVAL, A.APPROVE): S.APPROVED,
    (S.AWAITING_APPROVAL, A.REJECT): S.DRAFT,
    (S.AWAITING_APPROVAL, A.CANCEL): S.CANCELLED,
    (S.APPROVED, A.SEND): S.SENT,
    (S.APPROVED, A.CLOSE): S.CLOSED,
    (S.SENT, A.CONFIRM): S.CONFIRMED,
    (S.SENT, A.RECEIVE_PART): S.PARTIALLY_RECEIVED,
    (S.SENT, A.RECEIVE_ALL): S.RECEIVED,
    (S.SENT, A.CLOSE): S.CLOSED,
    (S.CONFIRMED, A.CONFIRM): S.CONFIRMED,
    (S.CONFIRMED, A.RECEIVE_PART): S.PARTIALLY_RECEIVED,
    (S.CONFIRMED, A.RECEIVE_ALL): S.RECEIVED,
    (S.CONFIRMED, A.CLOSE): S.CLOSED,
    (S.PARTIALLY_RECEIVED, A.CONFIRM): S.PARTIALLY_RECEIVED,
    (S.PARTIALLY_RECEIVED, A.RECEIVE_PART): S.PARTIALLY_RECEIVED,
    (S.PARTIALLY_RECEIVED, A.RECEIVE_ALL): S.RECEIVED,
    (S.PARTIALLY_RECEIVED, A.CLOSE): S.CLOSED,
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
def test_each_transition_is_allowed_exactly_as_the_table_says(status, action):
    assert po_states.target(status, action) == ALLOWED.get((status, action))


def test_finished_orders_take_no_action():
    for status in (S.RECEIVED, S.CLOSED, S.CANCELLED):
        assert po_states.allowed_actions(status) == []


def test_the_actions_offered_name_one_submit():
    assert po_states.allowed_actions(S.DRAFT) == ["submit", "cancel"]
    assert po_states.allowed_actions(S.SENT) == ["confirm", "receive_part", "receive_all", "close"]


def test_incoming_counts_only_orders_the_supplier_owes():
    assert {S.APPROVED, S.SENT, S.CONFIRMED, S.PARTIALLY_RECEIVED} == po_states.OPEN_STATUSES


def test_the_approval_limit_itself_approves_on_submit():
    limit = Decimal("1000.00")
    need = po_states.needs_approval
    assert not need(Decimal("1000.00"), "USD", limit=limit, base_currency="USD")
    assert need(Decimal("1000.01"), "USD", limit=limit, base_currency="USD")
    assert not need(Decimal(10**9), "USD", limit=None, base_currency="USD")
    # Another currency than the base: a person decides, whatever the amount.
    assert need(Decimal("1.00"), "EUR", limit=limit, base_currency="USD")
    assert not need(Decimal("1.00"), "EUR", limit=None, base_currency="USD")
    # A limit of 0 approves only orders worth nothing.
    assert not need(Decimal(0), "USD", limit=Decimal(0), base_currency="USD")
    assert need(Decimal("0.01"), "USD", limit=Decimal(0), base_currency="USD")


def test_the_tolerance_rounds_down_to_whole_units():
    assert po_states.over_delivery_limit(15, Decimal(10)) == 16  # 1.5 → 1
    assert po_states.over_delivery_limit(10, Decimal(10)) == 11
    assert po_states.over_delivery_limit(9, Decimal(10)) == 9  # 0.9 → 0
    assert po_states.over_delivery_limit(10, Decimal(0)) == 10
    assert po_states.over_delivery_limit(7, Decimal(100)) == 14


@given(ordered=st.integers(1, 10**6), percent=st.decimals(0, 100, places=2))
def test_the_tolerance_is_the_largest_whole_number_within_the_percent(ordered, percent):
    most = po_states.over_delivery_limit(ordered, percent)
    # Independent: the largest n with (n − ordered) × 100 ≤ ordered × percent.
    assert (most - ordered) * 100 <= ordered * percent < (most + 1 - ordered) * 100


def test_a_receipt_finishes_the_order_when_every_line_has_all_it_ordered():
    assert po_states.receipt_action([5, 3], [5, 3]) == A.RECEIVE_ALL
    assert po_states.receipt_action([5, 3], [6, 3]) == A.RECEIVE_ALL
    assert po_states.receipt_action([5, 3], [5, 2]) == A.RECEIVE_PART
