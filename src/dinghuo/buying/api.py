"""Carts, requisition lists, reorder and quotes: staff routes and buyer routes (/my/…).

A buyer acts on their own cart and on their company's lists, orders and quotes; another
company's list, order or quote is "not found". Staff fill one cart per company on its behalf.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged, parse_cursor
from dinghuo.api.schemas import IdempotencyKey, ObjectId, PageFilters
from dinghuo.buying import catalogue, queries, services
from dinghuo.buying.schemas import (
    CartLineIn,
    CartOut,
    CartQuantityIn,
    CatalogueFilters,
    CataloguePageOut,
    CheckoutIn,
    ListLineIn,
    MyCatalogueFilters,
    QuoteAcceptIn,
    QuoteAnswerIn,
    QuoteFilters,
    QuoteOut,
    QuotePageOut,
    QuoteRejectIn,
    QuoteRequestIn,
    RepricingOut,
    RequisitionListIn,
    RequisitionListOut,
    RequisitionListPageOut,
    RequisitionListPatch,
    StaffQuoteFilters,
    StaffQuoteRequestIn,
    cart_out,
    catalogue_item_out,
    quote_out,
    quote_summary_out,
    repricing_out,
    requisition_list_out,
    requisition_list_summary_out,
)
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.orders.schemas import OrderOut, order_out

router = Router(tags=["buying"])
buyer_router = Router(tags=["buyer: buying"])

_BUYER_CHANNEL = "api"
_STAFF_CHANNEL = "staff"


class _Cart:
    """Whose cart a request acts on: the buyer's own, or a company's staff cart."""

    def __init__(self, tenant: int, company_id: int, owner_id: int | None) -> None:
        self.tenant = tenant
        self.company_id = company_id
        self.owner_id = owner_id

    @classmethod
    def of_buyer(cls, request: HttpRequest) -> "_Cart":
        caller = buyer(request)
        assert caller.company_id is not None
        return cls(caller.tenant_id, caller.company_id, caller.company_user_id)

    @classmethod
    def of_staff(cls, request: HttpRequest, company_id: int) -> "_Cart":
        return cls(tenant_id(request), company_id, None)

    def answer(self) -> dict[str, Any]:
        return cart_out(self.company_id, queries.cart(self.tenant, self.company_id, self.owner_id))

    def where(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant, "company_id": self.company_id, "owner_id": self.owner_id}


def _require_key(key: str | None) -> None:
    if key is None:
        raise ValidationFailed(
            "Send an Idempotency-Key header so that a retried order is never placed twice.",
            code="idempotency_key_required",
            errors=[FieldError("Idempotency-Key", "required", "Header is required")],
        )


def _get_cart(cart: _Cart) -> HttpResponse:
    return json_response(200, cart.answer())


def _add_line(
    request: HttpRequest, cart: _Cart, payload: CartLineIn, key: str | None
) -> HttpResponse:
    def add() -> tuple[int, Any]:
        services.add_to_cart(**cart.where(), sku=payload.sku, quantity=payload.quantity)
        return 200, cart.answer()

    return run_create(request, key, payload.model_dump(mode="json"), add)


def _set_quantity(cart: _Cart, sku_id: int, payload: CartQuantityIn) -> HttpResponse:
    def run() -> dict[str, Any]:
        services.set_cart_quantity(**cart.where(), sku_id=sku_id, quantity=payload.quantity)
        return cart.answer()

    return run_change(run)


def _remove_line(cart: _Cart, sku_id: int) -> HttpResponse:
    def run() -> dict[str, Any]:
        services.remove_from_cart(**cart.where(), sku_id=sku_id)
        return cart.answer()

    return run_change(run)


def _checkout(
    request: HttpRequest,
    cart: _Cart,
    payload: CheckoutIn,
    key: str | None,
    channel: str,
) -> HttpResponse:
    # Another tenant's company is not found, whether or not the key was sent.
    queries.buyer_company(cart.tenant, cart.company_id)
    _require_key(key)

    def create() -> tuple[int, Any]:
        order = services.checkout_cart(
            **cart.where(),
            ship_to_id=payload.ship_to_id,
            purchase_order_number=payload.purchase_order_number,
            notes=payload.notes,
            requested_delivery_date=payload.requested_delivery_date,
            channel=channel,
            placed_by_id=cart.owner_id,
        )
        return 201, order_out(order, order.seller.slug, [])

    return run_create(request, key, payload.model_dump(mode="json"), create)


def _repriced(
    request: HttpRequest, cart: _Cart, key: str | None, body: Any, add: Callable[[], Any]
) -> HttpResponse:
    def create() -> tuple[int, Any]:
        return 200, repricing_out(add(), cart.answer())

    return run_create(request, key, body, create)


# Buyer: the cart


@buyer_router.get("/cart", response=CartOut, summary="My cart")
def my_cart(request: HttpRequest) -> HttpResponse:
    """Every line priced now, with the reasons a line could not be ordered now."""
    return _get_cart(_Cart.of_buyer(request))


@buyer_router.post("/cart/lines", response=CartOut, summary="Add to my cart")
def add_to_my_cart(
    request: HttpRequest, payload: CartLineIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A SKU already in the cart gets the quantity added. A line that could not be ordered at
    the quantity the cart would hold is refused (422 with its reasons)."""
    return _add_line(request, _Cart.of_buyer(request), payload, idempotency_key)


