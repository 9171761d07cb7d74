"""Exchange rates over HTTP (staff routes): a seller's rates by currency and day, set from a
list or a CSV file, and the currencies its price lists use with the rate that holds today."""

import hashlib
import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.schemas import IdempotencyKey, SellerFilter
from dinghuo.api.uploads import upload_body, uploaded
from dinghuo.core import clock
from dinghuo.core.errors import DomainError, FieldError, ValidationFailed
from dinghuo.core.queries import seller_for
from dinghuo.pricing import queries, services
from dinghuo.pricing.fx_schemas import (
    RATE_CURSOR,
    CurrenciesOut,
    RateFilters,
    RatePageOut,
    RatesIn,
    RatesSetOut,
    currencies_out,
    rate_out,
    rates_set_out,
)

router = Router(tags=["exchange rates"])

# 10,000 rows of "2026-03-31,USD,7.8012345678" are about 300 kB; room for wide files.
MAX_CSV_BYTES = 2 * 1024 * 1024
_RAW_TYPES = ("text/csv", "text/plain", "application/octet-stream")
_CURSOR = re.compile(RATE_CURSOR)


def _today() -> date:
    """The business date (UTC, like every date here)."""
    return timezone.localdate(clock.now())


def _cursor(text: str | None) -> tuple[date, str] | None:
    """The (day, currency) a page starts after, from `next_cursor` ("2026-03-31.USD")."""
    if not text:
        return None
    found = _CURSOR.fullmatch(text)
    try:
        day = date.fromisoformat(found.group(1)) if found else None
    except ValueError:
        day = None
    if found is None or day is None:
        raise ValidationFailed(
            "Not a cursor this API gave out.",
            code="invalid_cursor",
            errors=[FieldError("after", "invalid_cursor", "Use next_cursor from a previous page")],
        )
    return day, found.group(2)


@router.get(
    "/exchange-rates",
    response=RatePageOut,
    summary="List exchange rates",
    auth=staff_may("prices.view"),
)
def list_exchange_rates(request: HttpRequest, filters: Query[RateFilters]) -> HttpResponse:
    """The seller's rates, newest day first, and its base currency: one unit of `currency`
    is worth `rate` of the base currency from `date` until its next rate. By currency and
    from `since` to `until`; follow `next_cursor` with `after`. 422 `period_reversed` when
    `until` is before `since`."""
    if filters.since and filters.until and filters.until < filters.since:
        raise ValidationFailed(
            "The last day comes before the first.",
            errors=[FieldError("until", "period_reversed", "The last day is before the first")],
        )
    seller = seller_for(tenant_id(request), filters.seller)
    found = queries.exchange_rates(
        seller, currency=filters.currency, since=filters.since, until=filters.until
    )
    rows, last = queries.rates_page(found, _cursor(filters.after), filters.limit)
    body = {
        "seller": seller.slug,
        "base_currency": seller.base_currency,
        "items": [rate_out(row) for row in rows],
        "next_cursor": None if last is None else f"{last[0].isoformat()}.{last[1]}",
    }
    return json_response(200, body)


@router.put(
    "/exchange-rates",
    response=RatesSetOut,
    summary="Set exchange rates",
    auth=staff_may("fx.change"),
)
def set_exchange_rates(request: HttpRequest, payload: RatesIn) -> HttpResponse:
    """Set rates, each from its day on; a day's rate given again replaces it (orders,
    invoices and payments keep the rate they froze). All or nothing: 422 with each problem at
    its row (`rates[3].rate`): `invalid_currency`, `base_currency_rate` (the base currency's
    rate is always 1), `rate_not_positive`, `rate_too_large`, `rate_too_precise` (at most 10
    decimals), `duplicate_rate` (a currency and day given twice)."""
    tenant = tenant_id(request)
    rates = [(r.currency, r.date, Decimal(r.rate)) for r in payload.rates]

    def change() -> dict[str, Any]:
        done = services.set_rates(
            tenant_id=tenant, seller_slug=payload.seller, rates=rates, source="api"
        )
        return rates_set_out(done)

    return run_change(change)


# --- the CSV import ---------------------------------------------------------------------------

_IMPORT_OPENAPI = upload_body(
    "The CSV file: a form field `file`, or the file itself as the body", _RAW_TYPES
)


def _too_large() -> DomainError:
    return DomainError(
        f"A rates file is {MAX_CSV_BYTES // (1024 * 1024)} MB at most; send it in parts.",
        code="request_too_large",
        status=413,
        errors=[FieldError("file", "request_too_large", "The file is too large")],
    )


def _csv_bytes(request: HttpRequest) -> bytes:
    """The file's bytes: a multipart form's `file`, or the raw body (possibly empty)."""
    return uploaded(request, MAX_CSV_BYTES, _too_large)[0]


@router.post(
    "/exchange-rates/import",
    response=RatesSetOut,
    summary="Import exchange rates from CSV",
    openapi_extra=_IMPORT_OPENAPI,
    auth=staff_may("fx.change"),
)
def import_exchange_rates(
    request: HttpRequest, filters: Query[SellerFilter], idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A CSV file (UTF-8, with or without a byte order mark) as a multipart form's `file` or
    as the body: a header row naming the columns `date` (or `day`), `currency` and `rate` in
    any order, then a row per rate; commas or semicolons between cells (with semicolons a
    rate may have a decimal comma). All or nothing: 422 with each problem at its line
    (`lines[2].rate`; line 2 is the first data row; extra `line`): the codes of `PUT
    /exchange-rates`, `invalid_date`, `invalid_rate`, `missing_column`, `malformed_csv`,
    `invalid_encoding`, `empty_file`; 413 `request_too_large` beyond 10,000 rows or 2 MB."""
    text = services.decode_csv(_csv_bytes(request))
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        done = services.import_rates_csv(tenant_id=tenant, seller_slug=filters.seller, text=text)
        return 200, rates_set_out(done)

    body = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "seller": filters.seller}
    return run_create(request, idempotency_key, body, create)


@router.get(
    "/exchange-rates/currencies",
    response=CurrenciesOut,
    summary="Currencies in use and their rates",
    auth=staff_may("prices.view"),
)
def currencies_in_use(request: HttpRequest, filters: Query[SellerFilter]) -> HttpResponse:
    """Each currency a price list of the seller uses, other than its base, with the rate
    that holds today (its latest on or before today): `missing` when it has none (orders in
    it are refused), `stale` when that rate is more than `stale_after_days` days old."""
    seller = seller_for(tenant_id(request), filters.seller)
    today = _today()
    return json_response(
        200, currencies_out(seller, today, queries.currencies_in_use(seller, today))
    )
