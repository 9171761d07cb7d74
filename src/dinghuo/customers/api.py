"""Buyer companies over HTTP: customer groups, companies, their locations, users, buyer API
keys and credit lines (staff routes), and a company's own self-service (buyer routes, /my)."""

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router
from pydantic import Field, StringConstraints

from dinghuo.api.auth import buyer, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import Id, IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.core.errors import PermissionDenied
from dinghuo.core.services import Caller
from dinghuo.customers import queries, services
from dinghuo.customers.models import CompanyUser
from dinghuo.customers.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    ApiKeyPageOut,
    CompanyIn,
    CompanyOut,
    CompanyPageOut,
    CompanyPatch,
    CompanyUserIn,
    CompanyUserOut,
    CompanyUserPageOut,
    CompanyUserPatch,
    CreditOut,
    CreditPatch,
    CustomerGroupIn,
    CustomerGroupOut,
    CustomerGroupPageOut,
    CustomerGroupPatch,
    IssuedApiKeyOut,
    LocationIn,
    LocationKind,
    LocationOut,
    LocationPageOut,
    LocationPatch,
    MyCompanyOut,
    ReceivablesIn,
    Role,
    amount,
    amount_or_none,
    api_key_out,
    company_out,
    company_summary_out,
    company_user_out,
    credit_out,
    customer_group_out,
    location_out,
    my_company_out,
)

router = Router(tags=["customers"])
buyer_router = Router(tags=["buyer: my company"])

KeyPrefix = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[0-9a-f]+$")]


class CompanyFilters(PageFilters):
    is_active: bool | None = None
    q: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="Part of the code or name"
    )
    parent_id: Id | None = Field(None, description="Members of this company's group")
    group_id: Id | None = Field(None, description="Companies in this customer group")


class LocationFilters(PageFilters):
    kind: LocationKind | None = None
    is_active: bool | None = None


class CompanyUserFilters(PageFilters):
    role: Role | None = None


