"""Who an order is between, and what each requested line would cost and why it may not be
ordered. Reads only: placing an order (services) and checking a cart (queries) share it, so a
cart shows exactly the problems placing it would report.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from dinghuo.core import clock, money
from dinghuo.core.db import placeholders, select_rows, to_date, to_decimal
from dinghuo.core.errors import FieldError
from dinghuo.core.models import Seller
from dinghuo.customers.models import Company, Location
from dinghuo.pricing import tax
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


@dataclass(frozen=True)
class TaxTerms:
    """What decides an order's tax besides its lines: where it goes (no country: not known
    yet, so no tax), whether the list's prices include tax, the seller's rounding rule and
    the company's exemption certificate."""

    country: str = ""
    region: str = ""
    prices_include_tax: bool = False
    rounding: tax.Rounding = tax.Rounding.LINE
    exemption_certificate: str = ""
    exemption_expires_on: date | None = None

    def certificate_on(self, day: date) -> str:
        """The exemption certificate that counts on `day`, or "" when none does."""
        valid = tax.exemption_applies(self.exemption_certificate, self.exemption_expires_on, day)
        return self.exemption_certificate if valid else ""


class Parties(NamedTuple):
    """Who an order is between, as placing it needs them (plain values, no model objects)."""

    company_id: int
    company_code: str
    ship_to_id: int | None
    price_list_id: int
    currency: str
    price_list_active: bool
    seller: Seller
    tax: TaxTerms = TaxTerms()


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
    tax_category_id: int | None = None


# Placing an order reads plain rows with plain SQL (see core.db): on the hot path Django spends
# more CPU building these statements than the database spends answering them.
# A SKU's row comes once for each of the seller's tax rates that may apply to it at the
# destination that day (`tax.applicable_rate` picks one), so tax costs no query of its own.
_SKUS = """
SELECT k.id, k.code, k.is_active, k.min_order_quantity, k.pack_size, k.name_en,
       p.is_active, p.allow_backorder, p.name_en, p.category_id, p.tax_category_id,
       r.id, r.category_id, r.region, r.valid_from, r.valid_until, r.percent, r.name_en
FROM catalog_sku k JOIN catalog_product p ON p.id = k.product_id
LEFT JOIN pricing_taxrate r ON r.seller_id = k.seller_id AND r.country = %s
  AND (r.category_id = p.tax_category_id OR r.category_id IS NULL) AND r.region IN ('', %s)
  AND r.valid_from <= %s AND (r.valid_until IS NULL OR r.valid_until >= %s)
WHERE k.tenant_id = %s AND k.seller_id = %s AND k.code IN ({codes})
"""
_PARTIES = """
SELECT l.company_id, c.code, l.id, c.price_list_id, pl.currency, pl.is_active, pl.seller_id,
       s.slug, l.country, l.region, pl.prices_include_tax, tp.rounding,
       c.tax_exemption_certificate, c.tax_exemption_expires_on, s.base_currency
FROM customers_location l
JOIN customers_company c ON c.id = l.company_id
JOIN pricing_pricelist pl ON pl.id = c.price_list_id
JOIN core_seller s ON s.id = pl.seller_id
LEFT JOIN pricing_taxpolicy tp ON tp.seller_id = pl.seller_id
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
    tax_rate: tax.RateCandidate | None = None  # None: no rate applies (no tax)

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
            seller = Seller(id=row[6], tenant_id=tenant_id, slug=row[7], base_currency=row[14])
            terms = TaxTerms(
                row[8], row[9], bool(row[10]), tax.Rounding(row[11] or "line"), row[12],
                to_date(row[13]),
            )  # fmt: skip
            parties = Parties(row[0], row[1], row[2], row[3], row[4], bool(row[5]), seller, terms)
            return parties, []
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
    terms = TaxTerms(
        ship_to.country if ship_to else "",
        ship_to.region if ship_to else "",
        price_list.prices_include_tax,
        # Without a destination no rate applies, so the rounding rule cannot matter.
        tax_rounding(price_list.seller_id) if ship_to else tax.Rounding.LINE,
        company.tax_exemption_certificate,
        company.tax_exemption_expires_on,
    )
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
        terms,
    )
    return parties, errors


def tax_rounding(seller_id: int) -> tax.Rounding:
    """The seller's rule for rounding tax (per line without a tax policy)."""
    rows = select_rows("SELECT rounding FROM pricing_taxpolicy WHERE seller_id = %s", [seller_id])
    return tax.Rounding(rows[0][0]) if rows else tax.Rounding.LINE


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
    """Resolve SKUs, prices and tax rates for every line in a constant number of queries (one
    for the SKUs and their rates, the rest the price book's), and record every problem of
    every line."""
    at = at or clock.now()
    skus, rates = _skus_and_rates(tenant_id, parties, sorted({line.sku for line in lines}), at)
    book = price_book(
        tenant_id,
        company_id=parties.company_id,
        sku_ids=[s.id for s in skus.values()],
        at=at,
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
        result.tax_rate = tax.applicable_rate(
            rates.get(sku.id, ()),
            category_id=sku.tax_category_id,
            region=parties.tax.region,
            on=at.date(),
        )
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


def _skus_and_rates(
    tenant_id: int, parties: Parties, codes: list[str], at: datetime
) -> tuple[dict[str, SkuRow], dict[int, list[tax.RateCandidate]]]:
    """The seller's SKUs of these codes, and for each the tax rates that may apply to it at
    the order's destination on its date (one query)."""
    if not codes:
        return {}, {}
    day, terms = at.date(), parties.tax
    rows = select_rows(
        _SKUS.format(codes=placeholders(len(codes))),
        [terms.country, terms.region, day, day, tenant_id, parties.seller.pk, *codes],
    )
    skus: dict[str, SkuRow] = {}
    rates: dict[int, list[tax.RateCandidate]] = {}
    for row in rows:
        id_, code, on, moq, pack, name, live, back, pname, cat, tax_cat = row[:11]
        skus[code] = SkuRow(
            id_, code, bool(on), moq, pack, name, bool(live), bool(back), pname, cat, tax_cat
        )
        rate_id, rate_category, region, start, end, percent, rate_name = row[11:]
        if rate_id is not None:
            # valid_from and percent are NOT NULL: the fallbacks only satisfy the types.
            rate = tax.RateCandidate(
                rate_id,
                rate_category,
                region,
                to_date(start) or day,
                to_date(end),
                to_decimal(percent) or Decimal(0),
                rate_name or "",
            )
            rates.setdefault(id_, []).append(rate)
    return skus, rates


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


def taxed(results: list[LineResult], parties: Parties, day: date) -> tax.TaxedDocument:
    """The tax of the priced lines (`pricing/tax.py`) at their rates, on the list's prices
    (with or without tax), by the seller's rounding rule; none where the company's exemption
    counts on `day`."""
    terms = parties.tax
    return tax.compute(
        [
            tax.TaxLine(
                line_total(r, parties.currency),
                r.tax_rate.percent if r.tax_rate else Decimal(0),
            )
            for r in results
        ],
        prices_include_tax=terms.prices_include_tax,
        rounding=terms.rounding,
        minor_units=money.minor_units(parties.currency),
        exempt=bool(terms.certificate_on(day)),
    )
