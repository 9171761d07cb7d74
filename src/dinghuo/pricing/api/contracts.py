"""Contract prices over HTTP: a tier ladder agreed with one company for one SKU over a
period."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import json_response, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, given
from dinghuo.core.db import atomic_with_retry
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import ContractPrice
from dinghuo.pricing.schemas import (
    ContractPriceFilters,
    ContractPriceIn,
    ContractPriceOut,
    ContractPricePageOut,
    ContractPricePatch,
    contract_price_out,
    tiers_in,
)

router = Router(tags=["pricing"])


@router.get(
    "/companies/{company_id}/contract-prices",
    response=ContractPricePageOut,
    summary="A company's contract prices",
    auth=staff_may("prices.view"),
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
    auth=staff_may("prices.change"),
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
    "/contract-prices/{contract_id}",
    response=ContractPriceOut,
    summary="Read a contract price",
    auth=staff_may("prices.view"),
)
def get_contract_price(request: HttpRequest, contract_id: ObjectId) -> HttpResponse:
    return tagged(200, contract_price_out(queries.contract_price(tenant_id(request), contract_id)))


@router.patch(
    "/contract-prices/{contract_id}",
    response=ContractPriceOut,
    summary="Change a contract price",
    auth=staff_may("prices.change"),
)
def update_contract_price(
    request: HttpRequest,
    contract_id: ObjectId,
    payload: ContractPricePatch,
    if_match: IfMatch = None,
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

    return run_guarded(
        if_match,
        lock=lambda: ContractPrice.objects.filter(tenant_id=tenant, pk=contract_id),
        read=lambda: contract_price_out(queries.contract_price(tenant, contract_id)),
        change=run,
    )


@router.delete(
    "/contract-prices/{contract_id}",
    response={204: None},
    summary="Remove a contract price",
    auth=staff_may("prices.change"),
)
def delete_contract_price(request: HttpRequest, contract_id: ObjectId) -> HttpResponse:
    """Orders placed at it keep their prices."""
    tenant = tenant_id(request)
    atomic_with_retry(
        lambda: services.delete_contract_price(tenant_id=tenant, contract_id=contract_id)
    )
    return HttpResponse(status=204)
