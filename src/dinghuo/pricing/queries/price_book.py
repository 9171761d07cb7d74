"""The price book: the prices, ordering terms and visibility of some SKUs for one company at
one moment, loaded in a constant number of queries whatever the number of SKUs; every answer
follows `pricing/resolution.py`. The statements are written out (why: `queries/sql.py`)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from dinghuo.pricing.models import CompanySkuTerms
from dinghuo.pricing.queries.company_pricing import CompanyPricing, company_pricing
from dinghuo.pricing.queries.sql import placeholders, rows, tables
from dinghuo.pricing.resolution import effective_ladder, ordering_terms, resolve
from dinghuo.pricing.values import Contract, Ladder, Promotion, Resolution, SkuSources, Verdict

_CATEGORY_LINES_SQL = """
WITH RECURSIVE up(sku_id, category_id) AS (
  SELECT s.id, pr.category_id FROM {sku} s JOIN {product} pr ON pr.id = s.product_id
  WHERE s.tenant_id = %s AND s.id IN ({skus}) AND pr.category_id IS NOT NULL
  UNION
  SELECT up.sku_id, c.parent_id FROM up JOIN {category} c ON c.id = up.category_id
  WHERE c.parent_id IS NOT NULL
)
SELECT sku_id, category_id FROM up
"""


def _category_lines(tenant_id: int, sku_ids: list[int]) -> dict[int, frozenset[int]]:
    """Each SKU's product category and every category above it (one recursive query)."""
    found: dict[int, set[int]] = {}
    sql = _CATEGORY_LINES_SQL.replace("{skus}", placeholders(sku_ids))
    for sku_id, category_id in rows(sql, [tenant_id, *sku_ids]):
        found.setdefault(sku_id, set()).add(category_id)
    return {sku_id: frozenset(ids) for sku_id, ids in found.items()}


_FOUR_PLACES = Decimal("0.0001")


def _decimal(value: Any) -> Decimal:
    # A union takes its column types from its first part, and SQLite stores decimals as
    # numbers: the same price can come back as 8, 8.0 or 8.0000. The columns keep 4 places.
    return Decimal(str(value)).quantize(_FOUR_PLACES)


def _day(value: Any) -> Any:
    """A date column read without the ORM: SQLite gives text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> datetime:
    """A datetime column read without the ORM: SQLite gives text in UTC."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


_LADDERS_SQL = """
SELECT 0, t.price_list_id, t.sku_id, t.min_quantity, t.unit_price, '', NULL, NULL
FROM {price_tier} t WHERE t.price_list_id IN ({lists}) AND t.sku_id IN ({skus})
UNION ALL
SELECT 1, ct.contract_id, c.sku_id, ct.min_quantity, ct.unit_price, c.reference,
  c.valid_from, c.valid_until
FROM {contract_tier} ct JOIN {contract} c ON c.id = ct.contract_id
WHERE c.tenant_id = %s AND c.company_id = %s AND c.sku_id IN ({skus})
  AND c.valid_from <= %s AND (c.valid_until IS NULL OR c.valid_until >= %s)
"""


def _ladders_and_contracts(
    pricing: CompanyPricing, sku_ids: list[int]
) -> tuple[dict[int, dict[int, Ladder]], dict[int, list[Contract]]]:
    """The ladders of the SKUs on every counted list, and the company's contracts for them
    valid on the day, in one query."""
    lists = pricing.counted_list_ids or [0]
    day = connection.ops.adapt_datefield_value(pricing.day)
    skus = placeholders(sku_ids)
    sql = _LADDERS_SQL.replace("{lists}", placeholders(lists)).replace("{skus}", skus)
    params = [*lists, *sku_ids, pricing.tenant_id, pricing.company_id, *sku_ids, day, day]
    ladders: dict[int, dict[int, list[tuple[int, Decimal]]]] = {}
    contract_rows: dict[int, tuple[int, str, date, date | None, list[tuple[int, Decimal]]]] = {}
    for is_contract, source, sku_id, min_qty, price, ref, since, until in rows(sql, params):
        if is_contract:
            entry = contract_rows.setdefault(source, (sku_id, ref, _day(since), _day(until), []))
            entry[4].append((min_qty, _decimal(price)))
        else:
            ladders.setdefault(sku_id, {}).setdefault(source, []).append((min_qty, _decimal(price)))
    contracts: dict[int, list[Contract]] = {}
    for contract_id, (sku_id, ref, since, until, tiers) in contract_rows.items():
        tiers.sort()
        contracts.setdefault(sku_id, []).append(Contract(contract_id, ref, since, until, tiers))
    for by_list in ladders.values():
        for ladder in by_list.values():
            ladder.sort()
    return ladders, contracts  # type: ignore[return-value]


