"""Assortments over HTTP: the SKUs some companies may see and buy."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import json_response, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import Assortment
from dinghuo.pricing.schemas import (
    AssortmentIn,
    AssortmentOut,
    AssortmentPageOut,
    AssortmentPatch,
    assortment_out,
)

router = Router(tags=["pricing"])


@router.get(
    "/assortments",
    response=AssortmentPageOut,
    summary="List assortments",
    auth=staff_may("prices.view"),
)
def list_assortments(request: HttpRequest, filters: Query[PageFilters]) -> HttpResponse:
    return json_response(
        200, paged(queries.assortments(tenant_id(request)), filters, assortment_out)
    )


@router.post(
    "/assortments",
    response={201: AssortmentOut},
    summary="Create an assortment",
    auth=staff_may("prices.change"),
)
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


@router.get(
    "/assortments/{assortment_id}",
    response=AssortmentOut,
    summary="Read an assortment",
    auth=staff_may("prices.view"),
)
def get_assortment(request: HttpRequest, assortment_id: ObjectId) -> HttpResponse:
    return tagged(200, assortment_out(queries.assortment(tenant_id(request), assortment_id)))


@router.patch(
    "/assortments/{assortment_id}",
    response=AssortmentOut,
    summary="Change an assortment",
    auth=staff_may("prices.change"),
)
def update_assortment(
    request: HttpRequest,
    assortment_id: ObjectId,
    payload: AssortmentPatch,
    if_match: IfMatch = None,
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

    return run_guarded(
        if_match,
        lock=lambda: Assortment.objects.filter(tenant_id=tenant, pk=assortment_id),
        read=lambda: assortment_out(queries.assortment(tenant, assortment_id)),
        change=run,
    )
