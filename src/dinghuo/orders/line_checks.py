"""Who an order is between, and what each requested line would cost and why it may not be
ordered. Reads only: placing an order (services) and checking a cart (queries) share it, so a
cart shows exactly the problems placing it would report.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from dinghuo.core import clock, money
from dinghuo.core.db import placeholders, select_rows
from dinghuo.core.errors import FieldError
from dinghuo.core.models import Seller
from dinghuo.customers.models import Company, Location
from dinghuo.pricing.queries import PriceBook, price_book

MAX_QUANTITY = 1_000_000_000
# Amounts are stored with 18 digits, 4 of them decimals.
MAX_AMOUNT = Decimal(10) ** 14


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True)
class QuotedPrices:
    """Prices agreed in a quote, by SKU code: the order takes them instead of the price rule."""

    number: str
    prices: Mapping[str, Decimal]


class Parties(NamedTuple):
    """Who an order is between, as placing it needs them (plain values, no model objects)."""

    company_id: int
    company_code: str
    ship_to_id: int | None
    price_list_id: int
    currency: str
    price_list_active: bool
    seller: Seller


class SkuRow(NamedTuple):
    id: int
    code: str
    is_active: bool
    min_order_quantity: int
    pack_size: int
    name_en: str | None
    product_is_active: bool
    allow_backorder: bool
    product_name_en: str | None
    category_id: int | None


# Placing an order reads plain rows with plain SQL (see core.db): on the hot path Django spends
# more CPU building these statements than the database spends answering them.
_SKUS = """
SELECT k.id, k.code, k.is_active, k.min_order_quantity, k.pack_size, k.name_en,
       p.is_active, p.allow_backorder, p.name_en, p.category_id
FROM catalog_sku k JOIN catalog_product p ON p.id = k.product_id
WHERE k.tenant_id = %s AND k.seller_id = %s AND k.code IN ({codes})
"""
_PARTIES = """
SELECT l.company_id, c.code, l.id, c.price_list_id, pl.currency, pl.is_active, pl.seller_id,
       s.slug
FROM customers_location l
JOIN customers_company c ON c.id = l.company_id
JOIN pricing_pricelist pl ON pl.id = c.price_list_id
JOIN core_seller s ON s.id = pl.seller_id
WHERE l.tenant_id = %s AND l.id = %s AND l.company_id = %s AND l.kind = 'ship_to'
  AND l.is_active AND c.is_active
"""


@dataclass
class LineResult:
    """One requested line: its SKU, its price and how it came about, or its problems."""

    request: LineRequest
    index: int
    sku: SkuRow | None = None
    unit_price: Decimal | None = None
    pricing: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.unit_price is not None

    @property
    def price(self) -> Decimal:
        """The unit price of a line that passed every check."""
        if self.unit_price is None:
            raise ValueError(f"line {self.index} has no price: {self.problems}")
        return self.unit_price


def resolve_parties(
    tenant_id: int, company_id: int, ship_to_id: int | None, seller_slug: str | None
) -> tuple[Parties | None, list[FieldError]]:
    """Company, ship-to and seller; one query when all is well, more only to explain a refusal.

    The company buys from the seller of its base price list. Without `ship_to_id` (checking a
    cart) only the company is resolved."""
    if ship_to_id is not None:
        rows = select_rows(_PARTIES, [tenant_id, ship_to_id, company_id])
        row = rows[0] if rows else None
        if row is not None and seller_slug in (None, row[7]):
            seller = Seller(id=row[6], tenant_id=tenant_id, slug=row[7])
            return Parties(row[0], row[1], row[2], row[3], row[4], bool(row[5]), seller), []
    return _explain_parties(tenant_id, company_id, ship_to_id, seller_slug)


def _explain_parties(
    tenant_id: int, company_id: int, ship_to_id: int | None, seller_slug: str | None
) -> tuple[Parties | None, list[FieldError]]:
    errors = []
    company = (
        Company.objects.select_related("price_list__seller")
        .filter(tenant_id=tenant_id, pk=company_id, is_active=True)
        .first()
    )
    if company is None:
        errors.append(FieldError("company_id", "unknown_company", "No active company with this id"))
    ship_to = None
    if ship_to_id is not None:
        ship_to = Location.objects.filter(
            tenant_id=tenant_id,
            pk=ship_to_id,
            company_id=company_id,
            kind=Location.Kind.SHIP_TO,
            is_active=True,
        ).first()
        if ship_to is None:
            errors.append(
                FieldError("ship_to_id", "unknown_ship_to", "Not an active ship-to of this company")
            )
    if company is None:
        return None, errors
    price_list = company.price_list
    if seller_slug is not None and seller_slug != price_list.seller.slug:
        errors.append(
            FieldError("seller", "unknown_seller", "This company does not buy from that seller")
        )
    parties = Parties(
        company.pk,
        company.code,
        ship_to.pk if ship_to else None,
        price_list.pk,
        price_list.currency,
        price_list.is_active,
        price_list.seller,
    )
    return parties, errors


def description(sku: SkuRow) -> str:
    """The line's text in the catalogue's default language, whatever the caller's language."""
    return (sku.name_en or sku.product_name_en or sku.code)[:300]


