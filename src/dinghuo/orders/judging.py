"""Judging an order before it exists: the seller's policy and approval rules, who places it,
which approvals it needs, whether its credit holds, and where it would go. Reads and pure
rules only; `services.place_order` acts on the answers, `preview_routing` shows them to a
buyer at checkout before anything is written.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dinghuo.catalog.models import Category
from dinghuo.core import clock
from dinghuo.core.db import select_rows, to_date, to_decimal
from dinghuo.core.errors import FieldError, NotFound, ValidationFailed
from dinghuo.customers import credit
from dinghuo.customers.models import CompanyUser, CreditLine
from dinghuo.orders import approval_rules, straight_through
from dinghuo.orders.line_checks import (
    LineRequest,
    LineResult,
    Parties,
    check_lines,
    line_total,
    resolve_parties,
)
from dinghuo.orders.models import OrderPolicy


@dataclass(frozen=True)
class Policy:
    """A seller's ordering policy as plain values (defaults when the seller has set none)."""

    auto_confirm: bool = False
    credit_action: str = OrderPolicy.CreditAction.HOLD
    overdue_grace_days: int = 0
    approval_expiry_hours: int = 72


def policy_for(seller_id: int) -> Policy:
    """The seller's ordering policy (one indexed read)."""
    row = (
        OrderPolicy.objects.filter(seller_id=seller_id)
        .values_list("auto_confirm", "credit_action", "overdue_grace_days", "approval_expiry_hours")
        .first()
    )
    return Policy(*row) if row else Policy()


# The policy and the active rules that may apply to the company, in one plain read: one row
# per rule (or one row of NULL rule columns), the policy's columns NULL when it has none.
_POLICY_AND_RULES = """
SELECT p.auto_confirm, p.credit_action, p.overdue_grace_days, p.approval_expiry_hours,
       r.id, r.name, r.level, r.approver, r.company_id, r.min_amount, r.category_id,
       r.buyer_role, r.credit_state
FROM core_seller s
LEFT JOIN orders_orderpolicy p ON p.seller_id = s.id
LEFT JOIN orders_approvalrule r ON r.seller_id = s.id AND r.is_active
     AND (r.company_id IS NULL OR r.company_id = %s)
WHERE s.id = %s
ORDER BY r.id
"""


def policy_and_rules(seller_id: int, company_id: int) -> tuple[Policy, list[approval_rules.Rule]]:
    rows = select_rows(_POLICY_AND_RULES, [company_id, seller_id])
    first = rows[0] if rows else None
    policy = (
        Policy(bool(first[0]), first[1], first[2], first[3])
        if first is not None and first[0] is not None
        else Policy()
    )
    rules = [
        approval_rules.Rule(
            name, level, approver, company, to_decimal(minimum), category, role, state
        )
        for _p1, _p2, _p3, _p4, rule_id, name, level, approver, company, minimum, category,
        role, state in rows
        if rule_id is not None
    ]  # fmt: skip
    return policy, rules


def buyer_facts(
    tenant_id: int, company_id: int, placed_by_id: int | None
) -> tuple[str | None, Decimal | None]:
    """Role and spending limit of the company user placing the order (None, None for staff)."""
    if placed_by_id is None:
        return None, None
    row = (
        CompanyUser.objects.filter(tenant_id=tenant_id, pk=placed_by_id, company_id=company_id)
        .values_list("role", "spending_limit")
        .first()
    )
    if row is None:
        raise ValidationFailed(
            "The order cannot be placed; see errors.",
            errors=[FieldError("placed_by", "unknown_company_user", "Not a user of this company")],
        )
    return row[0], row[1]


def categories_with_ancestors(tenant_id: int, category_ids: set[int]) -> frozenset[int]:
    """The categories and every category above them (one query over the tenant's categories)."""
    parent = dict(Category.objects.filter(tenant_id=tenant_id).values_list("id", "parent_id"))
    found: set[int] = set()
    for category_id in category_ids:
        current: int | None = category_id
        while current is not None and current not in found:
            found.add(current)
            current = parent.get(current)
    return frozenset(found)


