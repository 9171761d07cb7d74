"""The tax rule of `pricing/tax.py`, property-tested against a reference written in exact
fractions and whole minor units (never the module under test), and its boundaries pinned."""

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinghuo.pricing.tax import (
    LineTax,
    RateCandidate,
    RateTotal,
    Rounding,
    TaxLine,
    applicable_rate,
    compute,
    exemption_applies,
    percent_text,
)

D = Decimal
RATES = [D(0), D(5), D(9), D(13), D(20), D("7.5"), D("8.25"), D("19.6"), D("0.0001"), D("99.9999")]


def _half_up(x: Fraction) -> int:
    """x ≥ 0 rounded half up to a whole number."""
    return math.floor(x + Fraction(1, 2))


def reference(
    lines: list[tuple[int, Fraction]], inclusive: bool, per_document: bool
) -> list[tuple[int, int]]:
    """(net, tax) of each line in whole minor units; amounts in minor units, rates as
    fractions of one (9% = 9/100). Written from the rule's statement, in exact arithmetic."""

    def exact(amount: int, rate: Fraction) -> Fraction:
        return amount * rate / (1 + rate) if inclusive else amount * rate

    taxes = [0] * len(lines)
    if not per_document:
        taxes = [_half_up(exact(a, r)) for a, r in lines]
    else:
        for rate in {r for _, r in lines}:
            members = [i for i, (_, r) in enumerate(lines) if r == rate]
            shares = {i: exact(lines[i][0], rate) for i in members}
            whole = _half_up(sum(shares.values(), Fraction(0)))
            floors = {i: math.floor(shares[i]) for i in members}
            left = whole - sum(floors.values())
            order = sorted(members, key=lambda i: (-(shares[i] - floors[i]), i))
            for i in order[:left]:
                floors[i] += 1
            taxes = [floors.get(i, t) for i, t in enumerate(taxes)]
    return [(a - t if inclusive else a, t) for (a, _), t in zip(lines, taxes, strict=True)]


minor_units = st.sampled_from([0, 2, 3])
line_lists = st.lists(
    st.tuples(st.integers(0, 10**12), st.sampled_from(RATES)), min_size=1, max_size=12
)


@settings(max_examples=400, deadline=None)
@given(line_lists, minor_units, st.booleans(), st.sampled_from(list(Rounding)), st.booleans())
def test_lines_and_totals_match_the_reference(
    raw: list[tuple[int, Decimal]],
    digits: int,
    inclusive: bool,
    rounding: Rounding,
    exempt: bool,
) -> None:
    unit = D(1).scaleb(-digits)
    lines = [TaxLine(D(units) * unit, rate) for units, rate in raw]
    doc = compute(
        lines, prices_include_tax=inclusive, rounding=rounding, minor_units=digits, exempt=exempt
    )
    expected = reference(
        [(units, Fraction(rate) / 100) for units, rate in raw],
        inclusive,
        rounding == Rounding.DOCUMENT,
    )
    got = [(int(t.net / unit), int(t.tax / unit)) for t in doc.lines]
    if exempt:
        expected = [(net, 0) for net, _ in expected]
    assert got == expected
    for line, taxed, (units, rate) in zip(lines, doc.lines, raw, strict=True):
        assert taxed.net + taxed.tax == taxed.gross
        assert taxed.rate == (D(0) if exempt else rate)
        assert (taxed.gross if inclusive and not exempt else taxed.net) == (
            line.amount if inclusive and not exempt else taxed.net
        )
        assert taxed.tax == taxed.tax.quantize(unit)  # nothing finer than a minor unit
        if not inclusive:
            assert taxed.net == D(units) * unit
    # Line sums plus tax equal the document's totals, and its summary per rate.
    assert doc.net == sum((D(n) * unit for n, _ in expected), D(0))
    assert doc.tax == sum((D(t) * unit for _, t in expected), D(0))
    assert doc.net + doc.tax == doc.gross
    assert sum(r.net for r in doc.rates) == doc.net
    assert sum(r.tax for r in doc.rates) == doc.tax
    assert sum(r.gross for r in doc.rates) == doc.gross
    assert [r.rate for r in doc.rates] == sorted({t.rate for t in doc.lines})


