"""A company's own SKU terms over HTTP: minimum order quantity and pack size per SKU."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change
from dinghuo.api.schemas import ObjectId
from dinghuo.pricing import queries, services
from dinghuo.pricing.schemas import (
    SkuTermsIn,
    SkuTermsOut,
    sku_terms_out,
)

router = Router(tags=["pricing"])


@router.get(
    "/companies/{company_id}/sku-terms",
    response=SkuTermsOut,
    summary="A company's SKU terms",
    auth=staff_may("prices.view"),
)
def get_sku_terms(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    rows = queries.sku_terms(tenant_id(request), company_id)
    return json_response(200, sku_terms_out(company_id, rows))


@router.put(
    "/companies/{company_id}/sku-terms",
    response=SkuTermsOut,
    summary="Replace a company's SKU terms",
    auth=staff_may("prices.change"),
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
