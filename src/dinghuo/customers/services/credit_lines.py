"""Credit lines and payment terms: what a company may owe, on which terms, what it owes on
invoices (receivables), and the open-order exposure that placing and cancelling orders move."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F

from dinghuo.audit import services as audit
from dinghuo.core import clock
from dinghuo.core.db import exact, select_rows, to_date, to_decimal
from dinghuo.core.errors import Conflict, FieldError
from dinghuo.core.queries import tenant_row
from dinghuo.core.writes import UNSET, Unset
from dinghuo.customers import credit
from dinghuo.customers.models import Company, CreditLine, CreditPolicy
from dinghuo.customers.services.common import amount_errors, company_event, money, refuse_all
from dinghuo.customers.services.credit_policy import receivables_source
from dinghuo.integrations import events

MAX_TERMS_DAYS = 365
MAX_DEPOSIT_PERCENT = 100


def _credit_payload(line: CreditLine, company: Company) -> dict[str, Any]:
    currency = company.price_list.currency
    return {
        "company": company.code,
        "currency": currency,
        "credit_limit": money(line.credit_limit, currency),
        "terms": line.terms,
        "terms_days": line.terms_days,
        "deposit_percent": line.deposit_percent,
        "invoice_exposure": money(line.invoice_exposure, currency),
        "oldest_unpaid_due_on": (
            line.oldest_unpaid_due_on.isoformat() if line.oldest_unpaid_due_on else None
        ),
    }


def _locked_credit_line(tenant_id: int, company_id: int) -> tuple[Company, CreditLine]:
    """The company (not locked) and its credit line, locked; a missing line is made with the
    defaults first, as the order path does."""
    company = tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )
    locked = lock_credit_line(tenant_id=tenant_id, company_id=company.pk)
    return company, CreditLine.objects.get(pk=locked.id)


def credit_terms_errors(
    *,
    terms: str,
    terms_days: int,
    credit_limit: Decimal | None,
    currency: str,
    deposit_percent: int = 0,
) -> list[FieldError]:
    """What is wrong with credit terms as a whole (shared with the admin's form).

    Prepaid companies have no days to pay and pay all of an order first: prepaid with days
    or with a deposit is refused rather than silently changed, so that what was asked is
    what is stored. A deposit is 0 to 100 percent."""
    errors = []
    if not 0 <= deposit_percent <= MAX_DEPOSIT_PERCENT:
        errors.append(
            FieldError(
                "deposit_percent",
                "deposit_percent_out_of_range",
                f"A deposit is 0 to {MAX_DEPOSIT_PERCENT} percent",
                {"max": MAX_DEPOSIT_PERCENT},
            )
        )
    elif terms == CreditLine.Terms.PREPAID and deposit_percent:
        errors.append(
            FieldError(
                "deposit_percent",
                "prepaid_has_no_deposit",
                "Prepaid terms pay the whole order first; a deposit takes 0",
            )
        )
    if credit_limit is not None:
        errors += amount_errors("credit_limit", credit_limit, currency, "credit_limit_negative")
    if terms not in CreditLine.Terms.values:
        errors.append(FieldError("terms", "invalid_terms", "Terms are prepaid, net or eom"))
    if not 0 <= terms_days <= MAX_TERMS_DAYS:
        errors.append(
            FieldError(
                "terms_days",
                "terms_days_out_of_range",
                f"Days are 0 to {MAX_TERMS_DAYS}",
                {"max": MAX_TERMS_DAYS},
            )
        )
    elif terms == CreditLine.Terms.PREPAID and terms_days:
        errors.append(
            FieldError("terms_days", "prepaid_has_no_days", "Prepaid terms take no days (0)")
        )
    return errors


@transaction.atomic
def update_credit_line(
    *,
    tenant_id: int,
    company_id: int,
    credit_limit: Decimal | Unset | None = UNSET,
    terms: str | Unset = UNSET,
    terms_days: int | Unset = UNSET,
    deposit_percent: int | Unset = UNSET,
    reason: str = "",
) -> CreditLine:
    """Change the company's credit limit (None = no limit; in the company's currency),
    payment terms and deposit (a percentage of each order paid before it is confirmed);
    UNSET leaves a field as it is.

    Setting prepaid without days or deposit sets them to 0; prepaid with days is refused
    (422 `prepaid_has_no_days`), with a deposit 422 `prepaid_has_no_deposit`. The line is
    locked, so that no order is judged against a half-changed line. Records
    `company.credit_changed`, with the `reason` a member of staff gave (the back office asks
    for one; the API gives none and its event carries none)."""
    company, line = _locked_credit_line(tenant_id, company_id)
    if terms == CreditLine.Terms.PREPAID:
        terms_days = 0 if terms_days is UNSET else terms_days
        deposit_percent = 0 if deposit_percent is UNSET else deposit_percent
    wanted: dict[str, Any] = {
        "credit_limit": credit_limit,
        "terms": terms,
        "terms_days": terms_days,
        "deposit_percent": deposit_percent,
    }
    after = {f: getattr(line, f) if v is UNSET else v for f, v in wanted.items()}
    refuse_all(
        credit_terms_errors(currency=company.price_list.currency, **after),
        "The credit terms are not valid.",
    )
    changed = [f for f, v in after.items() if v != getattr(line, f)]
    if changed:
        before = audit.snapshot(line)
        for field in changed:
            setattr(line, field, after[field])
        line.save(update_fields=[*changed, "updated_at"])
        audit.changed(line, before)
        payload = {**_credit_payload(line, company), "changed": changed}
        if reason:
            payload["reason"] = reason
        events.record(company_event(company, "company.credit_changed", payload))
    return line


@transaction.atomic
def sync_receivables(
    *,
    tenant_id: int,
    company_id: int,
    unpaid_amount: Decimal,
    oldest_unpaid_due_on: date | None,
) -> CreditLine:
    """Set what the company owes on invoices: the unpaid total (the invoice exposure) and the
    due date of the oldest unpaid invoice, from which overdue days are counted.

    The seller's accounting system's figures (PUT /receivables), for a seller whose
    receivables source is the sync; otherwise refused (409 `receivables_from_invoices`),
    since billing keeps them. The two must agree: a date is required when something is
    unpaid and refused when nothing is. The line is locked; a sync that changes nothing
    records nothing, otherwise `company.receivables_synced`."""
    company, line = _locked_credit_line(tenant_id, company_id)
    if receivables_source(tenant_id, company.price_list.seller_id) != "sync":
        raise Conflict(
            "This seller's receivables come from its invoices here; choose the sync in the "
            "billing policy to set them from another system.",
            code="receivables_from_invoices",
        )
    currency = company.price_list.currency
    errors = amount_errors("unpaid_amount", unpaid_amount, currency, "unpaid_amount_negative")
    if unpaid_amount > 0 and oldest_unpaid_due_on is None:
        errors.append(
            FieldError(
                "oldest_unpaid_due_on",
                "oldest_unpaid_due_on_required",
                "Give the due date of the oldest unpaid invoice",
            )
        )
    if unpaid_amount == 0 and oldest_unpaid_due_on is not None:
        errors.append(
            FieldError(
                "oldest_unpaid_due_on",
                "oldest_unpaid_due_on_unexpected",
                "Nothing is unpaid, so there is no oldest unpaid invoice",
            )
        )
    refuse_all(errors, "The receivables are not consistent.")
    if (line.invoice_exposure, line.oldest_unpaid_due_on) != (unpaid_amount, oldest_unpaid_due_on):
        line.invoice_exposure = unpaid_amount
        line.oldest_unpaid_due_on = oldest_unpaid_due_on
        line.save(update_fields=["invoice_exposure", "oldest_unpaid_due_on", "updated_at"])
        payload = _credit_payload(line, company)
        events.record(company_event(company, "company.receivables_synced", payload))
    return line


# --- Credit on the order path -------------------------------------------------------------
# These two run inside the caller's transaction (placing, releasing or cancelling an order).
# Lock order across the system: order row, then credit line, then stock levels.

_CREDIT_COLUMNS = (
    "id", "credit_limit", "order_exposure", "invoice_exposure", "oldest_unpaid_due_on", "terms",
    "deposit_percent",
)  # fmt: skip
# Raise and read in one statement: the row is locked from here to the end of the transaction.
# Rounded to the column's four decimals because SQLite adds with floating point.
_TAKE_CREDIT = """
UPDATE customers_creditline SET order_exposure = ROUND(order_exposure + %s, 4), updated_at = %s
WHERE tenant_id = %s AND company_id = %s
RETURNING id, credit_limit, order_exposure, invoice_exposure, oldest_unpaid_due_on, terms,
  deposit_percent