@settings(max_examples=300, deadline=None)
@given(line_lists, minor_units, st.booleans())
def test_per_document_tax_is_the_rounded_tax_of_each_rates_sum(
    raw: list[tuple[int, Decimal]], digits: int, inclusive: bool
) -> None:
    """Per document, a rate's tax is its exact total rounded once, and no line is more than
    a minor unit away from its exact share."""
    unit = D(1).scaleb(-digits)
    lines = [TaxLine(D(units) * unit, rate) for units, rate in raw]
    doc = compute(
        lines, prices_include_tax=inclusive, rounding=Rounding.DOCUMENT, minor_units=digits
    )
    for summary in doc.rates:
        r = Fraction(summary.rate) / 100
        exact = [
            units * (r / (1 + r) if inclusive else r)
            for units, rate in raw
            if Fraction(rate) / 100 == r
        ]
        assert int(summary.tax / unit) == _half_up(sum(exact, Fraction(0)))
    for taxed, (units, rate) in zip(doc.lines, raw, strict=True):
        r = Fraction(rate) / 100
        share = units * (r / (1 + r) if inclusive else r)
        assert abs(Fraction(taxed.tax / unit) - share) < 1


@pytest.mark.parametrize(
    ("amount", "rate", "inclusive", "digits", "tax"),
    [
        # 0.10 × 5% = 0.005: half up to 0.01; 0.09 × 5% = 0.0045 → 0.00
        (D("0.10"), D(5), False, 2, D("0.01")),
        (D("0.09"), D(5), False, 2, D("0.00")),
        # 100.00 at 9% GST: 9.00; inclusive 109.00 holds 9.00
        (D("100.00"), D(9), False, 2, D("9.00")),
        (D("109.00"), D(9), True, 2, D("9.00")),
        # inclusive of 5%: 1.05 holds 0.05; 0.21 holds 0.01; 0.20 holds 0.0095… → 0.01;
        # 0.10 holds 0.0047… → 0.00
        (D("1.05"), D(5), True, 2, D("0.05")),
        (D("0.21"), D(5), True, 2, D("0.01")),
        (D("0.20"), D(5), True, 2, D("0.01")),
        (D("0.10"), D(5), True, 2, D("0.00")),
        # JPY has no minor unit: 10 × 5% = 0.5 → 1; 9 × 5% = 0.45 → 0
        (D(10), D(5), False, 0, D(1)),
        (D(9), D(5), False, 0, D(0)),
        # KWD has three: 0.100 × 5% = 0.005 → 0.005
        (D("0.100"), D(5), False, 3, D("0.005")),
        (D("0.010"), D(5), False, 3, D("0.001")),
        (D("0.009"), D(5), False, 3, D("0.000")),
        (D("50.00"), D(0), False, 2, D("0.00")),
    ],
)
def test_boundaries_per_line(
    amount: Decimal, rate: Decimal, inclusive: bool, digits: int, tax: Decimal
) -> None:
    doc = compute(
        [TaxLine(amount, rate)],
        prices_include_tax=inclusive,
        rounding=Rounding.LINE,
        minor_units=digits,
    )
    (line,) = doc.lines
    assert line.tax == tax
    assert str(line.tax) == str(tax)  # exactly the currency's minor units
    assert (line.gross, line.net) == (
        (amount, amount - tax) if inclusive else (amount + tax, amount)
    )


def test_per_line_and_per_document_differ_where_rounding_adds_up() -> None:
    """Three lines of 0.10 at 5%: per line 0.01 each (0.03); per document 0.015 → 0.02,
    shared 0.01, 0.01, 0.00 (the remainders tie, so the earlier lines get the units)."""
    lines = [TaxLine(D("0.10"), D(5))] * 3
    by_line = compute(lines, prices_include_tax=False, rounding=Rounding.LINE, minor_units=2)
    by_doc = compute(lines, prices_include_tax=False, rounding=Rounding.DOCUMENT, minor_units=2)
    assert [t.tax for t in by_line.lines] == [D("0.01")] * 3
    assert by_line.tax == D("0.03")
    assert [t.tax for t in by_doc.lines] == [D("0.01"), D("0.01"), D("0.00")]
    assert by_doc.tax == D("0.02")
    assert by_doc.gross == D("0.32")


