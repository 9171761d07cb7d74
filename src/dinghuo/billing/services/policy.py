"""The seller's billing policy: how it invoices, and the legal details its documents print."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min, Sum

from dinghuo.audit import services as audit
from dinghuo.billing import journal
from dinghuo.billing.models import BillingPolicy, Receivable
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.writes import UNSET, Unset
from dinghuo.customers import services as customers
from dinghuo.customers.models import CreditLine
from dinghuo.integrations import events

_LIMITS = {"legal_name": 200, "tax_number": 64, "address": 1000, "payment_instructions": 2000}


def policy_for(tenant_id: int, seller_id: int) -> BillingPolicy:
    """The seller's billing policy (the defaults, unsaved, when it has set none), with its
    seller (read on first use when it has none)."""
    policy = (
        BillingPolicy.objects.filter(tenant_id=tenant_id, seller_id=seller_id)
        .select_related("seller")
        .first()
    )
    return policy or BillingPolicy(tenant_id=tenant_id, seller_id=seller_id)


def seller_details(policy: BillingPolicy) -> dict[str, str]:
    """What an issued document prints of its seller, frozen on it."""
    name = policy.legal_name or policy.seller.name
    return {
        "legal_name": name,
        "address": policy.address,
        "tax_number": policy.tax_number,
        "payment_instructions": policy.payment_instructions,
    }


MAX_REMINDERS = 10
REMINDER_RANGE = (-90, 365)


def reminder_errors(days: list[int]) -> list[FieldError]:
    """A reminder schedule: at most 10 steps, each a whole number of days from -90 (before
    the due date) to 365 (after it), none twice."""
    low, high = REMINDER_RANGE
    if len(days) > MAX_REMINDERS:
        return [
            FieldError(
                "reminder_days",
                "too_many_reminders",
                f"At most {MAX_REMINDERS} reminders",
                {"max": MAX_REMINDERS},
            )
        ]
    if len(set(days)) != len(days):
        return [FieldError("reminder_days", "duplicate_reminder", "A day given twice")]
    return [
        FieldError(
            f"reminder_days[{i}]",
            "reminder_day_out_of_range",
            f"From {low} to {high} days",
            {"min": low, "max": high},
        )
        for i, day in enumerate(days)
        if not low <= day <= high
    ]


def _errors(changes: dict[str, Any]) -> list[FieldError]:
    errors = []
    invoicing = changes.get("invoicing")
    if invoicing is not None and invoicing not in BillingPolicy.Invoicing.values:
        errors.append(
            FieldError("invoicing", "invalid_invoicing", "per_shipment, weekly or monthly")
        )
    for field, limit in _LIMITS.items():
        value = changes.get(field)
        if value is not None and len(value) > limit:
            errors.append(
                FieldError(field, "too_long", f"At most {limit} characters", {"max": limit})
            )
    return errors


def _take_back_receivables(tenant_id: int, seller_id: int) -> None:
    """Every company of the seller owes on invoices what its open invoices say again (the
    sync's figures replaced); credit lines locked in company order, as one run."""
    open_by_company = {
        row["company_id"]: (row["owed"], row["oldest"])
        for row in Receivable.objects.filter(
            tenant_id=tenant_id, invoice__seller_id=seller_id, open_amount__gt=0
        )
        .values("company_id")
        .annotate(owed=Sum("open_amount"), oldest=Min("due_on"))
    }
    companies = CreditLine.objects.filter(
        tenant_id=tenant_id, company__price_list__seller_id=seller_id
    ).order_by("company_id")
    for company_id in companies.values_list("company_id", flat=True):
        customers.lock_credit_line(tenant_id=tenant_id, company_id=company_id)
        owed, oldest = open_by_company.get(company_id, (Decimal(0), None))
        customers.reset_invoice_exposure(
            tenant_id=tenant_id, company_id=company_id, amount=owed, oldest_unpaid_due_on=oldest
        )


@transaction.atomic
def set_billing_policy(
    *,
    tenant_id: int,
    seller_id: int,
    invoicing: str | Unset = UNSET,
    legal_name: str | Unset = UNSET,
    address: str | Unset = UNSET,
    tax_number: str | Unset = UNSET,
    payment_instructions: str | Unset = UNSET,
    receivables_source: str | Unset = UNSET,
    accounts: dict[str, str] | Unset = UNSET,
    reminder_days: list[int] | Unset = UNSET,
) -> BillingPolicy:
    """Change the seller's billing policy (UNSET leaves a field; `accounts` replaces the
    chart of accounts the export uses, `reminder_days` the reminder schedule); 422 for a bad
    value. Records `billing.policy_changed` when something was given."""
    wanted = {
        "invoicing": invoicing,
        "legal_name": legal_name,
        "address": address,
        "tax_number": tax_number,
        "payment_instructions": payment_instructions,
    }
    changes: dict[str, Any] = {k: v for k, v in wanted.items() if not isinstance(v, Unset)}
    errors = _errors(changes)
    if not isinstance(reminder_days, Unset):
        errors += reminder_errors(reminder_days)
    if not isinstance(accounts, Unset):
        errors += [
            FieldError(
                f"accounts.{role}",
                "invalid_account",
                "A known role and an account name such as Assets:Bank",
            )
            for role in journal.account_errors(accounts)
        ]
    if errors:
        raise ValidationFailed("The billing policy is not valid.", errors=errors)
    policy, created = BillingPolicy.objects.select_for_update().get_or_create(
        seller_id=seller_id, defaults={"tenant_id": tenant_id}
    )
    recorded = audit.snapshot(policy)
    for field, value in changes.items():
        setattr(policy, field, value.strip() if field != "invoicing" else value)
    if not isinstance(accounts, Unset):
        policy.accounts = dict(accounts)
        changes["accounts"] = policy.accounts
    if not isinstance(reminder_days, Unset):
        policy.reminder_days = sorted(reminder_days)
        changes["reminder_days"] = policy.reminder_days
    policy.save()
    if created:
        audit.created(policy)
    else:
        audit.changed(policy, recorded)
    if not isinstance(receivables_source, Unset):
        before = customers.receivables_source(tenant_id, seller_id)
        customers.set_receivables_source(
            tenant_id=tenant_id, seller_id=seller_id, source=receivables_source
        )
        if before != receivables_source == "invoices":
            _take_back_receivables(tenant_id, seller_id)
    if changes or not isinstance(receivables_source, Unset):
        source = customers.receivables_source(tenant_id, seller_id)
        payload = {**changes, "receivables_source": source}
        events.record(events.new(tenant_id, "billing.policy_changed", "seller", seller_id, payload))
    return policy
