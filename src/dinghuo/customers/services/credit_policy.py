"""The seller's credit policy: how many days an invoice may be overdue before orders block."""

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.customers.models import CreditPolicy

MAX_GRACE_DAYS = 365


@transaction.atomic
def set_overdue_grace_days(*, tenant_id: int, seller_id: int, days: int) -> CreditPolicy:
    """Set the seller's grace days (0–365). Records no event of its own: the ordering
    policy's change, which carries the days, is the one event of that change."""
    if not 0 <= days <= MAX_GRACE_DAYS:
        raise ValidationFailed(
            "Grace days must be between 0 and 365.",
            errors=[
                FieldError(
                    "overdue_grace_days",
                    "grace_days_out_of_range",
                    f"0–{MAX_GRACE_DAYS} days",
                    {"max": MAX_GRACE_DAYS},
                )
            ],
        )
    policy, _ = CreditPolicy.objects.select_for_update().get_or_create(
        seller_id=seller_id, defaults={"tenant_id": tenant_id}
    )
    before = audit.snapshot(policy)
    policy.overdue_grace_days = days
    policy.save(update_fields=["overdue_grace_days"])
    audit.changed(policy, before)
    return policy


def receivables_source(tenant_id: int, seller_id: int) -> str:
    """Where the seller's invoice exposure comes from: "invoices" (billing) or "sync"."""
    source = (
        CreditPolicy.objects.filter(tenant_id=tenant_id, seller_id=seller_id)
        .values_list("receivables_source", flat=True)
        .first()
    )
    return source or CreditPolicy.ReceivablesSource.INVOICES


@transaction.atomic
def set_receivables_source(*, tenant_id: int, seller_id: int, source: str) -> CreditPolicy:
    """Choose where invoice exposure comes from: billing's invoices, or a sync from the
    seller's accounting system. Records no event of its own (the billing policy's does)."""
    if source not in CreditPolicy.ReceivablesSource.values:
        raise ValidationFailed(
            "Receivables come from invoices or from a sync.",
            errors=[
                FieldError("receivables_source", "invalid_receivables_source", "invoices or sync")
            ],
        )
    policy, _ = CreditPolicy.objects.select_for_update().get_or_create(
        seller_id=seller_id, defaults={"tenant_id": tenant_id}
    )
    before = audit.snapshot(policy)
    policy.receivables_source = source
    policy.save(update_fields=["receivables_source"])
    audit.changed(policy, before)
    return policy
