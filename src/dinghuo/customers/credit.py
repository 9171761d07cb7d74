"""Whether an order fits a company's credit. Pure, no database.

The rule:
- Prepaid companies buy without credit: the order does not count against a limit, and it
  waits for payment before it is confirmed (flag `prepaid`); overdue invoices do not block
  them, since they pay before anything ships.
- A company that pays a deposit (a percentage of each order, the rest on its terms) is
  judged as any company on credit, for the whole order (it owes all of it until paid), and
  the order also waits for its deposit before it is confirmed (flag `deposit`).
- Otherwise the order is blocked when
  - `over_limit`: exposure (open orders not yet invoiced + unpaid invoices) plus the order's
    amount exceeds the credit limit (no limit = never over), or
  - `overdue`: the oldest unpaid invoice is overdue by more than the seller's grace days.
- An order that passes may still carry flags that approval rules can ask for:
  `near_limit` (exposure after the order reaches 90% of the limit) and `overdue_in_grace`
  (payments overdue, but within the grace period).
Whether a blocked order is held or refused is the seller's setting, not this module's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dinghuo.core.money import round_money
from dinghuo.core.phrases import Amount, Phrase, phrase

NEAR_LIMIT_SHARE = Decimal("0.9")

OVER_LIMIT = "over_limit"
OVERDUE = "overdue"
NEAR_LIMIT = "near_limit"
OVERDUE_IN_GRACE = "overdue_in_grace"
PREPAID = "prepaid"
DEPOSIT = "deposit"


@dataclass(frozen=True)
class CreditState:
    """A company's credit line as the check needs it."""

    credit_limit: Decimal | None
    order_exposure: Decimal
    invoice_exposure: Decimal
    oldest_unpaid_due_on: date | None
    terms: str  # CreditLine.Terms value
    deposit_percent: int = 0

    @property
    def exposure(self) -> Decimal:
        return self.order_exposure + self.invoice_exposure


@dataclass(frozen=True)
class CreditCheck:
    blocked: tuple[str, ...]  # reasons the order may not go on account: over_limit, overdue
    flags: frozenset[str]  # near_limit, overdue_in_grace, prepaid, deposit
    uses_credit: bool  # False for prepaid: the order holds none of the limit

    @property
    def passed(self) -> bool:
        return not self.blocked


def days_overdue(state: CreditState, today: date) -> int:
    """Days the oldest unpaid invoice is past its due date (0 when nothing is overdue)."""
    if state.oldest_unpaid_due_on is None:
        return 0
    return max(0, (today - state.oldest_unpaid_due_on).days)


def check(state: CreditState, amount: Decimal, today: date, grace_days: int) -> CreditCheck:
    """Judge an order of `amount` (in the company's currency) against the credit line."""
    if state.terms == "prepaid":
        return CreditCheck((), frozenset({PREPAID}), uses_credit=False)
    blocked: list[str] = []
    flags: set[str] = {DEPOSIT} if state.deposit_percent > 0 else set()
    after = state.exposure + amount
    if state.credit_limit is not None:
        if after > state.credit_limit:
            blocked.append(OVER_LIMIT)
        elif after > 0 and after >= state.credit_limit * NEAR_LIMIT_SHARE:
            flags.add(NEAR_LIMIT)
    late = days_overdue(state, today)
    if late > grace_days:
        blocked.append(OVERDUE)
    elif late > 0:
        flags.add(OVERDUE_IN_GRACE)
    return CreditCheck(tuple(blocked), frozenset(flags), uses_credit=True)


def paid_before_confirmation(state: CreditState, amount: Decimal, currency: str) -> Decimal:
    """What of an order of `amount` the company pays before it is confirmed: all of it when
    prepaid, its deposit (the percent of the amount, rounded half up to the currency's minor
    units) when it pays one, else nothing."""
    if state.terms == PREPAID:
        return amount
    if state.deposit_percent > 0:
        return round_money(amount * state.deposit_percent / 100, currency)
    return Decimal(0)


def explain(
    check_: CreditCheck, state: CreditState, amount: Decimal, today: date, currency: str
) -> Phrase:
    """The reason shown to buyer and staff for a blocked order (empty when it is not); the
    amounts are in `currency`, the company's (and the order's)."""
    parts = []
    if OVER_LIMIT in check_.blocked:
        parts.append(
            phrase(
                "the order ({amount}) would take exposure from {exposure} over the credit "
                "limit of {limit}",
                amount=Amount(amount, currency),
                exposure=Amount(state.exposure, currency),
                limit=Amount(state.credit_limit or Decimal(0), currency),
            )
        )
    if OVERDUE in check_.blocked:
        parts.append(phrase("payments are {days} days overdue", days=days_overdue(state, today)))
    if len(parts) == 2:
        return phrase("Credit: {first}; {second}", first=parts[0], second=parts[1])
    if parts:
        return phrase("Credit: {reason}", reason=parts[0])
    return Phrase("")


def status(state: CreditState, today: date, grace_days: int) -> str:
    """One word for the state of a credit line: prepaid, blocked, overdue, near_limit or ok."""
    result = check(state, Decimal(0), today, grace_days)
    if not result.uses_credit:
        return PREPAID
    if result.blocked:
        return "blocked"
    if OVERDUE_IN_GRACE in result.flags:
        return OVERDUE
    if NEAR_LIMIT in result.flags:
        return NEAR_LIMIT
    return "ok"
