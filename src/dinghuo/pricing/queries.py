"""Price list reads: tenant-scoped, a fixed number of queries each."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import DateField, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, NotFound
from dinghuo.core.phrases import phrase
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company, CustomerGroup
from dinghuo.pricing.models import (
    Assortment,
    CompanySkuTerms,
    ContractPrice,
    ContractPriceTier,
    PriceList,
    PriceListAssignment,
    PriceTier,
)
from dinghuo.pricing.models import Promotion as PromotionRow
from dinghuo.pricing.resolution import (
    Buyer,
    Contract,
    Ladder,
    OfferedList,
    Promotion,
    Resolution,
    SkuSources,
    Verdict,
    effective_ladder,
    list_refusal,
    ordering_terms,
    resolve,
)


def price_lists(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[PriceList]:
    """The tenant's price lists, with their seller."""
    qs = PriceList.objects.filter(tenant_id=tenant_id).select_related("seller")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def price_list(tenant_id: int, price_list_id: int) -> PriceList:
    found = price_lists(tenant_id).filter(pk=price_list_id).first()
    if found is None:
        raise NotFound(f"No price list {price_list_id}.")
    return found


def priced_skus(price_list: PriceList, *, sku_code: str | None = None) -> QuerySet[Sku]:
    """The SKUs that have a price on `price_list` (id and code only)."""
    qs = Sku.objects.filter(
        tenant_id=price_list.tenant_id,
        id__in=PriceTier.objects.filter(price_list=price_list).values("sku_id"),
    ).only("id", "code")
    if sku_code is not None:
        qs = qs.filter(code=sku_code)
    return qs