def _date_or_none(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _company_detail(tenant: int, company_id: int) -> dict[str, Any]:
    return company_out(queries.company_detail(tenant, company_id))


# Customer groups


@router.get("/customer-groups", response=CustomerGroupPageOut, summary="List customer groups")
def list_customer_groups(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    return paged(queries.customer_groups(tenant_id(request)), filters, customer_group_out)


@router.post(
    "/customer-groups", response={201: CustomerGroupOut}, summary="Create a customer group"
)
def create_customer_group(
    request: HttpRequest, payload: CustomerGroupIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The code is unique in the tenant (409 `customer_group_code_taken`)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        group = services.create_customer_group(
            tenant_id=tenant, code=payload.code, name=payload.name
        )
        return 201, customer_group_out(group)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/customer-groups/{group_id}", response=CustomerGroupOut, summary="Read a customer group"
)
def get_customer_group(request: HttpRequest, group_id: ObjectId) -> HttpResponse:
    group = queries.customer_group(tenant_id(request), group_id)
    return json_response(200, customer_group_out(group))


@router.patch(
    "/customer-groups/{group_id}", response=CustomerGroupOut, summary="Change a customer group"
)
def update_customer_group(
    request: HttpRequest, group_id: ObjectId, payload: CustomerGroupPatch
) -> HttpResponse:
    """Its companies stay in it; list them with `GET /companies?group_id=`."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        group = services.update_customer_group(
            tenant_id=tenant,
            group_id=group_id,
            code=given(payload, "code"),
            name=given(payload, "name"),
        )
        return customer_group_out(group)

    return run_change(run)


# Companies


@router.get("/companies", response=CompanyPageOut, summary="List companies")
def list_companies(request: HttpRequest, filters: Query[CompanyFilters]) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` with `after`."""
    companies = queries.companies(
        tenant_id(request),
        is_active=filters.is_active,
        q=filters.q,
        parent_id=filters.parent_id,
        group_id=filters.group_id,
    )
    return paged(companies, filters, company_summary_out)


@router.post("/companies", response={201: CompanyOut}, summary="Create a company")
def create_company(
    request: HttpRequest, payload: CompanyIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """The code is unique in the tenant (409 `company_code_taken`). The company starts with a
    credit line on net 30 and no limit."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        company = services.create_company(
            tenant_id=tenant,
            code=payload.code,
            name=payload.name,
            price_list_id=payload.price_list_id,
            parent_id=payload.parent_id,
            group_ids=payload.group_ids,
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
    """Fields left out stay as they are. A company cannot join its own group or one of its
    members' (422 `parent_cycle`)."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_company(
            tenant_id=tenant,
            company_id=company_id,
            code=given(payload, "code"),
            name=given(payload, "name"),
            price_list_id=given(payload, "price_list_id"),
            parent_id=given(payload, "parent_id"),
            group_ids=given(payload, "group_ids"),
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


@router.get(
    "/companies/{company_id}/members",
    response=CompanyPageOut,
    summary="List the members of a company's group",
)
def list_members(
    request: HttpRequest, company_id: ObjectId, filters: Query[PageFilters]
) -> dict[str, Any]:
    """The companies whose parent is this one (direct members only)."""
    return paged(queries.members(tenant_id(request), company_id), filters, company_summary_out)


# Credit line and payment terms


@router.get("/companies/{company_id}/credit", response=CreditOut, summary="Read a credit line")
def get_credit(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """Limit, terms, exposure (open orders not yet invoiced + unpaid invoices), what is
    available, days overdue and the status under the seller's grace days; for a parent
    company also its group's exposure."""
    return json_response(200, credit_out(queries.company_credit(tenant_id(request), company_id)))


@router.patch("/companies/{company_id}/credit", response=CreditOut, summary="Change a credit line")
def update_credit(request: HttpRequest, company_id: ObjectId, payload: CreditPatch) -> HttpResponse:
    """`credit_limit: null` removes the limit; a negative one is 422 `credit_limit_negative`.
    Prepaid takes no days: setting it sets `terms_days` to 0, and prepaid with days is
    422 `prepaid_has_no_days`."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_credit_line(
            tenant_id=tenant,
            company_id=company_id,
            credit_limit=given(payload, "credit_limit", amount_or_none),
            terms=given(payload, "terms"),
            terms_days=given(payload, "terms_days"),
        )
        return credit_out(queries.company_credit(tenant, company_id))

    return run_change(run)


@router.put(
    "/companies/{company_id}/receivables",
    response=CreditOut,
    summary="Set a company's unpaid invoices",
)
def sync_receivables(
    request: HttpRequest, company_id: ObjectId, payload: ReceivablesIn
) -> HttpResponse:
    """From the seller's accounting system: the total of unpaid invoices and the due date of
    the oldest (required when something is unpaid, null when nothing is). Replaces what was
    there; overdue days count from that date."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.sync_receivables(
            tenant_id=tenant,
            company_id=company_id,
            unpaid_amount=amount(payload.unpaid_amount),
            oldest_unpaid_due_on=_date_or_none(payload.oldest_unpaid_due_on),
        )
        return credit_out(queries.company_credit(tenant, company_id))

    return run_change(run)


# Locations (the same writes serve staff and a company's own admin)


def _create_location(
    request: HttpRequest, company_id: int, payload: LocationIn, key: str | None
) -> HttpResponse:
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        location = services.create_location(
            tenant_id=tenant, company_id=company_id, **payload.model_dump()
        )
        return 201, location_out(location)

    return run_create(request, key, payload.model_dump(mode="json"), create)


def _update_location(
    request: HttpRequest, company_id: int, location_id: int, payload: LocationPatch
) -> HttpResponse:
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
    return _create_location(request, company_id, payload, idempotency_key)


@router.patch(
    "/companies/{company_id}/locations/{location_id}",
    response=LocationOut,
    summary="Change a location",
)
def update_location(
    request: HttpRequest, company_id: ObjectId, location_id: ObjectId, payload: LocationPatch
) -> HttpResponse:
    """Fields left out stay as they are; `is_active: false` stops new orders to it."""
    return _update_location(request, company_id, location_id, payload)


# Company users (the same writes serve staff and a company's own admin)


def _create_user(
    request: HttpRequest, company_id: int, payload: CompanyUserIn, key: str | None
) -> HttpResponse:
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


def _update_user(
    request: HttpRequest, company_id: int, user_id: int, payload: CompanyUserPatch
) -> HttpResponse:
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

    return run_change(run)


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

    An email that already has an account answers 409 `email_taken`. `spending_limit` (in the
    company's currency; null = none) is what their orders may reach without an approver.
    """
    return _create_user(request, company_id, payload, idempotency_key)


@router.patch(
    "/companies/{company_id}/users/{user_id}",
    response=CompanyUserOut,
    summary="Change a company user",
)
def update_company_user(
    request: HttpRequest, company_id: ObjectId, user_id: ObjectId, payload: CompanyUserPatch
) -> HttpResponse:
    """Role, name, spending limit, and whether the user may sign in (`is_active`). The last
    active admin of a company stays one (409 `last_company_admin`)."""
    return _update_user(request, company_id, user_id, payload)


# Buyer API keys


@router.get(
    "/companies/{company_id}/users/{user_id}/api-keys",
    response=ApiKeyPageOut,
    summary="List a company user's API keys",
)
def list_buyer_api_keys(
    request: HttpRequest, company_id: ObjectId, user_id: ObjectId, filters: Query[PageFilters]
) -> dict[str, Any]:
    """Prefixes, names and scopes, revoked keys included; never the secret."""
    keys = queries.buyer_api_keys(tenant_id(request), company_id, user_id)
    return paged(keys, filters, api_key_out)


@router.post(
    "/companies/{company_id}/users/{user_id}/api-keys",
    response={201: IssuedApiKeyOut},
    summary="Issue an API key to a company user",
)
def issue_buyer_api_key(
    request: HttpRequest,
    company_id: ObjectId,
    user_id: ObjectId,
    payload: ApiKeyIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """The key acts as this user on the buyer routes (/api/v1/my/…) only. The `secret` is in
    this answer once (and in a replay of it with the same Idempotency-Key), never again."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        issued = services.issue_buyer_api_key(
            tenant_id=tenant,
            company_id=company_id,
            company_user_id=user_id,
            name=payload.name,
            scopes=set(payload.scopes),
        )
        return 201, {**api_key_out(issued.key), "secret": issued.secret}

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.post(
    "/companies/{company_id}/users/{user_id}/api-keys/{prefix}/revoke",
    response=ApiKeyOut,
    summary="Revoke a company user's API key",
)
def revoke_buyer_api_key(
    request: HttpRequest, company_id: ObjectId, user_id: ObjectId, prefix: KeyPrefix
) -> HttpResponse:
    """Requests with the key answer 401 from now on. Revoking a revoked key changes nothing."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        key = services.revoke_buyer_api_key(
            tenant_id=tenant, company_id=company_id, company_user_id=user_id, prefix=prefix
        )
        return api_key_out(key)

    return run_change(run)


# Buyer routes: a company user acting on their own company (mounted at /my, buyer keys only)


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


@buyer_router.get("/company", response=MyCompanyOut, summary="Read my company")
def my_company(request: HttpRequest) -> HttpResponse:
    """The caller's company: its group, customer groups, locations, the caller's own user,
    and its credit (limit, what is available, terms, status)."""
    caller = buyer(request)
    assert caller.company_id is not None and caller.company_user_id is not None
    view = queries.buyer_view(caller.tenant_id, caller.company_id, caller.company_user_id)
    return json_response(200, my_company_out(view))


@buyer_router.get("/locations", response=LocationPageOut, summary="List my company's locations")
def list_my_locations(request: HttpRequest, filters: Query[LocationFilters]) -> dict[str, Any]:
    """Every user of the company may read them."""
    locations = queries.locations(
        tenant_id(request), _my_company(request), kind=filters.kind, is_active=filters.is_active
    )
    return paged(locations, filters, location_out)


@buyer_router.post(
    "/locations", response={201: LocationOut}, summary="Add a location to my company"
)
def create_my_location(
    request: HttpRequest, payload: LocationIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Company admins only (403 `company_admin_required`)."""
    _company_admin(request)
    return _create_location(request, _my_company(request), payload, idempotency_key)


@buyer_router.patch(
    "/locations/{location_id}", response=LocationOut, summary="Change a location of my company"
)
def update_my_location(
    request: HttpRequest, location_id: ObjectId, payload: LocationPatch
) -> HttpResponse:
    """Company admins only; another company's location is not found."""
    _company_admin(request)
    return _update_location(request, _my_company(request), location_id, payload)


@buyer_router.get("/users", response=CompanyUserPageOut, summary="List my company's users")
def list_my_users(request: HttpRequest, filters: Query[CompanyUserFilters]) -> dict[str, Any]:
    """Company admins only (403 `company_admin_required`)."""
    _company_admin(request)
    users = queries.company_users(tenant_id(request), _my_company(request), role=filters.role)
    return paged(users, filters, company_user_out)


@buyer_router.post("/users", response={201: CompanyUserOut}, summary="Add a user to my company")
def create_my_user(
    request: HttpRequest, payload: CompanyUserIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Company admins only. The new user signs in once they have set a password."""
    _company_admin(request)
    return _create_user(request, _my_company(request), payload, idempotency_key)


@buyer_router.patch(
    "/users/{user_id}", response=CompanyUserOut, summary="Change a user of my company"
)
def update_my_user(
    request: HttpRequest, user_id: ObjectId, payload: CompanyUserPatch
) -> HttpResponse:
    """Company admins only: role, spending limit, name, `is_active`. The last active admin
    stays one (409 `last_company_admin`); another company's user is not found."""
    _company_admin(request)
    return _update_user(request, _my_company(request), user_id, payload)
