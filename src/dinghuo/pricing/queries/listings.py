"""Reads of what staff maintain: price lists and their ladders, who the lists are offered to,
contract prices, promotions, assortments and company SKU terms. Tenant-scoped, a fixed number
of queries each; another tenant's row is not found."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import NotFound
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
    Promotion,
)


def price_lists(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[PriceList]:
    """The tenant's price lists, with their seller."""
    qs = PriceList.objects.filter(tenant_id=tenant_id).select_related("seller")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def price_list(tenant_id: int, price_list_id: int) -> PriceList:
    """One price list of the tenant, with its seller."""
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


def assignments(tenant_id: int, price_list_id: int) -> QuerySet[PriceListAssignment]:
    """Who the list is offered to, with the company's and the group's codes; an unknown list
    (or another tenant's) is not found."""
    price_list(tenant_id, price_list_id)
    return PriceListAssignment.objects.filter(
        tenant_id=tenant_id, price_list_id=price_list_id
    ).select_related("price_list", "company", "customer_group")


def assignment(tenant_id: int, price_list_id: int, assignment_id: int) -> PriceListAssignment:
    """One assignment of the list, with its list, company and group."""
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
    related: QuerySet[Any] = model._meta.get_field(relation).related_model.objects.order_by("id")
    return related


def promotions(tenant_id: int, *, is_active: bool | None = None) -> QuerySet[Promotion]:
    """The tenant's promotions with their seller and targets (four queries a page)."""
    qs = _members(
        Promotion.objects.filter(tenant_id=tenant_id).select_related("seller"),
        "categories",
        "skus",
        "customer_groups",
    )
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def promotion(tenant_id: int, promotion_id: int) -> Promotion:
    """One promotion with its seller and targets."""
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
    """One assortment with its seller and members."""
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
