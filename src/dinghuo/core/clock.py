"""The business clock: when an order was placed, a shipment left, a unit moved.

It is the wall clock, except inside `as_of(moment)`, which records history with its real
dates (the demo's past orders; later, imports of orders from an earlier system).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_as_of: ContextVar[datetime | None] = ContextVar("business_time", default=None)


def now() -> datetime:
    """The business time of what is being recorded."""
    return _as_of.get() or timezone.now()


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Record what happens inside as having happened at `moment` (timezone-aware)."""
    if timezone.is_naive(moment):
        raise ValueError("as_of needs a timezone-aware moment")
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)