def ladders(price_list_id: int, sku_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """The tier ladder of each SKU on the list, lowest minimum first (one query).

    SKUs without a price on the list are absent from the answer.
    """
    found: dict[int, list[tuple[int, Decimal]]] = {}
    rows = (
        PriceTier.objects.filter(price_list_id=price_list_id, sku_id__in=list(sku_ids))
        .order_by("sku_id", "min_quantity")
        .values_list("sku_id", "min_quantity", "unit_price")
    )
    for sku_id, min_quantity, unit_price in rows:
        found.setdefault(sku_id, []).append((min_quantity, unit_price))
    return found


# --- what a company pays: the price book ---------------------------------------------------


@dataclass(frozen=True)
class CompanyPricing:
    """A company as pricing sees it, whatever the SKUs: its base list, the lists offered to
    it, and which kinds of source it has at all (so that queries for none are skipped)."""

    tenant_id: int
    company_id: int
    at: datetime
    day: date
    buyer: Buyer
    base: OfferedList
    offers: tuple[OfferedList, ...]  # every list offered, the base list last
    has_terms: bool
    has_promotions: bool
    has_assortment: bool

    @property
    def currency(self) -> str:
        return self.buyer.currency

    @property
    def counted_list_ids(self) -> list[int]:
        """The lists that may price a SKU: active, in the company's currency and seller."""
        return [o.id for o in self.offers if list_refusal(o, self.buyer) is None]


def _company_groups(company_id: int) -> QuerySet[Any]:
    return Company.groups.through.objects.filter(company_id=company_id).values("customergroup_id")


def _running_promotions(tenant_id: int, seller_id: Any, at: datetime, groups: Any) -> QuerySet[Any]:
    """Promotions running at `at` of the seller, for every company or for one of `groups`."""
    audience = PromotionRow.customer_groups.through.objects.filter(promotion_id=OuterRef("pk"))
    return PromotionRow.objects.filter(
        Q(~Exists(audience)) | Q(Exists(audience.filter(customergroup_id__in=groups))),
        tenant_id=tenant_id,
        seller_id=seller_id,
        is_active=True,
        starts_at__lte=at,
        ends_at__gt=at,
    )


def _assortments_of(tenant_id: int, company_id: int, groups: Any) -> QuerySet[Assortment]:
    through = Assortment.companies.through.objects.filter(company_id=company_id)
    by_group = Assortment.customer_groups.through.objects.filter(customergroup_id__in=groups)
    return Assortment.objects.filter(
        Q(id__in=through.values("assortment_id")) | Q(id__in=by_group.values("assortment_id")),
        tenant_id=tenant_id,
    )


def _unknown_company(company_id: int) -> NotFound:
    return NotFound(
        f"No company {company_id}.",
        errors=[FieldError("company_id", "unknown_company", "No active company with this id")],
    )


@cache
def _tables() -> dict[str, str]:
    """Quoted table names of the hand-written statements below."""
    q = connection.ops.quote_name
    return {
        "company": q(Company._meta.db_table),
        "company_groups": q(Company.groups.through._meta.db_table),
        "price_list": q(PriceList._meta.db_table),
        "assignment": q(PriceListAssignment._meta.db_table),
        "group": q(CustomerGroup._meta.db_table),
        "terms": q(CompanySkuTerms._meta.db_table),
        "assortment_companies": q(Assortment.companies.through._meta.db_table),
        "assortment_groups": q(Assortment.customer_groups.through._meta.db_table),
        "promotion": q(PromotionRow._meta.db_table),
        "promotion_skus": q(PromotionRow.skus.through._meta.db_table),
        "promotion_categories": q(PromotionRow.categories.through._meta.db_table),
        "promotion_groups": q(PromotionRow.customer_groups.through._meta.db_table),
        "price_tier": q(PriceTier._meta.db_table),
        "contract": q(ContractPrice._meta.db_table),
        "contract_tier": q(ContractPriceTier._meta.db_table),
        "assortment_skus": q(Assortment.skus.through._meta.db_table),
        "assortment_categories": q(Assortment.categories.through._meta.db_table),
        "category": q(Category._meta.db_table),
        "sku": q(Sku._meta.db_table),
        "product": q(Product._meta.db_table),
    }


# On the hot path the ORM spent several times longer building these statements than the
# database spent running them (docs/architecture.md, "The hot path's SQL"), so they are
# written out. Booleans are tested bare and compared as truthy: SQLite keeps them as 0/1.
_COMPANY_SQL = """
SELECT c.price_list_id, pl.code, pl.currency, pl.seller_id, pl.is_active,
  EXISTS (SELECT 1 FROM {assignment} a WHERE a.tenant_id = c.tenant_id
    AND (a.company_id = c.id OR a.customer_group_id IN (
      SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = c.id))),
  EXISTS (SELECT 1 FROM {terms} t WHERE t.company_id = c.id),
  EXISTS (SELECT 1 FROM {assortment_companies} ac WHERE ac.company_id = c.id)
    OR EXISTS (SELECT 1 FROM {assortment_groups} ag WHERE ag.customergroup_id IN (
      SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = c.id)),
  EXISTS (SELECT 1 FROM {promotion} p WHERE p.tenant_id = c.tenant_id
    AND p.seller_id = pl.seller_id AND p.is_active AND p.starts_at <= %s AND p.ends_at > %s
    AND (NOT EXISTS (SELECT 1 FROM {promotion_groups} pg WHERE pg.promotion_id = p.id)
      OR EXISTS (SELECT 1 FROM {promotion_groups} pg WHERE pg.promotion_id = p.id
        AND pg.customergroup_id IN (
          SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = c.id)))),
  cg.customergroup_id
FROM {company} c
JOIN {price_list} pl ON pl.id = c.price_list_id
LEFT JOIN {company_groups} cg ON cg.company_id = c.id
WHERE c.tenant_id = %s AND c.id = %s AND c.is_active
"""

_ASSIGNMENTS_SQL = """
SELECT pl.id, pl.code, pl.currency, pl.seller_id, pl.is_active, a.priority, a.company_id,
  grp.code
FROM {assignment} a
JOIN {price_list} pl ON pl.id = a.price_list_id
LEFT JOIN {group} grp ON grp.id = a.customer_group_id
WHERE a.tenant_id = %s AND (a.company_id = %s OR a.customer_group_id IN (
  SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = %s))
"""


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**_tables()), params)
        return cursor.fetchall()


