"""Requisition (saved) lists: a buyer's company's lists (/my/requisition-lists) and, for
staff, any company's; read priced now, changed by their maker or a company admin, added to a
cart at today's prices."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters
from dinghuo.buying import queries, services
from dinghuo.buying.api.shared import WhoseCart, repriced
from dinghuo.buying.schemas.carts import RepricingOut
from dinghuo.buying.schemas.lists import (
    ListLineIn,
    RequisitionListIn,
    RequisitionListOut,
    RequisitionListPageOut,
    RequisitionListPatch,
    requisition_list_out,
    requisition_list_summary_out,
)

router = Router(tags=["buying"])
buyer_router = Router(tags=["buyer: buying"])


def _list_lines(lines: list[ListLineIn] | None) -> list[services.ListLine] | None:
    if lines is None:
        return None
    return [services.ListLine(ln.sku, ln.quantity, ln.note) for ln in lines]


def _list_answer(tenant: int, company_id: int, list_id: int) -> dict[str, Any]:
    return requisition_list_out(*queries.requisition_list(tenant, company_id, list_id))


def _editor(request: HttpRequest) -> services.Editor:
    caller = buyer(request)
    assert caller.company_user_id is not None and caller.role is not None
    return services.Editor(caller.company_user_id, caller.role)


def _lists(tenant: int, company_id: int, filters: PageFilters) -> Any:
    return paged(
        queries.requisition_lists(tenant, company_id), filters, requisition_list_summary_out
    )


def _create_list(
    request: HttpRequest, cart: WhoseCart, payload: RequisitionListIn, key: str | None
) -> HttpResponse:
    def create() -> tuple[int, Any]:
        saved = services.create_requisition_list(
            tenant_id=cart.tenant,
            company_id=cart.company_id,
            owner_id=cart.owner_id,
            name=payload.name,
            lines=_list_lines(payload.lines) or [],
        )
        return 201, _list_answer(cart.tenant, cart.company_id, saved.pk)

    return run_create(request, key, payload.model_dump(mode="json"), create)


def _update_list(
    cart: WhoseCart, list_id: int, payload: RequisitionListPatch, editor: services.Editor | None
) -> HttpResponse:
    given = payload.model_fields_set

    def run() -> dict[str, Any]:
        services.update_requisition_list(
            tenant_id=cart.tenant,
            company_id=cart.company_id,
            list_id=list_id,
            editor=editor,
            name=payload.name if "name" in given else None,
            lines=_list_lines(payload.lines) if "lines" in given else None,
        )
        return _list_answer(cart.tenant, cart.company_id, list_id)

    return run_change(run)


def _delete_list(cart: WhoseCart, list_id: int, editor: services.Editor | None) -> HttpResponse:
    def run() -> None:
        services.delete_requisition_list(
            tenant_id=cart.tenant, company_id=cart.company_id, list_id=list_id, editor=editor
        )

    run_change(run)
    return HttpResponse(status=204)


def _list_to_cart(
    request: HttpRequest, cart: WhoseCart, list_id: int, key: str | None
) -> HttpResponse:
    def add() -> services.Repricing:
        return services.add_requisition_list_to_cart(
            tenant_id=cart.tenant,
            company_id=cart.company_id,
            list_id=list_id,
            cart_owner_id=cart.owner_id,
        )

    return repriced(request, cart, key, {"list_id": list_id}, add)


@buyer_router.get(
    "/requisition-lists", response=RequisitionListPageOut, summary="My company's saved lists"
)
def my_requisition_lists(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    cart = WhoseCart.of_buyer(request)
    return _lists(cart.tenant, cart.company_id, filters)


@buyer_router.post("/requisition-lists", response={201: RequisitionListOut}, summary="Save a list")
def create_my_requisition_list(
    request: HttpRequest, payload: RequisitionListIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Every user of the company sees it; its maker and the company's admins may change it."""
    return _create_list(request, WhoseCart.of_buyer(request), payload, idempotency_key)


