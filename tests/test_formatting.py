"""Money, numbers and dates on pages, formatted for the language the person reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from dinghuo.core.templatetags.dinghuo import babel_locale, date_, datetime_, money, number

LANGUAGES = ("en", "zh-hant", "zh-hans")


def _render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load i18n dinghuo %}" + source).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_hong_kong_dollars_read_the_same_in_english_and_chinese(language: str) -> None:
    assert _render("{{ a|money:'HKD' }}", language, a=Decimal("1234.5")) == "HK$1,234.50"


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("en", "-5", "USD", "-$5.00"),
        ("zh-hant", "-5", "USD", "-US$5.00"),
        ("en", "1234", "JPY", "¥1,234"),  # no minor units
        ("zh-hans", "1234.4", "JPY", "JP¥1,234"),
        ("zh-hans", "10", "CNY", "¥10.00"),
        ("en", "10", "CNY", "CN¥10.00"),
        ("en", "1.2345", "KWD", "KWD1.235"),  # three decimals, rounded half up
        ("en", "0.005", "USD", "$0.01"),
        ("en", "99.5", "TWD", "NT$99.50"),  # ISO says 2 decimals, CLDR shows none
    ],
)
def test_money_has_the_currency_s_iso_decimals_and_the_locale_s_signs(
    language: str, amount: str, currency: str, shown: str
) -> None:
    with translation.override(language):
        assert money(Decimal(amount), currency) == shown


def test_money_takes_the_api_s_decimal_strings_and_shows_nothing_for_nonsense() -> None:
    assert money("12.30", "HKD") == "HK$12.30"
    assert money(None, "HKD") == ""
    assert money("abc", "HKD") == ""
    assert money("1", "") == ""
    assert money("1", "XXQ") == ""


def test_numbers_are_grouped_for_the_locale() -> None:
    with translation.override("zh-hant"):
        assert number(Decimal("12345.678")) == "12,345.678"
        assert number(3, 2) == "3.00"
        assert number(None) == ""


MOMENT = dt.datetime(2025, 3, 4, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Mar 4, 2025, 3:30\u202fPM"),  # CLDR: a narrow no-break space
        ("zh-hant", "2025年3月4日 下午3:30"),
        ("zh-hans", "2025年3月4日 15:30"),
    ],
)
def test_moments_are_written_the_local_way(language: str, shown: str) -> None:
    assert _render("{{ t|datetime }}", language, t=MOMENT) == shown


def test_moments_are_shown_in_the_current_time_zone() -> None:
    with timezone.override("Asia/Hong_Kong"), translation.override("en"):
        assert datetime_(MOMENT) == "Mar 4, 2025, 11:30\u202fPM"
        assert date_(dt.datetime(2025, 3, 4, 20, 0, tzinfo=dt.UTC)) == "Mar 5, 2025"


@pytest.mark.parametrize(
    ("language", "style", "shown"),
    [
        ("en", "", "Mar 4, 2025"),
        ("zh-hant", "", "2025年3月4日"),
        ("zh-hans", "short", "2025/3/4"),
        ("en", "long", "March 4, 2025"),
    ],
)
def test_days_are_written_the_local_way(language: str, style: str, shown: str) -> None:
    source = "{{ d|date:style }}" if style else "{{ d|date }}"
    assert _render(source, language, d=dt.date(2025, 3, 4), style=style) == shown


def test_django_s_own_date_formats_keep_working_where_the_library_is_loaded() -> None:
    assert _render('{{ d|date:"Y-m-d" }}', "zh-hant", d=dt.date(2025, 3, 4)) == "2025-03-04"


def test_an_unknown_language_falls_back_to_english() -> None:
    with translation.override("fr"):
        assert str(babel_locale()) == "en"


def test_unit_prices_keep_the_digits_they_have():
    from django.utils import translation

    from dinghuo.core.templatetags.dinghuo import unit_price

    with translation.override("en"):
        assert unit_price(Decimal("0.3333"), "USD") == "$0.3333"
        assert unit_price(Decimal("9.0000"), "USD") == "$9.00"
        assert unit_price(Decimal("1234.5"), "USD") == "$1,234.50"
        assert unit_price(Decimal("12.5000"), "JPY") == "¥12.5"
        assert unit_price(None, "USD") == ""


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Damaged, Wrong item, or Not needed"),
        ("zh-hant", "Damaged、Wrong item或Not needed"),
        ("zh-hans", "Damaged、Wrong item或Not needed"),
    ],
)
def test_alternatives_are_listed_the_local_way(language: str, shown: str) -> None:
    words = ["Damaged", "Wrong item", "Not needed"]
    assert _render("{{ words|or_list }}", language, words=words) == shown
    assert _render("{{ words|or_list }}", language, words=words[:1]) == "Damaged"
    assert _render("{{ words|or_list }}", language, words=[]) == ""


@pytest.mark.parametrize(("language", "shown"), [("en", "Note: x"), ("zh-hant", "備註：x")])
def test_a_label_is_followed_by_the_language_s_colon(language: str, shown: str) -> None:
    assert _render('{% translate "Note" %}{% colon %}x', language) == shown
