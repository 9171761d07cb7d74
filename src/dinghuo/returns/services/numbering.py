"""RMA numbers: per seller, with no gaps and no duplicates.

The seller's counter row is raised and read in one UPDATE … RETURNING inside the approving
transaction (billing numbers its documents the same way; its series are billing's table, so
returns keeps its own): a concurrent approver waits on the row until this one commits, or
rolls back and gives the number back.
"""

from dinghuo.core.db import select_rows
from dinghuo.returns.models import ReturnCounter

PREFIX = "RMA-"
DIGITS = 6

_TAKE = """
UPDATE returns_returncounter SET next_number = next_number + 1
WHERE seller_id = %s
RETURNING next_number - 1
"""


def take_rma_number(*, tenant_id: int, seller_id: int) -> str:
    """The seller's next RMA number for the caller's transaction (the series starts at 1)."""
    rows = select_rows(_TAKE, [seller_id])
    if not rows:
        ReturnCounter.objects.bulk_create(
            [ReturnCounter(tenant_id=tenant_id, seller_id=seller_id)], ignore_conflicts=True
        )
        rows = select_rows(_TAKE, [seller_id])
    return f"{PREFIX}{int(rows[0][0]):0{DIGITS}d}"