_PROMOTIONS_SQL = """
SELECT p.id, p.code, p.kind, p.value, p.currency, p.starts_at, p.ends_at, p.seller_id,
  p.applies_to_contract_prices, target.kind, target.id
FROM {promotion} p
JOIN ({targets}) target ON target.promotion_id = p.id
WHERE p.tenant_id = %s AND p.seller_id = %s AND p.is_active
  AND p.starts_at <= %s AND p.ends_at > %s
  AND (NOT EXISTS (SELECT 1 FROM {promotion_groups} pg WHERE pg.promotion_id = p.id)
    OR EXISTS (SELECT 1 FROM {promotion_groups} pg WHERE pg.promotion_id = p.id
      AND pg.customergroup_id IN ({groups})))
"""
_TARGETS = (
    ("promotion_skus", "sku_id"),
    ("promotion_categories", "category_id"),
    ("promotion_groups", "customergroup_id"),
)


def _promotions(
    pricing: CompanyPricing, sku_ids: list[int], categories: dict[int, frozenset[int]]
) -> list[Promotion]:
    """The promotions running for the company that target one of the SKUs or one of their
    categories, with those targets and the company's groups among their audience (one query)."""
    group_ids = sorted(pricing.buyer.group_ids)
    wanted = [sku_ids, sorted(set().union(*categories.values())), group_ids]
    names = tables()
    parts: list[str] = []
    params: list[Any] = []
    for kind, ((table, column), ids) in enumerate(zip(_TARGETS, wanted, strict=True)):
        if ids:
            parts.append(
                f"SELECT promotion_id, {kind} AS kind, {column} AS id FROM {names[table]} "  # noqa: S608
                f"WHERE {column} IN ({placeholders(ids)})"
            )
            params += ids
    moment = connection.ops.adapt_datetimefield_value(pricing.at)
    params += [pricing.tenant_id, pricing.buyer.seller_id, moment, moment, *group_ids]
    sql = _PROMOTIONS_SQL.replace("{targets}", " UNION ALL ".join(parts)).replace(
        "{groups}", placeholders(group_ids) or "NULL"
    )
    found: dict[int, tuple[tuple[Any, ...], list[set[int]]]] = {}
    for *columns, kind, target in rows(sql, params):
        entry = found.setdefault(columns[0], (tuple(columns), [set(), set(), set()]))
        entry[1][kind].add(target)
    return [
        Promotion(
            id=columns[0],
            code=columns[1],
            kind=columns[2],
            value=_decimal(columns[3]),
            currency=columns[4],
            starts_at=_moment(columns[5]),
            ends_at=_moment(columns[6]),
            seller_id=columns[7],
            applies_to_contract_prices=bool(columns[8]),
            sku_ids=frozenset(targets[0]),
            category_ids=frozenset(targets[1]),
            customer_group_ids=frozenset(targets[2]),
        )
        for columns, targets in found.values()
        if targets[0] or targets[1]
    ]


class PriceBook:
    """The prices, ordering terms and visibility of some SKUs for one company at one moment,
    loaded at once; every answer follows `pricing/resolution.py`."""

    def __init__(
        self,
        pricing: CompanyPricing,
        *,
        ladders: dict[int, dict[int, Ladder]],
        contracts: dict[int, list[Contract]],
        terms: dict[int, tuple[int | None, int | None]],
        categories: dict[int, frozenset[int]],
        promotions: list[Promotion],
        visible: set[int] | None,
    ) -> None:
        self.pricing = pricing
        self._ladders = ladders
        self._contracts = contracts
        self._terms = terms
        self._categories = categories
        self._promotions = promotions
        self._visible = visible
        self._sources: dict[int, SkuSources] = {}

    @property
    def currency(self) -> str:
        """The company's currency: every price of the book is in it."""
        return self.pricing.currency

    def sources(self, sku_id: int) -> SkuSources:
        """Everything that may price the SKU for the company."""
        found = self._sources.get(sku_id)
        if found is None:
            categories = self._categories.get(sku_id, frozenset())
            found = SkuSources(
                sku_id=sku_id,
                category_ids=categories,
                lists=self.pricing.offers,
                ladders=self._ladders.get(sku_id, {}),
                contracts=self._contracts.get(sku_id, ()),
                promotions=[
                    p
                    for p in self._promotions
                    if sku_id in p.sku_ids or p.category_ids & categories
                ],
            )
            self._sources[sku_id] = found
        return found

    def verdict(self, sku_id: int, quantity: int) -> Verdict:
        """The resolution and the steps that explain it, also when there is no price."""
        return resolve(
            self.pricing.buyer, self.sources(sku_id), quantity, at=self.pricing.at,
            day=self.pricing.day,
        )  # fmt: skip

    def resolve(self, sku_id: int, quantity: int) -> Resolution | None:
        """The price of `quantity` units; None when nothing prices that quantity."""
        return self.verdict(sku_id, quantity).resolution

    def ladder(self, sku_id: int) -> list[tuple[int, Decimal]]:
        """The ladder the company gets for the SKU (winning source, promotion applied)."""
        return effective_ladder(
            self.pricing.buyer, self.sources(sku_id), at=self.pricing.at, day=self.pricing.day
        )

    def ordering_terms(self, sku_id: int, moq: int, pack: int) -> tuple[int, int]:
        """The SKU's minimum order quantity and pack size for this company."""
        own_moq, own_pack = self._terms.get(sku_id, (None, None))
        return ordering_terms(moq, pack, own_moq, own_pack)

    def is_visible(self, sku_id: int) -> bool:
        """Whether the company may see and buy the SKU (its assortment allows it)."""
        return self._visible is None or sku_id in self._visible


