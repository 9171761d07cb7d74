"""The cart: the buyer's own (/my/cart) and the one staff fill on a company's behalf; lines
added, changed, removed, and the cart checked out as one order."""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may
from dinghuo.api.idempotent import json_response, require_key, run_change, run_create
from dinghuo.api.schemas import MAX_ID, IdempotencyKey, ObjectId, RequiredIdempotencyKey
from dinghuo.buying import queries, services
from dinghuo.buying.api.shared import BUYER_CHANNEL, STAFF_CHANNEL, WhoseCart
from dinghuo.buying.schemas.carts import CartLineIn, CartOut, CartQuantityIn, CheckoutIn
from dinghuo.orders.schemas import OrderOut, order_out

ShipToQuery = Annotated[
    int | None,
    Query(
        description="The ship-to to compute the tax for; the company's first if omitted",
        ge=1,
        le=MAX_ID,
    ),
]

router = Router(tags=["buying"])
buyer_router = Router(tags=["buyer: buying"])


def _get_cart(cart: WhoseCart, ship_to_id: int | None) -> HttpResponse:
    return json_response(200, cart.answer(ship_to_id))


def _add_line(
    request: HttpRequest, cart: WhoseCart, payload: CartLineIn, key: str | None
) -> HttpResponse:
    def add() -> tuple[int, Any]:
        services.add_to_cart(**cart.where(), sku=payload.sku, quantity=payload.quantity)
        return 200, cart.answer()

    return run_create(request, key, payload.model_dump(mode="json"), add)


def _set_quantity(cart: WhoseCart, sku_id: int, payload: CartQuantityIn) -> HttpResponse:
    def run() -> dict[str, Any]:
        services.set_cart_quantity(**cart.where(), sku_id=sku_id, quantity=payload.quantity)
        return cart.answer()

    return run_change(run)


def _remove_line(cart: WhoseCart, sku_id: int) -> HttpResponse:
    def run() -> dict[str, Any]:
        services.remove_from_cart(**cart.where(), sku_id=sku_id)
        return cart.answer()

    return run_change(run)


def _checkout(
    request: HttpRequest,
    cart: WhoseCart,
    payload: CheckoutIn,
    key: str | None,
    channel: str,
) -> HttpResponse:
    # Another tenant's company is not found, whether or not the key was sent.
    queries.buyer_company(cart.tenant, cart.company_id)
    require_key(key, "a retried order is never placed twice")

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


# Buyer: the cart


@buyer_router.get("/cart", response=CartOut, summary="My cart")
def my_cart(request: HttpRequest, ship_to_id: ShipToQuery = None) -> HttpResponse:
    """Every line priced now, with the reasons a line could not be ordered now, and the tax
    to the ship-to (by default the company's first)."""
    return _get_cart(WhoseCart.of_buyer(request), ship_to_id)


@buyer_router.post("/cart/lines", response=CartOut, summary="Add to my cart")
def add_to_my_cart(
    request: HttpRequest, payload: CartLineIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A SKU already in the cart gets the quantity added. A line that could not be ordered at
    the quantity the cart would hold is refused (422 with its reasons)."""
    return _add_line(request, WhoseCart.of_buyer(request), payload, idempotency_key)


@buyer_router.patch("/cart/lines/{sku_id}", response=CartOut, summary="Change a line of my cart")
def change_my_cart_line(
    request: HttpRequest, sku_id: ObjectId, payload: CartQuantityIn
) -> HttpResponse:
    return _set_quantity(WhoseCart.of_buyer(request), sku_id, payload)


@buyer_router.delete("/cart/lines/{sku_id}", response=CartOut, summary="Remove a line from my cart")
def remove_from_my_cart(request: HttpRequest, sku_id: ObjectId) -> HttpResponse:
    return _remove_line(WhoseCart.of_buyer(request), sku_id)


@buyer_router.post("/cart/checkout", response={201: OrderOut}, summary="Order my cart")
def check_out_my_cart(
    request: HttpRequest, payload: CheckoutIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """Places the cart as one order and empties it; a refused order leaves the cart as it was.
    Requires an `Idempotency-Key` header."""
    cart = WhoseCart.of_buyer(request)
    return _checkout(request, cart, payload, idempotency_key, BUYER_CHANNEL)


# Staff: a company's cart


@router.get(
    "/companies/{company_id}/cart",
    response=CartOut,
    summary="A company's staff cart",
    auth=staff_may("orders.view"),
)
def company_cart(
    request: HttpRequest, company_id: ObjectId, ship_to_id: ShipToQuery = None
) -> HttpResponse:
    """The cart staff fill on the company's behalf, priced now, with the tax to the ship-to
    (by default the company's first)."""
    return _get_cart(WhoseCart.of_staff(request, company_id), ship_to_id)


@router.post(
    "/companies/{company_id}/cart/lines",
    response=CartOut,
    summary="Add to a company's cart",
    auth=staff_may("orders.enter"),
)
def add_to_company_cart(
    request: HttpRequest,
    company_id: ObjectId,
    payload: CartLineIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    return _add_line(request, WhoseCart.of_staff(request, company_id), payload, idempotency_key)


@router.patch(
    "/companies/{company_id}/cart/lines/{sku_id}",
    response=CartOut,
    summary="Change a line of a company's cart",
    auth=staff_may("orders.enter"),
)
def change_company_cart_line(
    request: HttpRequest, company_id: ObjectId, sku_id: ObjectId, payload: CartQuantityIn
) -> HttpResponse:
    return _set_quantity(WhoseCart.of_staff(request, company_id), sku_id, payload)


@router.delete(
    "/companies/{company_id}/cart/lines/{sku_id}",
    response=CartOut,
    summary="Remove a line from a company's cart",
    auth=staff_may("orders.enter"),
)
def remove_from_company_cart(
    request: HttpRequest, company_id: ObjectId, sku_id: ObjectId
) -> HttpResponse:
    return _remove_line(WhoseCart.of_staff(request, company_id), sku_id)


@router.post(
    "/companies/{company_id}/cart/checkout",
    response={201: OrderOut},
    summary="Order a company's cart",
    auth=staff_may("orders.enter"),
)
def check_out_company_cart(
    request: HttpRequest,
    company_id: ObjectId,
    payload: CheckoutIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """An order entered on the customer's behalf (channel "staff"). Requires an
    `Idempotency-Key` header."""
    cart = WhoseCart.of_staff(request, company_id)
    return _checkout(request, cart, payload, idempotency_key, STAFF_CHANNEL)