def test_per_document_gives_a_unit_to_the_largest_remainder() -> None:
    """0.13, 0.19 and 0.02 at 5%: exact 0.0065, 0.0095 and 0.001, sum 0.017 → 0.02; every
    floor is 0.00, so the two units go to the largest remainders (0.0095, then 0.0065),
    wherever those lines stand."""
    lines = [TaxLine(D("0.13"), D(5)), TaxLine(D("0.19"), D(5)), TaxLine(D("0.02"), D(5))]
    doc = compute(lines, prices_include_tax=False, rounding=Rounding.DOCUMENT, minor_units=2)
    assert [t.tax for t in doc.lines] == [D("0.01"), D("0.01"), D("0.00")]
    lines = [TaxLine(D("0.02"), D(5)), TaxLine(D("0.19"), D(5)), TaxLine(D("0.13"), D(5))]
    doc = compute(lines, prices_include_tax=False, rounding=Rounding.DOCUMENT, minor_units=2)
    assert [t.tax for t in doc.lines] == [D("0.00"), D("0.01"), D("0.01")]


def test_per_document_a_half_unit_made_of_shares_that_never_end_rounds_up() -> None:
    """0.01 and 0.02 with 20% included: shares 0.00166… and 0.00333… make exactly 0.005,
    which rounds up to 0.01; it goes to the larger remainder (0.00333…)."""
    lines = [TaxLine(D("0.01"), D(20)), TaxLine(D("0.02"), D(20))]
    doc = compute(lines, prices_include_tax=True, rounding=Rounding.DOCUMENT, minor_units=2)
    assert [t.tax for t in doc.lines] == [D("0.00"), D("0.01")]
    assert (doc.net, doc.tax, doc.gross) == (D("0.02"), D("0.01"), D("0.03"))


@pytest.mark.parametrize(("first", "second"), [("0.04", "109.04"), ("109.04", "0.04")])
def test_per_document_equal_remainders_give_the_unit_to_the_earlier_line(
    first: str, second: str
) -> None:
    """0.04 and 109.04 with 9% included hold 0.33… and 900.33… hundredths: equal remainders
    (36/109) whatever the size; the 0.66 left rounds to one unit, for the earlier line."""
    lines = [TaxLine(D(first), D(9)), TaxLine(D(second), D(9))]
    doc = compute(lines, prices_include_tax=True, rounding=Rounding.DOCUMENT, minor_units=2)
    taxes = [t.tax for t in doc.lines]
    expected = {"0.04": D("0.00"), "109.04": D("9.00")}
    assert taxes == [expected[first] + D("0.01"), expected[second]]
    assert doc.tax == D("9.01")


def test_a_document_summary_per_rate() -> None:
    lines = [
        TaxLine(D("100.00"), D(9)),
        TaxLine(D("50.00"), D(0)),
        TaxLine(D("20.00"), D(9)),
    ]
    doc = compute(lines, prices_include_tax=False, rounding=Rounding.LINE, minor_units=2)
    assert doc.rates == (
        RateTotal(D(0), D("50.00"), D("0.00"), D("50.00")),
        RateTotal(D(9), D("120.00"), D("10.80"), D("130.80")),
    )
    assert (doc.net, doc.tax, doc.gross) == (D("170.00"), D("10.80"), D("180.80"))


def test_an_exempt_buyer_pays_the_price_without_the_tax_it_contains() -> None:
    lines = [TaxLine(D("113.00"), D(13))]
    inclusive = compute(
        lines, prices_include_tax=True, rounding=Rounding.LINE, minor_units=2, exempt=True
    )
    assert inclusive.lines == (LineTax(D(0), D("100.00"), D(0), D("100.00")),)
    exclusive = compute(
        lines, prices_include_tax=False, rounding=Rounding.LINE, minor_units=2, exempt=True
    )
    assert exclusive.lines == (LineTax(D(0), D("113.00"), D(0), D("113.00")),)
    assert exclusive.rates == (RateTotal(D(0), D("113.00"), D(0), D("113.00")),)


