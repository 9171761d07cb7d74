"""A seller's exchange rates: set from a list or a CSV file, all or nothing, each problem
named by its row or line; the rates read newest first, a page at a time; the currencies its
price lists use with the rate that holds today, missing or out of date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from dinghuo.core.errors import DomainError, ValidationFailed
from dinghuo.integrations.models import Event
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import ExchangeRate, PriceList

D = Decimal
DAY = date(2026, 3, 2)


def _rates(world) -> list[tuple[str, date, Decimal, str]]:
    return sorted(
        ExchangeRate.objects.filter(seller=world.seller).values_list(
            "currency", "day", "rate", "source"
        )
    )


def _set(world, *rates, source="api"):
    return services.set_rates(tenant_id=world.tenant.pk, rates=list(rates), source=source)


def _problems(error: DomainError) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in error.errors]


def _import(world, text: str):
    return services.import_rates_csv(tenant_id=world.tenant.pk, text=text)


def _refused(world, call, *args) -> DomainError:
    """Run a write that must be refused; assert it changed nothing."""
    before = (_rates(world), Event.objects.count())
    with pytest.raises(DomainError) as caught:
        call(world, *args)
    assert (_rates(world), Event.objects.count()) == before
    return caught.value


# --- setting rates --------------------------------------------------------------------------


def test_rates_are_set_and_one_event_says_how_many_and_which(world):
    done = _set(
        world,
        ("HKD", DAY, D("0.128")),
        ("EUR", DAY, D("1.08")),
        ("HKD", DAY + timedelta(1), D("0.1281")),
    )
    assert done.currencies == ["EUR", "HKD"]
    assert _rates(world) == [
        ("EUR", DAY, D("1.08"), "api"),
        ("HKD", DAY, D("0.128"), "api"),
        ("HKD", DAY + timedelta(1), D("0.1281"), "api"),
    ]
    [event] = Event.objects.filter(type="exchange_rates.updated")
    assert (event.aggregate_type, event.aggregate_id) == ("seller", world.seller.pk)
    assert event.payload == {
        "seller": world.seller.slug,
        "base_currency": "USD",
        "count": 3,
        "currencies": ["EUR", "HKD"],
        "first_day": "2026-03-02",
        "last_day": "2026-03-03",
        "source": "api",
    }


def test_a_days_rate_given_again_replaces_it(world):
    _set(world, ("HKD", DAY, D("0.128")))
    _set(world, ("HKD", DAY, D("0.1279")), source="csv")
    assert _rates(world) == [("HKD", DAY, D("0.1279"), "csv")]
    assert queries.rate_on(world.seller, "HKD", DAY) == D("0.1279")


def test_ten_decimals_are_kept_and_eleven_refused(world):
    _set(world, ("HKD", DAY, D("0.1282051282")))
    assert queries.rate_on(world.seller, "HKD", DAY) == D("0.1282051282")
    error = _refused(world, _set, ("HKD", DAY, D("0.12820512821")))
    assert _problems(error) == [("rates[0].rate", "rate_too_precise")]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (("usd", DAY, D(1)), ("rates[1].currency", "invalid_currency")),
        (("XYZ", DAY, D(1)), ("rates[1].currency", "invalid_currency")),
        (("USD", DAY, D(1)), ("rates[1].currency", "base_currency_rate")),
        (("EUR", DAY, D(0)), ("rates[1].rate", "rate_not_positive")),
        (("EUR", DAY, D("-1.08")), ("rates[1].rate", "rate_not_positive")),
        (("EUR", DAY, D("NaN")), ("rates[1].rate", "rate_not_positive")),
        (("EUR", DAY, D("1000000000")), ("rates[1].rate", "rate_too_large")),
        (("EUR", "2026-02-30", D(1)), ("rates[1].date", "invalid_date")),
        (("HKD", DAY, D("0.13")), ("rates[1].date", "duplicate_rate")),
    ],
)
def test_a_bad_row_is_named_by_its_index_and_nothing_is_written(world, row, problem):
    error = _refused(world, _set, ("HKD", DAY, D("0.128")), row)
    assert (error.status, error.code) == (422, "validation_failed")
    assert _problems(error) == [problem]


def test_the_largest_rate_is_accepted_and_can_be_read_back(world):
    _set(world, ("EUR", DAY, D("999999999.9999999999")))
    # SQLite keeps about 16 digits (PostgreSQL all 19): what matters is that it reads back.
    assert _rates(world)[0][2] in {D("999999999.9999999999"), D("1000000000")}


def test_every_problem_is_listed_at_once(world):
    error = _refused(
        world, _set, ("usd", DAY, D(1)), ("EUR", DAY, D(0)), ("USD", DAY, D("1.000000000001"))
    )
    assert _problems(error) == [
        ("rates[0].currency", "invalid_currency"),
        ("rates[1].rate", "rate_not_positive"),
        ("rates[2].currency", "base_currency_rate"),
        ("rates[2].rate", "rate_too_precise"),
    ]


def test_no_rate_and_too_many_rates_are_refused(world):
    assert _problems(_refused(world, _set)) == [("rates", "required")]
    many = [("EUR", DAY + timedelta(i), D(1)) for i in range(services.MAX_RATES + 1)]
    error = _refused(world, _set, *many)
    assert (error.status, error.code) == (413, "request_too_large")
    assert _problems(error) == [("rates", "too_many_rows")]
    # exactly the maximum is fine
    _set(world, *many[: services.MAX_RATES])
    assert ExchangeRate.objects.count() == services.MAX_RATES


def test_another_sellers_base_is_its_own(world):
    other = world.seller.__class__.objects.create(
        tenant=world.tenant, slug="hk-store", name="HK store", base_currency="HKD"
    )
    done = services.set_rates(
        tenant_id=world.tenant.pk,
        seller_slug="hk-store",
        rates=[("USD", DAY, D("7.8"))],
        source="api",
    )
    assert done.seller == other
    assert queries.rate_on(other, "USD", DAY) == D("7.8")
    assert queries.rate_on(world.seller, "USD", DAY) == 1
    with pytest.raises(ValidationFailed) as caught:
        services.set_rates(tenant_id=world.tenant.pk, seller_slug="nobody", rates=[], source="api")
    assert _problems(caught.value) == [("seller", "unknown_seller")]


# --- CSV ----------------------------------------------------------------------------------


def _csv(rows: int) -> str:
    start = date(2010, 1, 1)
    return "date,currency,rate\n" + "".join(
        f"{start + timedelta(i)},{('EUR', 'HKD')[i % 2]},1.0{i:04d}\n" for i in range(rows)
    )


def test_a_csv_sets_its_rates(world):
    done = _import(world, "date,currency,rate\n2026-03-02,HKD,0.128\r\n2026-03-02,EUR,1.08\n")
    assert (len(done.rates), done.currencies) == (2, ["EUR", "HKD"])
    assert _rates(world) == [("EUR", DAY, D("1.08"), "csv"), ("HKD", DAY, D("0.128"), "csv")]
    assert Event.objects.get(type="exchange_rates.updated").payload["source"] == "csv"


def test_a_spreadsheets_csv_with_bom_semicolons_and_decimal_commas(world):
    text = (
        "\ufeffRate;Source;Currency;Day\n0,128;bank;HKD;2026-03-02\n\n1,0812;bank;EUR;2026-03-02\n"
    )
    _import(world, text)
    assert _rates(world) == [("EUR", DAY, D("1.0812"), "csv"), ("HKD", DAY, D("0.128"), "csv")]


def test_a_bad_line_is_reported_with_its_number_and_nothing_is_written(world):
    text = (
        "date,currency,rate\n"  # line 1
        "2026-03-02,HKD,0.128\n"  # line 2
        "2026-03-32,HKD,0.128\n"  # line 3: no such day
        "\n"  # line 4: blank, skipped but counted
        "2026-03-03,EUR,1.08€\n"  # line 5: not a number
        "2026-03-04,USD,1\n"  # line 6: the base currency
        "2026-03-02,HKD,0.129\n"  # line 7: line 2's currency and day again
    )
    error = _refused(world, _import, text)
    assert [(e.field, e.code, e.extra["line"]) for e in error.errors] == [
        ("lines[3].date", "invalid_date", 3),
        ("lines[5].rate", "invalid_rate", 5),
        ("lines[6].currency", "base_currency_rate", 6),
        ("lines[7].date", "duplicate_rate", 7),
    ]
    assert error.errors[0].message.startswith("Line 3: ")
    assert error.errors[3].extra["first"] == "lines[2]"


def test_a_negative_rate_in_a_file_is_said_to_be_below_zero(world):
    error = _refused(world, _import, "date,currency,rate\n2026-03-02,HKD,-0.128\n")
    assert [(e.field, e.code, e.extra["line"]) for e in error.errors] == [
        ("lines[2].rate", "rate_not_positive", 2)
    ]


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers_true(world):
    text = 'date,currency,rate,note\n2026-03-02,HKD,0.128,"two\nlines"\n2026-03-02,EUR,0,x\n'
    error = _refused(world, _import, text)
    assert [(e.field, e.extra["line"]) for e in error.errors] == [("lines[4].rate", 4)]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("", [("file", "empty_file")]),
        ("\ufeff  \n", [("file", "empty_file")]),
        ("date,currency,rate\n\n", [("file", "empty_file")]),
        ("when,currency,rate\n2026-03-02,HKD,1\n", [("lines[1]", "missing_column")]),
        ("currency\nHKD\n", [("lines[1]", "missing_column"), ("lines[1]", "missing_column")]),
    ],
)
def test_a_file_without_rates_or_columns_is_refused(world, text, problems):
    assert _problems(_refused(world, _import, text)) == problems


def test_the_missing_column_is_named(world):
    error = _refused(world, _import, "day,currency\n2026-03-02,HKD\n")
    assert [e.extra for e in error.errors] == [{"column": "rate"}]


def test_ten_thousand_rows_is_the_most_a_file_may_have(world):
    error = _refused(world, _import, _csv(services.MAX_RATES + 1))
    assert (error.status, error.code) == (413, "request_too_large")
    assert _problems(error) == [("file", "too_many_rows")]
    _import(world, _csv(services.MAX_RATES))
    assert ExchangeRate.objects.count() == services.MAX_RATES


def test_five_thousand_rows_import_in_a_few_statements(world, django_assert_max_num_queries):
    # Speed is the bench's to measure (a timed assertion fails on a busy machine); what keeps
    # an import fast is writing many rows a statement (SQLite's 999 parameters a statement):
    # 40 statements for 5,000 rows, not one or more per row (and the one audit entry).
    with django_assert_max_num_queries(41):
        _import(world, _csv(5_000))
    assert ExchangeRate.objects.count() == 5_000


def test_a_refusal_lists_a_hundred_problems_at_most(world):
    text = "date,currency,rate\n" + "".join(f"{DAY + timedelta(i)},HKD,0\n" for i in range(300))
    error = _refused(world, _import, text)
    assert len(error.errors) == 100
    assert error.errors[-1].extra["line"] == 101


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(ValidationFailed) as caught:
        services.decode_csv("date,currency,rate\n2026-03-02,HKD,0,128\n".encode("utf-16"))
    assert _problems(caught.value) == [("file", "invalid_encoding")]
    assert services.decode_csv(b"\xef\xbb\xbfdate") == "date"


# --- reading them ---------------------------------------------------------------------------


def test_rates_read_newest_first_by_currency_and_period(world):
    for offset in range(3):
        _set(
            world,
            ("HKD", DAY + timedelta(offset), D("0.128")),
            ("EUR", DAY + timedelta(offset), D("1.08")),
        )
    rows = queries.exchange_rates(world.seller)
    assert [(r.day.day, r.currency) for r in rows] == [
        (4, "EUR"), (4, "HKD"), (3, "EUR"), (3, "HKD"), (2, "EUR"), (2, "HKD"),
    ]  # fmt: skip
    some = queries.exchange_rates(
        world.seller, currency="HKD", since=DAY + timedelta(1), until=DAY + timedelta(1)
    )
    assert [(r.day, r.currency) for r in some] == [(DAY + timedelta(1), "HKD")]


def test_pages_follow_each_other_without_a_gap_or_a_repeat(world):
    _set(world, *[(c, DAY + timedelta(i), D(1)) for i in range(5) for c in ("EUR", "HKD", "JPY")])
    seen, after = [], None
    while True:
        rows, after = queries.rates_page(queries.exchange_rates(world.seller), after, 4)
        seen += [(r.day, r.currency) for r in rows]
        if after is None:
            break
    assert seen == [(r.day, r.currency) for r in queries.exchange_rates(world.seller)]
    assert len(seen) == 15


def _list(world, code: str, currency: str) -> None:
    PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code=code, name=code, currency=currency
    )


def test_the_currencies_in_use_say_which_rate_holds_today_missing_or_out_of_date(world):
    today = date(2026, 3, 20)
    for code, currency in (
        ("hkd", "HKD"),
        ("eur", "EUR"),
        ("jpy", "JPY"),
        ("cny", "CNY"),
        ("eur2", "EUR"),
    ):
        _list(world, code, currency)
    _set(
        world,
        ("HKD", today - timedelta(7), D("0.128")),  # a week old: still current
        ("EUR", today - timedelta(20), D("1.05")),
        ("EUR", today - timedelta(8), D("1.08")),  # eight days: out of date
        ("JPY", today, D("0.0067")),
        ("CNY", today + timedelta(1), D("0.14")),  # from tomorrow: none holds today
        ("SGD", today, D("0.74")),  # no price list in SGD
    )
    found = {c.currency: c for c in queries.currencies_in_use(world.seller, today)}
    assert list(found) == ["CNY", "EUR", "HKD", "JPY"]  # not USD, the base
    assert (found["HKD"].rate, found["HKD"].days_old, found["HKD"].stale) == (D("0.128"), 7, False)
    assert (found["EUR"].rate, found["EUR"].day, found["EUR"].stale) == (
        D("1.08"),
        today - timedelta(8),
        True,
    )
    assert (found["JPY"].days_old, found["JPY"].stale, found["JPY"].missing) == (0, False, False)
    assert (found["CNY"].rate, found["CNY"].missing, found["CNY"].stale) == (None, True, False)
    assert queries.STALE_AFTER_DAYS == 7


def test_the_currencies_in_use_take_two_queries(world, django_assert_num_queries):
    for i, currency in enumerate(("HKD", "EUR", "JPY", "CNY")):
        _list(world, f"l{i}", currency)
        _set(world, (currency, DAY, D(1)))
    with django_assert_num_queries(2):
        assert len(queries.currencies_in_use(world.seller, DAY)) == 4
