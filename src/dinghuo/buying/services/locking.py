"""The one place buying finds and locks a cart (creating it on first use).

A cart belongs to a company, a seller (the seller of the company's base price list) and an
owner: the company user who fills it, or nobody for the cart seller staff fill on the
company's behalf.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from dinghuo.buying.models import Cart
from dinghuo.buying.queries import Buyer


def _cart_rows(tenant_id: int, buyer: Buyer, owner_id: int | None) -> QuerySet[Cart]:
    return Cart.objects.filter(
        tenant_id=tenant_id,
        company_id=buyer.company_id,
        seller_id=buyer.seller_id,
        owner_id=owner_id,
    )


def locked_cart(tenant_id: int, buyer: Buyer, owner_id: int | None) -> Cart | None:
    """The cart of `owner_id` (None: the staff cart), locked until the transaction ends; None
    if there is none yet."""
    cart: Cart | None = _cart_rows(tenant_id, buyer, owner_id).select_for_update().first()
    return cart


def cart_for_update(tenant_id: int, buyer: Buyer, owner_id: int | None) -> Cart:
    """The cart, locked until the transaction ends; created when there is none yet.

    Two first adds racing: the second insert waits for the first and fails on the unique
    constraint, and then finds (and waits for) the first one's cart."""
    cart = locked_cart(tenant_id, buyer, owner_id)
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(
                tenant_id=tenant_id,
                company_id=buyer.company_id,
                seller_id=buyer.seller_id,
                owner_id=owner_id,
            )
    except IntegrityError:
        cart = locked_cart(tenant_id, buyer, owner_id)
        if cart is None:  # pragma: no cover - the winner's cart cannot vanish in between
            raise
        return cart
