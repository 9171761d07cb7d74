"""The quote's transition table and the price change a reorder reports: pure, no database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.buying.quote_states import (
    BUYER_ACTIONS,
    SELLER_ACTIONS,
    TRANSITIONS,
    WAITING_STATUSES,
    QuoteAction,
    QuoteStatus,
    allowed_actions,
    effective_status,
    target,
)
from dinghuo.buying.schemas.carts import price_change_out

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
FINAL = {
    QuoteStatus.ACCEPTED,
    QuoteStatus.DECLINED,
    QuoteStatus.REJECTED,
    QuoteStatus.WITHDRAWN,
    QuoteStatus.EXPIRED,
}


def test_the_whole_transition_table_is_pinned():
    S, A = QuoteStatus, QuoteAction
    assert TRANSITIONS == {
        (S.REQUESTED, A.ANSWER): S.ANSWERED,
        (S.REQUESTED, A.REJECT): S.REJECTED,
        (S.REQUESTED, A.WITHDRAW): S.WITHDRAWN,
        (S.ANSWERED, A.ACCEPT): S.ACCEPTED,
        (S.ANSWERED, A.DECLINE): S.DECLINED,
        (S.ANSWERED, A.COUNTER): S.COUNTERED,
        (S.ANSWERED, A.ANSWER): S.ANSWERED,
        (S.ANSWERED, A.REJECT): S.REJECTED,
        (S.ANSWERED, A.EXPIRE): S.EXPIRED,
        (S.COUNTERED, A.ANSWER): S.ANSWERED,
        (S.COUNTERED, A.REJECT): S.REJECTED,
        (S.COUNTERED, A.WITHDRAW): S.WITHDRAWN,
    }
    # A countered quote waits for the seller: nothing of it expires, nor can it be accepted.
    assert target(S.COUNTERED, A.ACCEPT) is None and target(S.COUNTERED, A.EXPIRE) is None
    assert target(S.REQUESTED, A.COUNTER) is None
    assert {S.REQUESTED, S.COUNTERED} == WAITING_STATUSES


def test_closed_quotes_allow_nothing():
    for status in FINAL:
        assert allowed_actions(status) == []
        assert all(target(status, action) is None for action in QuoteAction)


def test_who_may_do_what():
    assert allowed_actions(QuoteStatus.REQUESTED, BUYER_ACTIONS) == ["withdraw"]
    assert allowed_actions(QuoteStatus.REQUESTED, SELLER_ACTIONS) == ["answer", "reject"]
    assert allowed_actions(QuoteStatus.ANSWERED, BUYER_ACTIONS) == ["accept", "decline", "counter"]
    assert allowed_actions(QuoteStatus.ANSWERED, SELLER_ACTIONS) == ["answer", "reject"]
    assert allowed_actions(QuoteStatus.COUNTERED, BUYER_ACTIONS) == ["withdraw"]
    assert allowed_actions(QuoteStatus.COUNTERED, SELLER_ACTIONS) == ["answer", "reject"]
    assert target(QuoteStatus.ANSWERED, QuoteAction.EXPIRE) == QuoteStatus.EXPIRED
    assert all(moved in QuoteStatus.values for moved in TRANSITIONS.values())


@given(
    st.sampled_from(QuoteStatus.values),
    st.one_of(st.none(), st.integers(-10_000, 10_000).map(lambda m: NOW + timedelta(minutes=m))),
)
def test_only_an_answer_past_its_expiry_reads_expired(status, expires_at):
    seen = effective_status(status, expires_at, NOW)
    if status == QuoteStatus.ANSWERED and expires_at is not None and expires_at <= NOW:
        assert seen == QuoteStatus.EXPIRED
    else:
        assert seen == status


prices = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False)


@given(prices, prices)
def test_a_price_change_is_the_difference_with_its_direction(previous, current):
    change = price_change_out(previous, current, "USD")
    assert change is not None
    difference = Decimal(change["difference"])
    assert difference == current - previous
    assert (
        change["direction"]
        == {-1: "down", 0: "same", 1: "up"}[(current > previous) - (current < previous)]
    )
    if previous == 0:
        assert change["percent"] is None
    else:
        exact = (current - previous) * 100 / previous
        assert abs(Decimal(change["percent"]) - exact) <= Decimal("0.005")


def test_no_change_without_both_prices():
    assert price_change_out(None, Decimal(1), "USD") is None
    assert price_change_out(Decimal(1), None, "USD") is None
