"""Price list request and response bodies, and the functions that shape the answers."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

from dinghuo.api.schemas import (
    NOT_BLANK,
    Code,
    Day,
    Id,
    InSchema,
    PageFilters,
    PatchIn,
    Slug,
    UnitPriceText,
    Units,
    iso_instant,
)
from dinghuo.catalog.schemas import TierOut
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.pricing.models import (
    Assortment,
    ContractPrice,
    PriceList,
    PriceListAssignment,
    Promotion,
)
from dinghuo.pricing.queries.explanations import Explanation
from dinghuo.pricing.services.price_lists import ladder_out

MAX_PRICE_ENTRIES = 1000
MAX_TIERS = 20

ListName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
# Checked by the service against ISO 4217 so that a wrong code gets `invalid_currency`.
Currency = Annotated[
    str, StringConstraints(min_length=1, max_length=8, strip_whitespace=True), NOT_BLANK
]
# A sign is let through so that a negative price is reported as `invalid_tiers`. Below 10^11
# with 4 decimals is 15 significant digits: what SQLite (which stores decimals as doubles)
# keeps exactly.
UnitPrice = Annotated[
    str,
    StringConstraints(pattern=r"^-?\d{1,11}(\.\d{1,4})?$", max_length=17),
]


class PriceListIn(InSchema):
    code: Slug
    name: ListName
    currency: Currency = Field(description="ISO 4217, e.g. HKD")
    prices_include_tax: bool = Field(False, description="The list's prices include tax (gross)")
    is_active: bool = True
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class PriceListPatch(PatchIn):
    code: Slug | None = None
    name: ListName | None = None
    currency: Currency | None = Field(None, description="Only while the list has no prices")
    prices_include_tax: bool | None = None
    is_active: bool | None = None


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    prices_include_tax: bool
    seller: str
    is_active: bool


class PriceListPageOut(Schema):
    items: list[PriceListOut]
    next_cursor: str | None


class PriceListFilters(PageFilters):
    is_active: bool | None = None


class PriceFilters(PageFilters):
    sku: Code | None = Field(None, description="Only this SKU code")


class TierIn(InSchema):
    min_quantity: Units = Field(description="From this many units on; rising, the first ≥ 1")
    unit_price: UnitPrice = Field(description="Decimal string, at most 4 decimal places")


class PriceEntryIn(InSchema):
    sku: Code
    tiers: list[TierIn] = Field(max_length=MAX_TIERS, description="Empty removes the price")


class PricesIn(InSchema):
    entries: list[PriceEntryIn] = Field(max_length=MAX_PRICE_ENTRIES)


class SkuPricesOut(Schema):
    sku_id: int
    sku: str
    tiers: list[TierOut]


class PricePageOut(Schema):
    currency: str
    items: list[SkuPricesOut]
    next_cursor: str | None


class LaddersReplacedOut(Schema):
    changed: int = Field(description="SKUs whose ladder was replaced")
    unchanged: int = Field(description="SKUs whose ladder was already as given")


def price_list_out(price_list: PriceList) -> dict[str, Any]:
    """One price list (its seller loaded)."""
    return {
        "id": price_list.pk,
        "code": price_list.code,
        "name": price_list.name,
        "currency": price_list.currency,
        "prices_include_tax": price_list.prices_include_tax,
        "seller": price_list.seller.slug,
        "is_active": price_list.is_active,
    }


# --- B2B pricing inputs --------------------------------------------------------------------

MAX_IDS = 1000
MAX_SKU_TERMS = 1000
Priority = Annotated[int, Field(ge=-1_000_000, le=1_000_000, description="Higher is tried first")]
Reference = Annotated[str, StringConstraints(max_length=64, strip_whitespace=True)]
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]
# A sign is let through so that zero or a negative value gets `value_not_positive`.
PromotionValue = Annotated[
    str, StringConstraints(pattern=r"^-?\d{1,11}(\.\d{1,4})?$", max_length=17)
]
OrderingUnits = Units


def _in_utc(moment: datetime) -> datetime:
    # Far-off offsets near year 1 or 9999 cannot be moved to UTC: a 422, not a 500.
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


Moment = Annotated[
    AwareDatetime,
    BeforeValidator(iso_instant),
    Field(strict=False, description="ISO 8601 with a time zone"),
    AfterValidator(_in_utc),
]


class AssignmentIn(InSchema):
    company_id: Id | None = Field(None, description="Offer the list to this company…")
    customer_group_id: Id | None = Field(None, description="…or to every company of this group")
    priority: Priority = 0


class AssignmentPatch(PatchIn):
    priority: Priority | None = None


class AssignmentOut(Schema):
    id: int
    price_list_id: int
    price_list: str
    company_id: int | None
    company: str | None
    customer_group_id: int | None
    customer_group: str | None
    priority: int


class AssignmentPageOut(Schema):
    items: list[AssignmentOut]
    next_cursor: str | None


def assignment_out(assignment: PriceListAssignment) -> dict[str, Any]:
    """One assignment (its list, company and group loaded)."""
    company, group = assignment.company, assignment.customer_group
    return {
        "id": assignment.pk,
        "price_list_id": assignment.price_list_id,
        "price_list": assignment.price_list.code,
        "company_id": assignment.company_id,
        "company": company.code if company else None,
        "customer_group_id": assignment.customer_group_id,
        "customer_group": group.code if group else None,
        "priority": assignment.priority,
    }


class ContractPriceIn(InSchema):
    sku_id: Id
    valid_from: Day
    valid_until: Day | None = Field(None, description="Inclusive; null: open-ended")
    reference: Reference = Field("", description="The contract's number, for people")
    tiers: list[TierIn] = Field(max_length=MAX_TIERS, description="Rising minimums, from ≥ 1")


class ContractPricePatch(PatchIn):
    nullable = frozenset({"valid_until"})

    valid_from: Day | None = None
    valid_until: Day | None = Field(None, description="null: open-ended")
    reference: Reference | None = None
    tiers: list[TierIn] | None = Field(None, max_length=MAX_TIERS, description="The whole ladder")


class ContractPriceOut(Schema):
    id: int
    company_id: int
    sku_id: int
    sku: str
    valid_from: date
    valid_until: date | None
    reference: str
    currency: str
    tiers: list[TierOut]


class ContractPricePageOut(Schema):
    items: list[ContractPriceOut]
    next_cursor: str | None


class ContractPriceFilters(PageFilters):
    sku_id: Id | None = None


def contract_price_out(contract: ContractPrice) -> dict[str, Any]:
    """One contract price (SKU, company with its list, and tiers loaded)."""
    currency = contract.company.price_list.currency
    ladder = [(t.min_quantity, t.unit_price) for t in contract.tiers.all()]
    return {
        "id": contract.pk,
        "company_id": contract.company_id,
        "sku_id": contract.sku_id,
        "sku": contract.sku.code,
        "valid_from": contract.valid_from.isoformat(),
        "valid_until": contract.valid_until.isoformat() if contract.valid_until else None,
        "reference": contract.reference,
        "currency": currency,
        "tiers": ladder_out(ladder, currency),
    }


def tiers_in(tiers: list[TierIn]) -> list[tuple[int, Decimal]]:
    """A ladder as the services take it: (minimum, unit price) pairs."""
    return [(tier.min_quantity, Decimal(tier.unit_price)) for tier in tiers]


class PromotionIn(InSchema):
    code: Slug
    name: ListName
    kind: Literal["percent", "amount"]
    value: PromotionValue = Field(description="Percent (≤ 100) or amount off each unit")
    currency: Currency = Field("", description="ISO 4217; for an amount only")
    starts_at: Moment
    ends_at: Moment = Field(description="The promotion runs until before this moment")
    applies_to_contract_prices: bool = False
    is_active: bool = True
    category_ids: Ids = Field(default_factory=list, description="With the categories below")
    sku_ids: Ids = Field(default_factory=list)
    customer_group_ids: Ids = Field(default_factory=list, description="Empty: every company")
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class PromotionPatch(PatchIn):
    name: ListName | None = None
    value: PromotionValue | None = None
    currency: Currency | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    applies_to_contract_prices: bool | None = None
    is_active: bool | None = None
    category_ids: Ids | None = Field(None, description="Replaces the set")
    sku_ids: Ids | None = Field(None, description="Replaces the set")
    customer_group_ids: Ids | None = Field(None, description="Replaces the set")


class PromotionOut(Schema):
    id: int
    code: str
    name: str
    seller: str
    kind: str
    value: str
    currency: str
    starts_at: datetime
    ends_at: datetime
    applies_to_contract_prices: bool
    is_active: bool
    category_ids: list[int]
    sku_ids: list[int]
    customer_group_ids: list[int]


class PromotionPageOut(Schema):
    items: list[PromotionOut]
    next_cursor: str | None


class PromotionFilters(PageFilters):
    is_active: bool | None = None


def _ids(rows: Any) -> list[int]:
    return [row.pk for row in rows.all()]


def promotion_value_out(kind: str, value: Decimal, currency: str) -> str:
    """A percentage without trailing zeros (12.5); an amount in its currency's minor units."""
    if kind == Promotion.Kind.AMOUNT and currency:
        return format_unit_price(value, currency)
    return f"{value.normalize():f}"