"""


@dataclass(frozen=True)
class LockedCredit:
    """A company's credit line, locked until the transaction ends."""

    id: int
    state: credit.CreditState


def _ensure_credit_line(tenant_id: int, company_id: int) -> None:
    # Companies made before credit lines existed, or outside the services, get one now.
    CreditLine.objects.bulk_create(
        [CreditLine(tenant_id=tenant_id, company_id=company_id)], ignore_conflicts=True
    )


def lock_credit_line(*, tenant_id: int, company_id: int) -> LockedCredit:
    """Lock the company's credit line (creating it with the defaults if it has none yet)."""
    rows = CreditLine.objects.select_for_update().filter(tenant_id=tenant_id, company_id=company_id)
    row = rows.values_list(*_CREDIT_COLUMNS).first()
    if row is None:
        _ensure_credit_line(tenant_id, company_id)
        row = rows.values_list(*_CREDIT_COLUMNS).get()
    return LockedCredit(row[0], credit.CreditState(*row[1:]))


def take_credit(*, tenant_id: int, company_id: int, amount: Decimal) -> LockedCredit:
    """Lock the company's credit line and add `amount` to its open-order exposure at once,
    returning the state from before; a caller whose credit check fails gives the amount back
    with `change_order_exposure` (most orders pass, so most pay one statement).

    Every credit decision reads this row under its lock, so two orders of one company are
    judged one after the other and can never both pass a limit only one of them fits."""
    params = [amount, clock.now(), tenant_id, company_id]
    rows = select_rows(_TAKE_CREDIT, params)
    if not rows:
        _ensure_credit_line(tenant_id, company_id)
        rows = select_rows(_TAKE_CREDIT, params)
    line_id, limit, exposure, invoices, due, terms, deposit = rows[0]
    before = credit.CreditState(
        to_decimal(limit),
        (to_decimal(exposure) or Decimal(0)) - amount,
        to_decimal(invoices) or Decimal(0),
        to_date(due),
        terms,
        int(deposit),
    )
    return LockedCredit(line_id, before)


