"""Exchange-rate writes: a seller's rates by currency and day, set from a list (the API, a
page, the demo) or imported from a CSV file. All or nothing: one transaction, one bulk upsert,
one event; any problem refuses the whole request, naming the row (or the file's line).

A rate says what one unit of `currency` is worth in the seller's base currency from its day
on (`pricing/fx.py`). Setting the rate of a day that has one replaces it; what froze the old
rate (an order, an invoice, a payment) keeps it.
"""

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from dinghuo.audit import services as audit
from dinghuo.core.errors import DomainError, FieldError, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.core.money import is_currency
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import refuse
from dinghuo.integrations import events
from dinghuo.pricing.fx import RATE_PLACES, rate_problem
from dinghuo.pricing.models import ExchangeRate

# A year of daily rates for a few dozen currencies; more is a different job.
MAX_RATES = 10_000
# A refusal lists this many problems at most: a wrong file would otherwise answer one per line.
MAX_PROBLEMS = 100
# The CSV's columns, by the names its header may give them (any case, any order).
_COLUMNS = {"date": "date", "day": "date", "currency": "currency", "rate": "rate"}
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_RATE = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$")


class Rate(NamedTuple):
    """One rate to set: one unit of `currency` is worth `rate` of the base from `day` on."""

    currency: str
    day: date
    rate: Decimal


@dataclass(frozen=True)
class RatesSet:
    """What a write set: the seller (with its base currency) and its rates, as given."""

    seller: Seller
    rates: list[Rate]

    @property
    def currencies(self) -> list[str]:
        return sorted({r.currency for r in self.rates})


# The i-th rate → how a problem names it (`rates[3]`, `lines[5]`).
Where = Callable[[int], str]


def _rate_field_error(at: str, rate: Decimal) -> FieldError | None:
    """`pricing.fx.rate_problem` as a field error (each code written out, for the refusals
    catalog's reading of the code)."""
    problem = rate_problem(rate)
    if problem == "rate_not_positive":
        return FieldError(at, "rate_not_positive", "A rate is above zero")
    if problem == "rate_too_large":
        return FieldError(at, "rate_too_large", "A rate has at most 10 digits before the point")
    if problem == "rate_too_precise":
        return FieldError(at, "rate_too_precise", "A rate has at most 10 decimals", {"max": 10})
    return None


def _row_errors(row: Rate, at: str, base_currency: str) -> list[FieldError]:
    errors = []
    if not isinstance(row.currency, str) or not is_currency(row.currency):
        errors.append(
            FieldError(
                f"{at}.currency",
                "invalid_currency",
                f"{row.currency} is not an ISO 4217 code (upper case)",
            )
        )
    elif row.currency == base_currency:
        errors.append(
            FieldError(
                f"{at}.currency",
                "base_currency_rate",
                f"{base_currency} is the base currency: its rate is always 1",
                {"currency": base_currency},
            )
        )
    if not isinstance(row.day, date):
        errors.append(FieldError(f"{at}.date", "invalid_date", "A day such as 2026-03-31"))
    if not isinstance(row.rate, Decimal):
        errors.append(FieldError(f"{at}.rate", "invalid_rate", "A decimal number such as 7.8"))
    elif (rate_error := _rate_field_error(f"{at}.rate", row.rate)) is not None:
        errors.append(rate_error)
    return errors


def rate_errors(rates: Sequence[Rate], base_currency: str, where: Where) -> list[FieldError]:
    """Every problem of `rates` for a seller whose books are in `base_currency`: an ISO
    currency other than the base, a real day, a rate `rate_problem` accepts, and no currency
    and day given twice (up to `MAX_PROBLEMS`)."""
    errors: list[FieldError] = []
    first: dict[tuple[str, date], int] = {}
    for i, row in enumerate(rates):
        at = where(i)
        errors += _row_errors(row, at, base_currency)
        key = (row.currency, row.day)
        if key in first:
            errors.append(
                FieldError(
                    f"{at}.date",
                    "duplicate_rate",
                    f"{row.currency} on {row.day} is given twice",
                    {"first": where(first[key])},
                )
            )
        else:
            first[key] = i
        if len(errors) >= MAX_PROBLEMS:
            break
    return errors[:MAX_PROBLEMS]


def _too_many(field: str) -> DomainError:
    return DomainError(
        f"At most {MAX_RATES} rates at a time; send them in parts.",
        code="request_too_large",
        status=413,
        errors=[
            FieldError(field, "too_many_rows", f"At most {MAX_RATES} rates", {"max": MAX_RATES})
        ],
    )


