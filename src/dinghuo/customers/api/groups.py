"""Customer groups over HTTP (staff routes)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, tagged
from dinghuo.api.idempotent import run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters, given
from dinghuo.customers import queries, services
from dinghuo.customers.models import CustomerGroup
from dinghuo.customers.schemas import (
    CustomerGroupIn,
    CustomerGroupOut,
    CustomerGroupPageOut,
    CustomerGroupPatch,
    customer_group_out,
)

router = Router(tags=["customers"])


@router.get(
    "/customer-groups",
    response=CustomerGroupPageOut,
    summary="List customer groups",
    auth=staff_may("customers.view"),
)
def list_customer_groups(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    return paged(queries.customer_groups(tenant_id(request)), filters, customer_group_out)


@router.post(
    "/customer-groups",
    response={201: CustomerGroupOut},
    summary="Create a customer group",
    auth=staff_may("customers.change"),
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
    "/customer-groups/{group_id}",
    response=CustomerGroupOut,
    summary="Read a customer group",
    auth=staff_may("customers.view"),
)
def get_customer_group(request: HttpRequest, group_id: ObjectId) -> HttpResponse:
    group = queries.customer_group(tenant_id(request), group_id)
    return tagged(200, customer_group_out(group))


@router.patch(
    "/customer-groups/{group_id}",
    response=CustomerGroupOut,
    summary="Change a customer group",
    auth=staff_may("customers.change"),
)
def update_customer_group(
    request: HttpRequest, group_id: ObjectId, payload: CustomerGroupPatch, if_match: IfMatch = None
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

    return run_guarded(
        if_match,
        lock=lambda: CustomerGroup.objects.filter(tenant_id=tenant, pk=group_id),
        read=lambda: customer_group_out(queries.customer_group(tenant, group_id)),
        change=run,
    )
