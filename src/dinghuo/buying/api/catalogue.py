"""The company's catalogue: what one company can order, at its prices, with availability;
for staff (`GET /catalog?company_id=`) and for a buyer's own company (`GET /my/catalog`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import json_response
from dinghuo.api.pagination import parse_cursor
from dinghuo.buying import catalogue
from dinghuo.buying.schemas.catalogue import (
    CatalogueFilters,
    CataloguePageOut,
    MyCatalogueFilters,
    catalogue_item_out,
)

# No tags of their own: each route names the tag it had in the catalog app.
router = Router()
buyer_router = Router()


def _catalogue_page(tenant: int, company_id: int, filters: MyCatalogueFilters) -> dict[str, Any]:
    result = catalogue.buyer_catalogue(
        tenant,
        company_id,
        after_id=parse_cursor(filters.after),
        limit=filters.limit,
        category_id=filters.category_id,
        q=filters.q,
    )
    next_cursor = None if result.next_after is None else str(result.next_after)
    items = [catalogue_item_out(entry, result.currency) for entry in result.entries]
    return {"currency": result.currency, "items": items, "next_cursor": next_cursor}


# Moved from the catalog app: the id and tag a generated client knows them by stay the same.
@router.get(
    "/catalog",
    response=CataloguePageOut,
    summary="A company's catalogue",
    operation_id="dinghuo_catalog_api_buyer_catalogue",
    tags=["catalog"],
    auth=staff_may("prices.view"),
)
def buyer_catalogue(request: HttpRequest, filters: Query[CatalogueFilters]) -> HttpResponse:
    """The active SKUs of active products the company may see (its assortment) and that one
    of its price lists or a valid contract prices, each with the ladder the company gets
    (contract or list, promotion applied), the price of one unit, its own minimum and pack
    size, and what is available now. A constant number of queries whatever the page size."""
    return json_response(200, _catalogue_page(tenant_id(request), filters.company_id, filters))


@buyer_router.get(
    "/catalog",
    response=CataloguePageOut,
    summary="My company's catalogue",
    operation_id="dinghuo_catalog_api_my_catalogue",
    tags=["buyer: catalog"],
)
def my_catalogue(request: HttpRequest, filters: Query[MyCatalogueFilters]) -> HttpResponse:
    """The catalogue of the buyer's own company, as `GET /catalog` gives it to staff."""
    caller = buyer(request)
    assert caller.company_id is not None
    return json_response(200, _catalogue_page(caller.tenant_id, caller.company_id, filters))