def test_an_empty_document_is_zero() -> None:
    doc = compute([], prices_include_tax=False, rounding=Rounding.DOCUMENT, minor_units=2)
    assert (doc.lines, doc.rates) == ((), ())
    # Decimal zeros, which the API formats as money, not the integer 0.
    assert [type(x) for x in (doc.net, doc.tax, doc.gross)] == [Decimal] * 3
    assert (doc.net, doc.tax, doc.gross) == (0, 0, 0)


@pytest.mark.parametrize(
    ("certificate", "expires_on", "applies"),
    [
        ("", None, False),
        ("", date(2099, 1, 1), False),
        ("EX-1", None, True),
        ("EX-1", date(2025, 6, 30), True),  # the last valid day counts
        ("EX-1", date(2025, 6, 29), False),
    ],
)
def test_an_exemption_counts_until_its_last_valid_day(
    certificate: str, expires_on: date | None, applies: bool
) -> None:
    assert exemption_applies(certificate, expires_on, date(2025, 6, 30)) is applies


@pytest.mark.parametrize(
    ("percent", "text"),
    [
        (D("9.0000"), "9"),
        (D("10.0000"), "10"),
        (D("100"), "100"),
        (D("7.5000"), "7.5"),
        (D("0.0001"), "0.0001"),
        (D("0.0000"), "0"),
    ],
)
def test_a_rate_is_written_without_exponent_or_trailing_zeros(percent: Decimal, text: str) -> None:
    assert percent_text(percent) == text


# Rates: the product's category before the general rate, the region before the country,
# then the one in force latest; validity inclusive at both ends.
JAN, JUN, DEC = date(2025, 1, 1), date(2025, 6, 30), date(2025, 12, 31)


def _rate(
    id_: int,
    category: int | None = None,
    region: str = "",
    start: date = JAN,
    end: date | None = None,
) -> RateCandidate:
    return RateCandidate(id_, category, region, start, end, D(id_))


@pytest.mark.parametrize(
    ("candidates", "category", "region", "on", "chosen"),
    [
        ([_rate(1)], 7, "", JUN, 1),
        ([_rate(1), _rate(2, category=7)], 7, "", JUN, 2),
        ([_rate(2, category=7), _rate(1)], 7, "", JUN, 2),
        ([_rate(1), _rate(2, category=8)], 7, "", JUN, 1),  # another category's rate
        ([_rate(2, category=8), _rate(1)], 7, "", JUN, 1),
        ([_rate(2, region="FJ"), _rate(1)], 7, "GD", JUN, 1),  # another region's rate
        ([_rate(2), _rate(1, region="GD")], 7, "GD", JUN, 1),  # the region's, whatever the id
        ([_rate(2, end=date(2025, 5, 31)), _rate(1)], 7, "", JUN, 1),  # one that has ended
        ([_rate(2, category=8)], None, "", JUN, None),  # no category: only general rates
        ([_rate(1), _rate(2, region="GD")], 7, "GD", JUN, 2),
        ([_rate(1), _rate(2, region="GD")], 7, "FJ", JUN, 1),
        ([_rate(3, region="GD"), _rate(4, category=7)], 7, "GD", JUN, 4),  # category first
        ([_rate(1, end=JUN), _rate(2, start=date(2025, 7, 1))], 7, "", JUN, 1),
        ([_rate(1, end=JUN), _rate(2, start=date(2025, 7, 1))], 7, "", date(2025, 7, 1), 2),
        ([_rate(1, start=JUN)], 7, "", date(2025, 6, 29), None),
        ([_rate(1, start=JUN)], 7, "", JUN, 1),
        ([_rate(1, end=JUN)], 7, "", date(2025, 7, 1), None),
        ([_rate(5, start=JAN), _rate(6, start=JUN)], 7, "", DEC, 6),  # the latest in force
        ([_rate(6, start=JAN), _rate(5, start=JAN)], 7, "", DEC, 6),  # then the highest id
        ([], 7, "", JUN, None),
    ],
)
def test_applicable_rate(
    candidates: list[RateCandidate], category: int | None, region: str, on: date, chosen: int
) -> None:
    rate = applicable_rate(candidates, category_id=category, region=region, on=on)
    assert (rate.id if rate else None) == chosen
