"""The exchange rate a billing document freezes: the seller's rate of the document's day
(`pricing.queries.rate_on`), read once per document and never for the base currency.

A document older than the seller's rates (data from before rates were kept) takes the rate
of what it follows instead: an invoice its first order's, a credit note its invoice's, a
payment the rate of the invoices it settles. Shipping never fails for a missing rate."""

from datetime import date
from decimal import Decimal

from dinghuo.core.models import Seller
from dinghuo.pricing import queries as pricing

# The seller's rate for `currency` on `day` (1 for its base currency, without a query); None
# when it has none on or before the day. Pricing's read, under the name billing's callers use.
rate_of_day = pricing.rate_on


def rate_or(seller: Seller, currency: str, day: date, fallback: Decimal) -> Decimal:
    """The rate of the day, else `fallback` (the rate of the document this one follows)."""
    found = rate_of_day(seller, currency, day)
    return fallback if found is None else found


def required(seller: Seller, currency: str, day: date, field: str) -> Decimal:
    """The rate of the day for a document with no other rate to fall back on, else 422
    `exchange_rate_missing` naming the currency and the day (the pricing app's refusal)."""
    return pricing.require_rate(seller, currency, day, field=field)


class DayRates:
    """`rate_of_day` remembered for a run of documents (a bank statement's payments, a period's
    invoices): each seller's rate of a currency on a day read once."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, str, date], Decimal | None] = {}

    def of(self, seller: Seller, currency: str, day: date) -> Decimal | None:
        """The seller's rate for `currency` on `day`, as `rate_of_day` gives it."""
        key = (seller.pk, currency, day)
        if key not in self._found:
            self._found[key] = rate_of_day(seller, currency, day)
        return self._found[key]
