"""How money settles invoices (`billing/settlement.py`): oldest first property-tested against
a reference written in exact whole minor units, and every refusal of explicit allocations
pinned at its boundary (the open amount itself accepted, one cent more refused)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinghuo.billing.settlement import OpenInvoice, explicit_errors, oldest_first
from dinghuo.core.errors import FieldError

D = Decimal
DAY = date(2026, 1, 1)
CENT = D("0.01")


def reference(invoices: list[tuple[int, int, int]], money: int) -> dict[int, int]:
    """(id, due day, open cents) and the money in cents → id: cents applied. Written from
    the rule: by due day then id, each in full before the next, until the money runs out."""
    result, left = {}, money
    for invoice_id, _, open_cents in sorted(invoices, key=lambda i: (i[1], i[0])):
        take = max(0, min(left, open_cents))
        if take:
            result[invoice_id] = take
            left -= take
    return result


@st.composite
def open_invoices(draw):
    ids = draw(st.lists(st.integers(1, 10_000), min_size=0, max_size=8, unique=True))
    return [
        (i, draw(st.integers(0, 90)), draw(st.integers(0, 1_000_000)))  # open may be 0
        for i in ids
    ]


@settings(max_examples=300, deadline=None)
@given(open_invoices(), st.integers(-1_000, 5_000_000))
def test_oldest_first_matches_the_reference(invoices, money):
    given_ = [OpenInvoice(i, DAY + timedelta(days=d), D(c) / 100) for i, d, c in invoices]
    got = oldest_first(given_, D(money) / 100)
    expected = reference(invoices, money)
    assert got == {i: D(c) / 100 for i, c in expected.items()}
    open_by_id = {inv.id: inv.open_amount for inv in given_}
    assert all(0 < amount <= open_by_id[i] for i, amount in got.items())
    assert sum(got.values(), D(0)) == min(max(D(money) / 100, D(0)), sum(open_by_id.values(), D(0)))
    # At most one invoice is paid in part, and it is the last one paid.
    partly = [i for i, amount in got.items() if amount < open_by_id[i]]
    assert partly == [] or partly == [list(got)[-1]]


def test_oldest_due_date_first_then_the_lower_id():
    invoices = [
        OpenInvoice(3, DAY + timedelta(days=5), D("30.00")),
        OpenInvoice(2, DAY + timedelta(days=9), D("20.00")),
        OpenInvoice(1, DAY + timedelta(days=5), D("10.00")),
    ]
    assert oldest_first(invoices, D("45.00")) == {1: D("10.00"), 3: D("30.00"), 2: D("5.00")}
    # In the order applied, too (the payment's event lists them so).
    assert list(oldest_first(invoices, D("45.00"))) == [1, 3, 2]


def test_money_equal_to_what_is_open_settles_everything_and_no_more():
    invoices = [OpenInvoice(1, DAY, D("10.00")), OpenInvoice(2, DAY, D("5.00"))]
    assert oldest_first(invoices, D("15.00")) == {1: D("10.00"), 2: D("5.00")}
    assert oldest_first(invoices, D("15.01")) == {1: D("10.00"), 2: D("5.00")}
    assert oldest_first(invoices, D("14.99")) == {1: D("10.00"), 2: D("4.99")}
    assert oldest_first(invoices, D("10.00")) == {1: D("10.00")}


def test_no_money_or_nothing_open_applies_nothing():
    invoices = [OpenInvoice(1, DAY, D("10.00")), OpenInvoice(2, DAY, D(0))]
    assert oldest_first(invoices, D(0)) == {}
    assert oldest_first(invoices, D("-5.00")) == {}
    assert oldest_first([OpenInvoice(2, DAY, D(0))], D("5.00")) == {}
    assert oldest_first([], D("5.00")) == {}
    assert oldest_first(invoices, CENT) == {1: CENT}


# explicit_errors

OPEN = {10: D("50.00"), 11: D("20.00")}


def test_allocating_exactly_what_is_open_is_accepted():
    assert explicit_errors([(10, D("50.00")), (11, D("20.00"))], OPEN, D("70.00")) == []


def test_one_cent_more_than_an_invoice_owes_is_refused():
    assert explicit_errors([(10, D("50.01"))], OPEN, D("100.00")) == [
        FieldError(
            "allocations[0].amount",
            "exceeds_open_amount",
            "More than the invoice still owes",
            {"open_amount": "50.00"},
        )
    ]


def test_allocations_adding_up_to_the_payment_are_accepted_one_cent_more_refused():
    assert explicit_errors([(10, D("30.00")), (11, D("20.00"))], OPEN, D("50.00")) == []
    assert explicit_errors([(10, D("30.01")), (11, D("20.00"))], OPEN, D("50.00")) == [
        FieldError(
            "allocations", "exceeds_payment", "The allocations add up to more than the payment"
        )
    ]
    # Less than the payment is fine: the rest is the company's unapplied credit.
    assert explicit_errors([(10, D("0.01"))], OPEN, D("50.00")) == []


@pytest.mark.parametrize("amount", [D(0), D("-0.01"), D("-50.00")])
def test_an_amount_not_above_zero_is_refused(amount):
    assert explicit_errors([(10, amount)], OPEN, D("50.00")) == [
        FieldError("allocations[0].amount", "amount_not_positive", "Apply more than zero")
    ]


def test_an_invoice_not_open_for_this_company_is_refused():
    assert explicit_errors([(11, D("1.00")), (99, D("1.00"))], OPEN, D("50.00")) == [
        FieldError("allocations[1].invoice", "invoice_not_open", "No open invoice of this company")
    ]


def test_an_invoice_named_twice_is_refused_at_its_second_mention():
    assert explicit_errors([(10, D("1.00")), (11, D("1.00")), (10, D("1.00"))], OPEN, D(9)) == [
        FieldError("allocations[2].invoice", "duplicate_invoice", "Invoice named twice")
    ]
    # An unknown invoice named twice: unknown once, then a duplicate.
    assert [e.code for e in explicit_errors([(99, D(1)), (99, D(1))], OPEN, D(9))] == [
        "invoice_not_open",
        "duplicate_invoice",
    ]


def test_every_problem_at_once_and_the_total_only_when_each_is_fine():
    errors = explicit_errors(
        [(10, D("60.00")), (11, D(0)), (12, D("1.00")), (10, D("1.00"))], OPEN, D("0.01")
    )
    assert [(e.field, e.code) for e in errors] == [
        ("allocations[0].amount", "exceeds_open_amount"),
        ("allocations[1].amount", "amount_not_positive"),
        ("allocations[2].invoice", "invoice_not_open"),
        ("allocations[3].invoice", "duplicate_invoice"),
    ]


def test_no_allocations_is_no_error():
    assert explicit_errors([], OPEN, D("1.00")) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([10, 11, 12]), st.integers(-100, 6_000)), max_size=4),
    st.integers(0, 10_000),
)
def test_accepted_allocations_never_exceed_an_invoice_nor_the_money(wanted, money):
    as_money = [(i, D(c) / 100) for i, c in wanted]
    errors = explicit_errors(as_money, OPEN, D(money) / 100)
    ids = [i for i, _ in wanted]
    fine = (
        len(set(ids)) == len(ids)
        and all(i in OPEN and 0 < a <= OPEN[i] for i, a in as_money)
        and sum(a for _, a in as_money) <= D(money) / 100
    )
    assert (errors == []) == fine