def promotion_out(promotion: Promotion) -> dict[str, Any]:
    """One promotion (seller and targets prefetched)."""
    return {
        "id": promotion.pk,
        "code": promotion.code,
        "name": promotion.name,
        "seller": promotion.seller.slug,
        "kind": promotion.kind,
        "value": promotion_value_out(promotion.kind, promotion.value, promotion.currency),
        "currency": promotion.currency,
        "starts_at": promotion.starts_at.isoformat(),
        "ends_at": promotion.ends_at.isoformat(),
        "applies_to_contract_prices": promotion.applies_to_contract_prices,
        "is_active": promotion.is_active,
        "category_ids": _ids(promotion.categories),
        "sku_ids": _ids(promotion.skus),
        "customer_group_ids": _ids(promotion.customer_groups),
    }


class SkuTermIn(InSchema):
    sku_id: Id
    min_order_quantity: OrderingUnits | None = Field(None, description="null: the SKU's own")
    pack_size: OrderingUnits | None = Field(None, description="null: the SKU's own")


class SkuTermsIn(InSchema):
    terms: list[SkuTermIn] = Field(max_length=MAX_SKU_TERMS, description="The whole set")


class SkuTermOut(Schema):
    sku_id: int
    sku: str
    min_order_quantity: int | None
    pack_size: int | None


