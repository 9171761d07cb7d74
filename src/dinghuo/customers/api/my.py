"""A company user acting on their own company (mounted at /my, buyer keys only): reading it,
and, for a company admin, its users and addresses."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, tenant_id
from dinghuo.api.etags import IfMatch
from dinghuo.api.idempotent import json_response
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.core.errors import PermissionDenied
from dinghuo.core.services import Caller
from dinghuo.customers import queries
from dinghuo.customers.api.shared import (
    CompanyUserFilters,
    LocationFilters,
    add_location,
    add_user,
    change_location,
    change_user,
    read_location,
    read_user,
    send_invitation_again,
    withdraw_invitation,
)
from dinghuo.customers.models import CompanyUser
from dinghuo.customers.schemas import (
    CompanyUserIn,
    CompanyUserOut,
    CompanyUserPageOut,
    CompanyUserPatch,
    LocationIn,
    LocationOut,
    LocationPageOut,
    LocationPatch,
    MyCompanyOut,
    company_user_out,
    location_out,
    my_company_out,
)

router = Router(tags=["buyer: my company"])


def _company_admin(request: HttpRequest) -> Caller:
    caller = buyer(request)
    if caller.role != CompanyUser.Role.ADMIN:
        raise PermissionDenied(
            "Only a company admin manages the company's users and addresses.",
            code="company_admin_required",
        )
    return caller


def _my_company(request: HttpRequest) -> int:
    company_id = buyer(request).company_id
    assert company_id is not None  # buyer keys always belong to a company user
    return company_id


@router.get("/company", response=MyCompanyOut, summary="Read my company")
def my_company(request: HttpRequest) -> HttpResponse:
    """The caller's company: its group, customer groups, locations, the caller's own user,
    and its credit (limit, what is available, terms, status)."""
    caller = buyer(request)
    assert caller.company_id is not None and caller.company_user_id is not None
    view = queries.buyer_view(caller.tenant_id, caller.company_id, caller.company_user_id)
    return json_response(200, my_company_out(view))


@router.get("/locations", response=LocationPageOut, summary="List my company's locations")
def list_my_locations(request: HttpRequest, filters: Query[LocationFilters]) -> dict[str, Any]:
    """Every user of the company may read them."""
    locations = queries.locations(
        tenant_id(request), _my_company(request), kind=filters.kind, is_active=filters.is_active
    )
    return paged(locations, filters, location_out)


@router.post("/locations", response={201: LocationOut}, summary="Add a location to my company")
def create_my_location(
    request: HttpRequest, payload: LocationIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Company admins only (403 `company_admin_required`)."""
    _company_admin(request)
    return add_location(request, _my_company(request), payload, idempotency_key)


@router.get(
    "/locations/{location_id}", response=LocationOut, summary="Read a location of my company"
)
def get_my_location(request: HttpRequest, location_id: ObjectId) -> HttpResponse:
    """Every user of the company may read it, with its `ETag` for `If-Match` on PATCH."""
    return read_location(request, _my_company(request), location_id)


@router.patch(
    "/locations/{location_id}", response=LocationOut, summary="Change a location of my company"
)
def update_my_location(
    request: HttpRequest, location_id: ObjectId, payload: LocationPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Company admins only; another company's location is not found. With `If-Match`, only
    if the location is unchanged."""
    _company_admin(request)
    return change_location(request, _my_company(request), location_id, payload, if_match)


@router.get("/users", response=CompanyUserPageOut, summary="List my company's users")
def list_my_users(request: HttpRequest, filters: Query[CompanyUserFilters]) -> dict[str, Any]:
    """Company admins only (403 `company_admin_required`)."""
    _company_admin(request)
    users = queries.company_users(tenant_id(request), _my_company(request), role=filters.role)
    return paged(users, filters, company_user_out)


@router.post("/users", response={201: CompanyUserOut}, summary="Add a user to my company")
def create_my_user(
    request: HttpRequest, payload: CompanyUserIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Company admins only. The new user is mailed an invitation and signs in once they
    have accepted it (a user of this company: 409 `already_a_member`)."""
    _company_admin(request)
    return add_user(request, _my_company(request), payload, idempotency_key)


@router.get("/users/{user_id}", response=CompanyUserOut, summary="Read a user of my company")
def get_my_user(request: HttpRequest, user_id: ObjectId) -> HttpResponse:
    """Company admins only, with its `ETag` for `If-Match` on PATCH."""
    _company_admin(request)
    return read_user(request, _my_company(request), user_id)


@router.patch("/users/{user_id}", response=CompanyUserOut, summary="Change a user of my company")
def update_my_user(
    request: HttpRequest, user_id: ObjectId, payload: CompanyUserPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Company admins only: role, spending limit, name, `is_active` (here only: the person
    keeps their sign-in and their other sellers). The last active admin
    stays one (409 `last_company_admin`); another company's user is not found. With
    `If-Match`, only if the user is unchanged."""
    _company_admin(request)
    return change_user(request, _my_company(request), user_id, payload, if_match)


@router.post(
    "/users/{user_id}/invitation",
    response=CompanyUserOut,
    summary="Send the invitation of a user of my company again",
)
def resend_my_user_invitation(request: HttpRequest, user_id: ObjectId) -> HttpResponse:
    """Company admins only. Mails the user their invitation again with a new link, naming
    the caller as the one who invites (the earlier link stops working). A user who has
    joined answers 409 `already_joined`, one switched off 409 `company_user_inactive`."""
    caller = _company_admin(request)
    company_id = _my_company(request)
    assert caller.company_user_id is not None
    me = queries.company_user(caller.tenant_id, company_id, caller.company_user_id).user
    name = f"{me.first_name} {me.last_name}".strip() or me.email
    return send_invitation_again(request, company_id, user_id, invited_by=name)


@router.delete(
    "/users/{user_id}/invitation",
    response=CompanyUserOut,
    summary="Withdraw the invitation of a user of my company",
)
def withdraw_my_user_invitation(request: HttpRequest, user_id: ObjectId) -> HttpResponse:
    """Company admins only: the waiting invitation's link stops working (404
    `invitation_not_found` when none waits); another company's user is not found."""
    _company_admin(request)
    return withdraw_invitation(request, _my_company(request), user_id)
