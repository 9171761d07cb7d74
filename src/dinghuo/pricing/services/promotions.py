"""Promotions: a percent or an amount off the units of some SKUs and categories, for a while,
for some customer groups or every company. Each write is one transaction that records its
event on the promotion; a refusal changes nothing."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category, Sku
from dinghuo.core.errors import FieldError
from dinghuo.core.money import format_unit_price
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import UNSET, Unset, code_must_be_free, locked_tenant_row, refuse, taken
from dinghuo.customers.models import CustomerGroup
from dinghuo.integrations import events
from dinghuo.pricing.models import Promotion
from dinghuo.pricing.services.shared import (
    changed_fields,
    changed_sets,
    currency_errors,
    missing_ids,
    set_members,
)
from dinghuo.pricing.tiers import MAX_UNIT_PRICE


@dataclass(frozen=True)
class PromotionTargets:
    """What a promotion takes off and for whom: categories (with those below), SKUs, groups."""

    category_ids: list[int]
    sku_ids: list[int]
    customer_group_ids: list[int]


# Each set of ids of `PromotionTargets` and the promotion's relation that holds it.
_TARGET_SETS = {
    "category_ids": "categories",
    "sku_ids": "skus",
    "customer_group_ids": "customer_groups",
}


def _offer_errors(
    kind: str, value: Decimal, currency: str, starts_at: datetime, ends_at: datetime
) -> list[FieldError]:
    errors = []
    if kind not in Promotion.Kind.values:
        errors.append(FieldError("kind", "invalid_kind", "Kind is percent or amount"))
    if value <= 0:
        errors.append(FieldError("value", "value_not_positive", "The value must be above 0"))
    elif kind == Promotion.Kind.PERCENT and value > 100:
        errors.append(FieldError("value", "percent_above_100", "At most 100 percent off"))
    elif value >= MAX_UNIT_PRICE:
        errors.append(FieldError("value", "value_too_large", "The value is too large"))
    if kind == Promotion.Kind.AMOUNT and not currency:
        errors.append(FieldError("currency", "currency_required", "An amount needs a currency"))
    elif kind == Promotion.Kind.PERCENT and currency:
        errors.append(
            FieldError("currency", "currency_not_allowed", "A percentage has no currency")
        )
    elif currency:
        errors += currency_errors(currency)
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", "period_reversed", "ends_at is not after starts_at"))
    return errors


def _target_errors(tenant_id: int, seller_id: int, targets: PromotionTargets) -> list[FieldError]:
    errors = []
    if not targets.category_ids and not targets.sku_ids:
        errors.append(FieldError("sku_ids", "no_targets", "Target categories or SKUs"))
    errors += missing_ids(
        Category, tenant_id, "category_ids", "unknown_category", targets.category_ids
    )
    errors += missing_ids(
        Sku, tenant_id, "sku_ids", "unknown_sku", targets.sku_ids, seller_id=seller_id
    )
    errors += missing_ids(
        CustomerGroup,
        tenant_id,
        "customer_group_ids",
        "unknown_customer_group",
        targets.customer_group_ids,
    )
    return errors


def promotion_value_text(promotion: Promotion) -> str:
    """The value as events write it: an amount as a unit price of its currency, a percent
    as its plain digits."""
    if promotion.kind == Promotion.Kind.AMOUNT and promotion.currency:
        return format_unit_price(promotion.value, promotion.currency)
    return f"{promotion.value.normalize():f}"


def promotion_payload(promotion: Promotion, targets: PromotionTargets) -> dict[str, Any]:
    """A promotion as its events carry it."""
    return {
        "code": promotion.code,
        "name": promotion.name,
        "kind": promotion.kind,
        "value": promotion_value_text(promotion),
        "currency": promotion.currency,
        "starts_at": promotion.starts_at.isoformat(),
        "ends_at": promotion.ends_at.isoformat(),
        "applies_to_contract_prices": promotion.applies_to_contract_prices,
        "is_active": promotion.is_active,
        "category_ids": sorted(targets.category_ids),
        "sku_ids": sorted(targets.sku_ids),
        "customer_group_ids": sorted(targets.customer_group_ids),
    }


def promotion_targets(promotion: Promotion) -> PromotionTargets:
    """The promotion's targets and audience (three queries)."""
    return PromotionTargets(
        category_ids=sorted(promotion.categories.values_list("pk", flat=True)),
        sku_ids=sorted(promotion.skus.values_list("pk", flat=True)),
        customer_group_ids=sorted(promotion.customer_groups.values_list("pk", flat=True)),
    )


