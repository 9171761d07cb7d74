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

The explanation (`Verdict.phrases`) is made of phrases (`dinghuo.core.phrases`): the API says
them in English (`Verdict.steps`), a page in the reader's language. Money is in them already
formatted; codes, references, quantities and dates as they are. `resolve` runs for every line
of every order, which never reads the explanation, so it only notes what happened and the
phrases are made when first read (`Steps`).
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, overload

from dinghuo.core.money import format_unit_price
from dinghuo.core.phrases import Phrase, phrase

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
    via: Phrase | str = "base list"  # how it is offered: "assigned to group dealers", …

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

    def describe(self, currency: str) -> Phrase:
        if self.kind == PERCENT:
            # The % sign is in the value: in a msgid, "% o" would read as a %-placeholder.
            return phrase("{percent} off", percent=f"{self.value.normalize():f}%")
        return phrase(
            "{amount} {currency} off each unit",
            amount=format_unit_price(self.value, currency),
            currency=currency,
        )


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
    steps: Sequence[Phrase]  # how it came about (`Steps`); `str(step)` says it in English

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
    there, including every source considered and why it was skipped: as phrases for a page
    (`phrases`, said in the reader's language), in English for the API (`steps`)."""

    resolution: Resolution | None
    phrases: Sequence[Phrase]

    @property
    def steps(self) -> tuple[str, ...]:
        """The steps in English, the same whoever asks."""
        return tuple(str(step) for step in self.phrases)


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


# A step as `resolve` notes it: the function that says it, then that function's arguments.
_Note = tuple[Any, ...]


class Steps(Sequence[Phrase]):
    """The steps of an explanation, said as phrases only when first read. The notes of
    `resolve` hold values that do not change (the frozen sources, whose labels read only their
    codes and numbers; amounts, quantities, dates), so the phrases do not depend on when they
    are made."""

    __slots__ = ("_notes", "_said")

    def __init__(self, notes: Iterable[_Note] = ()) -> None:
        self._notes = tuple(notes)
        self._said: tuple[Phrase, ...] | None = None

    def said(self) -> tuple[Phrase, ...]:
        """Every step as a phrase."""
        if self._said is None:
            self._said = tuple(note[0](*note[1:]) for note in self._notes)
        return self._said

    def __len__(self) -> int:
        return len(self._notes)

    def __iter__(self) -> Iterator[Phrase]:
        return iter(self.said())

    @overload
    def __getitem__(self, index: int) -> Phrase: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Phrase, ...]: ...
    def __getitem__(self, index: int | slice) -> Phrase | tuple[Phrase, ...]:
        return self.said()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Steps):
            return self.said() == other.said()
        return isinstance(other, tuple) and self.said() == other

    def __hash__(self) -> int:
        return hash(self.said())

    def __repr__(self) -> str:
        return f"Steps({[str(step) for step in self]!r})"


# The parts of the explanation that have no values, made once.
_INACTIVE = phrase("inactive")
_OF_ANOTHER_SELLER = phrase("of another seller")
_HAS_NO_PRICE = phrase("has no price for it")
_NOT_RUNNING = phrase("not running now")
_NOT_FOR_GROUPS = phrase("not for the company's groups")
_NOT_TARGETED = phrase("does not target this SKU or its categories")
_NOT_ON_CONTRACTS = phrase("does not apply to contract prices")


def _list_label(offered: OfferedList) -> Phrase:
    if offered.priority is None:
        return phrase("Price list {code} (base list)", code=offered.code)
    return phrase(
        "Price list {code} (priority {priority}, {via})",
        code=offered.code,
        priority=offered.priority,
        via=offered.via,
    )


def _contract_label(contract: Contract) -> Phrase:
    return phrase("Contract #{id} {reference}", id=contract.id, reference=repr(contract.reference))


def list_refusal(offered: OfferedList, buyer: Buyer) -> Phrase | None:
    """Why the list does not count for the company; None when it does."""
    if not offered.is_active:
        return _INACTIVE
    if offered.currency != buyer.currency:
        return phrase(
            "in {currency}, not the company's {company_currency}",
            currency=offered.currency,
            company_currency=buyer.currency,
        )
    if offered.seller_id != buyer.seller_id:
        return _OF_ANOTHER_SELLER
    return None


# How each step is said (`Steps` calls these when the explanation is read).


def _contract_set_aside(contract: Contract, day: date) -> Phrase:
    why = (
        phrase("not valid on {day}", day=day)
        if not contract.valid_on(day)
        else phrase("superseded on {day}", day=day)
    )
    return phrase("{source}: {outcome}.", source=_contract_label(contract), outcome=why)


def _contract_too_few(contract: Contract, quantity: int, lowest: int) -> Phrase:
    return phrase(
        "{source}: does not price {quantity} units (its ladder starts at {lowest}).",
        source=_contract_label(contract),
        quantity=quantity,
        lowest=lowest,
    )


def _no_contract(day: date) -> Phrase:
    return phrase("No contract price valid on {day}.", day=day)


def _chosen(
    label: Callable[[Any], Phrase], chosen: Any, price: Decimal, currency: str, minimum: int
) -> Phrase:
    return phrase(
        "{source}: {price} {currency} from {minimum} units — chosen.",
        source=label(chosen),
        price=format_unit_price(price, currency),
        currency=currency,
        minimum=minimum,
    )


def _list_skipped(offered: OfferedList, refusal: Phrase) -> Phrase:
    return phrase("{source}: skipped, {reason}.", source=_list_label(offered), reason=refusal)


