"""Reorder: an earlier order's lines into a cart at today's prices, the buyer's own or the
staff cart of the order's company."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.buying import queries, services
from dinghuo.buying.api.shared import WhoseCart, repriced
from dinghuo.buying.schemas.carts import RepricingOut

router = Router(tags=["buying"])
buyer_router = Router(tags=["buyer: buying"])


@buyer_router.post(
    "/orders/{order_id}/reorder", response=RepricingOut, summary="Reorder into my cart"
)
def reorder_into_my_cart(
    request: HttpRequest, order_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Copies an order of my company into my cart at today's prices, reporting per line the
    price it had and has now; lines that could not be ordered today are reported, not added."""
    cart = WhoseCart.of_buyer(request)

    def add() -> services.Repricing:
        return services.reorder(
            tenant_id=cart.tenant,
            order_id=order_id,
            company_id=cart.company_id,
            cart_owner_id=cart.owner_id,
        )

    return repriced(request, cart, idempotency_key, {"order_id": order_id}, add)


@router.post(
    "/orders/{order_id}/reorder",
    response=RepricingOut,
    summary="Reorder into the staff cart",
    auth=staff_may("orders.enter"),
)
def reorder_into_company_cart(
    request: HttpRequest, order_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Copies an order into its company's staff cart at today's prices (see the buyer route)."""
    tenant = tenant_id(request)
    company_id = queries.order_company(tenant, order_id)
    cart = WhoseCart(tenant, company_id, None)

    def add() -> services.Repricing:
        return services.reorder(tenant_id=tenant, order_id=order_id, cart_owner_id=None)

    return repriced(request, cart, idempotency_key, {"order_id": order_id}, add)