def _quantity_problems(at: str, quantity: int) -> list[FieldError]:
    if quantity <= 0:
        return [FieldError(f"{at}.quantity", "quantity_not_positive", "Order at least one unit")]
    if quantity > MAX_QUANTITY:
        return [FieldError(f"{at}.quantity", "quantity_too_large", "Quantity is too large")]
    return []


def check_lines(
    tenant_id: int,
    parties: Parties,
    lines: list[LineRequest],
    *,
    quoted: QuotedPrices | None = None,
    at: datetime | None = None,
) -> tuple[list[LineResult], PriceBook]:
    """Resolve SKUs and prices for every line in a constant number of queries (one for the
    SKUs, the rest the price book's), and record every problem of every line."""
    codes = sorted({line.sku for line in lines})
    rows = (
        select_rows(
            _SKUS.format(codes=placeholders(len(codes))), [tenant_id, parties.seller.pk, *codes]
        )
        if codes
        else []
    )
    skus = {
        code: SkuRow(id_, code, bool(on), moq, pack, name, bool(live), bool(back), pname, cat)
        for id_, code, on, moq, pack, name, live, back, pname, cat in rows
    }
    book = price_book(
        tenant_id,
        company_id=parties.company_id,
        sku_ids=[s.id for s in skus.values()],
        at=at or clock.now(),
    )
    seen = Counter(line.sku for line in lines)
    results = []
    for i, line in enumerate(lines):
        result = LineResult(line, i)
        results.append(result)
        at_ = f"lines[{i}]"
        problems = result.problems
        if seen[line.sku] > 1:
            problems.append(
                FieldError(f"{at_}.sku", "duplicate_sku", f"{line.sku} is on more than one line")
            )
        problems += _quantity_problems(at_, line.quantity)
        sku = skus.get(line.sku)
        if sku is None or not book.is_visible(sku.id):
            # A SKU outside the company's assortment is, for this company, no SKU at all.
            problems.append(FieldError(f"{at_}.sku", "unknown_sku", f"No SKU {line.sku}"))
            continue
        result.sku = sku
        if not (sku.is_active and sku.product_is_active):
            problems.append(
                FieldError(f"{at_}.sku", "inactive_sku", f"{line.sku} can no longer be ordered")
            )
            continue
        if problems:
            continue
        _check_quantity(result, book, at_)
        _price(result, book, parties.currency, quoted, at_)
    return results, book


def _check_quantity(result: LineResult, book: PriceBook, at: str) -> None:
    sku, quantity = result.sku, result.request.quantity
    assert sku is not None
    minimum, pack_size = book.ordering_terms(sku.id, sku.min_order_quantity, sku.pack_size)
    if quantity < minimum:
        result.problems.append(
            FieldError(
                f"{at}.quantity",
                "below_minimum",
                f"Order at least {minimum} of {sku.code}",
                {"minimum": minimum},
            )
        )
    if quantity % pack_size:
        result.problems.append(
            FieldError(
                f"{at}.quantity",
                "not_pack_multiple",
                f"{sku.code} comes in packs of {pack_size}",
                {"pack_size": pack_size},
            )
        )


def _price(
    result: LineResult, book: PriceBook, currency: str, quoted: QuotedPrices | None, at: str
) -> None:
    sku, quantity = result.sku, result.request.quantity
    assert sku is not None
    if quoted is not None and sku.code in quoted.prices:
        result.unit_price = quoted.prices[sku.code]
        result.pricing = {"source": "quote", "quote": quoted.number}
    else:
        resolution = book.resolve(sku.id, quantity)
        if resolution is None:
            result.problems.append(
                FieldError(f"{at}.sku", "no_price", f"{sku.code} has no price for this company")
            )
            return
        result.unit_price = resolution.unit_price
        result.pricing = resolution.as_json()
    if result.unit_price * quantity >= MAX_AMOUNT:
        result.problems.append(
            FieldError(f"{at}.quantity", "amount_too_large", "The line's amount is too large")
        )
        result.unit_price = None


def line_total(result: LineResult, currency: str) -> Decimal:
    """The line's amount rounded to the currency's minor unit (ISO 4217)."""
    assert result.unit_price is not None
    return money.round_money(result.unit_price * result.request.quantity, currency)
