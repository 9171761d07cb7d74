"""Who a price list is offered to over HTTP: companies and customer groups, at a priority."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters
from dinghuo.core.db import atomic_with_retry
from dinghuo.pricing import queries, services
from dinghuo.pricing.schemas import (
    AssignmentIn,
    AssignmentOut,
    AssignmentPageOut,
    AssignmentPatch,
    assignment_out,
)

router = Router(tags=["pricing"])


@router.get(
    "/price-lists/{price_list_id}/assignments",
    response=AssignmentPageOut,
    summary="Who a price list is offered to",
    auth=staff_may("prices.view"),
)
def list_assignments(
    request: HttpRequest, price_list_id: ObjectId, filters: Query[PageFilters]
) -> HttpResponse:
    rows = queries.assignments(tenant_id(request), price_list_id)
    return json_response(200, paged(rows, filters, assignment_out))


@router.post(
    "/price-lists/{price_list_id}/assignments",
    response={201: AssignmentOut},
    summary="Offer a price list to a company or a customer group",
    auth=staff_may("prices.change"),
)
def assign_price_list(
    request: HttpRequest,
    price_list_id: ObjectId,
    payload: AssignmentIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Give `company_id` or `customer_group_id`. Where several lists price a SKU, the highest
    `priority` wins, then a company's list before a group's; the company's base list comes
    last. A company must buy in the list's currency (422 `currency_mismatch`)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        assignment = services.assign_price_list(
            tenant_id=tenant,
            price_list_id=price_list_id,
            company_id=payload.company_id,
            customer_group_id=payload.customer_group_id,
            priority=payload.priority,
        )
        return 201, assignment_out(queries.assignment(tenant, price_list_id, assignment.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.patch(
    "/price-lists/{price_list_id}/assignments/{assignment_id}",
    response=AssignmentOut,
    summary="Change an assignment's priority",
    auth=staff_may("prices.change"),
)
def change_assignment(
    request: HttpRequest, price_list_id: ObjectId, assignment_id: ObjectId, payload: AssignmentPatch
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        if payload.priority is not None:
            services.change_assignment(
                tenant_id=tenant,
                price_list_id=price_list_id,
                assignment_id=assignment_id,
                priority=payload.priority,
            )
        return assignment_out(queries.assignment(tenant, price_list_id, assignment_id))

    return run_change(run)


@router.delete(
    "/price-lists/{price_list_id}/assignments/{assignment_id}",
    response={204: None},
    summary="Stop offering a price list to a company or group",
    auth=staff_may("prices.change"),
)
def remove_assignment(
    request: HttpRequest, price_list_id: ObjectId, assignment_id: ObjectId
) -> HttpResponse:
    tenant = tenant_id(request)

    def run() -> None:
        services.remove_assignment(
            tenant_id=tenant, price_list_id=price_list_id, assignment_id=assignment_id
        )

    atomic_with_retry(run)
    return HttpResponse(status=204)
