"""Database helpers: transactions that survive contention (lock timeouts become `Busy`,
deadlocks are retried) and a lean insert for append-only rows."""

import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import Field, Model
from django.db.models.functions import Round

from dinghuo.core.errors import Busy

T = TypeVar("T")

# SQLSTATEs worth another try: serialization failure, deadlock detected.
_RETRYABLE = {"40001", "40P01"}
_LOCK_NOT_AVAILABLE = "55P03"


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) if cause is not None else None


def atomic_with_retry(fn: Callable[[], T], *, attempts: int = 3) -> T:
    """Run `fn` in one transaction; retry on deadlock or serialization failure; a lock not
    had in time (PostgreSQL's lock_timeout, set per connection in settings) → `Busy`."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return fn()
        except OperationalError as exc:
            state = _sqlstate(exc)
            if state == _LOCK_NOT_AVAILABLE:
                raise Busy() from exc
            if "database is locked" in str(exc):  # SQLite's busy timeout ran out
                raise Busy() from exc
            if state not in _RETRYABLE or attempt == attempts:
                if state in _RETRYABLE:
                    raise Busy() from exc
                raise
            time.sleep(0.005 * attempt)
    raise AssertionError("unreachable")


def exact(expression: Any) -> Any:
    """Money arithmetic in SQL (`F("open_amount") - amount`) rounded to the money columns'
    four decimals: SQLite computes with floating point (10.9 - 0.1 is 10.799999…), which
    would then fail equality and guarded comparisons; PostgreSQL's numeric is unchanged."""
    return Round(expression, 4)


# SQLite before 3.32 allows 999 parameters in a statement; PostgreSQL 65,535.
_MAX_PARAMETERS = 999


def insert_rows(
    model: type[Model], fields: list[str], rows: Sequence[Sequence[Any]], *, returning: bool = False
) -> list[int]:
    """Insert many rows of `model` in one multi-row INSERT (chunked to the parameter limit);
    with `returning`, give back their new ids in the order of `rows`.

    For rows written on the hot path: `bulk_create` and `save` spend several times more CPU
    building the same statement. Values still go through each field's own conversion, so both
    databases store what the ORM would. (Both return ids of a multi-row insert in the order of
    its rows; Django's own bulk_create relies on the same.)
    """
    if not rows:
        return []
    meta = model._meta
    columns: list[Field[Any, Any]] = [meta.get_field(name) for name in fields]  # type: ignore[misc]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 (names from the model)
        quote(meta.db_table), ", ".join(quote(column.column) for column in columns)
    )
    one_row = "({})".format(", ".join(["%s"] * len(columns)))
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    per_chunk = max(1, _MAX_PARAMETERS // len(columns))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start : start + per_chunk]
            params = [
                column.get_db_prep_save(value, connection)
                for row in chunk
                for column, value in zip(columns, row, strict=True)
            ]
            cursor.execute(head + ", ".join([one_row] * len(chunk)) + tail, params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def insert_instances(instances: Sequence[Model], fields: list[str]) -> None:
    """Insert new model instances (all of one model) with `insert_rows`, and give each its id."""
    if not instances:
        return
    model = type(instances[0])
    attnames = [model._meta.get_field(name).attname for name in fields]  # type: ignore[union-attr]
    rows = [[getattr(obj, attname) for attname in attnames] for obj in instances]
    for obj, new_id in zip(
        instances, insert_rows(model, fields, rows, returning=True), strict=True
    ):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias


def update_instances(instances: Sequence[Model], fields: list[str]) -> None:
    """Save these fields of saved model instances (all of one model) in one UPDATE … FROM
    (VALUES …) per chunk: Django's `bulk_update` builds a CASE expression per field and row,
    which costs more CPU than the rest of an amendment. Values go through each field's own
    conversion; on PostgreSQL each is cast to its column's type (a VALUES list is otherwise
    read as text). `column1…` are the names both databases give a VALUES list's columns."""
    if not instances:
        return
    meta = type(instances[0])._meta
    columns: list[Field[Any, Any]] = [meta.get_field(name) for name in fields]  # type: ignore[misc]
    quote, table = connection.ops.quote_name, connection.ops.quote_name(meta.db_table)
    postgres = connection.vendor == "postgresql"
    slots = ["%s"] + [
        f"CAST(%s AS {column.db_type(connection)})" if postgres else "%s" for column in columns
    ]
    one_row = "({})".format(", ".join(slots))
    assignments = ", ".join(
        f"{quote(column.column)} = v.column{i + 2}" for i, column in enumerate(columns)
    )
    per_chunk = max(1, _MAX_PARAMETERS // len(slots))
    with connection.cursor() as cursor:
        for start in range(0, len(instances), per_chunk):
            chunk = instances[start : start + per_chunk]
            params = [
                value
                for obj in chunk
                for value in (
                    obj.pk,
                    *(c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns),
                )
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 (names from the model)
                f"FROM (VALUES {', '.join([one_row] * len(chunk))}) AS v "
                f"WHERE {table}.{quote(meta.pk.column)} = v.column1",
                params,
            )


# --- Plain reads on the hot path ---------------------------------------------------------
# Where the ORM's statement building costs more than the query (order placement), services
# send plain SQL that both databases understand and convert the few typed columns here:
# SQLite gives decimals as numbers and dates as text, PostgreSQL the Python types.

_FOUR_PLACES = Decimal("0.0001")


def select_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of one parameterised statement, as tuples."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def to_decimal(value: Any) -> Decimal | None:
    """A decimal column's value as stored (four places), None for NULL."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(_FOUR_PLACES)


def to_date(value: Any) -> date | None:
    """A date column's value, None for NULL."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def placeholders(count: int) -> str:
    """`%s, %s, …` for an IN list of `count` values."""
    return ", ".join(["%s"] * count)
