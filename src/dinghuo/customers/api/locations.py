"""A company's locations over HTTP (staff routes; a company admin's own are in `my`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.customers import queries
from dinghuo.customers.api.shared import (
    LocationFilters,
    add_location,
    change_location,
    read_location,
)
from dinghuo.customers.schemas import (
    LocationIn,
    LocationOut,
    LocationPageOut,
    LocationPatch,
    location_out,
)

router = Router(tags=["customers"])


@router.get(
    "/companies/{company_id}/locations",
    response=LocationPageOut,
    summary="List locations",
    auth=staff_may("customers.view"),
)
def list_locations(
    request: HttpRequest, company_id: ObjectId, filters: Query[LocationFilters]
) -> dict[str, Any]:
    locations = queries.locations(
        tenant_id(request), company_id, kind=filters.kind, is_active=filters.is_active
    )
    return paged(locations, filters, location_out)


@router.post(
    "/companies/{company_id}/locations",
    response={201: LocationOut},
    summary="Add a location",
    auth=staff_may("customers.change"),
)
def create_location(
    request: HttpRequest,
    company_id: ObjectId,
    payload: LocationIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """A ship-to or bill-to address; `country` is an ISO 3166-1 alpha-2 code in upper case."""
    return add_location(request, company_id, payload, idempotency_key)


@router.get(
    "/companies/{company_id}/locations/{location_id}",
    response=LocationOut,
    summary="Read a location",
    auth=staff_may("customers.view"),
)
def get_location(request: HttpRequest, company_id: ObjectId, location_id: ObjectId) -> HttpResponse:
    """With its `ETag` for `If-Match` on PATCH."""
    return read_location(request, company_id, location_id)


@router.patch(
    "/companies/{company_id}/locations/{location_id}",
    response=LocationOut,
    summary="Change a location",
    auth=staff_may("customers.change"),
)
def update_location(
    request: HttpRequest,
    company_id: ObjectId,
    location_id: ObjectId,
    payload: LocationPatch,
    if_match: IfMatch = None,
) -> HttpResponse:
    """Fields left out stay as they are; `is_active: false` stops new orders to it. With
    `If-Match`, only if the location is unchanged."""
    return change_location(request, company_id, location_id, payload, if_match)
