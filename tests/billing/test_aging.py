"""Receivables aging: the pure rule at its exact boundaries, the query against a sum written
here independently, and the CSV and Excel exports (amounts as numbers with their currency,
a total row per currency, headings in the reader's language, text never run as a formula)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.billing import aging, aging_export, queries
from dinghuo.billing.models import Receivable
from dinghuo.core import clock
from dinghuo.customers.models import Company, Location
from tests.billing.support import at, pay, shipped_order
from tests.builders import World

D = Decimal
ON = date(2026, 6, 30)


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [
        (-400, aging.CURRENT),
        (-1, aging.CURRENT),  # due tomorrow
        (0, aging.CURRENT),  # due today
        (1, aging.DAYS_1_30),
        (30, aging.DAYS_1_30),
        (31, aging.DAYS_31_60),
        (60, aging.DAYS_31_60),
        (61, aging.DAYS_61_90),
        (90, aging.DAYS_61_90),
        (91, aging.OVER_90),
        (5000, aging.OVER_90),
    ],
)
def test_buckets_at_their_exact_boundaries(days_late: int, expected: str) -> None:
    assert aging.bucket(ON - timedelta(days=days_late), ON) == expected


def test_age_sums_each_bucket() -> None:
    aged = aging.age(
        [
            (ON, D("1.00")),
            (ON - timedelta(days=1), D("2.00")),
            (ON - timedelta(days=30), D("4.00")),
            (ON - timedelta(days=31), D("8.00")),
            (ON - timedelta(days=91), D("16.00")),
        ],
        ON,
    )
    assert aged == aging.Aged(D("1.00"), D("6.00"), D("8.00"), D(0), D("16.00"))
    assert aged.total == D("31.00")


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-200, max_value=400),
            st.decimals(min_value=0, max_value=10**9, places=2),
        ),
        max_size=30,
    )
)
def test_aging_neither_loses_nor_invents_money(items: list[tuple[int, Decimal]]) -> None:
    aged = aging.age([(ON - timedelta(days=late), amount) for late, amount in items], ON)
    assert aged.total == sum((amount for _late, amount in items), D(0))
    assert all(value >= 0 for value in aged.by_bucket().values())


# --- the query against an independent sum -------------------------------------------------------


def _expected_bucket(days_late: int) -> str:
    """The rule written out again, independently of `aging.bucket`."""
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "1_30"
    if days_late <= 60:
        return "31_60"
    if days_late <= 90:
        return "61_90"
    return "over_90"


def _independent_aging(tenant_id: int, on: date) -> dict[str, dict[str, Decimal]]:
    sums: dict[str, dict[str, Decimal]] = {}
    for receivable in Receivable.objects.filter(tenant_id=tenant_id).select_related("company"):
        if receivable.open_amount == 0:
            continue
        by_bucket = sums.setdefault(receivable.company.code, {})
        name = _expected_bucket((on - receivable.due_on).days)
        by_bucket[name] = by_bucket.get(name, D(0)) + receivable.open_amount
    return sums


def _second_company(world: World) -> tuple[Company, Location]:
    company = Company.objects.create(
        tenant=world.tenant, code="B002", name="Buyer Two", price_list=world.price_list
    )
    ship_to = Location.objects.create(
        tenant=world.tenant,
        company=company,
        kind="ship_to",
        name="Dock 2",
        line1="2 Harbour Rd",
        city="Hong Kong",
        country="HK",
    )
    return company, ship_to


def _invoice_due(world: World, due_on: date, quantity: int = 1) -> None:
    """An invoice of `quantity` A-1 (10.00 each) due on `due_on` (net 30: issued 30 days
    before)."""
    with clock.as_of(at(due_on - timedelta(days=30))):
        shipped_order(world, ("A-1", quantity))


@pytest.fixture
def receivables(world: World) -> World:
    """Two companies with invoices due on every boundary, one partly paid, one paid."""
    for late in (-5, 0, 1, 30, 31, 60, 61, 90, 91):
        _invoice_due(world, ON - timedelta(days=late))
    company, ship_to = world.company, world.ship_to
    world.company, world.ship_to = _second_company(world)
    _invoice_due(world, ON - timedelta(days=45), quantity=3)
    _invoice_due(world, ON - timedelta(days=200), quantity=2)
    with clock.as_of(at(ON)):
        pay(world, "25.00", received_on=ON)  # oldest first: 20.00 settles, 5.00 of the 30.00
    world.company, world.ship_to = company, ship_to
    return world


def test_the_query_agrees_with_an_independent_sum(receivables: World, other_world: World) -> None:
    _invoice_due(other_world, ON)  # another tenant's invoice counts nowhere here
    for on in (ON, ON - timedelta(days=1), ON + timedelta(days=31)):
        found = queries.receivables_aging(receivables.tenant.pk, on)
        got = {row.code: {k: v for k, v in row.aged.by_bucket().items() if v} for row in found}
        assert got == _independent_aging(receivables.tenant.pk, on)
    rows = queries.receivables_aging(receivables.tenant.pk, ON)
    assert [(r.code, r.currency) for r in rows] == [("B002", "USD"), ("C001", "USD")]
    first = rows[1].aged
    assert first == aging.Aged(D("20.00"), D("20.00"), D("20.00"), D("20.00"), D("10.00"))
    second = rows[0].aged
    assert second == aging.Aged(days_31_60=D("25.00"))
    # The seller's books are in USD: in base currency the same amounts.
    assert [(r.base_currency, r.base) for r in rows] == [("USD", second), ("USD", first)]


def test_the_query_is_one_statement(receivables: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        queries.receivables_aging(receivables.tenant.pk, ON)


# --- the exports ----------------------------------------------------------------------------


def _rows() -> list[queries.CompanyAging]:
    """Three companies of a HKD seller, one of them owing in JPY (at HK$0.052 the yen)."""
    return [
        queries.CompanyAging(
            1,
            "C001",
            "Buyer One",
            "HKD",
            aging.Aged(D("100.50"), D("20.00"), over_90=D("5")),
            "HKD",
            aging.Aged(D("100.50"), D("20.00"), over_90=D("5")),
        ),
        queries.CompanyAging(
            2, "C002", "=HYPERLINK(1)", "HKD", aging.Aged(D("0.50")), "HKD", aging.Aged(D("0.50"))
        ),
        queries.CompanyAging(
            3,
            "J001",
            "Tokyo Trading",
            "JPY",
            aging.Aged(D("1000"), D("250")),
            "HKD",
            aging.Aged(D("52.00"), D("13.00")),
        ),
    ]


def test_totals_are_per_currency_and_for_all_companies_in_base_currency() -> None:
    totals = aging_export.totals(_rows())
    assert [(t.currency, t.companies, t.aged.total, t.base.total) for t in totals] == [
        ("HKD", 2, D("126.00"), D("126.00")),
        ("JPY", 1, D("1250"), D("65.00")),
    ]
    (every,) = aging_export.base_totals(_rows())
    assert (every.currency, every.companies) == ("HKD", 3)
    assert every.aged == aging.Aged(D("153.00"), D("33.00"), over_90=D("5"))


def test_the_csv_has_plain_amounts_a_currency_column_and_a_total_per_currency() -> None:
    lines = list(csv.reader(io.StringIO(aging_export.aging_csv(_rows()))))
    buckets = [
        "Not yet due",
        "1–30 days overdue",
        "31–60 days overdue",
        "61–90 days overdue",
        "Over 90 days overdue",
    ]
    assert lines[0] == [
        "Company code",
        "Company",
        "Currency",
        *buckets,
        "Total",
        "Base currency",
        *(f"{bucket}, in base currency" for bucket in buckets),
        "Total in base currency",
    ]
    hkd = ["100.50", "20.00", "0.00", "0.00", "5.00", "125.50"]
    assert lines[1] == ["C001", "Buyer One", "HKD", *hkd, "HKD", *hkd]
    assert lines[2][1] == "'=HYPERLINK(1)"  # quoted: a spreadsheet shows it, never runs it
    assert lines[3] == [
        "J001",
        "Tokyo Trading",
        "JPY",
        *["1000", "250", "0", "0", "0", "1250"],
        "HKD",
        *["52.00", "13.00", "0.00", "0.00", "0.00", "65.00"],
    ]
    hkd_total = ["101.00", "20.00", "0.00", "0.00", "5.00", "126.00"]
    assert lines[4] == ["", "Total", "HKD", *hkd_total, "HKD", *hkd_total]
    assert lines[5] == [
        "",
        "Total",
        "JPY",
        *["1000", "250", "0", "0", "0", "1250"],
        "HKD",
        *["52.00", "13.00", "0.00", "0.00", "0.00", "65.00"],
    ]
    every = ["153.00", "33.00", "0.00", "0.00", "5.00", "191.00"]
    assert lines[6] == ["", "All companies", "", *[""] * 6, "HKD", *every]
    assert len(lines) == 7


def test_the_csv_speaks_the_readers_language() -> None:
    with translation.override("zh-hant"):
        lines = list(csv.reader(io.StringIO(aging_export.aging_csv(_rows()))))
    heading = lines[0]
    assert heading[0] == "公司代碼"
    assert "未到期" in heading
    assert "本位幣" in heading
    assert "未到期（以本位幣計）" in heading
    assert lines[-1][1] == "所有公司"
    assert not any(word.isascii() and any(c.isalpha() for c in word) for word in heading)


def test_the_workbook_has_numbers_in_their_currencys_format() -> None:
    book = openpyxl.load_workbook(io.BytesIO(aging_export.aging_xlsx(_rows(), ON)))
    sheet = book.active
    assert sheet.title == "Aging 2026-06-30"
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    amounts = (100.5, 20, 0, 0, 5, 125.5)
    assert rows[1] == ("C001", "Buyer One", "HKD", *amounts, "HKD", *amounts)
    assert rows[2][1] == "=HYPERLINK(1)"  # text, as typed
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert rows[3][9:] == ("HKD", 52, 13, 0, 0, 0, 65)
    assert rows[4][:9] == (None, "Total", "HKD", 101, 20, 0, 0, 5, 126)
    assert rows[5][:9] == (None, "Total", "JPY", 1000, 250, 0, 0, 0, 1250)
    assert rows[6] == (None, "All companies", None, *[None] * 6, "HKD", 153, 33, 0, 0, 5, 191)
    assert sheet.cell(row=2, column=4).number_format == '#,##0.00 "HKD"'
    assert sheet.cell(row=4, column=4).number_format == '#,##0 "JPY"'
    assert sheet.cell(row=4, column=11).number_format == '#,##0.00 "HKD"'
    assert sheet.cell(row=5, column=2).font.bold
    assert sheet.cell(row=7, column=16).font.bold
