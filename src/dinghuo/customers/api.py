"""Buyer companies over HTTP: companies, their locations (ship-to, bill-to) and their users."""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field, StringConstraints

from dinghuo.api.auth import tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters
from dinghuo.customers import queries, services
from dinghuo.customers.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPageOut,
    CompanyPatch,
    CompanyUserIn,
    CompanyUserOut,
    CompanyUserPageOut,
    CompanyUserPatch,
    LocationIn,
    LocationKind,
    LocationOut,
    LocationPageOut,
    LocationPatch,
    Role,
    company_out,
    company_summary_out,
    company_user_out,
    location_out,
)

router = Router(tags=["customers"])


class CompanyFilters(PageFilters):
    is_active: bool | None = None
    q: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="Part of the code or name"
    )


class LocationFilters(PageFilters):
    kind: LocationKind | None = None
    is_active: bool | None = None


class CompanyUserFilters(PageFilters):
    role: Role | None = None


def _company_detail(tenant: int, company_id: int) -> dict[str, Any]:
    return company_out(queries.company_detail(tenant, company_id))


# Companies


@router.get("/companies", response=CompanyPageOut, summary="List companies")
def list_companies(request: HttpRequest, filters: Query[CompanyFilters]) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` with `after`."""
    companies = queries.companies(tenant_id(request), is_active=filters.is_active, q=filters.q)
    return paged(companies, filters, company_summary_out)


@router.post("/companies", response={201: CompanyOut}, summary="Create a company")
def create_company(
    request: HttpRequest, payload: CompanyIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The code is unique in the tenant (409 `company_code_taken`)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        company = services.create_company(
            tenant_id=tenant,
            code=payload.code,
            name=payload.name,
            price_list_id=payload.price_list_id,
        )
        return 201, _company_detail(tenant, company.pk)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/companies/{company_id}", response=CompanyOut, summary="Read a company")
def get_company(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """With its locations and users."""
    return json_response(200, _company_detail(tenant_id(request), company_id))


@router.patch("/companies/{company_id}", response=CompanyOut, summary="Change a company")
def update_company(
    request: HttpRequest, company_id: ObjectId, payload: CompanyPatch
) -> HttpResponse:
    """Fields left out stay as they are."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_company(
            tenant_id=tenant, company_id=company_id, **payload.model_dump(exclude_unset=True)
        )
        return _company_detail(tenant, company_id)

    return run_change(run)


def _set_company_active(request: HttpRequest, company_id: int, active: bool) -> HttpResponse:
    tenant = tenant_id(request)
    change = services.activate_company if active else services.deactivate_company

    def run() -> dict[str, Any]:
        change(tenant_id=tenant, company_id=company_id)
        return _company_detail(tenant, company_id)

    return run_change(run)


@router.post(
    "/companies/{company_id}/deactivate", response=CompanyOut, summary="Deactivate a company"
)
def deactivate_company(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """The company can no longer order; placed orders go on."""
    return _set_company_active(request, company_id, False)


@router.post("/companies/{company_id}/activate", response=CompanyOut, summary="Activate a company")
def activate_company(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    return _set_company_active(request, company_id, True)


# Locations


@router.get("/companies/{company_id}/locations", response=LocationPageOut, summary="List locations")
def list_locations(
    request: HttpRequest, company_id: ObjectId, filters: Query[LocationFilters]
) -> dict[str, Any]:
    locations = queries.locations(
        tenant_id(request), company_id, kind=filters.kind, is_active=filters.is_active
    )
    return paged(locations, filters, location_out)


@router.post(
    "/companies/{company_id}/locations", response={201: LocationOut}, summary="Add a location"
)
def create_location(
    request: HttpRequest,
    company_id: ObjectId,
    payload: LocationIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """A ship-to or bill-to address; `country` is an ISO 3166-1 alpha-2 code in upper case."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        location = services.create_location(
            tenant_id=tenant, company_id=company_id, **payload.model_dump()
        )
        return 201, location_out(location)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.patch(
    "/companies/{company_id}/locations/{location_id}",
    response=LocationOut,
    summary="Change a location",
)
def update_location(
    request: HttpRequest, company_id: ObjectId, location_id: ObjectId, payload: LocationPatch
) -> HttpResponse:
    """Fields left out stay as they are; `is_active: false` stops new orders to it."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        location = services.update_location(
            tenant_id=tenant,
            company_id=company_id,
            location_id=location_id,
            **payload.model_dump(exclude_unset=True),
        )
        return location_out(location)

    return run_change(run)


# Company users


@router.get(
    "/companies/{company_id}/users", response=CompanyUserPageOut, summary="List company users"
)
def list_company_users(
    request: HttpRequest, company_id: ObjectId, filters: Query[CompanyUserFilters]
) -> dict[str, Any]:
    users = queries.company_users(tenant_id(request), company_id, role=filters.role)
    return paged(users, filters, company_user_out)


@router.post(
    "/companies/{company_id}/users", response={201: CompanyUserOut}, summary="Add a company user"
)
def create_company_user(
    request: HttpRequest,
    company_id: ObjectId,
    payload: CompanyUserIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Creates the sign-in (username = email) with no usable password until they set one.

    An email that already has an account answers 409 `email_taken`.
    """
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        member = services.create_company_user(
            tenant_id=tenant, company_id=company_id, **payload.model_dump()
        )
        return 201, company_user_out(member)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.patch(
    "/companies/{company_id}/users/{user_id}",
    response=CompanyUserOut,
    summary="Change a company user",
)
def update_company_user(
    request: HttpRequest, company_id: ObjectId, user_id: ObjectId, payload: CompanyUserPatch
) -> HttpResponse:
    """Role, name, and whether the user may sign in (`is_active`)."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_company_user(
            tenant_id=tenant,
            company_id=company_id,
            company_user_id=user_id,
            **payload.model_dump(exclude_unset=True),
        )
        return company_user_out(queries.company_user(tenant, company_id, user_id))

    return run_change(run)