@buyer_router.patch("/cart/lines/{sku_id}", response=CartOut, summary="Change a line of my cart")
def change_my_cart_line(
    request: HttpRequest, sku_id: ObjectId, payload: CartQuantityIn
) -> HttpResponse:
    return _set_quantity(_Cart.of_buyer(request), sku_id, payload)


@buyer_router.delete("/cart/lines/{sku_id}", response=CartOut, summary="Remove a line from my cart")
def remove_from_my_cart(request: HttpRequest, sku_id: ObjectId) -> HttpResponse:
    return _remove_line(_Cart.of_buyer(request), sku_id)


@buyer_router.post("/cart/checkout", response={201: OrderOut}, summary="Order my cart")
def check_out_my_cart(
    request: HttpRequest, payload: CheckoutIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Places the cart as one order and empties it; a refused order leaves the cart as it was.
    Requires an `Idempotency-Key` header."""
    cart = _Cart.of_buyer(request)
    return _checkout(request, cart, payload, idempotency_key, _BUYER_CHANNEL)


# Staff: a company's cart


@router.get("/companies/{company_id}/cart", response=CartOut, summary="A company's staff cart")
def company_cart(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """The cart staff fill on the company's behalf, priced now."""
    return _get_cart(_Cart.of_staff(request, company_id))


@router.post(
    "/companies/{company_id}/cart/lines", response=CartOut, summary="Add to a company's cart"
)
def add_to_company_cart(
    request: HttpRequest,
    company_id: ObjectId,
    payload: CartLineIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    return _add_line(request, _Cart.of_staff(request, company_id), payload, idempotency_key)


@router.patch(
    "/companies/{company_id}/cart/lines/{sku_id}",
    response=CartOut,
    summary="Change a line of a company's cart",
)
def change_company_cart_line(
    request: HttpRequest, company_id: ObjectId, sku_id: ObjectId, payload: CartQuantityIn
) -> HttpResponse:
    return _set_quantity(_Cart.of_staff(request, company_id), sku_id, payload)


@router.delete(
    "/companies/{company_id}/cart/lines/{sku_id}",
    response=CartOut,
    summary="Remove a line from a company's cart",
)
def remove_from_company_cart(
    request: HttpRequest, company_id: ObjectId, sku_id: ObjectId
) -> HttpResponse:
    return _remove_line(_Cart.of_staff(request, company_id), sku_id)


@router.post(
    "/companies/{company_id}/cart/checkout",
    response={201: OrderOut},
    summary="Order a company's cart",
)
def check_out_company_cart(
    request: HttpRequest,
    company_id: ObjectId,
    payload: CheckoutIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """An order entered on the customer's behalf (channel "staff"). Requires an
    `Idempotency-Key` header."""
    cart = _Cart.of_staff(request, company_id)
    return _checkout(request, cart, payload, idempotency_key, _STAFF_CHANNEL)


# Requisition lists


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
    request: HttpRequest, cart: _Cart, payload: RequisitionListIn, key: str | None
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
    cart: _Cart, list_id: int, payload: RequisitionListPatch, editor: services.Editor | None
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


def _delete_list(cart: _Cart, list_id: int, editor: services.Editor | None) -> HttpResponse:
    def run() -> None:
        services.delete_requisition_list(
            tenant_id=cart.tenant, company_id=cart.company_id, list_id=list_id, editor=editor
        )

    run_change(run)
    return HttpResponse(status=204)


def _list_to_cart(request: HttpRequest, cart: _Cart, list_id: int, key: str | None) -> HttpResponse:
    def add() -> services.Repricing:
        return services.add_requisition_list_to_cart(
            tenant_id=cart.tenant,
            company_id=cart.company_id,
            list_id=list_id,
            cart_owner_id=cart.owner_id,
        )

    return _repriced(request, cart, key, {"list_id": list_id}, add)


@buyer_router.get(
    "/requisition-lists", response=RequisitionListPageOut, summary="My company's saved lists"
)
def my_requisition_lists(request: HttpRequest, filters: Query[PageFilters]) -> Any:
    cart = _Cart.of_buyer(request)
    return _lists(cart.tenant, cart.company_id, filters)


@buyer_router.post("/requisition-lists", response={201: RequisitionListOut}, summary="Save a list")
def create_my_requisition_list(
    request: HttpRequest, payload: RequisitionListIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Every user of the company sees it; its maker and the company's admins may change it."""
    return _create_list(request, _Cart.of_buyer(request), payload, idempotency_key)


@buyer_router.get(
    "/requisition-lists/{list_id}", response=RequisitionListOut, summary="Read a saved list"
)
def my_requisition_list(request: HttpRequest, list_id: ObjectId) -> HttpResponse:
    """Its lines priced now, with the reasons a line could not be ordered now."""
    cart = _Cart.of_buyer(request)
    return json_response(200, _list_answer(cart.tenant, cart.company_id, list_id))


@buyer_router.patch(
    "/requisition-lists/{list_id}", response=RequisitionListOut, summary="Change a saved list"
)
def change_my_requisition_list(
    request: HttpRequest, list_id: ObjectId, payload: RequisitionListPatch
) -> HttpResponse:
    """Rename it, or replace its lines; only its maker or a company admin (403
    `not_list_owner`)."""
    return _update_list(_Cart.of_buyer(request), list_id, payload, _editor(request))


@buyer_router.delete(
    "/requisition-lists/{list_id}", response={204: None}, summary="Delete a saved list"
)
def delete_my_requisition_list(request: HttpRequest, list_id: ObjectId) -> HttpResponse:
    return _delete_list(_Cart.of_buyer(request), list_id, _editor(request))


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
    return _list_to_cart(request, _Cart.of_buyer(request), list_id, idempotency_key)


@router.get(
    "/companies/{company_id}/requisition-lists",
    response=RequisitionListPageOut,
    summary="A company's saved lists",
)
def company_requisition_lists(
    request: HttpRequest, company_id: ObjectId, filters: Query[PageFilters]
) -> Any:
    return _lists(tenant_id(request), company_id, filters)


@router.post(
    "/companies/{company_id}/requisition-lists",
    response={201: RequisitionListOut},
    summary="Save a list for a company",
)
def create_company_requisition_list(
    request: HttpRequest,
    company_id: ObjectId,
    payload: RequisitionListIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    return _create_list(request, _Cart.of_staff(request, company_id), payload, idempotency_key)


@router.get(
    "/companies/{company_id}/requisition-lists/{list_id}",
    response=RequisitionListOut,
    summary="Read a company's saved list",
)
def company_requisition_list(
    request: HttpRequest, company_id: ObjectId, list_id: ObjectId
) -> HttpResponse:
    return json_response(200, _list_answer(tenant_id(request), company_id, list_id))


@router.patch(
    "/companies/{company_id}/requisition-lists/{list_id}",
    response=RequisitionListOut,
    summary="Change a company's saved list",
)
def change_company_requisition_list(
    request: HttpRequest, company_id: ObjectId, list_id: ObjectId, payload: RequisitionListPatch
) -> HttpResponse:
    return _update_list(_Cart.of_staff(request, company_id), list_id, payload, None)


@router.delete(
    "/companies/{company_id}/requisition-lists/{list_id}",
    response={204: None},
    summary="Delete a company's saved list",
)
def delete_company_requisition_list(
    request: HttpRequest, company_id: ObjectId, list_id: ObjectId
) -> HttpResponse:
    return _delete_list(_Cart.of_staff(request, company_id), list_id, None)


@router.post(
    "/companies/{company_id}/requisition-lists/{list_id}/add-to-cart",
    response=RepricingOut,
    summary="Add a saved list to a company's cart",
)
def add_company_requisition_list_to_cart(
    request: HttpRequest,
    company_id: ObjectId,
    list_id: ObjectId,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    return _list_to_cart(request, _Cart.of_staff(request, company_id), list_id, idempotency_key)


# Reorder


@buyer_router.post(
    "/orders/{order_id}/reorder", response=RepricingOut, summary="Reorder into my cart"
)
def reorder_into_my_cart(
    request: HttpRequest, order_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Copies an order of my company into my cart at today's prices, reporting per line the
    price it had and has now; lines that could not be ordered today are reported, not added."""
    cart = _Cart.of_buyer(request)

    def add() -> services.Repricing:
        return services.reorder(
            tenant_id=cart.tenant,
            order_id=order_id,
            company_id=cart.company_id,
            cart_owner_id=cart.owner_id,
        )

    return _repriced(request, cart, idempotency_key, {"order_id": order_id}, add)


@router.post(
    "/orders/{order_id}/reorder", response=RepricingOut, summary="Reorder into the staff cart"
)
def reorder_into_company_cart(
    request: HttpRequest, order_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Copies an order into its company's staff cart at today's prices (see the buyer route)."""
    tenant = tenant_id(request)
    company_id = queries.order_company(tenant, order_id)
    cart = _Cart(tenant, company_id, None)

    def add() -> services.Repricing:
        return services.reorder(tenant_id=tenant, order_id=order_id, cart_owner_id=None)

    return _repriced(request, cart, idempotency_key, {"order_id": order_id}, add)


# Quotes


def _quote_answer(tenant: int, quote_id: int, *, company_id: int | None = None) -> dict[str, Any]:
    found = queries.quote(tenant, quote_id, company_id=company_id)
    return quote_out(found, clock.now(), for_buyer=company_id is not None)


def _quote_lines(payload: QuoteRequestIn) -> list[services.QuoteLineRequest]:
    return [services.QuoteLineRequest(ln.sku, ln.quantity, ln.note) for ln in payload.lines]


def _quote_page(tenant: int, filters: QuoteFilters, company_id: int | None) -> Any:
    now = clock.now()
    found = queries.quotes(tenant, company_id=company_id, status=filters.status, now=now)
    return paged(found, filters, lambda q: quote_summary_out(q, now))


@buyer_router.post("/quotes", response={201: QuoteOut}, summary="Ask for a quote")
def request_my_quote(
    request: HttpRequest, payload: QuoteRequestIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Lines of SKUs my company may buy, in quantities it could order; a SKU without a list
    price may be asked for."""
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id

    def create() -> tuple[int, Any]:
        quote = services.request_quote(
            tenant_id=caller.tenant_id,
            company_id=company_id,
            lines=_quote_lines(payload),
            requested_by_id=caller.company_user_id,
            ship_to_id=payload.ship_to_id,
            note=payload.note,
        )
        return 201, _quote_answer(caller.tenant_id, quote.pk, company_id=company_id)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@buyer_router.get("/quotes", response=QuotePageOut, summary="My company's quotes")
def my_quotes(request: HttpRequest, filters: Query[QuoteFilters]) -> Any:
    """Oldest first; `status=expired` includes answers past their expiry."""
    caller = buyer(request)
    return _quote_page(caller.tenant_id, filters, caller.company_id)


@buyer_router.get("/quotes/{quote_id}", response=QuoteOut, summary="Read a quote")
def my_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    caller = buyer(request)
    return json_response(
        200, _quote_answer(caller.tenant_id, quote_id, company_id=caller.company_id)
    )


@buyer_router.post("/quotes/{quote_id}/accept", response={201: OrderOut}, summary="Accept a quote")
def accept_my_quote(
    request: HttpRequest,
    quote_id: ObjectId,
    payload: QuoteAcceptIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """The quote becomes an order at the quoted prices. After its expiry: 409 `quote_expired`."""
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id
    body = payload or QuoteAcceptIn(ship_to_id=None)

    def create() -> tuple[int, Any]:
        order = services.accept_quote(
            tenant_id=caller.tenant_id,
            quote_id=quote_id,
            company_id=company_id,
            accepted_by_id=caller.company_user_id,
            ship_to_id=body.ship_to_id,
            purchase_order_number=body.purchase_order_number,
            channel=_BUYER_CHANNEL,
        )
        return 201, order_out(order, order.seller.slug, [])

    return run_create(request, idempotency_key, body.model_dump(mode="json"), create)


def _buyer_closes(request: HttpRequest, quote_id: int, close: Callable[..., Any]) -> HttpResponse:
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id

    def run() -> dict[str, Any]:
        close(tenant_id=caller.tenant_id, quote_id=quote_id, company_id=company_id)
        return _quote_answer(caller.tenant_id, quote_id, company_id=company_id)

    return run_change(run)


@buyer_router.post("/quotes/{quote_id}/decline", response=QuoteOut, summary="Decline a quote")
def decline_my_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    """Say no to the seller's answer."""
    return _buyer_closes(request, quote_id, services.decline_quote)


@buyer_router.post(
    "/quotes/{quote_id}/withdraw", response=QuoteOut, summary="Withdraw a quote request"
)
def withdraw_my_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    """Take back a request the seller has not answered yet."""
    return _buyer_closes(request, quote_id, services.withdraw_quote)


@router.get("/quotes", response=QuotePageOut, summary="List quotes")
def list_quotes(request: HttpRequest, filters: Query[StaffQuoteFilters]) -> Any:
    """Oldest first; `status=expired` includes answers past their expiry."""
    return _quote_page(tenant_id(request), filters, filters.company_id)


@router.post("/quotes", response={201: QuoteOut}, summary="Ask for a quote for a company")
def request_company_quote(
    request: HttpRequest, payload: StaffQuoteRequestIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A request entered on the company's behalf."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        quote = services.request_quote(
            tenant_id=tenant,
            company_id=payload.company_id,
            lines=_quote_lines(payload),
            ship_to_id=payload.ship_to_id,
            note=payload.note,
        )
        return 201, _quote_answer(tenant, quote.pk)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get("/quotes/{quote_id}", response=QuoteOut, summary="Read a quote")
def get_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    return json_response(200, _quote_answer(tenant_id(request), quote_id))


@router.post("/quotes/{quote_id}/answer", response=QuoteOut, summary="Answer a quote")
def answer_quote(request: HttpRequest, quote_id: ObjectId, payload: QuoteAnswerIn) -> HttpResponse:
    """A price for every line, valid until `expires_at`; each line also shows the company's
    price today (`list_unit_price`) for comparison."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.answer_quote(
            tenant_id=tenant,
            quote_id=quote_id,
            lines=[
                services.QuotedLine(ln.line_number, Decimal(ln.unit_price)) for ln in payload.lines
            ],
            expires_at=payload.expires_at,
            note=payload.note,
        )
        return _quote_answer(tenant, quote_id)

    return run_change(run)


@router.post("/quotes/{quote_id}/reject", response=QuoteOut, summary="Reject a quote")
def reject_quote(request: HttpRequest, quote_id: ObjectId, payload: QuoteRejectIn) -> HttpResponse:
    """Refuse a request, or take back an answer the buyer has not accepted."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.reject_quote(tenant_id=tenant, quote_id=quote_id, reason=payload.reason)
        return _quote_answer(tenant, quote_id)

    return run_change(run)


# The company's catalogue


def _catalogue_page(tenant: int, company_id: int, filters: MyCatalogueFilters) -> dict[str, Any]:
    result = catalogue.buyer_catalogue(
        tenant,
        company_id,
        after_id=parse_cursor(filters.after),
        limit=filters.limit,
        category_id=filters.category_id,
        q=filters.q,
    )
    next_cursor = None if result.next_after is None else str(result.next_after)
    items = [catalogue_item_out(entry, result.currency) for entry in result.entries]
    return {"currency": result.currency, "items": items, "next_cursor": next_cursor}


# Moved from the catalog app: the id and tag a generated client knows them by stay the same.
@router.get(
    "/catalog",
    response=CataloguePageOut,
    summary="A company's catalogue",
    operation_id="dinghuo_catalog_api_buyer_catalogue",
    tags=["catalog"],
)
def buyer_catalogue(request: HttpRequest, filters: Query[CatalogueFilters]) -> HttpResponse:
    """The active SKUs of active products the company may see (its assortment) and that one
    of its price lists or a valid contract prices, each with the ladder the company gets
    (contract or list, promotion applied), the price of one unit, its own minimum and pack
    size, and what is available now. A constant number of queries whatever the page size."""
    return json_response(200, _catalogue_page(tenant_id(request), filters.company_id, filters))


@buyer_router.get(
    "/catalog",
    response=CataloguePageOut,
    summary="My company's catalogue",
    operation_id="dinghuo_catalog_api_my_catalogue",
    tags=["buyer: catalog"],
)
def my_catalogue(request: HttpRequest, filters: Query[MyCatalogueFilters]) -> HttpResponse:
    """The catalogue of the buyer's own company, as `GET /catalog` gives it to staff."""
    caller = buyer(request)
    assert caller.company_id is not None
    return json_response(200, _catalogue_page(caller.tenant_id, caller.company_id, filters))
