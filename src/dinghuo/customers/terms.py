"""Payment terms (賬期): when an invoice falls due, and how the terms read. Pure, no database.

- prepaid: paid before the goods go out, so an invoice is due the day it is dated;
- net N: due N days after the invoice date;
- eom N (end of month + N): due N days after the last day of the invoice's month, so that a
  customer pays all of one month's invoices together.
"""

import calendar
from datetime import date, timedelta

PREPAID = "prepaid"
NET = "net"
END_OF_MONTH = "eom"
TERMS = (PREPAID, NET, END_OF_MONTH)


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date(terms: str, terms_days: int, invoice_date: date) -> date:
    """The day an invoice dated `invoice_date` falls due under `terms` with `terms_days`.

    Prepaid ignores the days. Unknown terms are a programming error (ValueError): the
    services accept only the three above.
    """
    if terms_days < 0:
        raise ValueError("terms_days cannot be negative")
    if terms == PREPAID:
        return invoice_date
    if terms == NET:
        return invoice_date + timedelta(days=terms_days)
    if terms == END_OF_MONTH:
        return month_end(invoice_date) + timedelta(days=terms_days)
    raise ValueError(f"unknown payment terms {terms!r}")


def describe(terms: str, days: int) -> str:
    """The terms as a person reads them: "Prepaid", "Net 30", "End of month + 15"."""
    if terms == PREPAID:
        return "Prepaid"
    if terms == NET:
        return f"Net {days}"
    if terms == END_OF_MONTH:
        return f"End of month + {days}" if days else "End of month"
    raise ValueError(f"unknown payment terms {terms!r}")
