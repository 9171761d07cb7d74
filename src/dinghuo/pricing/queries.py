"""Price list reads: tenant-scoped, a fixed number of queries each."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DateField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from dinghuo.catalog.models import Category, Sku
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, NotFound
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company
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


def company_pricing(tenant_id: int, company_id: int, at: datetime | None = None) -> CompanyPricing:
    """The company's pricing context at `at` (now by default): one query, and one more when
    lists are assigned to it or to its groups. An unknown, inactive or other tenant's company
    is NotFound (`unknown_company` on `company_id`)."""
    at = at or clock.now()
    groups = _company_groups(company_id)
    assigned = PriceListAssignment.objects.filter(
        Q(company_id=company_id) | Q(customer_group_id__in=groups), tenant_id=tenant_id
    )
    rows = list(
        Company.objects.filter(tenant_id=tenant_id, pk=company_id, is_active=True)
        .annotate(
            has_assignments=Exists(assigned),
            has_terms=Exists(CompanySkuTerms.objects.filter(company_id=OuterRef("pk"))),
            has_assortment=Exists(_assortments_of(tenant_id, company_id, groups)),
            has_promotions=Exists(
                _running_promotions(tenant_id, OuterRef("price_list__seller_id"), at, groups)
            ),
        )
        .values_list(
            "price_list_id",
            "price_list__code",
            "price_list__currency",
            "price_list__seller_id",
            "price_list__is_active",
            "has_assignments",
            "has_terms",
            "has_assortment",
            "has_promotions",
            "groups",
        )
    )
    if not rows:
        raise _unknown_company(company_id)
    list_id, code, currency, seller_id, active, has_assignments, *flags, _ = rows[0]
    base = OfferedList(list_id, code, currency, seller_id, active)
    buyer = Buyer(currency, seller_id, frozenset(r[-1] for r in rows if r[-1] is not None))
    offers: list[OfferedList] = []
    if has_assignments:
        for row in assigned.values_list(
            "price_list_id",
            "price_list__code",
            "price_list__currency",
            "price_list__seller_id",
            "price_list__is_active",
            "priority",
            "company_id",
            "customer_group__code",
        ):
            pl_id, pl_code, pl_currency, pl_seller, pl_active, priority, to_company, group = row
            via = "assigned to the company" if to_company else f"assigned to group {group}"
            offers.append(
                OfferedList(
                    pl_id,
                    pl_code,
                    pl_currency,
                    pl_seller,
                    pl_active,
                    priority,
                    bool(to_company),
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
        has_terms=flags[0],
        has_assortment=flags[1],
        has_promotions=flags[2],
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
    return Q(pk__in=listed.values("sku_id")) | Q(
        product__category_id__in=_descendants_sql(tenant_id, company_id)
    )


def visible_skus_filter(tenant_id: int, company_id: int) -> Q | None:
    """A filter on SKUs for what the company may see and buy (one query to learn whether it
    has an assortment at all); None: it has none and sees the whole catalogue."""
    groups = _company_groups(company_id)
    if not _assortments_of(tenant_id, company_id, groups).exists():
        return None
    return visibility(tenant_id, company_id)


def _category_lines(tenant_id: int, sku_ids: list[int]) -> dict[int, frozenset[int]]:
    """Each SKU's product category and every category above it (one recursive query)."""
    start = (
        Sku.objects.filter(tenant_id=tenant_id, id__in=sku_ids, product__category_id__isnull=False)
        .annotate(start_sku=F("id"), start_category=F("product__category_id"))
        .values_list("start_sku", "start_category")
    )
    sql, params = start.query.sql_with_params()
    table = _quoted(Category._meta.db_table)
    # Compiled by the ORM, with its parameters apart; only quoted identifiers are added. The
    # columns are taken by name: the ORM does not promise their order in the SELECT.
    query = (
        "WITH RECURSIVE up(sku_id, category_id) AS ("  # noqa: S608
        f"SELECT s.start_sku, s.start_category FROM ({sql}) s UNION "
        f"SELECT up.sku_id, c.{_quoted('parent_id')} FROM up JOIN {table} c "
        f"ON c.{_quoted('id')} = up.category_id WHERE c.{_quoted('parent_id')} IS NOT NULL) "
        "SELECT sku_id, category_id FROM up"
    )
    found: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for sku_id, category_id in cursor.fetchall():
            found.setdefault(sku_id, set()).add(category_id)
    return {sku_id: frozenset(ids) for sku_id, ids in found.items()}


