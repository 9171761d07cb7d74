"""The values of the price rule (`pricing/resolution.py`, which states it): what it reads — the
company, the lists offered to it, its contracts, the promotions — and what it answers. Pure:
no database."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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
        """Where the list is tried: by priority (higher first), a company's before a group's,
        then by id; the base list last."""
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
        """Whether `day` is within the contract's period (both ends included)."""
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
        """What it takes off, for people: "10% off", "5.00 HKD off each unit"."""
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
    """The promotion that gave the unit price, as an order line keeps it."""

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


def frozen_pricing_out(frozen: dict[str, Any], currency: str) -> dict[str, Any]:
    """How an order line's price came about, its prices written as unit prices of the order's
    currency: lines keep them as Decimal text ("10.0000"), which is no way to answer."""
    out = dict(frozen)
    if "base_unit_price" in out:
        out["base_unit_price"] = format_unit_price(Decimal(out["base_unit_price"]), currency)
    promotion = out.get("promotion")
    if isinstance(promotion, dict) and promotion.get("kind") == AMOUNT:
        out["promotion"] = {
            **promotion,
            "value": format_unit_price(Decimal(promotion["value"]), currency),
        }
    return out


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


@dataclass(frozen=True)
class Assortment:
    """The union of a company's assortments: SKUs listed and categories listed."""

    sku_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
