"""Exchange-rate request and response bodies (the price lists' are `schemas`, tax's
`tax_schemas`)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Day, InSchema, PageFilters
from dinghuo.core.models import Seller
from dinghuo.pricing.models import ExchangeRate
from dinghuo.pricing.queries import STALE_AFTER_DAYS, CurrencyInUse
from dinghuo.pricing.services import MAX_RATES, RatesSet

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# A decimal string; a minus, and more decimals and digits than a rate may have, pass, so that
# the service says which rule the rate breaks (`rate_not_positive`, `rate_too_precise`…).
RateText = Annotated[
    str, StringConstraints(pattern=r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$", max_length=42)
]
SELLER = "Seller slug; the tenant's own store if omitted"
# A rates page's `next_cursor`: the day and currency of its last row ("2026-03-31.USD").
RATE_CURSOR = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.([A-Z]{3})$"
# (Stated, with "" for the first page; `api.fx` refuses others with `invalid_cursor`.)
RateCursor = Annotated[
    str,
    StringConstraints(max_length=20),
    Field(json_schema_extra={"pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}\.[A-Z]{3})?$"}),
]
RATE = "What one unit of `currency` is worth in the base currency: a decimal string"


class RateIn(InSchema):
    currency: CurrencyCode = Field(description="ISO 4217, not the base currency")
    date: Day = Field(description="The first day the rate holds (until the next rate)")
    rate: RateText = Field(description=f"{RATE}, above zero, at most 10 decimals")


class RatesIn(InSchema):
    seller: Code | None = Field(None, description=SELLER)
    rates: list[RateIn] = Field(min_length=1, max_length=MAX_RATES)


class RateOut(Schema):
    currency: str
    date: str = Field(description="ISO 8601 day: the rate holds from it until the next rate")
    rate: str = Field(description=RATE)
    source: str = Field(description="How it was set: api, csv, page, demo")
    updated_at: datetime


class RatePageOut(Schema):
    seller: str
    base_currency: str
    items: list[RateOut]
    next_cursor: str | None


class RateFilters(PageFilters):
    after: RateCursor | None = Field(None, description="`next_cursor` of the previous page")
    seller: Code | None = Field(None, description=SELLER)
    currency: CurrencyCode | None = None
    since: Day | None = Field(None, description="First day (included)")
    until: Day | None = Field(None, description="Last day (included)")


class RateSetOut(Schema):
    currency: str
    date: str
    rate: str


class RatesSetOut(Schema):
    seller: str
    base_currency: str
    count: int = Field(description="How many rates were set")
    currencies: list[str]
    rates: list[RateSetOut] = Field(description="The rates set, in the order given")


class CurrencyInUseOut(Schema):
    currency: str
    rate: str | None = Field(description="The rate that holds today; null: none yet")
    date: str | None = Field(description="Its day")
    days_old: int | None
    missing: bool = Field(description="No rate yet: orders in this currency are refused")
    stale: bool = Field(description=f"The rate is more than {STALE_AFTER_DAYS} days old")


class CurrenciesOut(Schema):
    seller: str
    base_currency: str
    today: str
    stale_after_days: int
    items: list[CurrencyInUseOut] = Field(
        description="Each currency a price list of the seller uses, other than the base"
    )


def rate_text(rate: Decimal) -> str:
    """A rate as a decimal string without trailing zeros ("7.8", "1000")."""
    return f"{rate.normalize():f}"


def rate_out(row: ExchangeRate) -> dict[str, Any]:
    """One stored rate."""
    return {
        "currency": row.currency,
        "date": row.day.isoformat(),
        "rate": rate_text(row.rate),
        "source": row.source,
        "updated_at": row.updated_at.isoformat(),
    }


def rates_set_out(done: RatesSet) -> dict[str, Any]:
    """What a write set."""
    return {
        "seller": done.seller.slug,
        "base_currency": done.seller.base_currency,
        "count": len(done.rates),
        "currencies": done.currencies,
        "rates": [
            {"currency": r.currency, "date": r.day.isoformat(), "rate": rate_text(r.rate)}
            for r in done.rates
        ],
    }


def currencies_out(seller: Seller, today: date, found: list[CurrencyInUse]) -> dict[str, Any]:
    """The currencies in use, with the rate that holds today."""
    return {
        "seller": seller.slug,
        "base_currency": seller.base_currency,
        "today": today.isoformat(),
        "stale_after_days": STALE_AFTER_DAYS,
        "items": [
            {
                "currency": c.currency,
                "rate": None if c.rate is None else rate_text(c.rate),
                "date": None if c.day is None else c.day.isoformat(),
                "days_old": c.days_old,
                "missing": c.missing,
                "stale": c.stale,
            }
            for c in found
        ],
    }
