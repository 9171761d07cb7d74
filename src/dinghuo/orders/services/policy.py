"""The seller's ordering policy (automation, what a credit block does, approval expiry) and
its approval rules: set and changed by staff, each change an event. A rule's amount is in a
currency (the seller's base currency unless told), one the seller keeps a rate for."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dinghuo.audit import services as audit
from dinghuo.catalog.models import Category
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount, is_currency
from dinghuo.core.queries import seller_for
from dinghuo.core.writes import locked_tenant_row
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.integrations import events
from dinghuo.orders import approval_rules
from dinghuo.orders.models import ApprovalRule, OrderPolicy
from dinghuo.pricing import queries as pricing


@dataclass(frozen=True)
class RuleFields:
    """The conditions and outcome of an approval rule (None in a change = leave as it is)."""

    name: str | None = None
    level: int | None = None
    approver: str | None = None
    company_id: int | None = None
    min_amount: Decimal | None = None
    category_id: int | None = None
    buyer_role: str | None = None
    credit_state: str | None = None
    is_active: bool | None = None
    currency: str | None = None  # of min_amount (a new rule: the seller's base currency)


@transaction.atomic
def set_order_policy(
    *,
    tenant_id: int,
    seller_slug: str | None,
    auto_confirm: bool,
    credit_action: str,
    overdue_grace_days: int,
    approval_expiry_hours: int,
    backorder_fill: str = OrderPolicy.BackorderFill.OLDEST,
    priority_group_id: int | None = None,
    buyer_amend_hours: int = 24,
) -> OrderPolicy:
    """Set what happens to a seller's orders once placed (automation, credit, approvals),
    which waiting orders arriving stock serves first, how long buyers may amend their
    orders, and its grace days for overdue invoices (kept by customers' credit policy)."""
    seller = seller_for(tenant_id, seller_slug)
    errors = _policy_errors(tenant_id, credit_action, backorder_fill, priority_group_id)
    if errors:
        raise ValidationFailed("The ordering policy cannot be set.", errors=errors)
    policy, created = OrderPolicy.objects.select_for_update().get_or_create(
        seller=seller, defaults={"tenant_id": tenant_id}
    )
    before = audit.snapshot(policy)
    policy.auto_confirm = auto_confirm
    policy.credit_action = credit_action
    policy.approval_expiry_hours = approval_expiry_hours
    policy.backorder_fill = backorder_fill
    policy.priority_group_id = priority_group_id
    policy.buyer_amend_hours = buyer_amend_hours
    policy.save()
    if created:
        audit.created(policy)
    else:
        audit.changed(policy, before)
    # The grace days are the seller's credit policy, which customers keeps.
    customers.set_overdue_grace_days(
        tenant_id=tenant_id, seller_id=seller.pk, days=overdue_grace_days
    )
    events.record(
        events.new(
            tenant_id,
            "seller.order_policy_changed",
            "seller",
            seller.pk,
            {
                "seller": seller.slug,
                "auto_confirm": auto_confirm,
                "credit_action": credit_action,
                "overdue_grace_days": overdue_grace_days,
                "approval_expiry_hours": approval_expiry_hours,
                "backorder_fill": backorder_fill,
                "priority_group_id": priority_group_id,
                "buyer_amend_hours": buyer_amend_hours,
            },
        )
    )
    return policy


def _policy_errors(
    tenant_id: int, credit_action: str, backorder_fill: str, priority_group_id: int | None
) -> list[FieldError]:
    """An unknown credit action or fill order; a priority fill without the tenant's group."""
    errors = []
    if credit_action not in OrderPolicy.CreditAction.values:
        errors.append(FieldError("credit_action", "invalid_choice", "hold or refuse"))
    if backorder_fill not in OrderPolicy.BackorderFill.values:
        errors.append(
            FieldError("backorder_fill", "invalid_choice", "oldest, priority or delivery_date")
        )
    if (
        priority_group_id is not None
        and not CustomerGroup.objects.filter(tenant_id=tenant_id, pk=priority_group_id).exists()
    ):
        errors.append(
            FieldError("priority_group_id", "unknown_customer_group", "No such customer group")
        )
    elif backorder_fill == OrderPolicy.BackorderFill.PRIORITY and priority_group_id is None:
        errors.append(
            FieldError(
                "priority_group_id", "priority_group_required", "Name the priority customers"
            )
        )
    return errors


def _rule_errors(tenant_id: int, fields: RuleFields) -> list[FieldError]:
    """Every problem of a rule's fields: a negative amount, an unknown currency, company or
    category."""
    company_id, category_id = fields.company_id, fields.category_id
    errors = []
    if fields.currency is not None and not is_currency(fields.currency):
        errors.append(
            FieldError("currency", "invalid_currency", f"{fields.currency} is not an ISO 4217 code")
        )
    if fields.min_amount is not None and fields.min_amount < 0:
        errors.append(
            FieldError("min_amount", "min_amount_negative", "The amount must not be negative")
        )
    if (
        company_id is not None
        and not Company.objects.filter(tenant_id=tenant_id, pk=company_id).exists()
    ):
        errors.append(FieldError("company_id", "unknown_company", f"No company {company_id}"))
    if (
        category_id is not None
        and not Category.objects.filter(tenant_id=tenant_id, pk=category_id).exists()
    ):
        errors.append(FieldError("category_id", "unknown_category", f"No category {category_id}"))
    return errors


def _check_rule(tenant_id: int, fields: RuleFields) -> None:
    """Refuse (422) a rule's fields with every problem they have."""
    errors = _rule_errors(tenant_id, fields)
    if errors:
        raise ValidationFailed("The rule cannot be saved; see errors.", errors=errors)


def _require_rate(seller: Seller, rule: ApprovalRule) -> None:
    """An amount in a currency other than the seller's base needs a rate of it (any day up to
    today), or no order could be compared with it: else 422 `exchange_rate_missing`."""
    if rule.min_amount is not None and rule.currency != seller.base_currency:
        pricing.require_rate(seller, rule.currency, timezone.localdate(clock.now()))


def _rule_payload(rule: ApprovalRule) -> dict[str, Any]:
    """How a rule appears in its events."""
    return {
        "name": rule.name,
        "level": rule.level,
        "approver": rule.approver,
        "company_id": rule.company_id,
        "min_amount": None
        if rule.min_amount is None
        else format_amount(rule.min_amount, rule.currency),
        "currency": rule.currency,
        "category_id": rule.category_id,
        "buyer_role": rule.buyer_role,
        "credit_state": rule.credit_state,
        "is_active": rule.is_active,
    }


@transaction.atomic
def create_approval_rule(
    *, tenant_id: int, seller_slug: str | None, fields: RuleFields
) -> ApprovalRule:
    """A new approval rule of a seller, its amount in `fields.currency` (default: the seller's
    base currency); unknown currencies, companies or categories are refused (422), and so is
    an amount in a currency the seller has no exchange rate for (`exchange_rate_missing`)."""
    seller = seller_for(tenant_id, seller_slug)
    _check_rule(tenant_id, fields)
    rule = ApprovalRule(
        tenant_id=tenant_id,
        seller=seller,
        name=fields.name or "",
        level=fields.level or 1,
        approver=fields.approver or approval_rules.COMPANY,
        company_id=fields.company_id,
        min_amount=fields.min_amount,
        currency=fields.currency or seller.base_currency,
        category_id=fields.category_id,
        buyer_role=fields.buyer_role or "",
        credit_state=fields.credit_state or "",
        is_active=True if fields.is_active is None else fields.is_active,
    )
    _require_rate(seller, rule)
    rule.save()
    audit.created(rule)
    events.record(
        events.new(
            tenant_id, "approval_rule.created", "approval_rule", rule.pk, _rule_payload(rule)
        )
    )
    return rule


@transaction.atomic
def update_approval_rule(
    *, tenant_id: int, rule_id: int, fields: RuleFields, cleared: frozenset[str] = frozenset()
) -> ApprovalRule:
    """Change what is given; `cleared` names conditions to remove (set to "any"). A new amount
    or currency is refused (422 `exchange_rate_missing`) when the seller has no rate for it."""
    rule = locked_tenant_row(
        ApprovalRule.objects.select_related("seller"), tenant_id, rule_id, f"No rule {rule_id}."
    )
    _check_rule(tenant_id, fields)
    before = audit.snapshot(rule)
    for name in ("name", "level", "approver", "company_id", "min_amount", "category_id",
                 "buyer_role", "credit_state", "is_active", "currency"):  # fmt: skip
        value = getattr(fields, name)
        if value is not None:
            setattr(rule, name, value)
    for name in cleared:
        setattr(rule, name, "" if name in {"buyer_role", "credit_state"} else None)
    if fields.min_amount is not None or fields.currency is not None:
        _require_rate(rule.seller, rule)
    rule.save()
    audit.changed(rule, before)
    events.record(
        events.new(
            tenant_id, "approval_rule.changed", "approval_rule", rule.pk, _rule_payload(rule)
        )
    )
    return rule