def change_order_exposure(*, credit_line_id: int, amount: Decimal) -> None:
    """Add `amount` (negative to release) to the open-order exposure of a locked credit line."""
    CreditLine.objects.filter(pk=credit_line_id).update(
        order_exposure=exact(F("order_exposure") + amount), updated_at=clock.now()
    )


def change_invoice_exposure(
    *,
    tenant_id: int,
    seller_id: int,
    company_id: int,
    amount: Decimal,
    oldest_unpaid_due_on: date | None,
) -> None:
    """Billing's side of credit: add `amount` (negative when paid or credited) to what the
    company owes on invoices, and set the due date of its oldest open invoice. Nothing
    changes for a seller whose receivables are synced from elsewhere. One UPDATE, which locks
    the credit line (the caller has locked it already, after any order rows, as everywhere)."""
    synced = CreditPolicy.objects.filter(
        seller_id=seller_id, receivables_source=CreditPolicy.ReceivablesSource.SYNC
    )
    CreditLine.objects.filter(tenant_id=tenant_id, company_id=company_id).exclude(
        Exists(synced)
    ).update(
        invoice_exposure=exact(F("invoice_exposure") + amount),
        oldest_unpaid_due_on=oldest_unpaid_due_on,
        updated_at=clock.now(),
    )


def reset_invoice_exposure(
    *, tenant_id: int, company_id: int, amount: Decimal, oldest_unpaid_due_on: date | None
) -> None:
    """Set what the company owes on invoices outright (billing's figures), when the seller
    takes its receivables back from a sync: the sync's last figures are replaced."""
    CreditLine.objects.filter(tenant_id=tenant_id, company_id=company_id).update(
        invoice_exposure=amount, oldest_unpaid_due_on=oldest_unpaid_due_on, updated_at=clock.now()
    )