_VISIBLE_SQL = """
WITH RECURSIVE mine(id) AS (
  SELECT assortment_id FROM {assortment_companies} WHERE company_id = %s
  UNION
  SELECT assortment_id FROM {assortment_groups} WHERE customergroup_id IN (
    SELECT customergroup_id FROM {company_groups} WHERE company_id = %s)
), down(id) AS (
  SELECT category_id FROM {assortment_categories} WHERE assortment_id IN (SELECT id FROM mine)
  UNION
  SELECT c.id FROM {category} c JOIN down ON c.parent_id = down.id
)
SELECT s.id FROM {sku} s JOIN {product} pr ON pr.id = s.product_id
WHERE s.tenant_id = %s AND s.id IN ({skus}) AND (
  s.id IN (SELECT sku_id FROM {assortment_skus} WHERE assortment_id IN (SELECT id FROM mine))
  OR pr.category_id IN (SELECT id FROM down))
"""


def book_for(pricing: CompanyPricing, sku_ids: Iterable[int]) -> PriceBook:
    """The price book of the SKUs for a company whose pricing context is loaded: one query
    for every ladder and contract, and one more for each kind of source the company has —
    its own SKU terms, promotions (two: the SKUs' category lines, then the promotions) and an
    assortment (the visible SKUs among these). So 1 to 5 queries, whatever the number of SKUs.
    """
    ids = sorted(set(sku_ids))
    tenant, company = pricing.tenant_id, pricing.company_id
    ladders, contracts = _ladders_and_contracts(pricing, ids) if ids else ({}, {})
    terms: dict[int, tuple[int | None, int | None]] = {}
    if pricing.has_terms and ids:
        found = CompanySkuTerms.objects.filter(
            tenant_id=tenant, company_id=company, sku_id__in=ids
        ).values_list("sku_id", "min_order_quantity", "pack_size")
        terms = {sku_id: (moq, pack) for sku_id, moq, pack in found}
    categories: dict[int, frozenset[int]] = {}
    promotions: list[Promotion] = []
    if pricing.has_promotions and ids:
        categories = _category_lines(tenant, ids)
        promotions = _promotions(pricing, ids, categories)
    visible: set[int] | None = None
    if pricing.has_assortment:
        visible = set()
        if ids:
            sql = _VISIBLE_SQL.replace("{skus}", placeholders(ids))
            visible = {row[0] for row in rows(sql, [company, company, tenant, *ids])}
    return PriceBook(
        pricing,
        ladders=ladders,
        contracts=contracts,
        terms=terms,
        categories=categories,
        promotions=promotions,
        visible=visible,
    )


def price_book(
    tenant_id: int, *, company_id: int, sku_ids: Iterable[int], at: datetime | None = None
) -> PriceBook:
    """Everything that prices `sku_ids` for the company at `at` (now by default), loaded in a
    constant number of queries whatever the number of SKUs: 2 for a company with only its
    base list (the company with flags for which kinds of source it has; the ladders), one
    more for each kind it has — assigned lists, its own SKU terms, an assortment — and two
    for running promotions: at most 7.

    An unknown, inactive or other tenant's company is NotFound (`unknown_company`).
    """
    return book_for(company_pricing(tenant_id, company_id, at), sku_ids)