@buyer_router.get(
    "/requisition-lists/{list_id}", response=RequisitionListOut, summary="Read a saved list"
)
def my_requisition_list(request: HttpRequest, list_id: ObjectId) -> HttpResponse:
    """Its lines priced now, with the reasons a line could not be ordered now."""
    cart = WhoseCart.of_buyer(request)
    return json_response(200, _list_answer(cart.tenant, cart.company_id, list_id))


@buyer_router.patch(
    "/requisition-lists/{list_id}", response=RequisitionListOut, summary="Change a saved list"
)
def change_my_requisition_list(
    request: HttpRequest, list_id: ObjectId, payload: RequisitionListPatch
) -> HttpResponse:
    """Rename it, or replace its lines; only its maker or a company admin (403
    `not_list_owner`)."""
    return _update_list(WhoseCart.of_buyer(request), list_id, payload, _editor(request))


@buyer_router.delete(
    "/requisition-lists/{list_id}", response={204: None}, summary="Delete a saved list"
)
def delete_my_requisition_list(request: HttpRequest, list_id: ObjectId) -> HttpResponse:
    return _delete_list(WhoseCart.of_buyer(request), list_id, _editor(request))


@buyer_router.post(
    "/requisition-lists/{list_id}/add-to-cart",
    response=RepricingOut,
    summary="Add a saved list to my cart",
)
def add_my_requisition_list_to_cart(
    request: HttpRequest, list_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Lines that could be ordered today are added at today's prices; the others are reported
    with their reasons and not added."""
    return _list_to_cart(request, WhoseCart.of_buyer(request), list_id, idempotency_key)


@router.get(
    "/companies/{company_id}/requisition-lists",
    response=RequisitionListPageOut,
    summary="A company's saved lists",
    auth=staff_may("orders.view"),
)
def company_requisition_lists(
    request: HttpRequest, company_id: ObjectId, filters: Query[PageFilters]
) -> Any:
    return _lists(tenant_id(request), company_id, filters)


@router.post(
    "/companies/{company_id}/requisition-lists",
    response={201: RequisitionListOut},
    summary="Save a list for a company",
    auth=staff_may("orders.enter"),
)
def create_company_requisition_list(
    request: HttpRequest,
    company_id: ObjectId,
    payload: RequisitionListIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    return _create_list(request, WhoseCart.of_staff(request, company_id), payload, idempotency_key)


@router.get(
    "/companies/{company_id}/requisition-lists/{list_id}",
    response=RequisitionListOut,
    summary="Read a company's saved list",
    auth=staff_may("orders.view"),
)
def company_requisition_list(
    request: HttpRequest, company_id: ObjectId, list_id: ObjectId
) -> HttpResponse:
    return json_response(200, _list_answer(tenant_id(request), company_id, list_id))


@router.patch(
    "/companies/{company_id}/requisition-lists/{list_id}",
    response=RequisitionListOut,
    summary="Change a company's saved list",
    auth=staff_may("orders.enter"),
)
def change_company_requisition_list(
    request: HttpRequest, company_id: ObjectId, list_id: ObjectId, payload: RequisitionListPatch
) -> HttpResponse:
    return _update_list(WhoseCart.of_staff(request, company_id), list_id, payload, None)


@router.delete(
    "/companies/{company_id}/requisition-lists/{list_id}",
    response={204: None},
    summary="Delete a company's saved list",
    auth=staff_may("orders.enter"),
)
def delete_company_requisition_list(
    request: HttpRequest, company_id: ObjectId, list_id: ObjectId
) -> HttpResponse:
    return _delete_list(WhoseCart.of_staff(request, company_id), list_id, None)


@router.post(
    "/companies/{company_id}/requisition-lists/{list_id}/add-to-cart",
    response=RepricingOut,
    summary="Add a saved list to a company's cart",
    auth=staff_may("orders.enter"),
)
def add_company_requisition_list_to_cart(
    request: HttpRequest,
    company_id: ObjectId,
    list_id: ObjectId,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    return _list_to_cart(request, WhoseCart.of_staff(request, company_id), list_id, idempotency_key)
