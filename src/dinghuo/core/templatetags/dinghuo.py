"""`{% load dinghuo %}`: money, numbers and dates formatted for the active language (Babel).

    {{ order.total|money:order.currency }}   HK$1,234.50
    {{ quantity|number }}                    12,000
    {{ order.placed_at|datetime }}           Mar 4, 2025, 3:30 PM / 2025年3月4日 下午3:30
    {{ shipment.shipped_on|date }}           Mar 4, 2025 / 2025年3月4日
    {{ reasons|or_list }}                    Damaged or Wrong item / 損壞或錯誤貨品

Amounts are rounded to the currency's ISO 4217 minor units (`core.money`) and shown with
exactly that many digits, whatever CLDR says about the currency.
"""

import copy
import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.numbers import NumberPattern, format_decimal, get_currency_name, parse_pattern
from django import template
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation
from django.utils.translation import pgettext

from dinghuo.core import phrases, units
from dinghuo.core.money import format_unit_price, is_currency, minor_units, round_money

register = template.Library()

# The Babel (CLDR) locale of each language of settings.LANGUAGES: Traditional Chinese as
# written in Hong Kong, Simplified Chinese as in mainland China.
BABEL_LOCALES = {"en": "en", "zh-hant": "zh_Hant_HK", "zh-hans": "zh_Hans_CN"}
_BABEL_STYLES = frozenset({"short", "medium", "long", "full"})


def babel_locale() -> Locale:
    """The Babel locale of the active Django language (English when none is active)."""
    language = (translation.get_language() or "en").lower()
    return Locale.parse(BABEL_LOCALES.get(language, BABEL_LOCALES["en"]))


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _with_decimals(pattern: NumberPattern | str, places: int) -> NumberPattern:
    # A copy: Babel hands out the locale's own pattern objects, shared by every caller.
    fixed = copy.copy(parse_pattern(pattern))
    fixed.frac_prec = (places, places)
    return fixed


@functools.lru_cache(maxsize=64)
def _currency_pattern(locale: Locale, places: int) -> NumberPattern:
    # Kept per locale and digits: building it is most of a price's cost, and a catalogue page
    # shows a few hundred prices (applying a pattern does not change it).
    return _with_decimals(locale.currency_formats["standard"], places)


@register.filter
def money(value: Any, currency: str) -> str:
    """An amount in `currency` for the active locale, e.g. "HK$1,234.50"; empty for none."""
    amount = _decimal(value)
    if amount is None or not currency or not is_currency(str(currency)):
        return ""
    currency = str(currency)
    locale = babel_locale()
    digits = minor_units(currency)
    # The locale's currency pattern with the ISO digits (CLDR disagrees for a few currencies).
    pattern = _currency_pattern(locale, digits)
    return str(
        pattern.apply(
            round_money(amount, currency), locale, currency=currency, currency_digits=False
        )
    )


@register.filter
def unit_price(value: Any, currency: str) -> str:
    """A unit price in `currency` for the active locale: the currency's minor units, and
    more digits only where the price has them ("US$0.3333", "US$9.00")."""
    amount = _decimal(value)
    if amount is None or not currency or not is_currency(str(currency)):
        return ""
    currency = str(currency)
    locale = babel_locale()
    exact = Decimal(format_unit_price(amount, currency))
    digits = max(minor_units(currency), -int(exact.as_tuple().exponent))
    pattern = _currency_pattern(locale, digits)
    return str(pattern.apply(exact, locale, currency=currency, currency_digits=False))


@register.filter
def currency_name(code: Any, count: Any = 2) -> str:
    """A currency's name in the active language, in the plural form for `count` ("US
    dollars", "1 US dollar", "港元"); the code itself when it is not a currency."""
    if not code or not is_currency(str(code)):
        return str(code or "")
    amount = _decimal(count)
    return get_currency_name(
        str(code), count=amount if amount is not None else 2, locale=babel_locale()
    )


@register.filter(name="unit_name")
def unit_name_filter(unit: Any) -> str:
    """A SKU's unit of measure in the active language ("ctn" → "carton", "箱"; `core.units`)."""
    return units.unit_name(str(unit or ""))


