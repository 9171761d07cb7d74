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


# --- boundaries, pinned one unit either side (the mutation run's findings, DEVELOPERS.md) ------


def test_a_14_day_window_accepts_day_14_and_refuses_day_15_across_a_month_end():
    rules = policy.Rules(window_days=14)
    delivered = date(2026, 2, 20)  # 2026 is not a leap year: day 14 is 6 March
    assert policy.last_day(delivered, rules) == date(2026, 3, 6)
    assert policy.within_window(delivered, date(2026, 3, 6), rules)  # day 14
    assert not policy.within_window(delivered, date(2026, 3, 7), rules)  # day 15
    # A leap year's 29 February counts as a day; the window runs over the year's end.
    assert policy.last_day(date(2028, 2, 20), rules) == date(2028, 3, 5)
    assert policy.last_day(date(2026, 12, 25), rules) == date(2027, 1, 8)


@given(
    delivered=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    window=st.integers(min_value=0, max_value=3650),
)
def test_the_last_day_is_the_last_accepted_and_the_day_after_the_first_refused(delivered, window):
    rules = policy.Rules(window_days=window)
    last = policy.last_day(delivered, rules)
    assert (last - delivered).days == window
    assert policy.within_window(delivered, delivered, rules)
    assert policy.within_window(delivered, last, rules)
    assert not policy.within_window(delivered, date.fromordinal(last.toordinal() + 1), rules)


def test_the_fee_in_currencies_of_zero_two_and_three_decimals():
    assert policy.restocking_fee(D("4"), D("12.5"), "JPY") == D("1")  # 0.5 yen → 1
    assert policy.restocking_fee(D("3"), D("12.5"), "JPY") == D("0")  # 0.375 yen → 0
    assert policy.restocking_fee(D("0.010"), D("50"), "KWD") == D("0.005")
    assert policy.restocking_fee(D("0.001"), D("50"), "KWD") == D("0.001")  # 0.0005 → 0.001
    assert policy.restocking_fee(D("10.00"), D("0.05"), "USD") == D("0.01")  # 0.005 → 0.01
    assert policy.restocking_fee(D("10.00"), D("0.04"), "USD") == D("0.00")  # 0.004 → 0.00
    # Written with the currency's own decimals, as a credit note shows it.
    assert str(policy.restocking_fee(D("1250"), D("10"), "JPY")) == "125"
    assert str(policy.restocking_fee(D("80"), D("10"), "KWD")) == "8.000"


@given(
    gross=st.decimals(min_value=0, max_value=10**9, places=2),
    percent=st.decimals(min_value=0, max_value=100, places=2),
)
def test_the_whole_fee_or_none_of_it_and_never_more_than_a_minor_unit_off(gross, percent):
    fee = policy.restocking_fee(gross, percent, "HKD")
    assert abs(fee - gross * percent / 100) <= D("0.005")
    assert policy.restocking_fee(gross, D(100), "HKD") == gross
    assert policy.restocking_fee(gross, D(0), "HKD") == 0


def test_the_automatic_approval_limit_is_inclusive_to_the_last_minor_unit():
    rules = policy.Rules(auto_approve_limit=D("2000"))
    assert policy.review_reasons(_asked("2000.00"), rules) == []
    assert policy.review_reasons(_asked("2000.01"), rules) == ["over_approval_limit"]
    # A limit of zero approves only requests worth nothing.
    zero = policy.Rules(auto_approve_limit=D("0"))
    assert policy.review_reasons(_asked("0"), zero) == []
    assert policy.review_reasons(_asked("0.01"), zero) == ["over_approval_limit"]


def test_one_non_returnable_category_among_many_is_enough_and_others_are_not():
    rules = policy.Rules(
        auto_approve_limit=D("100"), non_returnable_categories=frozenset({7, 8, 9})
    )
    assert policy.review_reasons(_asked("1", categories=(1, 2, 9)), rules) == ["non_returnable"]
    assert policy.review_reasons(_asked("1", categories=(1, 2, 3)), rules) == []
    assert policy.review_reasons(_asked("1", categories=()), rules) == []
    # "other" among other reasons still needs a person; reasons alike in name do not.
    mixed = _asked("1", reasons=("damaged", "other", "not_needed"))
    assert policy.review_reasons(mixed, rules) == ["reason_other"]
    assert policy.review_reasons(_asked("1", reasons=("others", "Other")), rules) == []


