"""The one rule for the price a company pays for a SKU. Pure: no database.

For SKU `s`, quantity `q`, at moment `t` (its date `d`), company `c`:

1. **Contract.** c's contract price for s valid on d (valid_from ≤ d ≤ valid_until, or
   open-ended). Periods of one company and SKU never overlap (the service refuses it), so at
   most one applies; should data ever hold two, the latest `valid_from` (then the lower id) is
   taken. It *prices q* when its ladder has a tier with min_quantity ≤ q; the tier with the
   highest such min_quantity gives the price.
2. **Price lists.** The lists offered to c: lists assigned to c, lists assigned to any of c's
   customer groups, and c's base list (the company's own `price_list`, always last). Only
   active lists in c's currency (the base list's) and of the base list's seller count. They are
   tried in this order: priority descending; at equal priority an assignment to the company
   before one to a group; then the lower list id. A list assigned twice counts once, at its
   best place. The first list that prices q (same tier rule) gives the list price.
3. **Base price**: the contract's when it prices q, else the list price. Neither → no price:
   the SKU cannot be bought at that quantity.
4. **Promotions**: active, t within [starts_at, ends_at), of the base list's seller, for every
   company (no groups) or for one of c's groups, targeting s itself or its product's category
   or any ancestor of that category; an amount off only in c's currency. A promotion applies
   to a list price always, to a contract price only when `applies_to_contract_prices`.
   Percent: base × (1 − v/100), rounded half up to 4 decimals; amount: max(0, base − v).
   Promotions never stack: the one giving the lowest unit price wins (a tie: the lower id).
5. **Ordering terms**: a company's own terms for s override the SKU's minimum order quantity
   and pack size, field by field.
6. **Visibility**: a company with an assortment (its own or through its groups) sees and buys
   only the SKUs in the union of those assortments (SKUs listed, and every SKU of a product in a
   listed category or below it); a company with none sees the whole catalogue.

Between two consecutive tier minimums of all sources the answer cannot change, so
`effective_ladder` (the answer at each minimum) is exactly the ladder the company gets.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dinghuo.core.money import format_unit_price

Ladder = Sequence[tuple[int, Decimal]]

CONTRACT = "contract"
PRICE_LIST = "price_list"
PERCENT = "percent"
AMOUNT = "amount"
_FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Buyer:
    """The company as pricing sees it: its currency and seller (from its base list), groups."""

    currency: str
    seller_id: int
    group_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OfferedList:
    """A price list offered to the company: assigned (with a priority) or its base list."""

    id: int
    code: str
    currency: str
    seller_id: int
    is_active: bool
    priority: int | None = None  # None: the base list, tried after every assigned list
    to_company: bool = False  # assigned to the company itself rather than to a group
    via: str = "base list"

    def order_key(self) -> tuple[int, int, float, int, int]:
        if self.priority is None:
            return (1, 0, 0.0, 0, self.id)
        return (0, 0, -self.priority, 0 if self.to_company else 1, self.id)


@dataclass(frozen=True)
class Contract:
    """One contract price of the company for the SKU, with its ladder."""

    id: int
    reference: str
    valid_from: date
    valid_until: date | None
    tiers: Ladder

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Promotion:
    """A promotion with its targets; empty `customer_group_ids` means every company."""

    id: int
    code: str
    kind: str
    value: Decimal
    currency: str
    starts_at: datetime
    ends_at: datetime
    seller_id: int
    is_active: bool = True
    applies_to_contract_prices: bool = False
    customer_group_ids: frozenset[int] = frozenset()
    sku_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()

    def discounted(self, base: Decimal) -> Decimal:
        """The unit price after this promotion: never negative, never above `base`."""
        if self.kind == PERCENT:
            price = (base * (1 - self.value / 100)).quantize(_FOUR_PLACES, ROUND_HALF_UP)
        else:
            price = base - self.value
        return min(base, max(Decimal(0), price))

    def describe(self, currency: str) -> str:
        if self.kind == PERCENT:
            return f"{self.value.normalize():f}% off"
        return f"{format_unit_price(self.value, currency)} {currency} off each unit"


@dataclass(frozen=True)
class SkuSources:
    """Everything that may price one SKU for the company."""

    sku_id: int
    category_ids: frozenset[int] = frozenset()  # its product's category and every ancestor
    lists: Sequence[OfferedList] = ()
    ladders: Mapping[int, Ladder] = field(default_factory=dict)  # list id → ladder of the SKU
    contracts: Sequence[Contract] = ()
    promotions: Sequence[Promotion] = ()


@dataclass(frozen=True)
class AppliedPromotion:
    id: int
    code: str
    kind: str
    value: Decimal


@dataclass(frozen=True)
class Resolution:
    """The price of `quantity` units of a SKU for a company, and how it came about."""

    sku_id: int
    quantity: int
    currency: str
    unit_price: Decimal
    base_unit_price: Decimal
    source: str  # CONTRACT | PRICE_LIST
    source_id: int  # the contract's or the price list's id
    reference: str  # the contract's reference or the price list's code
    tier_min_quantity: int
    promotion: AppliedPromotion | None
    steps: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """What an order line keeps of how its price came about (decimals as strings)."""
        frozen: dict[str, Any] = {
            "source": self.source,
            "tier": self.tier_min_quantity,
            "base_unit_price": str(self.base_unit_price),
        }
        if self.source == CONTRACT:
            frozen["contract_id"] = self.source_id
            frozen["reference"] = self.reference
        else:
            frozen["price_list_id"] = self.source_id
            frozen["price_list"] = self.reference
        if self.promotion is not None:
            promotion = self.promotion
            frozen["promotion"] = {
                "id": promotion.id,
                "code": promotion.code,
                "kind": promotion.kind,
                "value": str(promotion.value),
            }
        return frozen


@dataclass(frozen=True)
class Verdict:
    """The resolution (None: the SKU has no price at that quantity) and the steps that led
    there, including every source considered and why it was skipped."""

    resolution: Resolution | None
    steps: tuple[str, ...]


def tier_for(ladder: Ladder, quantity: int) -> tuple[int, Decimal] | None:
    """The tier with the highest minimum that `quantity` reaches; None below every tier."""
    best: tuple[int, Decimal] | None = None
    for min_quantity, price in ladder:
        if min_quantity <= quantity and (best is None or min_quantity > best[0]):
            best = (min_quantity, price)
    return best


def _ordered_lists(lists: Iterable[OfferedList]) -> list[OfferedList]:
    best: dict[int, OfferedList] = {}
    for offered in lists:
        kept = best.get(offered.id)
        if kept is None or offered.order_key() < kept.order_key():
            best[offered.id] = offered
    return sorted(best.values(), key=OfferedList.order_key)


def _list_label(offered: OfferedList) -> str:
    if offered.priority is None:
        return f"Price list {offered.code} (base list)"
    return f"Price list {offered.code} (priority {offered.priority}, {offered.via})"


def list_refusal(offered: OfferedList, buyer: Buyer) -> str | None:
    """Why the list does not count for the company; None when it does."""
    if not offered.is_active:
        return "inactive"
    if offered.currency != buyer.currency:
        return f"in {offered.currency}, not the company's {buyer.currency}"
    if offered.seller_id != buyer.seller_id:
        return "of another seller"
    return None


def _valid_contract(contracts: Sequence[Contract], day: date) -> Contract | None:
    valid = [c for c in contracts if c.valid_on(day)]
    if not valid:
        return None
    return min(valid, key=lambda c: (-c.valid_from.toordinal(), c.id))


def _promotion_refusal(
    promotion: Promotion, sku: SkuSources, buyer: Buyer, at: datetime, source: str
) -> str | None:
    if not promotion.is_active:
        return "inactive"
    if not promotion.starts_at <= at < promotion.ends_at:
        return "not running now"
    if promotion.seller_id != buyer.seller_id:
        return "of another seller"
    if promotion.customer_group_ids and not promotion.customer_group_ids & buyer.group_ids:
        return "not for the company's groups"
    if sku.sku_id not in promotion.sku_ids and not promotion.category_ids & sku.category_ids:
        return "does not target this SKU or its categories"
    if promotion.kind == AMOUNT and promotion.currency != buyer.currency:
        return f"an amount in {promotion.currency}, not {buyer.currency}"
    if source == CONTRACT and not promotion.applies_to_contract_prices:
        return "does not apply to contract prices"
    return None


def resolve(
    buyer: Buyer, sku: SkuSources, quantity: int, *, at: datetime, day: date | None = None
) -> Verdict:
    """The price of `quantity` units of the SKU for the company at `at` (contracts are valid
    by `day`, `at`'s date unless given), following the rule of this module."""
    day = day or at.date()
    cur = buyer.currency
    steps: list[str] = []

    def money(amount: Decimal) -> str:
        return format_unit_price(amount, cur)

    chosen: tuple[str, int, str, int, Decimal] | None = None  # source, id, ref, tier, price
    contract = _valid_contract(sku.contracts, day)
    for other in sku.contracts:
        if other is not contract:
            why = "not valid on" if not other.valid_on(day) else "superseded on"
            steps.append(f"Contract #{other.id} {other.reference!r}: {why} {day}.")
    if contract is not None:
        label = f"Contract #{contract.id} {contract.reference!r}"
        tier = tier_for(contract.tiers, quantity)
        if tier is None:
            lowest = min((m for m, _ in contract.tiers), default=0)
            steps.append(
                f"{label}: does not price {quantity} units (its ladder starts at {lowest})."
            )
        else:
            chosen = (CONTRACT, contract.id, contract.reference, tier[0], tier[1])
            steps.append(f"{label}: {money(tier[1])} {cur} from {tier[0]} units — chosen.")
    else:
        steps.append(f"No contract price valid on {day}.")

    for offered in _ordered_lists(sku.lists):
        label = _list_label(offered)
        refusal = list_refusal(offered, buyer)
        if refusal is not None:
            steps.append(f"{label}: skipped, {refusal}.")
            continue
        if chosen is not None:
            steps.append(f"{label}: not needed, a source before it prices {quantity} units.")
            continue
        tier = tier_for(sku.ladders.get(offered.id, ()), quantity)
        if tier is None:
            has_ladder = bool(sku.ladders.get(offered.id))
            why = f"does not price {quantity} units" if has_ladder else "has no price for it"
            steps.append(f"{label}: {why}.")
            continue
        chosen = (PRICE_LIST, offered.id, offered.code, tier[0], tier[1])
        steps.append(f"{label}: {money(tier[1])} {cur} from {tier[0]} units — chosen.")

    if chosen is None:
        steps.append(f"No source prices {quantity} units: the SKU cannot be bought so.")
        return Verdict(None, tuple(steps))

    source, source_id, reference, tier_min, base = chosen
    best: tuple[Decimal, int, Promotion] | None = None
    for promotion in sku.promotions:
        label = f"Promotion {promotion.code} ({promotion.describe(cur)})"
        refusal = _promotion_refusal(promotion, sku, buyer, at, source)
        if refusal is not None:
            steps.append(f"{label}: skipped, {refusal}.")
            continue
        price = promotion.discounted(base)
        steps.append(f"{label}: {money(base)} → {money(price)}.")
        if best is None or (price, promotion.id) < (best[0], best[1]):
            best = (price, promotion.id, promotion)
    applied = None
    unit_price = base
    if best is not None:
        unit_price, _, promotion = best
        applied = AppliedPromotion(promotion.id, promotion.code, promotion.kind, promotion.value)
        steps.append(f"Promotion {promotion.code} gives the lowest price; promotions never stack.")
    steps.append(f"Unit price: {money(unit_price)} {cur}.")
    resolution = Resolution(
        sku_id=sku.sku_id,
        quantity=quantity,
        currency=cur,
        unit_price=unit_price,
        base_unit_price=base,
        source=source,
        source_id=source_id,
        reference=reference,
        tier_min_quantity=tier_min,
        promotion=applied,
        steps=tuple(steps),
    )
    return Verdict(resolution, resolution.steps)


def effective_ladder(
    buyer: Buyer, sku: SkuSources, *, at: datetime, day: date | None = None
) -> list[tuple[int, Decimal]]:
    """The ladder the company gets: from each minimum on, the resolved unit price; a minimum
    whose price equals the one before is left out. Empty when nothing prices the SKU."""
    minimums = {m for c in sku.contracts for m, _ in c.tiers}
    minimums |= {m for ladder in sku.ladders.values() for m, _ in ladder}
    ladder: list[tuple[int, Decimal]] = []
    for quantity in sorted(m for m in minimums if m >= 1):
        found = resolve(buyer, sku, quantity, at=at, day=day).resolution
        if found is None:
            continue
        if not ladder or ladder[-1][1] != found.unit_price:
            ladder.append((quantity, found.unit_price))
    return ladder


@dataclass(frozen=True)
class Assortment:
    """The union of a company's assortments: SKUs listed and categories listed."""

    sku_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()


def is_visible(assortment: Assortment | None, sku_id: int, category_ids: frozenset[int]) -> bool:
    """Whether the company sees the SKU; `category_ids` are its category and every ancestor;
    None: the company has no assortment and sees the whole catalogue."""
    if assortment is None:
        return True
    return sku_id in assortment.sku_ids or bool(assortment.category_ids & category_ids)


def ordering_terms(
    moq: int, pack: int, company_moq: int | None, company_pack: int | None
) -> tuple[int, int]:
    """The minimum order quantity and pack size that hold for the company: its own terms
    override the SKU's, field by field."""
    return (company_moq or moq, company_pack or pack)
