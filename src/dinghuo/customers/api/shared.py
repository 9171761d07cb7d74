"""Filters and writes that a staff route and a company admin's own route (/my) share."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from dinghuo.api.auth import tenant_id
from dinghuo.api.etags import run_guarded, tagged
from dinghuo.api.idempotent import run_change, run_create
from dinghuo.api.schemas import PageFilters, given
from dinghuo.customers import queries, services
from dinghuo.customers.models import CompanyUser, Location
from dinghuo.customers.schemas import (
    CompanyUserIn,
    CompanyUserPatch,
    LocationIn,
    LocationKind,
    LocationPatch,
    Role,
    amount_or_none,
    company_user_out,
    location_out,
)


class LocationFilters(PageFilters):
    kind: LocationKind | None = None
    is_active: bool | None = None


class CompanyUserFilters(PageFilters):
    role: Role | None = None


def add_location(
    request: HttpRequest, company_id: int, payload: LocationIn, key: str | None
) -> HttpResponse:
    """Create a location of the company, once per Idempotency-Key."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        location = services.create_location(
            tenant_id=tenant, company_id=company_id, **payload.model_dump()
        )
        return 201, location_out(location)

    return run_create(request, key, payload.model_dump(mode="json"), create)


def read_location(request: HttpRequest, company_id: int, location_id: int) -> HttpResponse:
    """One of the company's locations, with its `ETag`."""
    return tagged(200, location_out(queries.location(tenant_id(request), company_id, location_id)))


def change_location(
    request: HttpRequest,
    company_id: int,
    location_id: int,
    payload: LocationPatch,
    if_match: str | None,
) -> HttpResponse:
    """Change what the payload gives of one of the company's locations; with `If-Match`,
    only if it still answers with that tag."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        location = services.update_location(
            tenant_id=tenant,
            company_id=company_id,
            location_id=location_id,
            **payload.model_dump(exclude_unset=True),
        )
        return location_out(location)

    return run_guarded(
        if_match,
        lock=lambda: Location.objects.filter(
            tenant_id=tenant, company_id=company_id, pk=location_id
        ),
        read=lambda: location_out(queries.location(tenant, company_id, location_id)),
        change=run,
    )


def add_user(
    request: HttpRequest, company_id: int, payload: CompanyUserIn, key: str | None
) -> HttpResponse:
    """Create a user of the company, once per Idempotency-Key."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        member = services.create_company_user(
            tenant_id=tenant,
            company_id=company_id,
            email=payload.email,
            name=payload.name,
            role=payload.role,
            spending_limit=amount_or_none(payload.spending_limit),
        )
        return 201, company_user_out(queries.company_user(tenant, company_id, member.pk))

    return run_create(request, key, payload.model_dump(mode="json"), create)


def read_user(request: HttpRequest, company_id: int, user_id: int) -> HttpResponse:
    """One of the company's users, with its `ETag`."""
    return tagged(
        200, company_user_out(queries.company_user(tenant_id(request), company_id, user_id))
    )


def change_user(
    request: HttpRequest,
    company_id: int,
    user_id: int,
    payload: CompanyUserPatch,
    if_match: str | None,
) -> HttpResponse:
    """Change what the payload gives of one of the company's users; with `If-Match`, only if
    they still answer with that tag."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_company_user(
            tenant_id=tenant,
            company_id=company_id,
            company_user_id=user_id,
            name=given(payload, "name"),
            role=given(payload, "role"),
            is_active=given(payload, "is_active"),
            spending_limit=given(payload, "spending_limit", amount_or_none),
        )
        return company_user_out(queries.company_user(tenant, company_id, user_id))

    return run_guarded(
        if_match,
        lock=lambda: CompanyUser.objects.filter(
            tenant_id=tenant, company_id=company_id, pk=user_id
        ),
        read=lambda: company_user_out(queries.company_user(tenant, company_id, user_id)),
        change=run,
    )


def send_invitation_again(
    request: HttpRequest, company_id: int, user_id: int, invited_by: str = ""
) -> HttpResponse:
    """Mail one of the company's users their invitation again, with a new link; the user
    with the invitation now waiting."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.resend_company_user_invitation(
            tenant_id=tenant, company_id=company_id, company_user_id=user_id, invited_by=invited_by
        )
        return company_user_out(queries.company_user(tenant, company_id, user_id))

    return run_change(run)


def withdraw_invitation(request: HttpRequest, company_id: int, user_id: int) -> HttpResponse:
    """Withdraw the waiting invitation of one of the company's users; the user without it."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.revoke_company_user_invitation(
            tenant_id=tenant, company_id=company_id, company_user_id=user_id
        )
        return company_user_out(queries.company_user(tenant, company_id, user_id))

    return run_change(run)
