"""Pricing over HTTP: price lists and their tier ladders, who they are offered to, contract
prices, promotions, company SKU terms, assortments, and why a line costs what it costs."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import page, page_body, paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import FieldError, NotFound
from dinghuo.pricing import queries, services
from dinghuo.pricing.schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentPageOut,
    AssignmentPatch,
    AssortmentIn,
    AssortmentOut,
    AssortmentPageOut,
    AssortmentPatch,
    ContractPriceFilters,
    ContractPriceIn,
    ContractPriceOut,
    ContractPricePageOut,
    ContractPricePatch,
    ExplanationFilters,
    ExplanationOut,
    PriceChangeOut,
    PriceFilters,
    PriceListFilters,
    PriceListIn,
    PriceListOut,
    PriceListPageOut,
    PriceListPatch,
    PricePageOut,
    PricesIn,
    PromotionFilters,
    PromotionIn,
    PromotionOut,
    PromotionPageOut,
    PromotionPatch,
    SkuTermsIn,
    SkuTermsOut,
    assignment_out,
    assortment_out,
    contract_price_out,
    explanation_out,
    price_list_out,
    promotion_out,
    sku_terms_out,
    tiers_in,
)

router = Router(tags=["pricing"])
buyer_router = Router(tags=["buyer: pricing"])


@router.get("/price-lists", response=PriceListPageOut, summary="List price lists")
def list_price_lists(request: HttpRequest, filters: Query[PriceListFilters]) -> HttpResponse:
    price_lists = queries.price_lists(tenant_id(request), is_active=filters.is_active)
    return json_response(200, paged(price_lists, filters, price_list_out))


@router.post("/price-lists", response={201: PriceListOut}, summary="Create a price list")
def create_price_list(
    request: HttpRequest,
    payload: PriceListIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        price_list = services.create_price_list(
            tenant_id=tenant,
            code=payload.code,
            name=payload.name,
            currency=payload.currency,
            is_active=payload.is_active,
            seller_slug=payload.seller,
        )
        return 201, price_list_out(price_list)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/price-lists/{price_list_id}", response=PriceListOut, summary="Read a price list")
def get_price_list(request: HttpRequest, price_list_id: ObjectId) -> HttpResponse:
    return json_response(200, price_list_out(queries.price_list(tenant_id(request), price_list_id)))


@router.patch("/price-lists/{price_list_id}", response=PriceListOut, summary="Change a price list")
def update_price_list(
    request: HttpRequest, price_list_id: ObjectId, payload: PriceListPatch
) -> HttpResponse:
    """An inactive list stops its companies from ordering until it is active again."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        price_list = services.update_price_list(
            tenant_id=tenant,
            price_list_id=price_list_id,
            code=given(payload, "code"),
            name=given(payload, "name"),
            currency=given(payload, "currency"),
            is_active=given(payload, "is_active"),
        )
        return price_list_out(price_list)

    return run_change(run)


@router.get(
    "/price-lists/{price_list_id}/prices", response=PricePageOut, summary="Read tier ladders"
)
def list_prices(
    request: HttpRequest, price_list_id: ObjectId, filters: Query[PriceFilters]
) -> HttpResponse:
    """One page of SKUs priced on the list, each with its tier ladder (three queries)."""
    price_list = queries.price_list(tenant_id(request), price_list_id)
    skus, cursor = page(
        queries.priced_skus(price_list, sku_code=filters.sku), filters.after, filters.limit
    )
    ladders = queries.ladders(price_list.pk, [sku.pk for sku in skus])
    currency = price_list.currency
    items = [
        {
            "sku_id": sku.pk,
            "sku": sku.code,
            "tiers": services.ladder_out(ladders.get(sku.pk, []), currency),
        }
        for sku in skus
    ]
    return json_response(200, {"currency": currency, **page_body(items, cursor)})


@router.put(
    "/price-lists/{price_list_id}/prices", response=PriceChangeOut, summary="Replace tier ladders"
)
def replace_prices(
    request: HttpRequest, price_list_id: ObjectId, payload: PricesIn
) -> HttpResponse:
    """Up to 1,000 SKUs by code, each with its complete ladder (an empty one removes the
    price); SKUs not named keep theirs. All or nothing: a ladder whose minimums do not rise,
    start below 1 or has a negative price is refused (`invalid_tiers`), as is an unknown SKU
    (`unknown_sku`)."""
    tenant = tenant_id(request)
    entries = [
        services.PriceEntry(
            sku=entry.sku,
            tiers=[(tier.min_quantity, Decimal(tier.unit_price)) for tier in entry.tiers],
        )
        for entry in payload.entries
    ]

    def run() -> dict[str, Any]:
        change = services.replace_prices(
            tenant_id=tenant, price_list_id=price_list_id, entries=entries
        )
        return {"changed": change.changed, "unchanged": change.unchanged}

    return run_change(run)


