"""Price lists over HTTP: the lists, and the tier ladders of their SKUs."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import page, page_body, paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, given
from dinghuo.pricing import queries, services
from dinghuo.pricing.models import PriceList
from dinghuo.pricing.schemas import (
    LaddersReplacedOut,
    PriceFilters,
    PriceListFilters,
    PriceListIn,
    PriceListOut,
    PriceListPageOut,
    PriceListPatch,
    PricePageOut,
    PricesIn,
    price_list_out,
)

router = Router(tags=["pricing"])


@router.get(
    "/price-lists",
    response=PriceListPageOut,
    summary="List price lists",
    auth=staff_may("prices.view"),
)
def list_price_lists(request: HttpRequest, filters: Query[PriceListFilters]) -> HttpResponse:
    price_lists = queries.price_lists(tenant_id(request), is_active=filters.is_active)
    return json_response(200, paged(price_lists, filters, price_list_out))


@router.post(
    "/price-lists",
    response={201: PriceListOut},
    summary="Create a price list",
    auth=staff_may("prices.change"),
)
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
            prices_include_tax=payload.prices_include_tax,
        )
        return 201, price_list_out(price_list)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/price-lists/{price_list_id}",
    response=PriceListOut,
    summary="Read a price list",
    auth=staff_may("prices.view"),
)
def get_price_list(request: HttpRequest, price_list_id: ObjectId) -> HttpResponse:
    """With its `ETag`, for `If-Match` on PATCH."""
    return tagged(200, price_list_out(queries.price_list(tenant_id(request), price_list_id)))


@router.patch(
    "/price-lists/{price_list_id}",
    response=PriceListOut,
    summary="Change a price list",
    auth=staff_may("prices.change"),
)
def update_price_list(
    request: HttpRequest,
    price_list_id: ObjectId,
    payload: PriceListPatch,
    if_match: IfMatch = None,
) -> HttpResponse:
    """An inactive list stops its companies from ordering until it is active again. With
    `If-Match`, only if the list is unchanged."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        price_list = services.update_price_list(
            tenant_id=tenant,
            price_list_id=price_list_id,
            code=given(payload, "code"),
            name=given(payload, "name"),
            currency=given(payload, "currency"),
            is_active=given(payload, "is_active"),
            prices_include_tax=given(payload, "prices_include_tax"),
        )
        return price_list_out(price_list)

    return run_guarded(
        if_match,
        lock=lambda: PriceList.objects.filter(tenant_id=tenant, pk=price_list_id),
        read=lambda: price_list_out(queries.price_list(tenant, price_list_id)),
        change=run,
    )


@router.get(
    "/price-lists/{price_list_id}/prices",
    response=PricePageOut,
    summary="Read tier ladders",
    auth=staff_may("prices.view"),
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
    "/price-lists/{price_list_id}/prices",
    response=LaddersReplacedOut,
    summary="Replace tier ladders",
    auth=staff_may("prices.change"),
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
