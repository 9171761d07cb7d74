"""Exchange-rate reads: the rate of a day for what freezes one (orders, invoices, payments)
and compares amounts in two currencies (approval rules); the seller's rates, newest first, and
the currencies its price lists use with the rate that holds today (the back office's page and
the API)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery

from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.pricing.fx import ONE
from dinghuo.pricing.models import ExchangeRate, PriceList


def rate_on(seller: Seller, currency: str, day: date) -> Decimal | None:
    """What one unit of `currency` is worth in the seller's base currency on `day` (its latest
    rate on or before the day; 1 for the base currency itself); None if it has none yet."""
    if currency == seller.base_currency:
        return ONE
    rate: Decimal | None = (
        ExchangeRate.objects.filter(seller=seller, currency=currency, day__lte=day)
        .order_by("-day")
        .values_list("rate", flat=True)
        .first()
    )
    return rate


def rates_on(seller: Seller, currencies: set[str], day: date) -> dict[str, Decimal]:
    """`rate_on` for several currencies, one query per currency other than the base; the
    currencies without a rate are left out."""
    found: dict[str, Decimal] = {}
    for currency in sorted(currencies):
        rate = rate_on(seller, currency, day)
        if rate is not None:
            found[currency] = rate
    return found


def require_rate(seller: Seller, currency: str, day: date, *, field: str = "currency") -> Decimal:
    """`rate_on`, or 422 `exchange_rate_missing` naming the currency and the day."""
    rate = rate_on(seller, currency, day)
    if rate is None:
        raise ValidationFailed(
            f"No exchange rate from {currency} to {seller.base_currency} on or before {day}.",
            code="exchange_rate_missing",
            errors=[
                FieldError(
                    field,
                    "exchange_rate_missing",
                    f"The seller has no exchange rate for {currency} yet.",
                    {"currency": currency, "base_currency": seller.base_currency},
                )
            ],
        )
    return rate


# --- the rates a seller keeps (pages and the API's lists) ------------------------------------

# A rate older than this many days is out of date: the back office warns about it (a rate
# however old still counts when an order freezes one).
STALE_AFTER_DAYS = 7


@dataclass(frozen=True)
class CurrencyInUse:
    """A currency a price list of the seller uses (not the base), with the rate that holds
    today: its latest on or before today, if any (`missing` when none), and whether that is
    older than `STALE_AFTER_DAYS` (`stale`)."""

    currency: str
    rate: Decimal | None
    day: date | None
    days_old: int | None

    @property
    def missing(self) -> bool:
        return self.rate is None

    @property
    def stale(self) -> bool:
        return self.days_old is not None and self.days_old > STALE_AFTER_DAYS


def exchange_rates(
    seller: Seller,
    *,
    currency: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ExchangeRate]:
    """The seller's rates, newest day first (currencies in alphabetical order within a day),
    optionally of one currency and from `since` to `until` (both included)."""
    qs = ExchangeRate.objects.filter(seller=seller)
    if currency is not None:
        qs = qs.filter(currency=currency)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "currency")


def rates_page(
    rates: QuerySet[ExchangeRate], after: tuple[date, str] | None, limit: int
) -> tuple[list[ExchangeRate], tuple[date, str] | None]:
    """One page of `exchange_rates` after the (day, currency) of the previous page's last
    row, and the position the next page starts after (None at the end): stable under
    inserts and cheap at any depth (the unique index on seller, currency, day)."""
    if after is not None:
        day, currency = after
        rates = rates.filter(Q(day__lt=day) | Q(day=day, currency__gt=currency))
    rows = list(rates[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ((rows[-1].day, rows[-1].currency) if more and rows else None)


def currencies_in_use(seller: Seller, today: date) -> list[CurrencyInUse]:
    """Each currency a price list of the seller uses, other than its base, with the rate
    that holds `today` (two queries)."""
    used = sorted(
        set(
            PriceList.objects.filter(seller=seller)
            .exclude(currency=seller.base_currency)
            .values_list("currency", flat=True)
        )
    )
    latest_day = (
        ExchangeRate.objects.filter(seller=seller, currency=OuterRef("currency"), day__lte=today)
        .order_by("-day")
        .values("day")[:1]
    )
    current = {
        currency: (rate, day)
        for currency, rate, day in ExchangeRate.objects.filter(
            seller=seller, currency__in=used, day=Subquery(latest_day)
        ).values_list("currency", "rate", "day")
    }
    found = []
    for currency in used:
        rate, day = current.get(currency, (None, None))
        found.append(
            CurrencyInUse(currency, rate, day, None if day is None else (today - day).days)
        )
    return found
