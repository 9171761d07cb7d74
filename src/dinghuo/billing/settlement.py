"""How money settles invoices. Pure, no database.

- Oldest first: money not directed at particular invoices pays the invoice that fell due
  first (then the one issued first), each in full before the next, until the money runs out.
- Explicit: the payer says which invoices and how much each; each amount must be positive,
  no invoice named twice, none given more than it still owes, and together no more than the
  money there is.
Whatever is not applied stays with the company as unapplied credit.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dinghuo.core.errors import FieldError


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    due_on: date
    open_amount: Decimal


def oldest_first(invoices: list[OpenInvoice], money: Decimal) -> dict[int, Decimal]:
    """Invoice id → amount applied, oldest due date first, until `money` is used up."""
    applied: dict[int, Decimal] = {}
    left = money
    for invoice in sorted(invoices, key=lambda i: (i.due_on, i.id)):
        if left <= 0:
            break
        amount = min(left, invoice.open_amount)
        if amount > 0:
            applied[invoice.id] = amount
            left -= amount
    return applied


def explicit_errors(
    wanted: list[tuple[int, Decimal]], open_amounts: dict[int, Decimal], money: Decimal
) -> list[FieldError]:
    """What is wrong with applying `wanted` (invoice id, amount) pairs to invoices that are
    still open for `open_amounts` (invoice id → open amount; an id missing is not an open
    invoice of this company) from `money`."""
    errors: list[FieldError] = []
    seen: set[int] = set()
    for i, (invoice_id, amount) in enumerate(wanted):
        at = f"allocations[{i}]"
        if invoice_id in seen:
            errors.append(FieldError(f"{at}.invoice", "duplicate_invoice", "Invoice named twice"))
        elif invoice_id not in open_amounts:
            errors.append(
                FieldError(f"{at}.invoice", "invoice_not_open", "No open invoice of this company")
            )
        elif amount <= 0:
            errors.append(FieldError(f"{at}.amount", "amount_not_positive", "Apply more than zero"))
        elif amount > open_amounts[invoice_id]:
            errors.append(
                FieldError(
                    f"{at}.amount",
                    "exceeds_open_amount",
                    "More than the invoice still owes",
                    {"open_amount": str(open_amounts[invoice_id])},
                )
            )
        seen.add(invoice_id)
    if not errors and sum((a for _, a in wanted), Decimal(0)) > money:
        errors.append(
            FieldError(
                "allocations", "exceeds_payment", "The allocations add up to more than the payment"
            )
        )
    return errors