class SkuTermsOut(Schema):
    company_id: int
    items: list[SkuTermOut]


def sku_terms_out(
    company_id: int, rows: list[tuple[int, str, int | None, int | None]]
) -> dict[str, Any]:
    """A company's SKU terms as `queries.sku_terms` gives them."""
    return {
        "company_id": company_id,
        "items": [
            {"sku_id": s, "sku": code, "min_order_quantity": moq, "pack_size": pack}
            for s, code, moq, pack in rows
        ],
    }


class AssortmentIn(InSchema):
    code: Slug
    name: ListName
    category_ids: Ids = Field(default_factory=list, description="With the categories below")
    sku_ids: Ids = Field(default_factory=list)
    company_ids: Ids = Field(default_factory=list)
    customer_group_ids: Ids = Field(default_factory=list)
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")


class AssortmentPatch(PatchIn):
    code: Slug | None = None
    name: ListName | None = None
    category_ids: Ids | None = Field(None, description="Replaces the set")
    sku_ids: Ids | None = Field(None, description="Replaces the set")
    company_ids: Ids | None = Field(None, description="Replaces the set")
    customer_group_ids: Ids | None = Field(None, description="Replaces the set")


class AssortmentOut(Schema):
    id: int
    code: str
    name: str
    seller: str
    category_ids: list[int]
    sku_ids: list[int]
    company_ids: list[int]
    customer_group_ids: list[int]


class AssortmentPageOut(Schema):
    items: list[AssortmentOut]
    next_cursor: str | None


def assortment_out(assortment: Assortment) -> dict[str, Any]:
    """One assortment (seller and members prefetched)."""
    return {
        "id": assortment.pk,
        "code": assortment.code,
        "name": assortment.name,
        "seller": assortment.seller.slug,
        "category_ids": _ids(assortment.categories),
        "sku_ids": _ids(assortment.skus),
        "company_ids": _ids(assortment.companies),
        "customer_group_ids": _ids(assortment.customer_groups),
    }


# --- price explanation ---------------------------------------------------------------------


class ExplanationFilters(Schema):
    sku: Code = Field(description="SKU code")
    quantity: int = Field(1, ge=1, le=1_000_000_000)


class PromotionAppliedOut(Schema):
    code: str
    kind: str
    value: str


class ExplanationOut(Schema):
    sku_id: int
    sku: str
    quantity: int
    currency: str
    unit_price: UnitPriceText | None = Field(description="null: nothing prices this quantity")
    line_total: str | None
    base_unit_price: UnitPriceText | None = Field(description="Before the promotion")
    source: Literal["contract", "price_list"] | None
    reference: str | None = Field(description="The contract's reference or the list's code")
    source_id: int | None = Field(description="The contract's or the price list's id")
    tier: int | None = Field(description="The minimum quantity of the tier that applies")
    promotion: PromotionAppliedOut | None
    min_order_quantity: int
    pack_size: int
    problems: list[str] = Field(
        description="Why the company cannot order this quantity: not_in_assortment, "
        "inactive_sku, no_price, below_minimum, not_pack_multiple; empty: it can"
    )
    steps: list[str] = Field(description="How the price came about, source by source")


def explanation_out(found: Explanation) -> dict[str, Any]:
    """The answer of a price explanation."""
    resolution = found.verdict.resolution
    currency = found.currency
    body: dict[str, Any] = {
        "sku_id": found.sku_id,
        "sku": found.sku,
        "quantity": found.quantity,
        "currency": currency,
        "unit_price": None,
        "line_total": None,
        "base_unit_price": None,
        "source": None,
        "reference": None,
        "source_id": None,
        "tier": None,
        "promotion": None,
        "min_order_quantity": found.min_order_quantity,
        "pack_size": found.pack_size,
        "problems": found.problems,
        "steps": list(found.verdict.steps),
    }
    if resolution is not None:
        promotion = resolution.promotion
        body |= {
            "unit_price": format_unit_price(resolution.unit_price, currency),
            "line_total": format_amount(resolution.unit_price * found.quantity, currency),
            "base_unit_price": format_unit_price(resolution.base_unit_price, currency),
            "source": resolution.source,
            "reference": resolution.reference,
            "source_id": resolution.source_id,
            "tier": resolution.tier_min_quantity,
            "promotion": None
            if promotion is None
            else {
                "code": promotion.code,
                "kind": promotion.kind,
                "value": promotion_value_out(promotion.kind, promotion.value, currency),
            },
        }
    if not found.visible:
        body["steps"].insert(0, "The SKU is not in the company's assortment: it cannot buy it.")
    return body