# --- price list assignments ----------------------------------------------------------------


@router.get(
    "/price-lists/{price_list_id}/assignments",
    response=AssignmentPageOut,
    summary="Who a price list is offered to",
)
def list_assignments(
    request: HttpRequest, price_list_id: ObjectId, filters: Query[PageFilters]
) -> HttpResponse:
    rows = queries.assignments(tenant_id(request), price_list_id)
    return json_response(200, paged(rows, filters, assignment_out))


@router.post(
    "/price-lists/{price_list_id}/assignments",
    response={201: AssignmentOut},
    summary="Offer a price list to a company or a customer group",
)
def assign_price_list(
    request: HttpRequest,
    price_list_id: ObjectId,
    payload: AssignmentIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Give `company_id` or `customer_group_id`. Where several lists price a SKU, the highest
    `priority` wins, then a company's list before a group's; the company's base list comes
    last. A company must buy in the list's currency (422 `currency_mismatch`)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        assignment = services.assign_price_list(
            tenant_id=tenant,
            price_list_id=price_list_id,
            company_id=payload.company_id,
            customer_group_id=payload.customer_group_id,
            priority=payload.priority,
        )
        return 201, assignment_out(queries.assignment(tenant, price_list_id, assignment.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.patch(
    "/price-lists/{price_list_id}/assignments/{assignment_id}",
    response=AssignmentOut,
    summary="Change an assignment's priority",
)
def change_assignment(
    request: HttpRequest, price_list_id: ObjectId, assignment_id: ObjectId, payload: AssignmentPatch
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        if payload.priority is not None:
            services.change_assignment(
                tenant_id=tenant,
                price_list_id=price_list_id,
                assignment_id=assignment_id,
                priority=payload.priority,
            )
        return assignment_out(queries.assignment(tenant, price_list_id, assignment_id))

    return run_change(run)


@router.delete(
    "/price-lists/{price_list_id}/assignments/{assignment_id}",
    response={204: None},
    summary="Stop offering a price list to a company or group",
)
def remove_assignment(
    request: HttpRequest, price_list_id: ObjectId, assignment_id: ObjectId
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> None:
        services.remove_assignment(
            tenant_id=tenant, price_list_id=price_list_id, assignment_id=assignment_id
        )

    atomic_with_retry(run)
    return HttpResponse(status=204)


# --- contract prices -----------------------------------------------------------------------


@router.get(
    "/companies/{company_id}/contract-prices",
    response=ContractPricePageOut,
    summary="A company's contract prices",
)
def list_contract_prices(
    request: HttpRequest, company_id: ObjectId, filters: Query[ContractPriceFilters]
) -> HttpResponse:
    rows = queries.contract_prices(tenant_id(request), company_id, sku_id=filters.sku_id)
    return json_response(200, paged(rows, filters, contract_price_out))


@router.post(
    "/companies/{company_id}/contract-prices",
    response={201: ContractPriceOut},
    summary="Agree a price with a company",
)
def create_contract_price(
    request: HttpRequest,
    company_id: ObjectId,
    payload: ContractPriceIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """A tier ladder for one SKU over a period (`valid_until` inclusive; null: open-ended).
    It wins over every price list for the quantities it prices. Periods of one company and
    SKU never overlap (409 `contract_period_overlap`, naming the other contract)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        contract = services.create_contract_price(
            tenant_id=tenant,
            company_id=company_id,
            sku_id=payload.sku_id,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
            reference=payload.reference,
            tiers=tiers_in(payload.tiers),
        )
        return 201, contract_price_out(queries.contract_price(tenant, contract.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/contract-prices/{contract_id}", response=ContractPriceOut, summary="Read a contract price"
)
def get_contract_price(request: HttpRequest, contract_id: ObjectId) -> HttpResponse:
    return json_response(
        200, contract_price_out(queries.contract_price(tenant_id(request), contract_id))
    )


@router.patch(
    "/contract-prices/{contract_id}", response=ContractPriceOut, summary="Change a contract price"
)
def update_contract_price(
    request: HttpRequest, contract_id: ObjectId, payload: ContractPricePatch
) -> HttpResponse:
    """Fields left out stay as they are; `tiers` replaces the whole ladder."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_contract_price(
            tenant_id=tenant,
            contract_id=contract_id,
            valid_from=given(payload, "valid_from"),
            valid_until=given(payload, "valid_until"),
            reference=given(payload, "reference"),
            tiers=given(payload, "tiers", tiers_in),
        )
        return contract_price_out(queries.contract_price(tenant, contract_id))

    return run_change(run)


@router.delete(
    "/contract-prices/{contract_id}", response={204: None}, summary="Remove a contract price"
)
def delete_contract_price(request: HttpRequest, contract_id: ObjectId) -> HttpResponse:
    """Orders placed at it keep their prices."""
    tenant = tenant_id(request)
    atomic_with_retry(
        lambda: services.delete_contract_price(tenant_id=tenant, contract_id=contract_id)
    )
    return HttpResponse(status=204)


# --- promotions ----------------------------------------------------------------------------


def _targets(payload: PromotionIn) -> services.PromotionTargets:
    return services.PromotionTargets(
        category_ids=payload.category_ids,
        sku_ids=payload.sku_ids,
        customer_group_ids=payload.customer_group_ids,
    )


@router.get("/promotions", response=PromotionPageOut, summary="List promotions")
def list_promotions(request: HttpRequest, filters: Query[PromotionFilters]) -> HttpResponse:
    rows = queries.promotions(tenant_id(request), is_active=filters.is_active)
    return json_response(200, paged(rows, filters, promotion_out))


@router.post("/promotions", response={201: PromotionOut}, summary="Create a promotion")
def create_promotion(
    request: HttpRequest, payload: PromotionIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A percent (≤ 100) or an amount (with its currency) off each unit of the targeted
    SKUs and categories (with those below), from `starts_at` until before `ends_at`, for the
    listed customer groups (none: every company). Promotions never stack: the lowest price
    wins. Contract prices are lowered only with `applies_to_contract_prices`."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        promotion = services.create_promotion(
            tenant_id=tenant,
            code=payload.code,
            name=payload.name,
            kind=payload.kind,
            value=Decimal(payload.value),
            currency=payload.currency,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            applies_to_contract_prices=payload.applies_to_contract_prices,
            is_active=payload.is_active,
            targets=_targets(payload),
            seller_slug=payload.seller,
        )
        return 201, promotion_out(queries.promotion(tenant, promotion.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/promotions/{promotion_id}", response=PromotionOut, summary="Read a promotion")
def get_promotion(request: HttpRequest, promotion_id: ObjectId) -> HttpResponse:
    return json_response(200, promotion_out(queries.promotion(tenant_id(request), promotion_id)))


@router.patch("/promotions/{promotion_id}", response=PromotionOut, summary="Change a promotion")
def update_promotion(
    request: HttpRequest, promotion_id: ObjectId, payload: PromotionPatch
) -> HttpResponse:
    """Fields left out stay as they are; a list of ids replaces that set."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_promotion(
            tenant_id=tenant,
            promotion_id=promotion_id,
            name=given(payload, "name"),
            value=given(payload, "value", Decimal),
            currency=given(payload, "currency"),
            starts_at=given(payload, "starts_at"),
            ends_at=given(payload, "ends_at"),
            applies_to_contract_prices=given(payload, "applies_to_contract_prices"),
            is_active=given(payload, "is_active"),
            category_ids=given(payload, "category_ids"),
            sku_ids=given(payload, "sku_ids"),
            customer_group_ids=given(payload, "customer_group_ids"),
        )
        return promotion_out(queries.promotion(tenant, promotion_id))

    return run_change(run)


@router.post(
    "/promotions/{promotion_id}/deactivate", response=PromotionOut, summary="End a promotion now"
)
def deactivate_promotion(request: HttpRequest, promotion_id: ObjectId) -> HttpResponse:
    """It no longer lowers any price; orders placed keep theirs."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_promotion(tenant_id=tenant, promotion_id=promotion_id, is_active=False)
        return promotion_out(queries.promotion(tenant, promotion_id))

    return run_change(run)


# --- company SKU terms ---------------------------------------------------------------------


@router.get(
    "/companies/{company_id}/sku-terms", response=SkuTermsOut, summary="A company's SKU terms"
)
def get_sku_terms(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    rows = queries.sku_terms(tenant_id(request), company_id)
    return json_response(200, sku_terms_out(company_id, rows))


@router.put(
    "/companies/{company_id}/sku-terms",
    response=SkuTermsOut,
    summary="Replace a company's SKU terms",
)
def replace_sku_terms(
    request: HttpRequest, company_id: ObjectId, payload: SkuTermsIn
) -> HttpResponse:
    """The company's own minimum order quantity and pack size per SKU (null: the SKU's own);
    the given set replaces the one before, an empty list removes them all."""
    tenant = tenant_id(request)
    terms = [services.SkuTerms(t.sku_id, t.min_order_quantity, t.pack_size) for t in payload.terms]

    def run() -> dict[str, Any]:
        services.replace_sku_terms(tenant_id=tenant, company_id=company_id, terms=terms)
        return sku_terms_out(company_id, queries.sku_terms(tenant, company_id))

    return run_change(run)


# --- assortments ---------------------------------------------------------------------------


@router.get("/assortments", response=AssortmentPageOut, summary="List assortments")
def list_assortments(request: HttpRequest, filters: Query[PageFilters]) -> HttpResponse:
    return json_response(
        200, paged(queries.assortments(tenant_id(request)), filters, assortment_out)
    )


@router.post("/assortments", response={201: AssortmentOut}, summary="Create an assortment")
def create_assortment(
    request: HttpRequest, payload: AssortmentIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The SKUs its companies (and the companies of its groups) may see and buy: whole
    categories with the categories below, and single SKUs. A company in no assortment sees
    the whole catalogue."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        assortment = services.create_assortment(
            tenant_id=tenant,
            code=payload.code,
            name=payload.name,
            members=services.AssortmentMembers(
                category_ids=payload.category_ids,
                sku_ids=payload.sku_ids,
                company_ids=payload.company_ids,
                customer_group_ids=payload.customer_group_ids,
            ),
            seller_slug=payload.seller,
        )
        return 201, assortment_out(queries.assortment(tenant, assortment.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/assortments/{assortment_id}", response=AssortmentOut, summary="Read an assortment")
def get_assortment(request: HttpRequest, assortment_id: ObjectId) -> HttpResponse:
    return json_response(200, assortment_out(queries.assortment(tenant_id(request), assortment_id)))


@router.patch(
    "/assortments/{assortment_id}", response=AssortmentOut, summary="Change an assortment"
)
def update_assortment(
    request: HttpRequest, assortment_id: ObjectId, payload: AssortmentPatch
) -> HttpResponse:
    """Fields left out stay as they are; a list of ids replaces that set."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_assortment(
            tenant_id=tenant,
            assortment_id=assortment_id,
            code=given(payload, "code"),
            name=given(payload, "name"),
            category_ids=given(payload, "category_ids"),
            sku_ids=given(payload, "sku_ids"),
            company_ids=given(payload, "company_ids"),
            customer_group_ids=given(payload, "customer_group_ids"),
        )
        return assortment_out(queries.assortment(tenant, assortment_id))

    return run_change(run)


# --- why a line costs what it costs --------------------------------------------------------


@router.get(
    "/companies/{company_id}/price-explanation",
    response=ExplanationOut,
    summary="Why a quantity of a SKU costs what it costs for a company",
)
def explain_price(
    request: HttpRequest, company_id: ObjectId, filters: Query[ExplanationFilters]
) -> HttpResponse:
    """The unit price and line total, the source (contract or price list), the tier and the
    promotion, every source considered and why it was skipped, the company's minimum and
    pack size, and whether it may buy the SKU at all (`problems`, e.g. `not_in_assortment`)."""
    found = queries.explain(tenant_id(request), company_id, filters.sku, filters.quantity)
    return json_response(200, explanation_out(found))


@buyer_router.get(
    "/price-explanation",
    response=ExplanationOut,
    summary="Why a quantity of a SKU costs what it costs for my company",
)
def explain_my_price(request: HttpRequest, filters: Query[ExplanationFilters]) -> HttpResponse:
    """As the staff route, for the buyer's own company; a SKU outside its assortment is not
    found, as if it did not exist."""
    caller = buyer(request)
    assert caller.company_id is not None
    found = queries.explain(caller.tenant_id, caller.company_id, filters.sku, filters.quantity)
    if not found.visible:
        raise NotFound(
            f"No SKU {filters.sku}.",
            errors=[FieldError("sku", "unknown_sku", f"No SKU {filters.sku}")],
        )
    return json_response(200, explanation_out(found))