@given(
    categories=st.frozensets(st.integers(1, 6)),
    blocked=st.frozensets(st.integers(1, 6)),
    reasons=st.frozensets(st.sampled_from(["damaged", "defective", "not_needed", "other"])),
    amount=st.decimals(min_value=0, max_value=10_000, places=2),
    limit=st.none() | st.decimals(min_value=0, max_value=10_000, places=2),
)
def test_a_request_approves_itself_exactly_when_nothing_needs_a_person(
    categories, blocked, reasons, amount, limit
):
    rules = policy.Rules(non_returnable_categories=blocked, auto_approve_limit=limit)
    reasons_given = policy.review_reasons(policy.Asked(categories, reasons, amount), rules)
    straightforward = (
        not categories & blocked
        and "other" not in reasons
        and limit is not None
        and amount <= limit
    )
    assert (reasons_given == []) == straightforward
    assert len(reasons_given) == len(set(reasons_given))  # each reason once


# --- the restocking fee only for the reasons the seller chose ----------------------------------


def test_by_default_the_fee_is_kept_only_when_the_buyer_changed_their_mind():
    assert sorted(policy.DEFAULT_FEE_REASONS) == ["not_needed", "other"]
    assert policy.DEFAULTS.fee_reasons == policy.DEFAULT_FEE_REASONS
    assert policy.Rules().fee_reasons == frozenset({"not_needed", "other"})
    for fault in ("damaged", "defective", "wrong_item", "not_as_described"):
        assert fault not in policy.DEFAULTS.fee_reasons


def test_a_damaged_line_pays_no_fee_while_a_not_needed_line_of_the_same_credit_does():
    reasons = policy.DEFAULT_FEE_REASONS
    # 21.80 not needed at 12.5% is 2.725 → 2.73; the 0.35 damaged adds nothing.
    mixed = [(D("21.80"), "not_needed"), (D("0.35"), "damaged")]
    assert policy.fee_on(mixed, D("12.5"), reasons, "USD") == D("2.73")
    assert policy.fee_on([(D("0.35"), "damaged")], D("12.5"), reasons, "USD") == D("0.00")
    assert policy.fee_on([(D("8"), "other")], D("12.5"), reasons, "USD") == D("1.00")
    # A seller who keeps the fee on damaged goods too; one who keeps none at all.
    assert policy.fee_on(mixed, D("10"), frozenset({"damaged"}), "USD") == D("0.04")  # 0.035
    assert policy.fee_on(mixed, D("10"), frozenset(), "USD") == D("0.00")
    assert policy.fee_on([], D("10"), reasons, "USD") == D("0.00")


def test_the_fee_of_a_mixed_credit_is_rounded_once_to_the_currencys_minor_unit():
    reasons = frozenset({"not_needed", "other"})
    # Two lines of 0.05 at 10%: 0.005 each, 0.01 together (rounded per line: 0.02).
    halves = [(D("0.05"), "not_needed"), (D("0.05"), "other"), (D("9.99"), "defective")]
    assert policy.fee_on(halves, D("10"), reasons, "USD") == D("0.01")
    # Yen have no minor unit: 12.5% of 3 + 1 yen is 0.5 yen → 1; of 3 yen alone 0.375 → 0.
    yen = [(D("3"), "not_needed"), (D("1"), "other"), (D("1000"), "wrong_item")]
    assert str(policy.fee_on(yen, D("12.5"), reasons, "JPY")) == "1"
    assert policy.fee_on(yen[:1], D("12.5"), reasons, "JPY") == D("0")
    assert str(policy.fee_on([(D("0.010"), "other")], D("50"), reasons, "KWD")) == "0.005"


REASONS = ["damaged", "defective", "wrong_item", "not_as_described", "not_needed", "other"]


@given(
    parts=st.lists(
        st.tuples(st.decimals(min_value=0, max_value=10**6, places=2), st.sampled_from(REASONS)),
        max_size=6,
    ),
    percent=st.decimals(min_value=0, max_value=100, places=2),
    chosen=st.frozensets(st.sampled_from(REASONS)),
)
def test_the_fee_is_the_fee_of_the_lines_whose_reason_bears_it(parts, percent, chosen):
    bearing = sum((gross for gross, reason in parts if reason in chosen), D(0))
    fee = policy.fee_on(parts, percent, chosen, "HKD")
    assert fee == policy.restocking_fee(bearing, percent, "HKD")
    assert D(0) <= fee <= bearing
    # Lines of a reason that bears no fee change nothing, whatever they are worth.
    free = [(D("1000000"), reason) for reason in REASONS if reason not in chosen]
    assert policy.fee_on([*parts, *free], percent, chosen, "HKD") == fee