_NO_DATE = Value(None, output_field=DateField())
_FOUR_PLACES = Decimal("0.0001")


def _decimal(value: Any) -> Decimal:
    # A union takes its column types from its first part, and SQLite stores decimals as
    # numbers: the same price can come back as 8, 8.0 or 8.0000. The columns keep 4 places.
    return Decimal(str(value)).quantize(_FOUR_PLACES)


def _ladders_and_contracts(
    pricing: CompanyPricing, sku_ids: list[int]
) -> tuple[dict[int, dict[int, Ladder]], dict[int, list[Contract]]]:
    """The ladders of the SKUs on every counted list, and the company's contracts for them
    valid on the day, in one query."""
    on_lists = PriceTier.objects.filter(
        price_list_id__in=pricing.counted_list_ids, sku_id__in=sku_ids
    ).values_list(
        Value(False), "price_list_id", "sku_id", "min_quantity", "unit_price",
        Value(""), _NO_DATE, _NO_DATE,
    )  # fmt: skip
    day = pricing.day
    in_contracts = ContractPriceTier.objects.filter(
        Q(contract__valid_until__isnull=True) | Q(contract__valid_until__gte=day),
        tenant_id=pricing.tenant_id,
        contract__company_id=pricing.company_id,
        contract__sku_id__in=sku_ids,
        contract__valid_from__lte=day,
    ).values_list(
        Value(True), "contract_id", "contract__sku_id", "min_quantity", "unit_price",
        "contract__reference", "contract__valid_from", "contract__valid_until",
    )  # fmt: skip
    ladders: dict[int, dict[int, list[tuple[int, Decimal]]]] = {}
    contract_rows: dict[int, tuple[int, str, date, date | None, list[tuple[int, Decimal]]]] = {}
    for is_contract, source, sku_id, min_qty, price, ref, since, until in on_lists.union(
        in_contracts, all=True
    ):
        if is_contract:
            entry = contract_rows.setdefault(source, (sku_id, ref, since, until, []))
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


_PROMOTION_COLUMNS = (
    "promotion_id",
    "promotion__code",
    "promotion__kind",
    "promotion__value",
    "promotion__currency",
    "promotion__starts_at",
    "promotion__ends_at",
    "promotion__seller_id",
    "promotion__applies_to_contract_prices",
)


def _promotions(
    pricing: CompanyPricing, sku_ids: list[int], categories: dict[int, frozenset[int]]
) -> list[Promotion]:
    """The promotions running for the company that target one of the SKUs or one of their
    categories, with those targets and the company's groups among their audience (one query)."""
    group_ids = list(pricing.buyer.group_ids)
    running = _running_promotions(
        pricing.tenant_id, pricing.buyer.seller_id, pricing.at, group_ids
    ).values("id")
    all_categories = set().union(*categories.values()) if categories else set()
    parts = [
        (PromotionRow.skus.through, "sku_id", {"sku_id__in": sku_ids}),
        (PromotionRow.categories.through, "category_id", {"category_id__in": all_categories}),
        (
            PromotionRow.customer_groups.through,
            "customergroup_id",
            {"customergroup_id__in": group_ids},
        ),
    ]
    queries = [
        through.objects.filter(promotion_id__in=running, **where).values_list(
            *_PROMOTION_COLUMNS, Value(kind), target
        )
        for kind, (through, target, where) in enumerate(parts)
    ]
    rows = queries[0].union(*queries[1:], all=True)
    found: dict[int, tuple[tuple[Any, ...], list[set[int]]]] = {}
    for *columns, kind, target in rows:
        entry = found.setdefault(columns[0], (tuple(columns), [set(), set(), set()]))
        entry[1][kind].add(target)
    return [
        Promotion(
            id=columns[0],
            code=columns[1],
            kind=columns[2],
            value=_decimal(columns[3]),
            currency=columns[4],
            starts_at=columns[5],
            ends_at=columns[6],
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
        visible = set(
            Sku.objects.filter(visibility(tenant, company), tenant_id=tenant, id__in=ids)
            .values_list("id", flat=True)
            .distinct()
        ) if ids else set()  # fmt: skip
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
