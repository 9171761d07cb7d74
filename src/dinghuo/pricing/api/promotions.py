"""Promotions over HTTP: a percent or an amount off some SKUs and categories, for a while."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, given
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import Promotion
from dinghuo.pricing.schemas import (
    PromotionFilters,
    PromotionIn,
    PromotionOut,
    PromotionPageOut,
    PromotionPatch,
    promotion_out,
)

router = Router(tags=["pricing"])


def _targets(payload: PromotionIn) -> services.PromotionTargets:
    return services.PromotionTargets(
        category_ids=payload.category_ids,
        sku_ids=payload.sku_ids,
        customer_group_ids=payload.customer_group_ids,
    )


@router.get(
    "/promotions",
    response=PromotionPageOut,
    summary="List promotions",
    auth=staff_may("prices.view"),
)
def list_promotions(request: HttpRequest, filters: Query[PromotionFilters]) -> HttpResponse:
    rows = queries.promotions(tenant_id(request), is_active=filters.is_active)
    return json_response(200, paged(rows, filters, promotion_out))


@router.post(
    "/promotions",
    response={201: PromotionOut},
    summary="Create a promotion",
    auth=staff_may("prices.change"),
)
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


@router.get(
    "/promotions/{promotion_id}",
    response=PromotionOut,
    summary="Read a promotion",
    auth=staff_may("prices.view"),
)
def get_promotion(request: HttpRequest, promotion_id: ObjectId) -> HttpResponse:
    return tagged(200, promotion_out(queries.promotion(tenant_id(request), promotion_id)))


@router.patch(
    "/promotions/{promotion_id}",
    response=PromotionOut,
    summary="Change a promotion",
    auth=staff_may("prices.change"),
)
def update_promotion(
    request: HttpRequest, promotion_id: ObjectId, payload: PromotionPatch, if_match: IfMatch = None
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

    return run_guarded(
        if_match,
        lock=lambda: Promotion.objects.filter(tenant_id=tenant, pk=promotion_id),
        read=lambda: promotion_out(queries.promotion(tenant, promotion_id)),
        change=run,
    )


@router.post(
    "/promotions/{promotion_id}/deactivate",
    response=PromotionOut,
    summary="End a promotion now",
    auth=staff_may("prices.change"),
)
def deactivate_promotion(request: HttpRequest, promotion_id: ObjectId) -> HttpResponse:
    """It no longer lowers any price; orders placed keep theirs."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_promotion(tenant_id=tenant, promotion_id=promotion_id, is_active=False)
        return promotion_out(queries.promotion(tenant, promotion_id))

    return run_change(run)
