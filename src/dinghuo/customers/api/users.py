"""A company's users and their buyer API keys over HTTP (staff routes; a company admin's
own are in `my`)."""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch
from dinghuo.api.idempotent import run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters
from dinghuo.customers import queries, services
from dinghuo.customers.api.shared import (
    CompanyUserFilters,
    add_user,
    change_user,
    read_user,
    send_invitation_again,
    withdraw_invitation,
)
from dinghuo.customers.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    ApiKeyPageOut,
    CompanyUserIn,
    CompanyUserOut,
    CompanyUserPageOut,
    CompanyUserPatch,
    IssuedApiKeyOut,
    api_key_out,
    company_user_out,
)

router = Router(tags=["customers"])

KeyPrefix = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[0-9a-f]+$")]


@router.get(
    "/companies/{company_id}/users",
    response=CompanyUserPageOut,
    summary="List company users",
    auth=staff_may("customers.view"),
)
def list_company_users(
    request: HttpRequest, company_id: ObjectId, filters: Query[CompanyUserFilters]
) -> dict[str, Any]:
    users = queries.company_users(tenant_id(request), company_id, role=filters.role)
    return paged(users, filters, company_user_out)


@router.post(
    "/companies/{company_id}/users",
    response={201: CompanyUserOut},
    summary="Add a company user",
    auth=staff_may("customers.change"),
)
def create_company_user(
    request: HttpRequest,
    company_id: ObjectId,
    payload: CompanyUserIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Adds the person and mails them an invitation (a link good once, for 7 days) to set
    their password; an address that has an account elsewhere gains a membership and gets
    the same answer. A user of this company answers 409 `already_a_member`, of another
    company of this seller 409 `member_of_another_company`. `spending_limit` (in the
    company's currency; null = none) is what their orders may reach without an approver."""
    return add_user(request, company_id, payload, idempotency_key)


@router.get(
    "/companies/{company_id}/users/{user_id}",
    response=CompanyUserOut,
    summary="Read a company user",
    auth=staff_may("customers.view"),
)
def get_company_user(request: HttpRequest, company_id: ObjectId, user_id: ObjectId) -> HttpResponse:
    """With its `ETag` for `If-Match` on PATCH."""
    return read_user(request, company_id, user_id)


@router.patch(
    "/companies/{company_id}/users/{user_id}",
    response=CompanyUserOut,
    summary="Change a company user",
    auth=staff_may("customers.change"),
)
def update_company_user(
    request: HttpRequest,
    company_id: ObjectId,
    user_id: ObjectId,
    payload: CompanyUserPatch,
    if_match: IfMatch = None,
) -> HttpResponse:
    """Role, name, spending limit, and whether the user may buy for the company here
    (`is_active`: this seller only; the person's sign-in and other sellers stay as they
    are). The last active admin of a company stays one (409 `last_company_admin`). With
    `If-Match`, only if the user is unchanged."""
    return change_user(request, company_id, user_id, payload, if_match)


@router.post(
    "/companies/{company_id}/users/{user_id}/invitation",
    response=CompanyUserOut,
    summary="Send a company user's invitation again",
    auth=staff_may("customers.change"),
)
def resend_company_user_invitation(
    request: HttpRequest, company_id: ObjectId, user_id: ObjectId
) -> HttpResponse:
    """Mails the user their invitation again with a new link (the earlier link stops
    working), also after it was withdrawn; the answer is the user with `invitation` waiting
    (its `sent_at` moves when the worker has made the mail). A user who has joined answers
    409 `already_joined`, one who may not sign in here 409 `company_user_inactive`."""
    return send_invitation_again(request, company_id, user_id)


@router.delete(
    "/companies/{company_id}/users/{user_id}/invitation",
    response=CompanyUserOut,
    summary="Withdraw a company user's invitation",
    auth=staff_may("customers.change"),
)
def withdraw_company_user_invitation(
    request: HttpRequest, company_id: ObjectId, user_id: ObjectId
) -> HttpResponse:
    """The link of the waiting invitation stops working; the user stays (sending the
    invitation again makes a new link). No invitation waiting: 404 `invitation_not_found`."""
    return withdraw_invitation(request, company_id, user_id)


# Buyer API keys


@router.get(
    "/companies/{company_id}/users/{user_id}/api-keys",
    response=ApiKeyPageOut,
    summary="List a company user's API keys",
    auth=staff_may("customers.view"),
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
    auth=staff_may("customers.change"),
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
    auth=staff_may("customers.change"),
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
