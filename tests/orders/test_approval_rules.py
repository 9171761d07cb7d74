"""The approval rule and the straight-through rule, as pure functions (property-tested)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.orders import approval_rules as ar
from dinghuo.orders.straight_through import route

amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
rules = st.builds(
    ar.Rule,
    name=st.sampled_from(["r1", "r2", "r3", "r4"]),
    level=st.integers(1, 3),
    approver=st.sampled_from([ar.COMPANY, ar.SELLER]),
    company_id=st.sampled_from([None, 1, 2]),
    min_amount=st.none() | amounts,
    category_id=st.sampled_from([None, 10, 11]),
    buyer_role=st.sampled_from(["", "buyer", "approver"]),
    credit_state=st.sampled_from(["", "near_limit", "overdue"]),
    # USD never has an amount below: its rules cannot be judged on amount.
    currency=st.sampled_from(["HKD", "JPY", "USD"]),
)
facts = st.builds(
    ar.OrderFacts,
    company_id=st.sampled_from([1, 2]),
    amount=amounts,
    category_ids=st.frozensets(st.sampled_from([10, 11, 12])),
    buyer_role=st.sampled_from([None, "buyer", "approver", "admin"]),
    spending_limit=st.none() | amounts,
    credit_flags=st.frozensets(st.sampled_from(["near_limit", "overdue_in_grace"])),
    currency=st.just("HKD"),
    amounts=st.dictionaries(st.sampled_from(["HKD", "JPY"]), amounts),
)


@given(st.lists(rules, max_size=6), facts)
def test_steps_are_exactly_the_matching_rules_by_level_and_party(rule_list, order):
    steps = ar.steps_for(rule_list, order)
    keys = [(s.level, s.approver) for s in steps]
    assert keys == sorted(set(keys), key=lambda k: (k[0], k[1] != ar.COMPANY))
    expected = {(r.level, r.approver) for r in rule_list if ar.matches(r, order)}
    if ar.over_spending_limit(order):
        expected.add((1, ar.COMPANY))
    assert set(keys) == expected
    for step in steps:
        named = {ar.reason(r, order) for r in rule_list if ar.matches(r, order)
                 and (r.level, r.approver) == (step.level, step.approver)}  # fmt: skip
        assert named <= set(step.reasons)
    assert not any(r.min_amount is not None and ar.matches(r, order) for r in rule_list
                   if r.currency not in order.amounts)  # fmt: skip


@given(st.lists(rules, max_size=6), facts, amounts)
def test_a_larger_order_never_needs_fewer_approvals_by_amount(rule_list, order, extra):
    amount_rules = [r for r in rule_list if r.min_amount is not None]
    more = {currency: amount + extra for currency, amount in order.amounts.items()}
    bigger = ar.OrderFacts(**{**order.__dict__, "amount": order.amount + extra, "amounts": more})
    before = {(s.level, s.approver) for s in ar.steps_for(amount_rules, order)}
    after = {(s.level, s.approver) for s in ar.steps_for(amount_rules, bigger)}
    assert before <= after


def test_a_rule_without_conditions_matches_everything_and_conditions_combine():
    order = ar.OrderFacts(
        1, Decimal("100"), frozenset({10}), "buyer", None, frozenset(), "USD",
        {"USD": Decimal("100")},
    )  # fmt: skip
    assert ar.matches(ar.Rule("any", 1, ar.COMPANY), order)
    big = ar.Rule("big", 1, ar.COMPANY, min_amount=Decimal("100"), currency="USD")
    assert ar.matches(big, order)
    bigger = ar.Rule("bigger", 1, ar.COMPANY, min_amount=Decimal("100.01"), currency="USD")
    assert not ar.matches(bigger, order)
    both = ar.Rule(
        "both", 1, ar.COMPANY, min_amount=Decimal("50"), buyer_role="approver", currency="USD"
    )
    assert not ar.matches(both, order)
    assert not ar.matches(ar.Rule("other co", 1, ar.COMPANY, company_id=2), order)
    assert not ar.matches(ar.Rule("near", 1, ar.SELLER, credit_state="near_limit"), order)


def test_a_rule_compares_the_amount_in_its_own_currency_and_says_it():
    """¥2,000,000 is HK$104,000 at the day's rates: a rule of HK$100,000 or more catches it,
    one in yen of ¥3,000,000 does not, and one in a currency without a rate cannot judge."""
    order = ar.OrderFacts(
        1, Decimal("2000000"), frozenset(), None, None, frozenset(), "JPY",
        {"JPY": Decimal("2000000"), "HKD": Decimal("104000.00")},
    )  # fmt: skip
    hkd = ar.Rule("Big orders", 2, ar.SELLER, min_amount=Decimal("100000"), currency="HKD")
    jpy = ar.Rule("Huge orders", 2, ar.SELLER, min_amount=Decimal("3000000"), currency="JPY")
    usd = ar.Rule("Dollar orders", 2, ar.SELLER, min_amount=Decimal("1"), currency="USD")
    [step] = ar.steps_for([hkd, jpy, usd], order)
    assert (step.level, step.approver) == (2, ar.SELLER)
    assert [str(reason) for reason in step.reasons] == [
        "Big orders: 2000000 JPY (104000.00 HKD) is 100000.00 HKD or more"
    ]
    in_yen = ar.Rule("Yen orders", 1, ar.COMPANY, min_amount=Decimal("2000000"), currency="JPY")
    assert [str(r) for r in ar.steps_for([in_yen], order)[0].reasons] == [
        "Yen orders: 2000000 JPY is 2000000 JPY or more"
    ]


def test_spending_limit_is_strictly_exceeded():
    at_limit = ar.OrderFacts(1, Decimal("50"), frozenset(), "buyer", Decimal("50"), frozenset())
    assert ar.steps_for([], at_limit) == []
    over = ar.OrderFacts(
        1, Decimal("50.01"), frozenset(), "buyer", Decimal("50"), frozenset(), "USD"
    )
    [step] = ar.steps_for([], over)
    assert (step.level, step.approver) == (1, ar.COMPANY)
    assert [str(reason) for reason in step.reasons] == [
        "50.01 USD is over the buyer's spending limit of 50.00 USD"
    ]


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_straight_through_only_when_nothing_stops_it(held, approvals, backorder, prepaid, auto):
    r = route(
        credit_held=held,
        approvals_pending=approvals,
        backordered=backorder,
        prepaid=prepaid,
        auto_confirm=auto,
    )
    assert r.automatic == (not (held or approvals or backorder or prepaid) and auto)
    assert (r.review_reasons == ()) == r.automatic
    if held:
        assert r.status == "credit_hold"
    elif approvals:
        assert r.status == "awaiting_approval"
