"""The seller's credit policy: how many days an invoice may be overdue before orders block."""

from django.db import transaction

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
    policy.overdue_grace_days = days
    policy.save(update_fields=["overdue_grace_days"])
    return policy
