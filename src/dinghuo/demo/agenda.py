"""The demo's calendar: every step of the history (an order placed, shipped, paid…) is
recorded in the order of its business time, whoever it belongs to.

So numbers taken as documents are issued (invoices, credit notes) follow their dates, and
every credit decision sees exactly the invoices and payments that existed at its moment.

A *life* is a generator: it does one step, then yields how long until its next one.
"""

import heapq
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from dinghuo.core import clock

Life = Iterator[timedelta]


def once(action: Callable[[], object]) -> Life:
    """A life of one step."""
    action()
    yield from ()


class Agenda:
    """Steps waiting for their moment, never later than `end` (the history ends now)."""

    def __init__(self, end: datetime) -> None:
        self.end = end
        self._waiting: list[tuple[datetime, int, Life]] = []
        self._tie = itertools.count()  # equal moments keep the order they were planned in

    def at(self, moment: datetime, life: Life) -> None:
        """Start `life` at `moment` (at the end, if that is later)."""
        heapq.heappush(self._waiting, (min(moment, self.end), next(self._tie), life))

    def run(self) -> None:
        """Record every step, earliest first, each as of its own moment."""
        while self._waiting:
            moment, _, life = heapq.heappop(self._waiting)
            with clock.as_of(moment):
                wait = next(life, None)
            if wait is not None:
                self.at(moment + wait, life)
