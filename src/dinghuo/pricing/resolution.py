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

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, overload

from dinghuo.core.money import format_unit_price
from dinghuo.core.phrases import Phrase, phrase
from dinghuo.pricing.values import (
    AMOUNT,
    CONTRACT,
    PERCENT,
    PRICE_LIST,
    AppliedPromotion,
    Assortment,
    Buyer,
    Contract,
    Ladder,
    OfferedList,
    Promotion,
    Resolution,
    SkuSources,
    Verdict,
)

# The values the rule reads and answers with live in `values.py`; they are named here too,
# so that the rule and its words can be imported from one place.
__all__ = [
    "AMOUNT",
    "CONTRACT",
    "PERCENT",
    "PRICE_LIST",
    "AppliedPromotion",
    "Assortment",
    "Buyer",
    "Contract",
    "Ladder",
    "OfferedList",
    "Promotion",
    "Resolution",
    "SkuSources",
    "Steps",
    "Verdict",
    "effective_ladder",
    "is_visible",
    "list_refusal",
    "ordering_terms",
    "resolve",
    "tier_for",
]


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


class _Base(NamedTuple):
    """The price before promotions (steps 1 to 3) and where it comes from."""

    source: str  # CONTRACT | PRICE_LIST
    source_id: int
    reference: str
    tier: int
    price: Decimal


# Where a step of `resolve` notes what happened (`notes.append`).
_Noter = Callable[[_Note], None]


def _contract_price(
    sku: SkuSources, quantity: int, day: date, currency: str, note: _Noter
) -> _Base | None:
    """Step 1: the contract valid on `day`, when it prices `quantity`."""
    contract = _valid_contract(sku.contracts, day)
    for other in sku.contracts:
        if other is not contract:
            note((_contract_set_aside, other, day))
    if contract is None:
        note((_no_contract, day))
        return None
    tier = tier_for(contract.tiers, quantity)
    if tier is None:
        lowest = min((m for m, _ in contract.tiers), default=0)
        note((_contract_too_few, contract, quantity, lowest))
        return None
    note((_chosen, _contract_label, contract, tier[1], currency, tier[0]))
    return _Base(CONTRACT, contract.id, contract.reference, tier[0], tier[1])


def _list_price(
    buyer: Buyer, sku: SkuSources, quantity: int, chosen: _Base | None, note: _Noter
) -> _Base | None:
    """Steps 2 and 3: the first list that counts and prices `quantity`, unless the contract
    already does (`chosen`); every list offered is noted, in the order they are tried."""
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
        chosen = _Base(PRICE_LIST, offered.id, offered.code, tier[0], tier[1])
        note((_chosen, _list_label, offered, tier[1], buyer.currency, tier[0]))
    return chosen


def _promoted(
    buyer: Buyer, sku: SkuSources, at: datetime, base: _Base, note: _Noter
) -> tuple[Decimal, AppliedPromotion | None]:
    """Step 4: the unit price after the promotion giving the lowest (a tie: the lower id),
    and that promotion; promotions never stack."""
    cur = buyer.currency
    best: tuple[Decimal, int, Promotion] | None = None
    for promotion in sku.promotions:
        refusal = _promotion_refusal(promotion, sku, buyer, at, base.source)
        if refusal is not None:
            note((_promotion_skipped, promotion, cur, refusal))
            continue
        price = promotion.discounted(base.price)
        note((_promotion_tried, promotion, cur, base.price, price))
        if best is None or (price, promotion.id) < (best[0], best[1]):
            best = (price, promotion.id, promotion)
    if best is None:
        return base.price, None
    unit_price, _, promotion = best
    applied = AppliedPromotion(promotion.id, promotion.code, promotion.kind, promotion.value)
    note((_promotion_wins, promotion.code))
    return unit_price, applied


def resolve(
    buyer: Buyer, sku: SkuSources, quantity: int, *, at: datetime, day: date | None = None
) -> Verdict:
    """The price of `quantity` units of the SKU for the company at `at` (contracts are valid
    by `day`, `at`'s date unless given), following the rule of this module."""
    day = day or at.date()
    notes: list[_Note] = []  # the steps, said only when read (`Steps`)
    note = notes.append
    chosen = _contract_price(sku, quantity, day, buyer.currency, note)
    chosen = _list_price(buyer, sku, quantity, chosen, note)
    if chosen is None:
        note((_nothing_prices, quantity))
        return Verdict(None, Steps(notes))
    unit_price, applied = _promoted(buyer, sku, at, chosen, note)
    note((_unit_price, unit_price, buyer.currency))
    resolution = Resolution(
        sku_id=sku.sku_id,
        quantity=quantity,
        currency=buyer.currency,
        unit_price=unit_price,
        base_unit_price=chosen.price,
        source=chosen.source,
        source_id=chosen.source_id,
        reference=chosen.reference,
        tier_min_quantity=chosen.tier,
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