# Inserted, or replacing the rate of a day the seller has one for; SQLite (3.24 on) and
# PostgreSQL both read this statement.
_UPSERT_COLUMNS = ["tenant_id", "seller_id", "currency", "day", "rate", "source", "updated_at"]
_ON_CONFLICT = (
    " ON CONFLICT (seller_id, currency, day) DO UPDATE SET"
    " rate = excluded.rate, source = excluded.source, updated_at = excluded.updated_at"
)
# SQLite before 3.32 allows 999 parameters in a statement (as `core.db.insert_rows`).
_ROWS_PER_STATEMENT = 999 // len(_UPSERT_COLUMNS)


def _upsert(seller: Seller, rates: Sequence[Rate], source: str) -> None:
    """Insert or replace the rates, a few hundred per statement: `bulk_create` spends
    several times longer building the same statements (a 5,000-row file must take well under
    a second), so the values are adapted here, each as the column's field would."""
    ops = connection.ops
    quote = ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names from the model)
        quote(ExchangeRate._meta.db_table), ", ".join(quote(name) for name in _UPSERT_COLUMNS)
    )
    one_row = "({})".format(", ".join(["%s"] * len(_UPSERT_COLUMNS)))
    now = ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (
            seller.tenant_id,
            seller.pk,
            r.currency,
            ops.adapt_datefield_value(r.day),
            ops.adapt_decimalfield_value(r.rate, 20, RATE_PLACES),
            source,
            now,
        )
        for r in rates
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            params = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([one_row] * len(chunk)) + _ON_CONFLICT, params)


def _record(seller: Seller, done: RatesSet, source: str) -> None:
    days = [r.day for r in done.rates]
    payload = {
        "seller": seller.slug,
        "base_currency": seller.base_currency,
        "count": len(done.rates),
        "currencies": done.currencies,
        "first_day": min(days).isoformat(),
        "last_day": max(days).isoformat(),
        "source": source,
    }
    events.record(
        events.new(seller.tenant_id, "exchange_rates.updated", "seller", seller.pk, payload)
    )
    # A file may hold thousands of rates: the log keeps what was set, as the event does.
    rates_set = {k: v for k, v in payload.items() if k not in ("seller", "base_currency")}
    audit.wrote(seller, "changed", after={"exchange_rates": rates_set})


def _write(seller: Seller, rates: list[Rate], source: str) -> RatesSet:
    """Write rates already checked, and record the event."""
    _upsert(seller, rates, source)
    done = RatesSet(seller, rates)
    _record(seller, done, source)
    return done


@transaction.atomic
def set_rates(
    *,
    tenant_id: int,
    rates: Iterable[tuple[str, date, Decimal]],
    source: str,
    seller_slug: str | None = None,
) -> RatesSet:
    """Set the seller's rates, each (currency, day, rate): one unit of the currency is worth
    `rate` of the base currency from that day on. A day's rate given again replaces it. All or
    nothing: 422 with a problem per row at fault (`rates[i].currency`, `.date`, `.rate`), 413
    `request_too_large` beyond `MAX_RATES`. Records `exchange_rates.updated` (count,
    currencies, first and last day, source)."""
    seller = seller_for(tenant_id, seller_slug)
    given = [Rate(*row) for row in rates]
    if not given:
        raise ValidationFailed(
            "Give at least one rate.",
            errors=[FieldError("rates", "required", "Give at least one rate")],
        )
    if len(given) > MAX_RATES:
        raise _too_many("rates")
    refuse(
        rate_errors(given, seller.base_currency, lambda i: f"rates[{i}]"),
        "The exchange rates cannot be set; see errors.",
    )
    return _write(seller, given, source[:16])


# --- CSV ------------------------------------------------------------------------------------


def decode_csv(content: bytes) -> str:
    """The text of an uploaded CSV file: UTF-8, with or without a byte order mark; else 422
    `invalid_encoding`."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text; save it as CSV (UTF-8).",
            errors=[FieldError("file", "invalid_encoding", "Save the file as CSV (UTF-8)")],
        ) from exc


@dataclass
class _Parsed:
    """The rates a file gives, the line each came from, and what could not be read."""

    rates: list[Rate]
    lines: list[int]
    errors: list[FieldError]


def _empty() -> ValidationFailed:
    return ValidationFailed(
        "The file has no rates: a header (date, currency, rate) and a row per rate.",
        errors=[FieldError("file", "empty_file", "The file has no rates")],
    )


def _delimiter(header: str) -> str:
    """Semicolons where the header has more of them than commas (spreadsheets set to a
    language that writes decimals with a comma), else commas."""
    return ";" if header.count(";") > header.count(",") else ","


def _positions(header: list[str]) -> dict[str, int]:
    """Where each column is (date, currency, rate), by its name in the header."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        column = _COLUMNS.get(name.strip().lower())
        if column is not None and column not in positions:
            positions[column] = i
    missing = [name for name in ("date", "currency", "rate") if name not in positions]
    if missing:
        raise ValidationFailed(
            "The header row must name the columns date, currency and rate.",
            errors=[
                FieldError("lines[1]", "missing_column", f"No {name} column", {"column": name})
                for name in missing
            ],
        )
    return positions