def _moment(value: Any) -> datetime:
    """A datetime column read without the ORM: SQLite gives text in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def company_pricing(tenant_id: int, company_id: int, at: datetime | None = None) -> CompanyPricing:
    """The company's pricing context at `at` (now by default): one query, and one more when
    lists are assigned to it or to its groups. An unknown, inactive or other tenant's company
    is NotFound (`unknown_company` on `company_id`)."""
    at = at or clock.now()
    moment = connection.ops.adapt_datetimefield_value(at)
    rows = _rows(_COMPANY_SQL, [moment, moment, tenant_id, company_id])
    if not rows:
        raise _unknown_company(company_id)
    list_id, code, currency, seller_id, active, has_assignments, *flags, _ = rows[0]
    base = OfferedList(list_id, code, currency, seller_id, bool(active))
    buyer = Buyer(currency, seller_id, frozenset(r[-1] for r in rows if r[-1] is not None))
    offers: list[OfferedList] = []
    if has_assignments:
        for row in _rows(_ASSIGNMENTS_SQL, [tenant_id, company_id, company_id]):
            pl_id, pl_code, pl_currency, pl_seller, pl_active, priority, to_company, group = row
            via = (
                phrase("assigned to the company")
                if to_company
                else phrase("assigned to group {group}", group=group)
            )
            offers.append(
                OfferedList(
                    pl_id,
                    pl_code,
                    pl_currency,
                    pl_seller,
                    bool(pl_active),
                    priority,
                    to_company is not None,
                    via,
                )
            )
    return CompanyPricing(
        tenant_id=tenant_id,
        company_id=company_id,
        at=at,
        day=at.date(),
        buyer=buyer,
        base=base,
        offers=(*offers, base),
        has_terms=bool(flags[0]),
        has_assortment=bool(flags[1]),
        has_promotions=bool(flags[2]),
    )


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _descendants_sql(tenant_id: int, company_id: int) -> RawSQL:
    """The categories listed in the company's assortments and every category below them."""
    listed = Assortment.categories.through.objects.filter(
        assortment_id__in=_assortments_of(
            tenant_id, company_id, _company_groups(company_id)
        ).values("id")
    ).values("category_id")
    sql, params = listed.query.sql_with_params()
    table, parent = _quoted(Category._meta.db_table), _quoted("parent_id")
    # Compiled by the ORM, with its parameters apart; only quoted identifiers are added.
    return RawSQL(  # noqa: S611
        f"WITH RECURSIVE down(id) AS ({sql} UNION "  # noqa: S608
        f"SELECT c.{_quoted('id')} FROM {table} c JOIN down ON c.{parent} = down.id) "
        "SELECT id FROM down",
        params,
    )


def visibility(tenant_id: int, company_id: int) -> Q:
    """A filter on SKUs for what a company with an assortment may see and buy (no query)."""
    assortments = _assortments_of(tenant_id, company_id, _company_groups(company_id))
    listed = Assortment.skus.through.objects.filter(assortment_id__in=assortments.values("id"))
    # Both on the SKU's own indexed columns (id, product_id), not through a join, so that
    # PostgreSQL can find the visible SKUs by index rather than test every SKU in id order.
    in_categories = Product.objects.filter(
        category_id__in=_descendants_sql(tenant_id, company_id)
    ).values("id")
    return Q(pk__in=listed.values("sku_id")) | Q(product_id__in=in_categories)


def visible_skus_filter(tenant_id: int, company_id: int) -> Q | None:
    """A filter on SKUs for what the company may see and buy (one query to learn whether it
    has an assortment at all); None: it has none and sees the whole catalogue."""
    groups = _company_groups(company_id)
    if not _assortments_of(tenant_id, company_id, groups).exists():
        return None
    return visibility(tenant_id, company_id)


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
    sql = _CATEGORY_LINES_SQL.replace("{skus}", _placeholders(sku_ids))
    for sku_id, category_id in _rows(sql, [tenant_id, *sku_ids]):
        found.setdefault(sku_id, set()).add(category_id)
    return {sku_id: frozenset(ids) for sku_id, ids in found.items()}


_NO_DATE = Value(None, output_field=DateField())
_FOUR_PLACES = Decimal("0.0001")


def _decimal(value: Any) -> Decimal:
    # A union takes its column types from its first part, and SQLite stores decimals as
    # numbers: the same price can come back as 8, 8.0 or 8.0000. The columns keep 4 places.
    return Decimal(str(value)).quantize(_FOUR_PLACES)


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


