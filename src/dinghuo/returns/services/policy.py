"""The seller's return policy: window, restocking fee and the reasons it is kept for,
non-returnable categories, the limit of automatic approval, the quarantine warehouse and
whether exchanges ship at once."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount
from dinghuo.integrations import events
from dinghuo.inventory.models import Warehouse
from dinghuo.returns import policy
from dinghuo.returns.models import ReturnPolicy, ReturnReason

MAX_WINDOW_DAYS = 3650
MAX_LIMIT = Decimal("1e12")


@dataclass(frozen=True)
class PolicyFields:
    window_days: int = 30
    restocking_fee_percent: Decimal = Decimal(0)
    non_returnable_categories: tuple[str, ...] = ()  # category codes
    auto_approve_limit: Decimal | None = None
    quarantine_warehouse: str | None = None  # warehouse code
    ship_exchange_at_once: bool = False
    # Reason codes whose lines bear the fee (any order, repeats ignored).
    fee_reasons: tuple[str, ...] = tuple(sorted(policy.DEFAULT_FEE_REASONS))


def _problems(
    tenant_id: int, fields: PolicyFields
) -> tuple[list[FieldError], list[Category], Warehouse | None]:
    errors = []
    if not 0 <= fields.window_days <= MAX_WINDOW_DAYS:
        errors.append(
            FieldError("window_days", "window_out_of_range", f"From 0 to {MAX_WINDOW_DAYS} days")
        )
    fee = fields.restocking_fee_percent
    if not (0 <= fee <= 100 and fee == round(fee, 2)):
        errors.append(
            FieldError("restocking_fee_percent", "fee_out_of_range", "0 to 100, two decimals")
        )
    limit = fields.auto_approve_limit
    if limit is not None and not (0 <= limit < MAX_LIMIT and limit == round(limit, 4)):
        errors.append(FieldError("auto_approve_limit", "invalid_amount", "Not a valid amount"))
    errors += [
        FieldError("fee_reasons", "unknown_reason", f"No reason {code}")
        for code in sorted(set(fields.fee_reasons) - set(ReturnReason.values))
    ]
    codes = set(fields.non_returnable_categories)
    categories = list(Category.objects.filter(tenant_id=tenant_id, code__in=codes))
    errors += [
        FieldError("non_returnable_categories", "unknown_category", f"No category {code}")
        for code in sorted(codes - {c.code for c in categories})
    ]
    warehouse = None
    if fields.quarantine_warehouse is not None:
        warehouse = Warehouse.objects.filter(
            tenant_id=tenant_id, code=fields.quarantine_warehouse
        ).first()
        if warehouse is None:
            errors.append(
                FieldError("quarantine_warehouse", "unknown_warehouse", "No such warehouse")
            )
        elif warehouse.is_active:
            errors.append(
                FieldError(
                    "quarantine_warehouse",
                    "quarantine_warehouse_active",
                    "Orders reserve from an active warehouse: deactivate it first",
                )
            )
    return errors, categories, warehouse


def _recorded(row: ReturnPolicy) -> dict[str, Any]:
    return {**audit.snapshot(row), **audit.members(row, "non_returnable_categories")}


@transaction.atomic
def set_return_policy(*, tenant_id: int, seller: Seller, fields: PolicyFields) -> ReturnPolicy:
    """Set the seller's return policy (every field; 422 with every problem at once, an
    unknown reason among `fee_reasons` as `unknown_reason`). Requests already made keep the
    fee and the reasons it applies to that they were told. Records `return_policy.changed`."""
    errors, categories, warehouse = _problems(tenant_id, fields)
    if errors:
        raise ValidationFailed("The return policy is not valid; see errors.", errors=errors)
    existing = ReturnPolicy.objects.select_for_update().filter(seller=seller).first()
    before = _recorded(existing) if existing else None
    row, _ = ReturnPolicy.objects.update_or_create(
        seller=seller,
        defaults={
            "tenant_id": tenant_id,
            "window_days": fields.window_days,
            "restocking_fee_percent": fields.restocking_fee_percent,
            "auto_approve_limit": fields.auto_approve_limit,
            "quarantine_warehouse": warehouse,
            "ship_exchange_at_once": fields.ship_exchange_at_once,
            "fee_reasons": sorted(set(fields.fee_reasons)),
        },
    )
    row.non_returnable_categories.set(categories)
    if before is None:
        audit.wrote(row, "created", after=_recorded(row))
    else:
        audit.wrote(row, "changed", before=before, after=_recorded(row))
    limit = fields.auto_approve_limit
    events.record(
        events.new(
            tenant_id,
            "return_policy.changed",
            "seller",
            seller.pk,
            {
                "seller": seller.slug,
                "window_days": fields.window_days,
                "restocking_fee_percent": str(fields.restocking_fee_percent),
                "non_returnable_categories": sorted(c.code for c in categories),
                "auto_approve_limit": None
                if limit is None
                else format_amount(limit, seller.base_currency),
                "quarantine_warehouse": warehouse.code if warehouse else None,
                "ship_exchange_at_once": fields.ship_exchange_at_once,
                "fee_reasons": row.fee_reasons,
            },
        )
    )
    return row
