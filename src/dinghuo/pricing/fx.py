"""Exchange rates and the arithmetic of a second currency. Pure, no database.

A rate says what one unit of a currency is worth in the seller's base currency (HKD 1 =
USD 0.128: the USD seller keeps `rate = 0.128` for HKD). The base currency's own rate is 1.
A rate holds from its day until the next one: the rate of a day is the latest on or
before it (`rate_of_day`). Amounts converted are rounded half up to the minor units of the
currency they are converted into, once, at the end.

Settling a document in parts converts by running totals (`base_part`), as `billing/proration`
shares lines, so that the parts of a document in base currency add up to the document in base
currency, to the cent, whatever the number of parts.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from dinghuo.core.money import round_money

ONE = Decimal(1)
# Rates are kept with 10 decimals and at most 9 digits before the point: the column has room
# for 10, but SQLite keeps decimals as doubles, and 9,999,999,999.99… rounds up to 10^10, which
# no longer fits the column and cannot be read back. (The largest real rates are about 10^5.)
RATE_PLACES = 10
MAX_RATE = Decimal("999999999.9999999999")


def rate_problem(rate: Decimal) -> str | None:
    """Why `rate` cannot be a rate (a code), or None: positive, finite, at most 10 decimals."""
    if not rate.is_finite() or rate <= 0:
        return "rate_not_positive"
    if rate > MAX_RATE:
        return "rate_too_large"
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_PLACES:
        return "rate_too_precise"
    return None


def rate_of_day(rates: Iterable[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The rate that holds on `day`: the latest of `rates` (day, rate) on or before it."""
    best: tuple[date, Decimal] | None = None
    for rate_day, rate in rates:
        if rate_day <= day and (best is None or rate_day > best[0]):
            best = (rate_day, rate)
    return None if best is None else best[1]


def to_base(amount: Decimal, rate: Decimal, base_currency: str) -> Decimal:
    """`amount` (in a currency whose rate is `rate`) in the base currency, rounded."""
    return round_money(amount * rate, base_currency)


def convert(amount: Decimal, from_rate: Decimal, to_rate: Decimal, to_currency: str) -> Decimal:
    """`amount` in a currency of rate `from_rate` expressed in one of rate `to_rate`, rounded
    to `to_currency`'s minor units (both rates to the same base)."""
    if from_rate == to_rate:
        return round_money(amount, to_currency)
    return round_money(amount * from_rate / to_rate, to_currency)


def base_part(before: Decimal, part: Decimal, rate: Decimal, base_currency: str) -> Decimal:
    """The base amount of `part` of a document of which `before` was already settled: the
    difference of the running totals in base, so that the parts sum to the whole."""
    return to_base(before + part, rate, base_currency) - to_base(before, rate, base_currency)