def _day(value: Any) -> Any:
    """A date column read without the ORM: SQLite gives text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _ladders_and_contracts(
    pricing: CompanyPricing, sku_ids: list[int]
) -> tuple[dict[int, dict[int, Ladder]], dict[int, list[Contract]]]:
    """The ladders of the SKUs on every counted list, and the company's contracts for them
    valid on the day, in one query."""
    lists = pricing.counted_list_ids or [0]
    day = connection.ops.adapt_datefield_value(pricing.day)
    skus = _placeholders(sku_ids)
    sql = _LADDERS_SQL.replace("{lists}", _placeholders(lists)).replace("{skus}", skus)
    params = [*lists, *sku_ids, pricing.tenant_id, pricing.company_id, *sku_ids, day, day]
    rows = _rows(sql, params)
    ladders: dict[int, dict[int, list[tuple[int, Decimal]]]] = {}
    contract_rows: dict[int, tuple[int, str, date, date | None, list[tuple[int, Decimal]]]] = {}
    for is_contract, source, sku_id, min_qty, price, ref, since, until in rows:
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


def _placeholders(values: Iterable[Any]) -> str:
    return ", ".join("%s" for _ in values)


def _promotions(
    pricing: CompanyPricing, sku_ids: list[int], categories: dict[int, frozenset[int]]
) -> list[Promotion]:
    """The promotions running for the company that target one of the SKUs or one of their
    categories, with those targets and the company's groups among their audience (one query)."""
    group_ids = sorted(pricing.buyer.group_ids)
    wanted = [sku_ids, sorted(set().union(*categories.values())), group_ids]
    tables = _tables()
    parts: list[str] = []
    params: list[Any] = []
    for kind, ((table, column), ids) in enumerate(zip(_TARGETS, wanted, strict=True)):
        if ids:
            parts.append(
                f"SELECT promotion_id, {kind} AS kind, {column} AS id FROM {tables[table]} "  # noqa: S608
                f"WHERE {column} IN ({_placeholders(ids)})"
            )
            params += ids
    moment = connection.ops.adapt_datetimefield_value(pricing.at)
    params += [pricing.tenant_id, pricing.buyer.seller_id, moment, moment, *group_ids]
    sql = _PROMOTIONS_SQL.replace("{targets}", " UNION ALL ".join(parts)).replace(
        "{groups}", _placeholders(group_ids) or "NULL"
    )
    found: dict[int, tuple[tuple[Any, ...], list[set[int]]]] = {}
    for *columns, kind, target in _rows(sql, params):
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
        rows = CompanySkuTerms.objects.filter(
            tenant_id=tenant, company_id=company, sku_id__in=ids
        ).values_list("sku_id", "min_order_quantity", "pack_size")
        terms = {sku_id: (moq, pack) for sku_id, moq, pack in rows}
    categories: dict[int, frozenset[int]] = {}
    promotions: list[Promotion] = []
    if pricing.has_promotions and ids:
        categories = _category_lines(tenant, ids)
        promotions = _promotions(pricing, ids, categories)
    visible: set[int] | None = None
    if pricing.has_assortment:
        visible = set()
        if ids:
            sql = _VISIBLE_SQL.replace("{skus}", _placeholders(ids))
            visible = {row[0] for row in _rows(sql, [company, company, tenant, *ids])}
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


# --- reads of the B2B pricing inputs -------------------------------------------------------


def assignments(tenant_id: int, price_list_id: int) -> QuerySet[PriceListAssignment]:
    """Who the list is offered to, with the company's and the group's codes; an unknown list
    (or another tenant's) is not found."""
    price_list(tenant_id, price_list_id)
    return PriceListAssignment.objects.filter(
        tenant_id=tenant_id, price_list_id=price_list_id
    ).select_related("price_list", "company", "customer_group")


def assignment(tenant_id: int, price_list_id: int, assignment_id: int) -> PriceListAssignment:
    found = assignments(tenant_id, price_list_id).filter(pk=assignment_id).first()
    if found is None:
        raise NotFound(f"No assignment {assignment_id} of price list {price_list_id}.")
    return found


def _contracts() -> QuerySet[ContractPrice]:
    return ContractPrice.objects.select_related("sku", "company__price_list").prefetch_related(
        Prefetch("tiers", queryset=ContractPriceTier.objects.order_by("min_quantity"))
    )


