"""Which approvals an order needs, and from whom. Pure, no database.

The rule:
- A seller's approval rule matches an order when every condition it sets holds (an empty
  condition matches anything): the company (a rule may be for one company), the order amount
  (at least `min_amount`, in the rule's currency), a category (some line's product is in it or
  below it), the role of the buyer who placed it (orders entered by staff have no buyer role)
  and the company's credit state (`near_limit`, `overdue` within the grace period).
- A rule's amount is compared with the order's total in the rule's currency: the caller gives
  the total in each currency the rules name (`OrderFacts.amounts`, converted at the order's
  frozen rate and the rule currency's rate of the day, `pricing.fx.convert`). A rule whose
  currency has no amount there (no rate for it) cannot be judged on amount and does not match.
- Whatever the rules say, an order above the spending limit of the buyer who placed it needs a
  company approver at level 1: the limit is the company's own rule for its people, in the
  company's currency, which is the order's (placing refuses an order in another).
- Each match asks for one approval at its level from its party (the buying company's approvers
  or seller staff). Matches at the same level and party merge into one step with all their
  reasons; levels are decided in ascending order, each only after the one before is complete.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dinghuo.core.phrases import Amount, Phrase, phrase

COMPANY = "company"
SELLER = "seller"

# Credit flags from `customers.credit` that a rule's `credit_state` may ask for.
CREDIT_STATE_FLAGS = {"near_limit": "near_limit", "overdue": "overdue_in_grace"}


@dataclass(frozen=True)
class Rule:
    name: str
    level: int
    approver: str  # COMPANY or SELLER
    company_id: int | None = None
    min_amount: Decimal | None = None
    category_id: int | None = None
    buyer_role: str = ""
    credit_state: str = ""
    currency: str = ""  # of `min_amount` (ISO 4217)


@dataclass(frozen=True)
class OrderFacts:
    company_id: int
    amount: Decimal  # the order's total in its own currency
    category_ids: frozenset[int]  # the lines' categories and every ancestor of them
    buyer_role: str | None  # None when staff entered the order
    spending_limit: Decimal | None  # in the order's currency
    credit_flags: frozenset[str]
    currency: str = ""  # the order's
    # The order's total in each currency a rule's amount is in (its own currency included);
    # a currency missing here could not be converted, and its rules do not match on amount.
    amounts: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    level: int
    approver: str
    # The names of the seller's rules that matched (the seller's own words), and the
    # spending-limit sentence (a phrase, said in the reader's language on pages).
    reasons: tuple[Phrase | str, ...]


def matches(rule: Rule, facts: OrderFacts) -> bool:
    """Whether every condition the rule sets holds for the order."""
    if rule.company_id is not None and rule.company_id != facts.company_id:
        return False
    if rule.min_amount is not None:
        amount = facts.amounts.get(rule.currency)
        if amount is None or amount < rule.min_amount:
            return False
    if rule.category_id is not None and rule.category_id not in facts.category_ids:
        return False
    if rule.buyer_role and rule.buyer_role != facts.buyer_role:
        return False
    flag = CREDIT_STATE_FLAGS.get(rule.credit_state)
    return not (rule.credit_state and flag not in facts.credit_flags)


def over_spending_limit(facts: OrderFacts) -> bool:
    return facts.spending_limit is not None and facts.amount > facts.spending_limit


def _money(amount: Decimal | None, currency: str) -> Amount | str:
    if not currency:
        return str(amount)
    return Amount(amount or Decimal(0), currency)


def reason(rule: Rule, facts: OrderFacts) -> Phrase | str:
    """Why a matching rule asks for approval: its name (the seller's own words) and, for an
    amount rule, the order's amount against the rule's, in the rule's currency."""
    if rule.min_amount is None:
        return rule.name
    minimum = _money(rule.min_amount, rule.currency)
    amount = _money(facts.amounts.get(rule.currency), rule.currency)
    if rule.currency == facts.currency:
        return phrase(
            "{rule}: {amount} is {minimum} or more", rule=rule.name, amount=amount, minimum=minimum
        )
    return phrase(
        "{rule}: {amount} ({converted}) is {minimum} or more",
        rule=rule.name,
        amount=_money(facts.amount, facts.currency),
        converted=amount,
        minimum=minimum,
    )


def steps_for(rules: Iterable[Rule], facts: OrderFacts) -> list[Step]:
    """The approval steps the order needs, by level then party (company before seller)."""
    reasons: dict[tuple[int, str], list[Phrase | str]] = {}
    if over_spending_limit(facts):
        reasons[(1, COMPANY)] = [
            phrase(
                "{amount} is over the buyer's spending limit of {limit}",
                amount=_money(facts.amount, facts.currency),
                limit=_money(facts.spending_limit, facts.currency),
            )
        ]
    for rule in rules:
        if matches(rule, facts):
            found = reasons.setdefault((rule.level, rule.approver), [])
            why = reason(rule, facts)
            if why not in found:
                found.append(why)
    order = {COMPANY: 0, SELLER: 1}
    return [
        Step(level, approver, tuple(why))
        for (level, approver), why in sorted(
            reasons.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])
        )
    ]