def _list_not_needed(offered: OfferedList, quantity: int) -> Phrase:
    return phrase(
        "{source}: not needed, a source before it prices {quantity} units.",
        source=_list_label(offered),
        quantity=quantity,
    )


def _list_unpriced(offered: OfferedList, quantity: int, has_ladder: bool) -> Phrase:
    why = (
        phrase("does not price {quantity} units", quantity=quantity)
        if has_ladder
        else _HAS_NO_PRICE
    )
    return phrase("{source}: {outcome}.", source=_list_label(offered), outcome=why)


def _nothing_prices(quantity: int) -> Phrase:
    return phrase(
        "No source prices {quantity} units: the SKU cannot be bought so.", quantity=quantity
    )


def _promotion_label(promotion: Promotion, currency: str) -> Phrase:
    return phrase(
        "Promotion {code} ({offer})", code=promotion.code, offer=promotion.describe(currency)
    )


def _promotion_skipped(promotion: Promotion, currency: str, refusal: Phrase) -> Phrase:
    return phrase(
        "{source}: skipped, {reason}.",
        source=_promotion_label(promotion, currency),
        reason=refusal,
    )


def _promotion_tried(promotion: Promotion, currency: str, base: Decimal, price: Decimal) -> Phrase:
    return phrase(
        "{source}: {base} → {price}.",
        source=_promotion_label(promotion, currency),
        base=format_unit_price(base, currency),
        price=format_unit_price(price, currency),
    )


def _promotion_wins(code: str) -> Phrase:
    return phrase("Promotion {code} gives the lowest price; promotions never stack.", code=code)


def _unit_price(price: Decimal, currency: str) -> Phrase:
    return phrase(
        "Unit price: {price} {currency}.",
        price=format_unit_price(price, currency),
        currency=currency,
    )


def _valid_contract(contracts: Sequence[Contract], day: date) -> Contract | None:
    valid = [c for c in contracts if c.valid_on(day)]
    if not valid:
        return None
    return min(valid, key=lambda c: (-c.valid_from.toordinal(), c.id))


def _promotion_refusal(
    promotion: Promotion, sku: SkuSources, buyer: Buyer, at: datetime, source: str
) -> Phrase | None:
    if not promotion.is_active:
        return _INACTIVE
    if not promotion.starts_at <= at < promotion.ends_at:
        return _NOT_RUNNING
    if promotion.seller_id != buyer.seller_id:
        return _OF_ANOTHER_SELLER
    if promotion.customer_group_ids and not promotion.customer_group_ids & buyer.group_ids:
        return _NOT_FOR_GROUPS
    if sku.sku_id not in promotion.sku_ids and not promotion.category_ids & sku.category_ids:
        return _NOT_TARGETED
    if promotion.kind == AMOUNT and promotion.currency != buyer.currency:
        return phrase(
            "an amount in {currency}, not {company_currency}",
            currency=promotion.currency,
            company_currency=buyer.currency,
        )
    if source == CONTRACT and not promotion.applies_to_contract_prices:
        return _NOT_ON_CONTRACTS
    return None


def resolve(
    buyer: Buyer, sku: SkuSources, quantity: int, *, at: datetime, day: date | None = None
) -> Verdict:
    """The price of `quantity` units of the SKU for the company at `at` (contracts are valid
    by `day`, `at`'s date unless given), following the rule of this module."""
    day = day or at.date()
    cur = buyer.currency
    notes: list[_Note] = []  # the steps, said only when read (`Steps`)
    note = notes.append

    chosen: tuple[str, int, str, int, Decimal] | None = None  # source, id, ref, tier, price
    contract = _valid_contract(sku.contracts, day)
    for other in sku.contracts:
        if other is not contract:
            note((_contract_set_aside, other, day))
    if contract is not None:
        tier = tier_for(contract.tiers, quantity)
        if tier is None:
            lowest = min((m for m, _ in contract.tiers), default=0)
            note((_contract_too_few, contract, quantity, lowest))
        else:
            chosen = (CONTRACT, contract.id, contract.reference, tier[0], tier[1])
            note((_chosen, _contract_label, contract, tier[1], cur, tier[0]))
    else:
        note((_no_contract, day))

    for offered in _ordered_lists(sku.lists):
        refusal = list_refusal(offered, buyer)
        if refusal is not None:
            note((_list_skipped, offered, refusal))
            continue
        if chosen is not None:
            note((_list_not_needed, offered, quantity))
            continue
        ladder = sku.ladders.get(offered.id, ())
        tier = tier_for(ladder, quantity)
        if tier is None:
            note((_list_unpriced, offered, quantity, bool(ladder)))
            continue
        chosen = (PRICE_LIST, offered.id, offered.code, tier[0], tier[1])
        note((_chosen, _list_label, offered, tier[1], cur, tier[0]))

    if chosen is None:
        note((_nothing_prices, quantity))
        return Verdict(None, Steps(notes))

    source, source_id, reference, tier_min, base = chosen
    best: tuple[Decimal, int, Promotion] | None = None
    for promotion in sku.promotions:
        refusal = _promotion_refusal(promotion, sku, buyer, at, source)
        if refusal is not None:
            note((_promotion_skipped, promotion, cur, refusal))
            continue
        price = promotion.discounted(base)
        note((_promotion_tried, promotion, cur, base, price))
        if best is None or (price, promotion.id) < (best[0], best[1]):
            best = (price, promotion.id, promotion)
    applied = None
    unit_price = base
    if best is not None:
        unit_price, _, promotion = best
        applied = AppliedPromotion(promotion.id, promotion.code, promotion.kind, promotion.value)
        note((_promotion_wins, promotion.code))
    note((_unit_price, unit_price, cur))
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
        steps=Steps(notes),
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
