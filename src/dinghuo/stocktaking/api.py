"""Stock counts over HTTP: start a count, read counts and their lines, record what was found
(blind: what the ledger says shows only from review on), send to review or back to
counting, post the variances as adjustments, cancel."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import Code, IdempotencyKey, ObjectId
from dinghuo.stocktaking import queries, services
from dinghuo.stocktaking.models import StockCount
from dinghuo.stocktaking.schemas import (
    CountedIn,
    CountFilters,
    CountIn,
    CountLineFilters,
    CountLineOut,
    CountLinePageOut,
    CountOut,
    CountPageOut,
    RecountIn,
    count_out,
    line_out,
)

router = Router(tags=["stock counts"])


def _detail(tenant: int, count_id: int) -> dict[str, Any]:
    return count_out(queries.count(tenant, count_id))


def _guarded(request: HttpRequest, count_id: int, if_match: str | None, change: Any) -> Any:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        change(tenant)
        return _detail(tenant, count_id)

    return run_guarded(
        if_match,
        lock=lambda: StockCount.objects.filter(tenant_id=tenant, pk=count_id),
        read=lambda: _detail(tenant, count_id),
        change=run,
    )


@router.post(
    "/stock-counts",
    response={201: CountOut},
    summary="Start a stock count",
    auth=staff_may("stock.count"),
)
def start_count(
    request: HttpRequest, payload: CountIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A count of one warehouse, whole or of chosen categories (and those below them): a
    line for every SKU in scope. 422 `unknown_warehouse`, `unknown_category`."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        made = services.start_count(
            tenant_id=tenant,
            warehouse_code=payload.warehouse,
            category_ids=payload.category_ids,
            note=payload.note,
        )
        return 201, _detail(tenant, made.pk)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/stock-counts",
    response=CountPageOut,
    summary="List stock counts",
    auth=staff_may("stock.view"),
)
def list_counts(request: HttpRequest, filters: Query[CountFilters]) -> dict[str, Any]:
    """Oldest first; by status or warehouse."""
    found = queries.counts(
        tenant_id(request), status=filters.status, warehouse_code=filters.warehouse
    ).prefetch_related("categories")
    return paged(found, filters, count_out)


@router.get(
    "/stock-counts/{count_id}",
    response=CountOut,
    summary="Read a stock count",
    auth=staff_may("stock.view"),
)
def get_count(request: HttpRequest, count_id: ObjectId) -> HttpResponse:
    return tagged(200, _detail(tenant_id(request), count_id))


@router.get(
    "/stock-counts/{count_id}/lines",
    response=CountLinePageOut,
    summary="List a stock count's lines",
    auth=staff_may("stock.view"),
)
def list_count_lines(
    request: HttpRequest, count_id: ObjectId, filters: Query[CountLineFilters]
) -> dict[str, Any]:
    """In line order. While the count is open or being counted, `on_hand_at_count` and
    `variance` are null: counting is blind."""
    count = queries.count(tenant_id(request), count_id)
    found = queries.lines(count, only_variances=filters.only_variances)
    return paged(found, filters, lambda line: line_out(count, line))


@router.put(
    "/stock-counts/{count_id}/lines/{sku}",
    response=CountLineOut,
    summary="Record a counted quantity",
    auth=staff_may("stock.count"),
)
def put_counted(
    request: HttpRequest,
    count_id: ObjectId,
    sku: Path[Code],
    payload: CountedIn,
) -> HttpResponse:
    """What was found of one SKU (by code): 0 or more units; a recount replaces it. The line
    keeps the on-hand quantity of that moment. 422 `unknown_sku`, `sku_out_of_scope`; 409
    `invalid_count_status` once the count is in review, posted or cancelled."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        line = services.record_count(
            tenant_id=tenant, count_id=count_id, sku_code=sku, counted=payload.counted
        )
        count = queries.count(tenant, count_id)
        return line_out(count, queries.lines(count).get(pk=line.pk))

    return run_change(change)


@router.post(
    "/stock-counts/{count_id}/submit",
    response=CountOut,
    summary="Send a stock count to review",
    auth=staff_may("stock.count"),
)
def submit_count(request: HttpRequest, count_id: ObjectId, if_match: IfMatch = None) -> Any:
    """Counting is done. Lines not counted are not adjusted when the count is posted."""
    return _guarded(
        request,
        count_id,
        if_match,
        lambda tenant: services.submit_count(tenant_id=tenant, count_id=count_id),
    )


@router.post(
    "/stock-counts/{count_id}/recount",
    response=CountOut,
    summary="Send a stock count back for recount",
    auth=staff_may("stock.count_post"),
)
def recount(
    request: HttpRequest, count_id: ObjectId, payload: RecountIn, if_match: IfMatch = None
) -> Any:
    """Back to counting; the lines named lose their count and are counted again."""
    return _guarded(
        request,
        count_id,
        if_match,
        lambda tenant: services.send_back(
            tenant_id=tenant, count_id=count_id, line_ids=payload.line_ids
        ),
    )


@router.post(
    "/stock-counts/{count_id}/post",
    response=CountOut,
    summary="Post a stock count",
    auth=staff_may("stock.count_post"),
)
def post_count(request: HttpRequest, count_id: ObjectId, if_match: IfMatch = None) -> Any:
    """Every counted line's variance (counted − on hand when it was counted) becomes an
    adjustment with reason "stock count" and the count's reference, all or none: what moved
    since counting is kept. 409 `below_reserved` (naming `lines[<sku>].counted`) when a level
    would fall below what orders reserved."""
    return _guarded(
        request,
        count_id,
        if_match,
        lambda tenant: services.post_count(tenant_id=tenant, count_id=count_id),
    )


@router.post(
    "/stock-counts/{count_id}/cancel",
    response=CountOut,
    summary="Cancel a stock count",
    auth=staff_may("stock.count_post"),
)
def cancel_count(request: HttpRequest, count_id: ObjectId, if_match: IfMatch = None) -> Any:
    """Stock stays as it is."""
    return _guarded(
        request,
        count_id,
        if_match,
        lambda tenant: services.cancel_count(tenant_id=tenant, count_id=count_id),
    )
