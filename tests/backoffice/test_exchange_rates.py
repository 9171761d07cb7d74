"""The back office's exchange-rate page: the base currency in words, each currency of the
price lists with the rate that holds today as people say it, a warning for a missing or old
rate, one rate set by hand, a CSV file imported (its mistakes shown by line, nothing written),
the last rates of a currency; in the reader's language, with a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dinghuo.integrations.models import Event
from dinghuo.pricing import services
from dinghuo.pricing.models import ExchangeRate, PriceList
from tests.backoffice.staffing import csrf_post, staff_client, texts
from tests.builders import build_world

PAGE = "/staff/exchange-rates/"
SET = "/staff/exchange-rates/set/"
IMPORT = "/staff/exchange-rates/import/"
# Session, user, staff member, the seller, the currencies in use and their rates (two), the
# shown currency's last rates.
PAGE_QUERIES = 7


@pytest.fixture
def hk(db):
    """A seller whose books are in HKD, with price lists in USD and JPY too."""
    world = build_world("harbour", currency="HKD")
    for code, currency in (("export-usd", "USD"), ("japan", "JPY")):
        PriceList.objects.create(
            tenant=world.tenant, seller=world.seller, code=code, name=code, currency=currency
        )
    return world


def _today():
    return timezone.localdate()


def _rates(world, *rows):
    services.set_rates(tenant_id=world.tenant.pk, rates=list(rows), source="api")


def _state():
    return sorted(
        ExchangeRate.objects.values_list("currency", "day", "rate")
    ), Event.objects.count()


def _csv(text: str, name: str = "rates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def test_the_page_says_the_base_currency_and_each_rate_in_words(hk):
    _rates(
        hk, ("USD", _today() - timedelta(1), Decimal("7.8")), ("JPY", _today(), Decimal("0.0521"))
    )
    page = texts(staff_client(hk).client.get(PAGE))
    assert "Your books are kept in Hong Kong dollars (HKD)" in page
    assert 'data-testid="rate-USD">1 US dollar = 7.80 Hong Kong dollars<' in page
    assert 'data-testid="rate-JPY">100 Japanese yen = 5.21 Hong Kong dollars<' in page
    assert 'data-testid="status-USD">Up to date<' in page
    assert "currency-HKD" not in page  # the base needs no rate
    assert "warning-" not in page


def test_a_missing_rate_and_one_more_than_a_week_old_are_warned_about(hk):
    _rates(hk, ("USD", _today() - timedelta(8), Decimal("7.8")))
    page = texts(staff_client(hk).client.get(PAGE))
    assert 'data-testid="warning-JPY"' in page
    assert "No rate yet: orders in Japanese yen cannot be placed." in page
    assert 'data-testid="warning-USD"' in page
    assert "Out of date: set 8 days ago." in page
    assert 'data-testid="status-JPY">Orders refused<' in page
    assert 'data-testid="status-USD">Out of date<' in page
    # a week old is still up to date
    _rates(hk, ("USD", _today() - timedelta(7), Decimal("7.81")))
    page = texts(staff_client(hk, "sue@seller.test").client.get(PAGE))
    assert 'data-testid="warning-USD"' not in page
    assert 'data-testid="status-USD">Up to date<' in page


def test_the_page_speaks_traditional_and_simplified_chinese(hk):
    _rates(hk, ("USD", _today(), Decimal("7.8")))
    staff = staff_client(hk)
    staff.client.cookies["django_language"] = "zh-hant"
    page = texts(staff.client.get(PAGE))
    assert "1 美元 = 7.80 港元" in page
    assert "匯率" in page and "本位幣" in page
    assert "日圓" in page  # the JPY warning names the currency
    staff.client.cookies["django_language"] = "zh-hans"
    page = texts(staff.client.get(PAGE))
    assert "1 美元 = 7.80 港元" in page
    assert "汇率" in page and "本位币" in page


def test_a_rate_set_on_the_page_goes_through_the_service(hk):
    staff = staff_client(hk)
    day = _today() - timedelta(2)
    r = csrf_post(staff.client, SET, {"currency": "USD", "day": day.isoformat(), "rate": "7.8012"})
    assert r.status_code == 302 and r["Location"].endswith("?currency=USD")
    assert list(ExchangeRate.objects.values_list("currency", "day", "rate", "source")) == [
        ("USD", day, Decimal("7.8012"), "page")
    ]
    assert Event.objects.filter(type="exchange_rates.updated").count() == 1
    page = texts(staff.client.get(r["Location"]))
    assert "1 US dollar = 7.8012 Hong Kong dollars." in page  # the message
    assert page.count('data-testid="history-row"') == 1
    assert "Entered on this page" in page


@pytest.mark.parametrize(
    ("rate", "field", "message"),
    [
        ("0", "rate", "A rate is a number above zero."),
        ("7.80123456789", "rate", "A rate has at most 10 decimals."),
        ("1000000000", "rate", "This rate is too large."),
        ("seven", "rate", "Enter a number."),
    ],
)
def test_a_refused_rate_is_said_next_to_its_field_and_nothing_is_written(hk, rate, field, message):
    before = _state()
    body = {"currency": "USD", "day": _today().isoformat(), "rate": rate}
    page = texts(csrf_post(staff_client(hk).client, SET, body))
    assert f'data-testid="error-{field}">{message}<' in page
    assert _state() == before


def test_the_base_currency_cannot_be_chosen_and_an_error_is_said_in_chinese(hk):
    staff = staff_client(hk)
    page = texts(staff.client.get(PAGE))
    assert '<option value="USD"' in page and '<option value="HKD"' not in page
    before = _state()
    r = csrf_post(staff.client, SET, {"currency": "HKD", "day": _today().isoformat(), "rate": "1"})
    assert 'data-testid="error-currency"' in texts(r)
    staff.client.cookies["django_language"] = "zh-hant"
    body = {"currency": "USD", "day": _today().isoformat(), "rate": "0"}
    page = texts(csrf_post(staff.client, SET, body))
    assert 'data-testid="error-rate">匯率必須是大於零的數字。<' in page
    assert _state() == before


def test_a_csv_file_is_imported_and_its_rates_listed(hk):
    staff = staff_client(hk)
    text = "\ufeffdate;currency;rate\n2026-03-02;USD;7,8012\n2026-03-03;USD;7,8020\n2026-03-02;JPY;0,0521\n"
    r = csrf_post(staff.client, IMPORT, {"file": _csv(text)})
    assert r.status_code == 302, texts(r)
    assert ExchangeRate.objects.filter(source="csv").count() == 3
    page = texts(staff.client.get(f"{PAGE}?currency=USD"))
    history = page.split('data-testid="history"')[1]
    assert history.count('data-testid="history-row"') == 2
    assert history.index("Mar 3, 2026") < history.index("Mar 2, 2026")  # newest first
    assert "1 US dollar = 7.802 Hong Kong dollars" in history
    assert "CSV import" in history


def test_the_import_says_how_many_rates_it_set(hk):
    staff = staff_client(hk)
    r = csrf_post(staff.client, IMPORT, {"file": _csv("day,currency,rate\n2026-03-02,USD,7.8\n")})
    assert "1 rate imported." in texts(staff.client.get(r["Location"]))


def test_a_files_mistakes_are_shown_by_line_and_nothing_is_written(hk):
    before = _state()
    text = (
        "date,currency,rate\n"
        "2026-03-02,USD,7.8\n"
        "2026-03-32,USD,7.8\n"  # line 3
        "2026-03-03,HKD,1\n"  # line 4
        "2026-03-04,USD,0\n"  # line 5
    )
    page = texts(csrf_post(staff_client(hk).client, IMPORT, {"file": _csv(text)}))
    assert "Line 3: Not a day: write it as 2026-03-31." in page
    assert "Line 4: This is your base currency: its rate is always 1." in page
    assert "Line 5: A rate is a number above zero." in page
    assert _state() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The submitted file is empty."),
        ("date,currency,rate\n", "The file has no rates."),
        ("when,currency,rate\n2026-03-02,USD,7.8\n", "The first line must name the columns"),
    ],
)
def test_a_file_without_rates_is_refused_with_a_reason(hk, content, message):
    page = texts(csrf_post(staff_client(hk).client, IMPORT, {"file": _csv(content)}))
    assert message in page
    assert ExchangeRate.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_in_chinese(hk):
    staff = staff_client(hk)
    staff.client.cookies["django_language"] = "zh-hant"
    upload = SimpleUploadedFile("r.csv", "date,currency,rate\n".encode("utf-16"), "text/csv")
    page = texts(csrf_post(staff.client, IMPORT, {"file": upload}))
    assert "UTF-8" in page and "Save the file" not in page
    assert ExchangeRate.objects.count() == 0


def test_the_last_thirty_rates_of_the_chosen_currency_newest_first(hk):
    start = _today() - timedelta(40)
    _rates(
        hk, *[("USD", start + timedelta(i), Decimal("7.8") + Decimal(i) / 1000) for i in range(41)]
    )
    _rates(hk, ("EUR", _today(), Decimal("8.4")))
    staff = staff_client(hk)
    page = texts(staff.client.get(PAGE, {"currency": "USD"}))
    assert page.count('data-testid="history-row"') == 30
    assert page.index("7.84 Hong Kong dollars") < page.index("7.811 Hong Kong dollars")
    assert "7.81 Hong Kong dollars" not in page  # the 31st newest is left out
    page = texts(staff.client.get(PAGE, {"currency": "EUR"}))
    assert (
        page.count('data-testid="history-row"') == 1 and "1 euro = 8.40 Hong Kong dollars" in page
    )
    # a currency that is none, or the base, shows the first in use (JPY: none yet)
    for asked in ("XYZ", "HKD", "<b>", "US"):
        page = texts(staff.client.get(PAGE, {"currency": asked}))
        assert "The last rates of Japanese yen (JPY)" in page
        assert 'data-testid="no-history"' in page


def test_another_tenants_rates_are_not_shown(hk, world):
    _rates(hk, ("USD", _today(), Decimal("7.8")))
    page = texts(staff_client(world).client.get(PAGE, {"currency": "USD"}))
    assert "Hong Kong dollars" not in page
    assert 'data-testid="no-history"' in page or "history-row" not in page


def test_the_page_takes_the_same_queries_however_many_currencies_and_rates(hk):
    staff = staff_client(hk)
    _rates(hk, ("USD", _today(), Decimal("7.8")))
    staff.client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        assert staff.client.get(PAGE).status_code == 200
    for i, currency in enumerate(("EUR", "SGD", "CNY", "TWD")):
        PriceList.objects.create(
            tenant=hk.tenant, seller=hk.seller, code=f"l{i}", name=currency, currency=currency
        )
    _rates(
        hk,
        *[
            (c, _today() - timedelta(d), Decimal(1))
            for c in ("USD", "EUR", "SGD")
            for d in range(1, 40)
        ],
    )
    with CaptureQueriesContext(connection) as many:
        assert staff.client.get(PAGE).status_code == 200
    assert len(few) == len(many) == PAGE_QUERIES
