"""Document numbers: per seller and series, with no gaps and no duplicates.

The series row is raised and read in one guarded UPDATE inside the issuing transaction: a
concurrent issuer waits on the row until this one commits (then takes the next number) or
rolls back (then takes this one), so a number is never skipped nor given twice.
"""

from dinghuo.billing.models import DocumentSeries
from dinghuo.core.db import select_rows

PREFIXES: dict[str, str] = {"invoice": "INV-", "credit_note": "CN-"}
DIGITS = 6

_TAKE = """
UPDATE billing_documentseries SET next_number = next_number + 1
WHERE seller_id = %s AND kind = %s
RETURNING prefix, next_number - 1
"""


def take_number(*, tenant_id: int, seller_id: int, kind: str) -> str:
    """The next number of the seller's series `kind` (an invoice's, a credit note's), taken
    for the caller's transaction; a series is started at 1 the first time it is used."""
    rows = select_rows(_TAKE, [seller_id, kind])
    if not rows:
        DocumentSeries.objects.bulk_create(
            [
                DocumentSeries(
                    tenant_id=tenant_id, seller_id=seller_id, kind=kind, prefix=PREFIXES[kind]
                )
            ],
            ignore_conflicts=True,
        )
        rows = select_rows(_TAKE, [seller_id, kind])
    prefix, number = rows[0]
    return f"{prefix}{int(number):0{DIGITS}d}"
