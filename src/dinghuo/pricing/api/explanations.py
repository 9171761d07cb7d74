"""Why a quantity of a SKU costs what it costs for a company, over HTTP: for staff, and for a
buyer's own company."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import json_response
from dinghuo.api.schemas import ObjectId
from dinghuo.core.errors import FieldError, NotFound
from dinghuo.pricing import queries
from dinghuo.pricing.schemas import (
    ExplanationFilters,
    ExplanationOut,
    explanation_out,
)

router = Router(tags=["pricing"])
buyer_router = Router(tags=["buyer: pricing"])


@router.get(
    "/companies/{company_id}/price-explanation",
    response=ExplanationOut,
    summary="Why a quantity of a SKU costs what it costs for a company",
    auth=staff_may("prices.view"),
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