@transaction.atomic
def create_promotion(
    *,
    tenant_id: int,
    code: str,
    name: str,
    kind: str,
    value: Decimal,
    starts_at: datetime,
    ends_at: datetime,
    targets: PromotionTargets,
    currency: str = "",
    applies_to_contract_prices: bool = False,
    is_active: bool = True,
    seller_slug: str | None = None,
) -> Promotion:
    """A percent or an amount off each unit of the targeted SKUs and categories (with the
    categories below), from `starts_at` until before `ends_at`, for the listed customer
    groups (none: every company). It lowers list prices, and contract prices only when
    `applies_to_contract_prices`; promotions never stack (see `pricing/resolution.py`)."""
    seller = seller_for(tenant_id, seller_slug)
    errors = _offer_errors(kind, value, currency, starts_at, ends_at)
    errors += _target_errors(tenant_id, seller.pk, targets)
    refuse(errors, "The promotion cannot be created; see errors.")
    if Promotion.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise taken("code", code)
    promotion = Promotion(
        tenant_id=tenant_id,
        seller=seller,
        code=code,
        name=name,
        kind=kind,
        value=value,
        currency=currency,
        starts_at=starts_at,
        ends_at=ends_at,
        applies_to_contract_prices=applies_to_contract_prices,
        is_active=is_active,
    )
    with code_must_be_free("code"):
        promotion.save()
    set_members(promotion, **{rel: getattr(targets, f) for f, rel in _TARGET_SETS.items()})
    payload = promotion_payload(promotion, targets)
    audit.wrote(promotion, "created", after=payload)
    events.record(events.new(tenant_id, "promotion.created", "promotion", promotion.pk, payload))
    return promotion


def _targets_after(
    before: PromotionTargets,
    category_ids: list[int] | Unset,
    sku_ids: list[int] | Unset,
    customer_group_ids: list[int] | Unset,
) -> PromotionTargets:
    """The targets once the given sets replace theirs (UNSET: as they are)."""
    return PromotionTargets(
        category_ids=before.category_ids if isinstance(category_ids, Unset) else category_ids,
        sku_ids=before.sku_ids if isinstance(sku_ids, Unset) else sku_ids,
        customer_group_ids=before.customer_group_ids
        if isinstance(customer_group_ids, Unset)
        else customer_group_ids,
    )


@transaction.atomic
def update_promotion(
    *,
    tenant_id: int,
    promotion_id: int,
    name: str | Unset = UNSET,
    value: Decimal | Unset = UNSET,
    currency: str | Unset = UNSET,
    starts_at: datetime | Unset = UNSET,
    ends_at: datetime | Unset = UNSET,
    applies_to_contract_prices: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    category_ids: list[int] | Unset = UNSET,
    sku_ids: list[int] | Unset = UNSET,
    customer_group_ids: list[int] | Unset = UNSET,
) -> Promotion:
    """Change what is given (a list of ids replaces that set); the result must pass the
    checks of a new promotion. Changing nothing records nothing."""
    promotion = locked_tenant_row(
        Promotion.objects.all(), tenant_id, promotion_id, f"No promotion {promotion_id}."
    )
    before = promotion_targets(promotion)
    changed = changed_fields(
        promotion,
        {
            "name": name,
            "value": value,
            "currency": currency,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "applies_to_contract_prices": applies_to_contract_prices,
            "is_active": is_active,
        },
    )
    after = _targets_after(before, category_ids, sku_ids, customer_group_ids)
    target_changes = changed_sets(before, after, _TARGET_SETS)
    if not changed and not target_changes:
        return promotion
    was = promotion_payload(promotion, before)
    for attr, new in changed.items():
        setattr(promotion, attr, new)
    errors = _offer_errors(
        promotion.kind, promotion.value, promotion.currency, promotion.starts_at, promotion.ends_at
    )
    errors += _target_errors(tenant_id, promotion.seller_id, after)
    refuse(errors, "The promotion cannot be changed; see errors.")
    if changed:
        promotion.save(update_fields=list(changed))
    set_members(promotion, **{_TARGET_SETS[n]: getattr(after, n) for n in target_changes})
    audit.wrote(promotion, "changed", before=was, after=promotion_payload(promotion, after))
    payload = {**promotion_payload(promotion, after), "changed": [*changed, *target_changes]}
    events.record(events.new(tenant_id, "promotion.changed", "promotion", promotion.pk, payload))
    return promotion