def approval_steps(
    tenant_id: int,
    parties: Parties,
    rules: list[approval_rules.Rule],
    results: list[LineResult],
    amount: Decimal,
    placed_by_id: int | None,
    credit_flags: frozenset[str],
) -> list[approval_rules.Step]:
    role, spending_limit = buyer_facts(tenant_id, parties.company_id, placed_by_id)
    categories: frozenset[int] = frozenset()
    if any(rule.category_id is not None for rule in rules):
        line_categories = {r.sku.category_id for r in results if r.sku and r.sku.category_id}
        categories = categories_with_ancestors(tenant_id, line_categories)
    facts = approval_rules.OrderFacts(
        company_id=parties.company_id,
        amount=amount,
        category_ids=categories,
        buyer_role=role,
        spending_limit=spending_limit,
        credit_flags=credit_flags,
        currency=parties.currency,
    )
    return approval_rules.steps_for(rules, facts)


@dataclass(frozen=True)
class RoutingPreview:
    """What would happen to these lines if the buyer placed them now."""

    status: str  # the status the order would take (stock permitting)
    review_reasons: tuple[str, ...]
    approvals: list[approval_rules.Step]
    credit_blocked: tuple[str, ...]
    refused: bool  # the seller refuses orders blocked on credit
    subtotal: Decimal
    currency: str


def _credit_state(tenant_id: int, company_id: int) -> credit.CreditState:
    """The credit line as it stands (no lock: a preview, the order itself locks it)."""
    rows = select_rows(
        "SELECT credit_limit, order_exposure, invoice_exposure, oldest_unpaid_due_on, terms "
        "FROM customers_creditline WHERE tenant_id = %s AND company_id = %s",
        [tenant_id, company_id],
    )
    if not rows:
        default = CreditLine()
        return credit.CreditState(None, Decimal(0), Decimal(0), None, default.terms)
    limit, orders, invoices, due, terms = rows[0]
    return credit.CreditState(
        to_decimal(limit),
        to_decimal(orders) or Decimal(0),
        to_decimal(invoices) or Decimal(0),
        to_date(due),
        terms,
    )


def preview_routing(
    tenant_id: int,
    company_id: int,
    lines: list[LineRequest],
    *,
    placed_by_id: int | None = None,
    at: datetime | None = None,
) -> RoutingPreview:
    """Whether these lines, placed now by `placed_by_id`, would need approval (from whom and
    why), go on credit hold or be refused, or confirm at once; the same rules as placing,
    on the same data, writing nothing. Lines with problems count at the price they have.
    Stock is not reserved here, so a backorder shows only when the order is placed."""
    now = at or clock.now()
    parties, errors = resolve_parties(tenant_id, company_id, None, None)
    if parties is None:
        raise NotFound(f"No company {company_id}.", errors=errors)
    results, _book = check_lines(tenant_id, parties, lines, at=now)
    subtotal = sum((line_total(r, parties.currency) for r in results if r.ok), Decimal(0))
    policy, rules = policy_and_rules(parties.seller.pk, company_id)
    state = _credit_state(tenant_id, company_id)
    judged = credit.check(state, subtotal, now.date(), policy.overdue_grace_days)
    steps = approval_steps(tenant_id, parties, rules, results, subtotal, placed_by_id, judged.flags)
    route = straight_through.route(
        credit_held=bool(judged.blocked),
        approvals_pending=bool(steps),
        backordered=False,
        prepaid=not judged.uses_credit,
        auto_confirm=policy.auto_confirm,
    )
    return RoutingPreview(
        status=route.status,
        review_reasons=route.review_reasons,
        approvals=steps,
        credit_blocked=judged.blocked,
        refused=bool(judged.blocked) and policy.credit_action == OrderPolicy.CreditAction.REFUSE,
        subtotal=subtotal,
        currency=parties.currency,
    )
