"""Transactions that survive contention: lock timeouts become `Busy`, deadlocks are retried."""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction

from dinghuo.core.errors import Busy

T = TypeVar("T")

# SQLSTATEs worth another try: serialization failure, deadlock detected.
_RETRYABLE = {"40001", "40P01"}
_LOCK_NOT_AVAILABLE = "55P03"


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) if cause is not None else None


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def set_lock_timeout() -> None:
    """Bound how long this transaction waits for a row lock (PostgreSQL; SQLite has its own)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(settings.DINGHUO_LOCK_TIMEOUT_MS)}")


def atomic_with_retry(fn: Callable[[], T], *, attempts: int = 3) -> T:
    """Run `fn` in one transaction with a bounded lock wait; retry on deadlock or
    serialization failure; a lock not had in time → `Busy`."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                set_lock_timeout()
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
