"""Buyer companies over HTTP (staff routes): the company, its group's members, whether it
may order."""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field, StringConstraints

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import Id, IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.customers import queries, services
from dinghuo.customers.models import Company
from dinghuo.customers.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPageOut,
    CompanyPatch,
    TaxExemptionIn,
    company_out,
    company_summary_out,
)

router = Router(tags=["customers"])


class CompanyFilters(PageFilters):
    is_active: bool | None = None
    q: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="Part of the code or name"
    )
    parent_id: Id | None = Field(None, description="Members of this company's group")
    group_id: Id | None = Field(None, description="Companies in this customer group")


def _company_detail(tenant: int, company_id: int) -> dict[str, Any]:
    return company_out(queries.company_detail(tenant, company_id))


@router.get(
    "/companies",
    response=CompanyPageOut,
    summary="List companies",
    auth=staff_may("customers.view"),
)
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


@router.post(
    "/companies",
    response={201: CompanyOut},
    summary="Create a company",
    auth=staff_may("customers.change"),
)
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


@router.get(
    "/companies/{company_id}",
    response=CompanyOut,
    summary="Read a company",
    auth=staff_may("customers.view"),
)
def get_company(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """With its locations and users, and its `ETag` for `If-Match` on PATCH."""
    return tagged(200, _company_detail(tenant_id(request), company_id))


@router.patch(
    "/companies/{company_id}",
    response=CompanyOut,
    summary="Change a company",
    auth=staff_may("customers.change"),
)
def update_company(
    request: HttpRequest, company_id: ObjectId, payload: CompanyPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Fields left out stay as they are; with `If-Match`, only if the company is unchanged.
    A company cannot join its own group or one of its members' (422 `parent_cycle`)."""
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

    return run_guarded(
        if_match,
        lock=lambda: Company.objects.filter(tenant_id=tenant, pk=company_id),
        read=lambda: _company_detail(tenant, company_id),
        change=run,
    )


@router.put(
    "/companies/{company_id}/tax-exemption",
    response=CompanyOut,
    summary="Set a company's tax exemption",
    auth=staff_may("customers.change"),
)
def set_tax_exemption(
    request: HttpRequest, company_id: ObjectId, payload: TaxExemptionIn
) -> HttpResponse:
    """The exemption certificate's number and last valid day (null: no expiry); orders placed
    while it is valid carry no tax. An empty certificate ends the exemption."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.set_tax_exemption(
            tenant_id=tenant,
            company_id=company_id,
            certificate=payload.certificate,
            expires_on=payload.expires_on,
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
    "/companies/{company_id}/deactivate",
    response=CompanyOut,
    summary="Deactivate a company",
    auth=staff_may("customers.change"),
)
def deactivate_company(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """The company can no longer order; placed orders go on."""
    return _set_company_active(request, company_id, False)


@router.post(
    "/companies/{company_id}/activate",
    response=CompanyOut,
    summary="Activate a company",
    auth=staff_may("customers.change"),
)
def activate_company(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    return _set_company_active(request, company_id, True)


@router.get(
    "/companies/{company_id}/members",
    response=CompanyPageOut,
    summary="List the members of a company's group",
    auth=staff_may("customers.view"),
)
def list_members(
    request: HttpRequest, company_id: ObjectId, filters: Query[PageFilters]
) -> dict[str, Any]:
    """The companies whose parent is this one (direct members only)."""
    return paged(queries.members(tenant_id(request), company_id), filters, company_summary_out)