def contract_prices(
    tenant_id: int, company_id: int, *, sku_id: int | None = None
) -> QuerySet[ContractPrice]:
    """The company's contract prices with their SKU and ladder (two queries a page); an
    unknown company (or another tenant's) is not found."""
    if not Company.objects.filter(tenant_id=tenant_id, pk=company_id).exists():
        raise NotFound(f"No company {company_id}.")
    qs = _contracts().filter(tenant_id=tenant_id, company_id=company_id)
    if sku_id is not None:
        qs = qs.filter(sku_id=sku_id)
    return qs


def contract_price(tenant_id: int, contract_id: int) -> ContractPrice:
    """One contract price with its SKU, company and ladder."""
    return tenant_row(_contracts(), tenant_id, contract_id, f"No contract price {contract_id}.")


def _members(qs: QuerySet[Any], *relations: str) -> QuerySet[Any]:
    return qs.prefetch_related(
        *(Prefetch(rel, queryset=_related(qs.model, rel).only("id")) for rel in relations)
    )


def _related(model: Any, relation: str) -> QuerySet[Any]:
    return model._meta.get_field(relation).related_model.objects.order_by("id")


def promotions(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[PromotionRow]:
    """The tenant's promotions with their seller and targets (four queries a page)."""
    qs = _members(
        PromotionRow.objects.filter(tenant_id=tenant_id).select_related("seller"),
        "categories",
        "skus",
        "customer_groups",
    )
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def promotion(tenant_id: int, promotion_id: int) -> PromotionRow:
    return tenant_row(
        promotions(tenant_id), tenant_id, promotion_id, f"No promotion {promotion_id}."
    )


def assortments(tenant_id: int) -> QuerySet[Assortment]:
    """The tenant's assortments with their seller and members (five queries a page)."""
    return _members(
        Assortment.objects.filter(tenant_id=tenant_id).select_related("seller"),
        "categories",
        "skus",
        "companies",
        "customer_groups",
    )


def assortment(tenant_id: int, assortment_id: int) -> Assortment:
    return tenant_row(
        assortments(tenant_id), tenant_id, assortment_id, f"No assortment {assortment_id}."
    )


def sku_terms(tenant_id: int, company_id: int) -> list[tuple[int, str, int | None, int | None]]:
    """The company's own SKU terms: SKU id and code, minimum, pack size (two queries); an
    unknown company is not found."""
    if not Company.objects.filter(tenant_id=tenant_id, pk=company_id).exists():
        raise NotFound(f"No company {company_id}.")
    return list(
        CompanySkuTerms.objects.filter(tenant_id=tenant_id, company_id=company_id)
        .order_by("sku_id")
        .values_list("sku_id", "sku__code", "min_order_quantity", "pack_size")
    )


# --- why a line costs what it costs --------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """The price of a quantity of one SKU for a company, its terms and visibility, and why."""

    sku_id: int
    sku: str
    quantity: int
    currency: str
    verdict: Verdict
    min_order_quantity: int
    pack_size: int
    visible: bool
    orderable: bool  # the SKU and its product are active


def explain(
    tenant_id: int, company_id: int, sku_code: str, quantity: int, *, at: datetime | None = None
) -> Explanation:
    """Why `quantity` units of the SKU cost what they cost for the company: the pricing
    context, the SKU, then the price book (at most 9 queries). An unknown SKU (of the
    company's seller) is NotFound (`unknown_sku` on `sku`)."""
    pricing = company_pricing(tenant_id, company_id, at)
    row = (
        Sku.objects.filter(tenant_id=tenant_id, seller_id=pricing.buyer.seller_id, code=sku_code)
        .values_list("id", "min_order_quantity", "pack_size", "is_active", "product__is_active")
        .first()
    )
    if row is None:
        raise NotFound(
            f"No SKU {sku_code}.",
            errors=[FieldError("sku", "unknown_sku", f"No SKU {sku_code}")],
        )
    sku_id, moq, pack, active, product_active = row
    book = book_for(pricing, [sku_id])
    moq, pack = book.ordering_terms(sku_id, moq, pack)
    return Explanation(
        sku_id=sku_id,
        sku=sku_code,
        quantity=quantity,
        currency=book.currency,
        verdict=book.verdict(sku_id, quantity),
        min_order_quantity=moq,
        pack_size=pack,
        visible=book.is_visible(sku_id),
        orderable=bool(active and product_active),
    )
