"""Feed cursors: an event's place in the feed, (txid, id), written as an opaque string.

A cursor is `"<txid>.<id>"`: after it come the events of later transactions, and the later
events of the same transaction. The integer cursors the feed gave before (feed positions) are
still read: `"n"` is the place of the event that had position n, whose txid became
n - 2**62 when transaction ids replaced positions (migration 0002); `"0"` is the start.
"""

import re

from dinghuo.core.errors import FieldError, ValidationFailed

LEGACY_BASE = -(2**62)  # an old position p became txid LEGACY_BASE + p
_LAST_ID = 2**63 - 1  # every id of one old position's event is at most this
PATTERN = r"^(\d{1,18}|-?\d{1,19}\.\d{1,18})$"
_BIGINT = (-(2**63), 2**63 - 1)
_CURSOR = re.compile(PATTERN)
START = "0"

Place = tuple[int, int]


def write(txid: int, event_id: int) -> str:
    """The cursor of the event (`txid`, `event_id`): the feed goes on after it."""
    return f"{txid}.{event_id}"


def read(cursor: str | None) -> Place:
    """The place (txid, id) a cursor stands at; a string the feed never gave → 422."""
    if not cursor:
        cursor = START
    if not _CURSOR.match(cursor):
        raise _invalid()
    if "." not in cursor:
        return LEGACY_BASE + int(cursor), _LAST_ID
    txid, event_id = (int(part) for part in cursor.split("."))
    # Every string of the documented form is a place: beyond the column's range, its end.
    return min(max(txid, _BIGINT[0]), _BIGINT[1]), event_id


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        "Not a cursor this API gave out.",
        code="invalid_cursor",
        errors=[FieldError("after", "invalid_cursor", "Use next_cursor from a previous page")],
    )
