"""Where a stock count may go from each status: the one transition table (a pure rule).

open → counting (the first quantity typed) → in review (counting is done) → posted (the
variances become adjustments); in review → counting again (lines sent back for recount);
open, counting and in review → cancelled. Posted and cancelled are final.
"""

from enum import StrEnum


class CountStatus(StrEnum):
    OPEN = "open"
    COUNTING = "counting"
    IN_REVIEW = "in_review"
    POSTED = "posted"
    CANCELLED = "cancelled"


TRANSITIONS: dict[CountStatus, frozenset[CountStatus]] = {
    CountStatus.OPEN: frozenset({CountStatus.COUNTING, CountStatus.CANCELLED}),
    CountStatus.COUNTING: frozenset({CountStatus.IN_REVIEW, CountStatus.CANCELLED}),
    CountStatus.IN_REVIEW: frozenset(
        {CountStatus.COUNTING, CountStatus.POSTED, CountStatus.CANCELLED}
    ),
    CountStatus.POSTED: frozenset(),
    CountStatus.CANCELLED: frozenset(),
}
# Where a counter may still type quantities (a recount replaces the line's last count).
COUNTABLE = frozenset({CountStatus.OPEN, CountStatus.COUNTING})


def may_move(current: str, target: str) -> bool:
    """Whether a count in `current` may move to `target` (unknown statuses: never)."""
    try:
        return CountStatus(target) in TRANSITIONS[CountStatus(current)]
    except ValueError:
        return False


def may_count(current: str) -> bool:
    """Whether quantities may be typed in a count of this status."""
    return current in COUNTABLE


def is_final(current: str) -> bool:
    return current in (CountStatus.POSTED, CountStatus.CANCELLED)
