"""The billing parts of a line (`billing/proration.py`), property-tested against a reference
written in exact fractions and whole minor units (never the module under test), and its
constants and boundaries pinned."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinghuo.billing.proration import Amounts, part, split_by_weight, tax_in_gross

D = Decimal


def _half_up(x: Fraction) -> int:
    """x ≥ 0 rounded half up to a whole number."""
    return math.floor(x + Fraction(1, 2))


def _minor(amount: int, digits: int) -> Decimal:
    """Whole minor units as a Decimal amount."""
    return D(amount).scaleb(-digits)


def reference_parts(amount: int, sizes: list[int]) -> list[int]:
    """Each part's amount in minor units, for a line of sum(sizes) units worth `amount` minor
    units billed in parts of `sizes` units: the difference of the exact running totals, each
    rounded half up."""
    of = sum(sizes)
    done, parts, before = 0, [], 0
    for size in sizes:
        done += size
        upto = _half_up(Fraction(amount * done, of))
        parts.append(upto - before)
        before = upto
    return parts


def reference_split(amount: int, weights: list[Fraction]) -> list[int]:
    """Largest remainder on exact shares: floors, then one unit each to the largest
    remainders, the earlier first on a tie."""
    total = sum(weights, Fraction(0))
    exact = [amount * w / total for w in weights]
    shares = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: amount - sum(shares)]:
        shares[i] += 1
    return shares


digits_st = st.sampled_from([0, 2, 3])
amount_st = st.integers(min_value=0, max_value=10**12)  # minor units


@st.composite
def line_split(draw):
    """(digits, net, tax in minor units, the sizes of the parts the line is billed in)."""
    digits = draw(digits_st)
    sizes = draw(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=8))
    return digits, draw(amount_st), draw(amount_st), sizes


@settings(max_examples=300, deadline=None)
@given(line_split())
def test_parts_of_a_line_add_up_exactly_and_match_the_reference(case):
    digits, net, tax, sizes = case
    whole = Amounts(_minor(net, digits), _minor(tax, digits))
    of, before, got = sum(sizes), 0, []
    for size in sizes:
        got.append(part(whole, before=before, units=size, of=of, minor_units=digits))
        before += size
    assert [p.net for p in got] == [_minor(x, digits) for x in reference_parts(net, sizes)]
    assert [p.tax for p in got] == [_minor(x, digits) for x in reference_parts(tax, sizes)]
    assert sum((p.net for p in got), D(0)) == whole.net
    assert sum((p.tax for p in got), D(0)) == whole.tax
    assert sum((p.gross for p in got), D(0)) == whole.gross
    for p in got:
        assert p.net >= 0 and p.tax >= 0
        assert p.net + p.tax == p.gross
        # Never more decimals than the currency has.
        assert p.net == p.net.quantize(D(1).scaleb(-digits))
        assert p.tax == p.tax.quantize(D(1).scaleb(-digits))


@settings(max_examples=200, deadline=None)
@given(
    digits_st,
    st.integers(min_value=0, max_value=10**14),
    st.integers(min_value=1, max_value=10_000),
    st.data(),
)
def test_one_part_is_its_running_totals_difference(digits, amount, of, data):
    before = data.draw(st.integers(min_value=0, max_value=of - 1))
    units = data.draw(st.integers(min_value=1, max_value=of - before))
    got = part(
        Amounts(_minor(amount, digits), D(0)), before=before, units=units, of=of, minor_units=digits
    )
    expected = _half_up(Fraction(amount * (before + units), of)) - _half_up(
        Fraction(amount * before, of)
    )
    assert got.net == _minor(expected, digits)
    assert got.tax == 0


def test_thirds_of_ten_dollars():
    whole = Amounts(D("10.00"), D("0.90"))
    parts = [part(whole, before=b, units=1, of=3, minor_units=2) for b in range(3)]
    # Running totals 3.333… → 3.33, 6.666… → 6.67, 10.00: the middle part takes the cent.
    assert [p.net for p in parts] == [D("3.33"), D("3.34"), D("3.33")]
    assert [p.tax for p in parts] == [D("0.30"), D("0.30"), D("0.30")]
    assert [p.gross for p in parts] == [D("3.63"), D("3.64"), D("3.63")]


def test_a_half_cent_rounds_up_not_to_even():
    # 0.05 over 2 units: the first unit is worth 0.025 → 0.03 (half even would give 0.02).
    first = part(Amounts(D("0.05"), D("0.01")), before=0, units=1, of=2, minor_units=2)
    second = part(Amounts(D("0.05"), D("0.01")), before=1, units=1, of=2, minor_units=2)
    assert (first.net, first.tax) == (D("0.03"), D("0.01"))
    assert (second.net, second.tax) == (D("0.02"), D("0.00"))
    # 0.15 over 2: 0.075 → 0.08 (half even: 0.08 too), 0.25 over 2: 0.125 → 0.13 (even: 0.12).
    assert part(Amounts(D("0.25"), D(0)), before=0, units=1, of=2, minor_units=2).net == D("0.13")


def test_yen_and_dinar_have_their_own_minor_units():
    assert part(Amounts(D(5), D(1)), before=0, units=1, of=2, minor_units=0) == Amounts(D(3), D(1))
    assert part(Amounts(D(5), D(1)), before=1, units=1, of=2, minor_units=0) == Amounts(D(2), D(0))
    assert part(Amounts(D("1.000"), D(0)), before=0, units=1, of=3, minor_units=3).net == D("0.333")


def test_the_whole_line_at_once_is_the_line():
    whole = Amounts(D("123.45"), D("11.11"))
    assert part(whole, before=0, units=7, of=7, minor_units=2) == whole
    assert whole.gross == D("134.56")


@pytest.mark.parametrize(
    ("before", "units", "of"),
    [(0, 0, 5), (0, -1, 5), (-1, 1, 5), (0, 6, 5), (4, 2, 5), (5, 1, 5)],
)
def test_impossible_parts_are_refused(before, units, of):
    with pytest.raises(ValueError, match=rf"^cannot bill {units} units after {before} of {of}$"):
        part(Amounts(D(1), D(0)), before=before, units=units, of=of, minor_units=2)


def test_the_last_unit_of_a_line_is_accepted():
    assert part(Amounts(D(5), D(0)), before=4, units=1, of=5, minor_units=2).net == D("1.00")


# split_by_weight


@st.composite
def weighted(draw):
    digits = draw(digits_st)
    amount = draw(st.integers(min_value=0, max_value=10**12))
    weights = draw(
        st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=8).filter(
            lambda ws: sum(ws) > 0
        )
    )
    return digits, amount, weights


@settings(max_examples=300, deadline=None)
@given(weighted())
def test_split_by_weight_is_the_largest_remainder_of_the_exact_shares(case):
    digits, amount, weights = case
    # Weights are money too (4 decimals in the database).
    as_decimals = [D(w).scaleb(-4) for w in weights]
    got = split_by_weight(_minor(amount, digits), as_decimals, digits)
    expected = reference_split(amount, [Fraction(w, 10**4) for w in weights])
    assert got == [_minor(x, digits) for x in expected]
    assert sum(got, D(0)) == _minor(amount, digits)
    total = sum(weights)
    for share, w in zip(got, weights, strict=True):
        assert share >= 0
        exact = Fraction(amount * w, total)
        assert abs(Fraction(share.scaleb(digits)) - exact) < 1  # within one minor unit


def test_split_by_weight_constants():
    # 10.00 in thirds: 3.333… each; one cent left goes to the first (earliest on a tie).
    assert split_by_weight(D("10.00"), [D(1), D(1), D(1)], 2) == [
        D("3.34"),
        D("3.33"),
        D("3.33"),
    ]
    # The larger remainder wins over the earlier: 1.00 by 1:2 → 0.333… and 0.666….
    assert split_by_weight(D("1.00"), [D(1), D(2)], 2) == [D("0.33"), D("0.67")]
    # A zero weight gets nothing.
    assert split_by_weight(D("5.00"), [D(0), D(3)], 2) == [D("0.00"), D("5.00")]
    # The amount itself is first rounded half up to the minor units.
    assert split_by_weight(D("0.005"), [D(1)], 2) == [D("0.01")]
    assert split_by_weight(D("7"), [D(1), D(1)], 0) == [D(4), D(3)]


@pytest.mark.parametrize("weights", [[D(0)], [D(0), D(0)], [D(-1), D(1)]])
def test_split_by_weight_needs_weights_above_zero(weights):
    with pytest.raises(ValueError, match=r"^weights must add up to more than zero$"):
        split_by_weight(D("1.00"), weights, 2)


def test_split_by_weight_of_a_huge_amount_still_adds_up():
    """Shares of an amount near the money columns' limit are computed in Decimal's 28
    digits: they must still add up exactly and stay within a minor unit."""
    amount = D("99999999999999.99")
    weights = [D("33333333333333.3333"), D("33333333333333.3333"), D("33333333333333.3334")]
    got = split_by_weight(amount, weights, 2)
    assert sum(got, D(0)) == amount
    expected = reference_split(int(amount.scaleb(2)), [Fraction(w) for w in weights])
    assert got == [_minor(x, 2) for x in expected]


# tax_in_gross


@settings(max_examples=300, deadline=None)
@given(
    digits_st,
    st.integers(min_value=0, max_value=10**14),
    st.integers(min_value=0, max_value=10**6),  # percent with 4 decimals: 0 to 100
)
def test_tax_in_gross_is_the_exact_share_rounded_half_up(digits, gross, percent):
    p = Fraction(percent, 10**4)
    got = tax_in_gross(_minor(gross, digits), D(percent).scaleb(-4), digits)
    assert got == _minor(_half_up(gross * p / (100 + p)), digits)


@pytest.mark.parametrize(
    ("gross", "percent", "digits", "tax"),
    [
        ("105.00", "5", 2, "5.00"),
        ("10.00", "9", 2, "0.83"),  # 0.8256…
        ("0.05", "100", 2, "0.03"),  # exactly 0.025: half up
        ("0.15", "100", 2, "0.08"),  # exactly 0.075
        ("113", "13", 0, "13"),
        ("1", "100", 0, "1"),  # 0.5 → 1
        ("99.99", "0", 2, "0.00"),
        ("1.000", "7.5", 3, "0.070"),  # 0.06976…
    ],
)
def test_tax_in_gross_constants(gross, percent, digits, tax):
    got = tax_in_gross(D(gross), D(percent), digits)
    assert got == D(tax)
    assert got.as_tuple().exponent == -digits
