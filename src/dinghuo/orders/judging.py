"""Judging an order before it exists: the seller's policy and approval rules, who places it,
which approvals it needs, whether its credit holds, and where it would go. Reads and pure
rules only, written once in `judge`: placing acts on its answer (on the credit line it has
locked), `preview_routing` shows it to a buyer at checkout, or to staff entering an order,
before anything is written.

Approval rules' amounts are in their own currencies: the order's total is converted into each
(`rule_amounts`) at the order's rate (frozen when placing, today's for a preview) and the rule
currency's rate of the day.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dinghuo.catalog.models import Category
from dinghuo.core import clock
from dinghuo.core.db import select_rows, to_date, to_decimal
from dinghuo.core.errors import FieldError, NotFound, ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.core.phrases import Phrase
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
    taxed,
)
from dinghuo.orders.models import OrderPolicy
from dinghuo.pricing import fx
from dinghuo.pricing import queries as pricing


@dataclass(frozen=True)
class Policy:
    """A seller's ordering policy as plain values (defaults when the seller has set none)."""

    auto_confirm: bool = False
    credit_action: str = OrderPolicy.CreditAction.HOLD
    overdue_grace_days: int = 0
    approval_expiry_hours: int = 72


def policy_for(seller_id: int) -> Policy:
    """The seller's ordering policy and credit grace days (one indexed read)."""
    rows = select_rows(_POLICY, [seller_id])
    return _policy_of(rows[0]) if rows else Policy()


_POLICY_COLUMNS = """
SELECT p.auto_confirm, p.credit_action, p.approval_expiry_hours, c.overdue_grace_days
"""
_POLICY_JOINS = """
FROM core_seller s
LEFT JOIN orders_orderpolicy p ON p.seller_id = s.id
LEFT JOIN customers_creditpolicy c ON c.seller_id = s.id
"""
_POLICY = _POLICY_COLUMNS + _POLICY_JOINS + "WHERE s.id = %s"


def _policy_of(row: Sequence[Any]) -> Policy:
    """A policy from its four columns, each NULL when the seller has set none."""
    auto_confirm, credit_action, expiry_hours, grace_days = row[:4]
    defaults = Policy()
    return Policy(
        auto_confirm=bool(auto_confirm) if auto_confirm is not None else defaults.auto_confirm,
        credit_action=credit_action or defaults.credit_action,
        overdue_grace_days=grace_days if grace_days is not None else 0,
        approval_expiry_hours=expiry_hours or defaults.approval_expiry_hours,
    )


# The policy and the active rules that may apply to the company, in one plain read: one row
# per rule (or one row of NULL rule columns), the policy's columns NULL when it has none.
_POLICY_AND_RULES = (
    _POLICY_COLUMNS
    + """,
       r.id, r.name, r.level, r.approver, r.company_id, r.min_amount, r.category_id,
       r.buyer_role, r.credit_state, r.currency
"""
    + _POLICY_JOINS
    + """
LEFT JOIN orders_approvalrule r ON r.seller_id = s.id AND r.is_active
     AND (r.company_id IS NULL OR r.company_id = %s)
WHERE s.id = %s
ORDER BY r.id
"""
)


def policy_and_rules(seller_id: int, company_id: int) -> tuple[Policy, list[approval_rules.Rule]]:
    """The seller's policy and its active approval rules that may apply to the company."""
    rows = select_rows(_POLICY_AND_RULES, [company_id, seller_id])
    policy = _policy_of(rows[0]) if rows else Policy()
    rules = [
        approval_rules.Rule(
            name, level, approver, company, to_decimal(minimum), category, role, state, currency
        )
        for _p1, _p2, _p3, _p4, rule_id, name, level, approver, company, minimum, category,
        role, state, currency in rows
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


def rule_amounts(
    seller: Seller,
    currency: str,
    amount: Decimal,
    rules: list[approval_rules.Rule],
    *,
    fx_rate: Decimal | None,
    day: date,
) -> dict[str, Decimal]:
    """An order of `amount` in `currency` in each currency of the rules' amounts: at the
    order's `fx_rate` (None: the rate of `day`, looked up only if a rule needs it) and each
    rule currency's rate of `day` (`pricing.fx.convert`). A currency without a rate is left
    out, so its rules cannot match on amount. No query while every rule with an amount is in
    the order's currency or the seller's base currency and the order's rate is known."""
    amounts = {currency: amount}
    wanted = {r.currency for r in rules if r.min_amount is not None} - {currency}
    if not wanted:
        return amounts
    if fx_rate is None:
        fx_rate = pricing.rate_on(seller, currency, day)
        if fx_rate is None:
            return amounts
    rates = pricing.rates_on(seller, wanted - {seller.base_currency}, day)
    rates[seller.base_currency] = fx.ONE
    for rule_currency in wanted & rates.keys():
        amounts[rule_currency] = fx.convert(amount, fx_rate, rates[rule_currency], rule_currency)
    return amounts


def approval_steps(
    tenant_id: int,
    parties: Parties,
    rules: list[approval_rules.Rule],
    results: list[LineResult],
    amount: Decimal,
    placed_by_id: int | None,
    credit_flags: frozenset[str],
    amounts: dict[str, Decimal] | None = None,
) -> list[approval_rules.Step]:
    """The approvals an order of `amount` on these lines needs, with the facts the rules ask
    about: the buyer's role and spending limit, the lines' categories, the credit flags, and
    the order's amount in the rules' currencies (`rule_amounts`; without them, only rules in
    the order's currency can match on amount)."""
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
        amounts=amounts if amounts is not None else {parties.currency: amount},
    )
    return approval_rules.steps_for(rules, facts)


