"""The seller's return rules, pure (no database): is a request still within the window, what
the restocking fee is, and which requests a person must look at.

The window counts whole days from the day the order was delivered: with a 30-day window,
goods delivered on 1 March may be asked back up to and including 31 March.

The restocking fee is kept only on lines returned for a reason the seller chose
(`Rules.fee_reasons`): by default goods no longer needed and "another reason", never goods
that arrived damaged, did not work, were the wrong item or not as described (the seller's
fault, unless the seller decides otherwise).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dinghuo.core.money import minor_units

OTHER_REASON = "other"
NOT_NEEDED_REASON = "not_needed"
# The reasons a restocking fee is kept for unless the seller chooses others: the buyer's
# change of mind, not the seller's mistakes.
DEFAULT_FEE_REASONS = frozenset({NOT_NEEDED_REASON, OTHER_REASON})


@dataclass(frozen=True)
class Rules:
    """A seller's return policy as the rules read it."""

    window_days: int = 30
    restocking_fee_percent: Decimal = Decimal(0)
    non_returnable_categories: frozenset[int] = field(default_factory=frozenset)
    auto_approve_limit: Decimal | None = None
    fee_reasons: frozenset[str] = DEFAULT_FEE_REASONS


DEFAULTS = Rules()


def last_day(delivered_on: date, rules: Rules) -> date:
    """The last day goods delivered on `delivered_on` may be asked back."""
    return delivered_on + timedelta(days=rules.window_days)


def within_window(delivered_on: date, today: date, rules: Rules) -> bool:
    return today <= last_day(delivered_on, rules)


def restocking_fee(gross: Decimal, percent: Decimal, currency: str) -> Decimal:
    """The fee kept from `gross`, rounded half up to the currency's minor units."""
    fee = gross * percent / 100
    return fee.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def fee_on(
    parts: Iterable[tuple[Decimal, str]],
    percent: Decimal,
    fee_reasons: frozenset[str],
    currency: str,
) -> Decimal:
    """The restocking fee kept from one credit: `parts` are (gross, reason) of the units
    credited; only those returned for one of `fee_reasons` bear the fee, which is rounded
    once, on their sum (so a mixed return is never a minor unit off per line)."""
    base = sum((gross for gross, reason in parts if reason in fee_reasons), Decimal(0))
    return restocking_fee(base, percent, currency)


@dataclass(frozen=True)
class Asked:
    """What a request asks, as the approval rule sees it."""

    categories: frozenset[int]
    reasons: frozenset[str]
    amount_in_base: Decimal


def review_reasons(asked: Asked, rules: Rules) -> list[str]:
    """Why a person must decide on this request; empty: it is approved by itself.

    Straightforward means: no goods of a non-returnable category, no reason "other" (which
    needs reading), and a gross amount (in base currency) up to the seller's limit; a seller
    without a limit decides every request itself."""
    reasons = []
    if asked.categories & rules.non_returnable_categories:
        reasons.append("non_returnable")
    if OTHER_REASON in asked.reasons:
        reasons.append("reason_other")
    if rules.auto_approve_limit is None:
        reasons.append("no_automatic_approval")
    elif asked.amount_in_base > rules.auto_approve_limit:
        reasons.append("over_approval_limit")
    return reasons
