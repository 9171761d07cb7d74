"""Payment terms: due dates and how terms read (pure rule, property-tested)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.customers.terms import describe, due_date, month_end

days = st.integers(min_value=0, max_value=365)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("terms", "n", "invoiced", "due"),
    [
        ("prepaid", 0, date(2026, 3, 10), date(2026, 3, 10)),
        ("net", 30, date(2026, 3, 10), date(2026, 4, 9)),
        ("net", 0, date(2026, 3, 10), date(2026, 3, 10)),
        ("eom", 0, date(2026, 3, 10), date(2026, 3, 31)),
        ("eom", 15, date(2026, 3, 10), date(2026, 4, 15)),
        ("eom", 30, date(2026, 1, 31), date(2026, 3, 2)),
        ("eom", 1, date(2024, 2, 1), date(2024, 3, 1)),  # leap year: Feb has 29 days
        ("eom", 1, date(2026, 12, 5), date(2027, 1, 1)),
    ],
)
def test_due_dates(terms, n, invoiced, due):
    assert due_date(terms, n, invoiced) == due


@pytest.mark.parametrize(
    ("terms", "n", "text"),
    [
        ("prepaid", 0, "Prepaid"),
        ("net", 30, "Net 30"),
        ("eom", 15, "End of month + 15"),
        ("eom", 0, "End of month"),
    ],
)
def test_describe(terms, n, text):
    assert describe(terms, n) == text


def test_unknown_terms_and_negative_days_are_programming_errors():
    with pytest.raises(ValueError):
        due_date("cod", 0, date(2026, 1, 1))
    with pytest.raises(ValueError):
        due_date("net", -1, date(2026, 1, 1))
    with pytest.raises(ValueError):
        describe("cod", 0)


@given(dates, days)
def test_prepaid_is_due_on_the_invoice_date_whatever_the_days(invoiced, n):
    assert due_date("prepaid", n, invoiced) == invoiced


@given(dates, days)
def test_net_is_exactly_n_days_later(invoiced, n):
    assert (due_date("net", n, invoiced) - invoiced).days == n


@given(dates, days, days)
def test_more_days_never_fall_due_earlier(invoiced, a, b):
    low, high = sorted((a, b))
    for terms in ("net", "eom"):
        assert due_date(terms, low, invoiced) <= due_date(terms, high, invoiced)


@given(dates, days)
def test_end_of_month_is_never_before_the_months_end(invoiced, n):
    due = due_date("eom", n, invoiced)
    assert due >= month_end(invoiced) >= invoiced
    assert (due - month_end(invoiced)).days == n


@given(dates, days)
def test_end_of_month_is_never_earlier_than_net(invoiced, n):
    assert due_date("eom", n, invoiced) >= due_date("net", n, invoiced)


@given(dates, days)
def test_invoices_of_one_month_fall_due_together_on_end_of_month_terms(invoiced, n):
    first = invoiced.replace(day=1)
    assert due_date("eom", n, first) == due_date("eom", n, invoiced)


@given(dates)
def test_month_end_is_the_last_day(day):
    end = month_end(day)
    assert (end.year, end.month) == (day.year, day.month)
    assert (end + timedelta(days=1)).day == 1


@given(st.sampled_from(["net", "eom"]), days)
def test_the_text_names_the_days(terms, n):
    assert (str(n) in describe(terms, n)) == (n > 0 or terms == "net")