@register.filter
def media_url(name: Any) -> str:
    """The address of a product picture kept in storage as `products/…` (pages.media)."""
    text = str(name or "")
    return "/media/" + text if text.startswith("products/") else ""


@register.filter
def country_name(code: Any) -> str:
    """A country's name in the active language ("HK" → "Hong Kong SAR China", "香港特別行政區");
    the code itself when CLDR has no such territory."""
    text = str(code or "").strip().upper()
    return str(babel_locale().territories.get(text, text)) if text else ""


@register.filter
def rate(value: Any) -> str:
    """An exchange rate for the active locale with every digit it has and at least two
    decimals ("7.80", "0.052", "1.00"); empty for none."""
    amount = _decimal(value)
    if amount is None:
        return ""
    exponent = amount.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return number(amount, places)


@register.simple_tag
def rate_sentence(currency: str, value: Any, base: str) -> str:
    """A rate as people say it, in the page's language: "1 US dollar = 7.80 Hong Kong
    dollars"; a small rate for 10, 100… units ("100 Japanese yen = 5.21 Hong Kong dollars").
    `{% rate_sentence order.currency order.fx_rate seller.base_currency %}`"""
    amount = _decimal(value)
    if amount is None or amount <= 0:
        return ""
    units = 1
    while amount * units < 1 and units < 10**9:
        units *= 10
    return translation.gettext("%(units)s %(currency)s = %(amount)s %(base)s") % {
        "units": number(units),
        "currency": currency_name(currency, units),
        "amount": rate(amount * units),
        "base": currency_name(base, amount * units),
    }


@register.simple_tag
def colon() -> str:
    """What follows a label before its value: ": " in English, a full-width "：" in Chinese
    (`{% translate "Note" %}{% colon %}…`)."""
    return pgettext("after a label", ": ")


@register.filter
def or_list(items: Any) -> str:
    """Alternatives joined as the reader's language lists them (CLDR): "A, B, or C",
    "A、B或C"."""
    words = [str(item) for item in items or []]
    return format_list(words, style="or", locale=babel_locale()) if words else ""


@register.filter
def number(value: Any, digits: Any = None) -> str:
    """A number with the locale's grouping, e.g. "12,345.5"; `digits` fixes the decimals."""
    amount = _decimal(value)
    if amount is None:
        return ""
    locale = babel_locale()
    if digits is None or digits == "":
        return format_decimal(amount, locale=locale)
    places = int(digits)
    pattern = _with_decimals(locale.decimal_formats[None], places)
    return str(pattern.apply(amount, locale))


@register.filter(name="datetime")
def datetime_(value: Any, style: str = "") -> str:
    """A moment in the current time zone for the active locale: by default the medium date
    and the short time ("Mar 4, 2025, 3:30 PM"); `style` short, medium, long or full is CLDR's
    style for both, anything else an LDML pattern such as "yyyy-MM-dd HH:mm"."""
    if not isinstance(value, dt.datetime):
        return ""
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    locale = babel_locale()
    if not style:
        # Seconds are noise on an order page; CLDR's medium style shows them.
        day = format_date(moment, "medium", locale=locale)
        time = format_time(moment, "short", locale=locale)
        return str(locale.datetime_formats["medium"]).format(time, day)
    return format_datetime(moment, style, locale=locale)


@register.filter(name="date")
def date_(value: Any, style: str = "medium") -> str:
    """A day for the active locale; `style` is short, medium (default), long or full.

    Any other argument is Django's own `date` format ("Y-m-d"), so a template that loads this
    library keeps the meaning of Django's built-in filter of the same name."""
    if value is None or value == "":
        return ""
    if style and style not in _BABEL_STYLES:
        return django_date(value, style)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        return ""
    return format_date(value, style or "medium", locale=babel_locale())


@register.filter
def said(value: Any) -> str:
    """A sentence built in code (`dinghuo.core.phrases`), or one stored as JSON by it, in the
    page's language; plain text (a person's words, a name) as it is."""
    return phrases.translated(phrases.from_json(value))
