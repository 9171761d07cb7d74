"""Tax over HTTP: a seller's tax rates (by tax category and destination, with validity
dates) and its tax policy (rounding per line or per document). Tax categories are the
catalogue's (`/tax-categories`)."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, seller_rows, tagged
from dinghuo.api.idempotent import json_response, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, SellerFilter, given
from dinghuo.core.db import atomic_with_retry
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import TaxPolicy, TaxRate
from dinghuo.pricing.tax import Rounding
from dinghuo.pricing.tax_schemas import (
    TaxPolicyIn,
    TaxPolicyOut,
    TaxRateFilters,
    TaxRateIn,
    TaxRateOut,
    TaxRatePageOut,
    TaxRatePatch,
    names,
    tax_rate_out,
)

router = Router(tags=["tax"])


@router.get(
    "/tax-rates", response=TaxRatePageOut, summary="List tax rates", auth=staff_may("prices.view")
)
def list_tax_rates(request: HttpRequest, filters: Query[TaxRateFilters]) -> HttpResponse:
    rates = queries.tax_rates(
        tenant_id(request), country=filters.country, category_id=filters.category_id
    )
    return json_response(200, paged(rates, filters, tax_rate_out))


@router.post(
    "/tax-rates",
    response={201: TaxRateOut},
    summary="Create a tax rate",
    auth=staff_may("prices.change"),
)
def create_tax_rate(
    request: HttpRequest, payload: TaxRateIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A rate for a tax category (or the destination's general rate) to a country or one of
    its regions, from a day (to a day). Rates of one category and destination never overlap
    (409 `tax_rate_overlaps`); an unknown category is `unknown_tax_category`, a percent above
    100 `percent_out_of_range`, an end before the start `period_not_ordered`."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        rate = services.create_tax_rate(
            tenant_id=tenant,
            seller_slug=payload.seller,
            category_id=payload.category_id,
            country=payload.country,
            region=payload.region,
            name=names(payload.name),
            percent=Decimal(payload.percent),
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
        )
        return 201, tax_rate_out(queries.tax_rate(tenant, rate.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/tax-rates/{tax_rate_id}",
    response=TaxRateOut,
    summary="Read a tax rate",
    auth=staff_may("prices.view"),
)
def get_tax_rate(request: HttpRequest, tax_rate_id: ObjectId) -> HttpResponse:
    return tagged(200, tax_rate_out(queries.tax_rate(tenant_id(request), tax_rate_id)))


@router.patch(
    "/tax-rates/{tax_rate_id}",
    response=TaxRateOut,
    summary="Change a tax rate",
    auth=staff_may("prices.change"),
)
def update_tax_rate(
    request: HttpRequest, tax_rate_id: ObjectId, payload: TaxRatePatch, if_match: IfMatch = None
) -> HttpResponse:
    """Fields left out stay as they are. Placed orders keep the percent they were charged."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_tax_rate(
            tenant_id=tenant,
            tax_rate_id=tax_rate_id,
            name=given(payload, "name", names),
            percent=given(payload, "percent", Decimal),
            valid_from=given(payload, "valid_from"),
            valid_until=given(payload, "valid_until"),
        )
        return tax_rate_out(queries.tax_rate(tenant, tax_rate_id))

    return run_guarded(
        if_match,
        lock=lambda: TaxRate.objects.filter(tenant_id=tenant, pk=tax_rate_id),
        read=lambda: tax_rate_out(queries.tax_rate(tenant, tax_rate_id)),
        change=run,
    )


@router.delete(
    "/tax-rates/{tax_rate_id}",
    response={204: None},
    summary="Delete a tax rate",
    auth=staff_may("prices.change"),
)
def delete_tax_rate(request: HttpRequest, tax_rate_id: ObjectId) -> HttpResponse:
    """Only a rate no order was charged; else 409 `tax_rate_in_use` (end it instead)."""
    tenant = tenant_id(request)
    atomic_with_retry(lambda: services.delete_tax_rate(tenant_id=tenant, tax_rate_id=tax_rate_id))
    return HttpResponse(status=204)


@router.get(
    "/tax-policy",
    response=TaxPolicyOut,
    summary="Read a seller's tax policy",
    auth=staff_may("prices.view"),
)
def get_tax_policy(request: HttpRequest, filters: Query[SellerFilter]) -> HttpResponse:
    """With its `ETag`, for `If-Match` on PUT."""
    slug, rounding = queries.tax_policy(tenant_id(request), filters.seller)
    return tagged(200, {"seller": slug, "rounding": str(rounding)})


@router.put(
    "/tax-policy",
    response=TaxPolicyOut,
    summary="Set a seller's tax policy",
    auth=staff_may("settings.change"),
)
def set_tax_policy(
    request: HttpRequest, payload: TaxPolicyIn, if_match: IfMatch = None
) -> HttpResponse:
    """How tax is rounded to the currency's minor units on orders placed from now: per line,
    or per document (per rate, shared among its lines so that they still add up)."""
    tenant = tenant_id(request)

    def change() -> dict[str, object]:
        services.set_tax_policy(
            tenant_id=tenant, seller_slug=payload.seller, rounding=Rounding(payload.rounding)
        )
        slug, rounding = queries.tax_policy(tenant, payload.seller)
        return {"seller": slug, "rounding": str(rounding)}

    def current() -> dict[str, object]:
        slug, rounding = queries.tax_policy(tenant, payload.seller)
        return {"seller": slug, "rounding": str(rounding)}

    return run_guarded(
        if_match,
        lock=lambda: seller_rows(tenant, payload.seller, TaxPolicy),
        read=current,
        change=change,
    )