@dataclass(frozen=True)
class Judgement:
    """What the seller's rules say of an order before it exists."""

    policy: Policy
    credit: credit.CreditCheck
    hold_reason: Phrase  # why credit blocks the order (empty when it does not)
    steps: list[approval_rules.Step]  # the approvals it needs, by level
    # What the company pays before the order is confirmed: all of it (prepaid), a deposit,
    # or nothing.
    prepayment_due: Decimal = Decimal(0)

    @property
    def refused(self) -> bool:
        """Blocked on credit, and the seller refuses such orders rather than hold them."""
        return bool(self.credit.blocked) and (
            self.policy.credit_action == OrderPolicy.CreditAction.REFUSE
        )

    def route(self, *, backordered: bool) -> straight_through.Route:
        """Where the order goes once placed: on hold, to approval, to a person, or confirmed
        at once (`straight_through.route`); whether it is backordered is stock's answer."""
        return straight_through.route(
            credit_held=bool(self.credit.blocked),
            approvals_pending=bool(self.steps),
            backordered=backordered,
            prepaid=self.prepayment_due > 0,
            auto_confirm=self.policy.auto_confirm,
        )


def judge(
    tenant_id: int,
    parties: Parties,
    results: list[LineResult],
    amount: Decimal,
    *,
    placed_by_id: int | None,
    credit_state: credit.CreditState,
    today: date,
    fx_rate: Decimal | None = None,
) -> Judgement:
    """Judge an order of `amount` on these lines, placed by `placed_by_id` (None: staff or a
    system): the seller's policy, the credit check on `credit_state` (the line as placing
    locked it, or as it stands for a preview) and the approvals the order needs, its amount
    compared with the rules' in their currencies at `fx_rate` (the order's frozen rate; None:
    the rate of `today`). Reads the policy and rules (one query), what the approval rules ask
    about and, only for a rule in a third currency, its rate; writes nothing."""
    policy, rules = policy_and_rules(parties.seller.pk, parties.company_id)
    checked = credit.check(credit_state, amount, today, policy.overdue_grace_days)
    amounts = rule_amounts(
        parties.seller, parties.currency, amount, rules, fx_rate=fx_rate, day=today
    )
    steps = approval_steps(
        tenant_id, parties, rules, results, amount, placed_by_id, checked.flags, amounts
    )
    return Judgement(
        policy,
        checked,
        credit.explain(checked, credit_state, amount, today, parties.currency),
        steps,
        credit.paid_before_confirmation(credit_state, amount, parties.currency),
    )


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
    total: Decimal = Decimal(0)  # net plus tax to the ship-to: what credit and approvals judge
    prepayment_due: Decimal = Decimal(0)  # paid before it is confirmed (prepaid, deposit)


def _credit_state(tenant_id: int, company_id: int) -> credit.CreditState:
    """The credit line as it stands (no lock: a preview, the order itself locks it)."""
    rows = select_rows(
        "SELECT credit_limit, order_exposure, invoice_exposure, oldest_unpaid_due_on, terms, "
        "deposit_percent FROM customers_creditline WHERE tenant_id = %s AND company_id = %s",
        [tenant_id, company_id],
    )
    if not rows:
        default = CreditLine()
        return credit.CreditState(None, Decimal(0), Decimal(0), None, default.terms)
    limit, orders, invoices, due, terms, deposit = rows[0]
    return credit.CreditState(
        to_decimal(limit),
        to_decimal(orders) or Decimal(0),
        to_decimal(invoices) or Decimal(0),
        to_date(due),
        terms,
        int(deposit),
    )


def preview_routing(
    tenant_id: int,
    company_id: int,
    lines: list[LineRequest],
    *,
    placed_by_id: int | None = None,
    at: datetime | None = None,
    ship_to_id: int | None = None,
) -> RoutingPreview:
    """Whether these lines, placed now by `placed_by_id`, would need approval (from whom and
    why), go on credit hold or be refused, or confirm at once; `judge`, as placing uses it,
    on the same data, writing nothing. Lines with problems count at the price they have.
    Stock is not reserved here, so a backorder shows only when the order is placed. The
    amount judged is the gross to `ship_to_id` (without one, no tax is known: the net), at
    today's exchange rate."""
    now = at or clock.now()
    parties, errors = resolve_parties(tenant_id, company_id, ship_to_id, None)
    if parties is None:
        raise NotFound(f"No company {company_id}.", errors=errors)
    results, _book = check_lines(tenant_id, parties, lines, at=now)
    subtotal = sum((line_total(r, parties.currency) for r in results if r.ok), Decimal(0))
    gross = taxed([r for r in results if r.ok], parties, now.date()).gross
    judgement = judge(
        tenant_id,
        parties,
        results,
        gross,
        placed_by_id=placed_by_id,
        credit_state=_credit_state(tenant_id, company_id),
        today=timezone.localdate(now),
    )
    route = judgement.route(backordered=False)
    return RoutingPreview(
        status=route.status,
        review_reasons=route.review_reasons,
        approvals=judgement.steps,
        credit_blocked=judgement.credit.blocked,
        refused=judgement.refused,
        subtotal=subtotal,
        currency=parties.currency,
        total=gross,
        prepayment_due=judgement.prepayment_due,
    )