def _day(text: str) -> date | None:
    if not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _rate(text: str, delimiter: str) -> Decimal | None:
    # With semicolons between the cells, a comma is the decimal point ("7,8012").
    if delimiter == ";" and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _RATE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _read_row(
    cells: list[str], at: dict[str, int], line: int, delimiter: str
) -> Rate | list[FieldError]:
    """One data row as a rate, or the problems of its date and rate (the currency is checked
    with the rest, by `rate_errors`)."""

    def cell(name: str) -> str:
        index = at[name]
        return cells[index].strip() if index < len(cells) else ""

    day, rate = _day(cell("date")), _rate(cell("rate"), delimiter)
    problems = []
    if day is None:
        problems.append(
            FieldError(
                f"lines[{line}].date",
                "invalid_date",
                f"Line {line}: {cell('date')!r} is not a day such as 2026-03-31",
                {"line": line},
            )
        )
    if rate is None:
        problems.append(
            FieldError(
                f"lines[{line}].rate",
                "invalid_rate",
                f"Line {line}: {cell('rate')!r} is not a decimal number such as 7.8",
                {"line": line},
            )
        )
    if day is None or rate is None:
        return problems
    return Rate(cell("currency"), day, rate)


def _parse(text: str) -> _Parsed:
    """The rows of a CSV with a header row (line 1): line 2 is the first data row."""
    header_line = text.split("\n", 1)[0]
    delimiter = _delimiter(header_line)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    parsed = _Parsed([], [], [])
    rows = 0
    try:
        at = _positions(next(reader, []))
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows += 1
                if rows > MAX_RATES:
                    raise _too_many("file")
                _take(parsed, _read_row(cells, at, line, delimiter), line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationFailed(
            f"Line {reader.line_num}: the file cannot be read as CSV ({exc}).",
            errors=[
                FieldError(
                    f"lines[{reader.line_num}]",
                    "malformed_csv",
                    f"Line {reader.line_num} cannot be read as CSV",
                    {"line": reader.line_num},
                )
            ],
        ) from exc
    return parsed


def _take(parsed: _Parsed, row: Rate | list[FieldError], line: int) -> None:
    if isinstance(row, Rate):
        parsed.rates.append(row)
        parsed.lines.append(line)
    else:
        parsed.errors += row


def _on_lines(errors: list[FieldError]) -> list[FieldError]:
    """The service's problems with the line of each (extra `line`), among the file's own, in
    the order of the lines."""
    found = re.compile(r"^lines\[([0-9]+)\]")
    lined = []
    for error in errors:
        match = found.match(error.field)
        line = int(match.group(1)) if match else 0
        lined.append(error if "line" in error.extra else _with_line(error, line))
    return sorted(lined, key=lambda e: e.extra.get("line", 0))[:MAX_PROBLEMS]


def _with_line(error: FieldError, line: int) -> FieldError:
    return FieldError(
        error.field, error.code, f"Line {line}: {error.message}", {**error.extra, "line": line}
    )


@transaction.atomic
def import_rates_csv(
    *, tenant_id: int, text: str, seller_slug: str | None = None, source: str = "csv"
) -> RatesSet:
    """Set the rates of a CSV file: a header row naming the columns `date` (or `day`),
    `currency` and `rate` in any order (others are ignored), then a row per rate; commas or
    semicolons between cells (with semicolons, the rate may have a decimal comma). All or
    nothing, as `set_rates`: 422 with each problem at its line (`lines[2].rate`, extra `line`;
    line 2 is the first data row), `empty_file` without rates, 413 `request_too_large` beyond
    `MAX_RATES` rows."""
    seller = seller_for(tenant_id, seller_slug)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _empty()
    parsed = _parse(text)
    if not parsed.rates and not parsed.errors:
        raise _empty()
    lines = parsed.lines
    errors = parsed.errors + rate_errors(
        parsed.rates, seller.base_currency, lambda i: f"lines[{lines[i]}]"
    )
    refuse(_on_lines(errors), "The file's rates cannot be set; see errors.")
    return _write(seller, parsed.rates, source[:16])
