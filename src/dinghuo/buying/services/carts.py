"""Cart writes: add a SKU, change or remove a line, and check the cart out as one order.

Every line is judged by `orders.queries.check_lines`, the check placing an order makes, so a
cart never holds a line that could not have been ordered when it was added. Carts record no
events (they are drafts); checking out places the order, which records its own.
"""

from datetime import date

from django.db import transaction

from dinghuo.buying import queries
from dinghuo.buying.models import CartLine
from dinghuo.buying.queries import Buyer
from dinghuo.buying.services.locking import cart_for_update, locked_cart
from dinghuo.buying.services.problems import blocking, moved, refusal
from dinghuo.catalog.models import Sku
from dinghuo.core.errors import NotFound, ValidationFailed
from dinghuo.orders.models import Order
from dinghuo.orders.queries import check_lines
from dinghuo.orders.services import LineRequest, place_order


def _check_orderable(tenant_id: int, buyer: Buyer, sku: str, quantity: int) -> None:
    """The line as `check_lines` sees it; 422 with every reason it could not be ordered."""
    line = check_lines(tenant_id, buyer.company_id, [LineRequest(sku, quantity)]).lines[0]
    problems = blocking(line.problems)
    if problems:
        raise ValidationFailed(
            "This line could not be ordered; see errors.",
            code=problems[0].code,
            errors=[moved(p, "") for p in problems],
        )


def _quantity_must_be_positive(quantity: int) -> None:
    if quantity <= 0:
        raise refusal("quantity", "quantity_not_positive", "Add at least one unit")


@transaction.atomic
def add_to_cart(
    *, tenant_id: int, company_id: int, owner_id: int | None, sku: str, quantity: int
) -> None:
    """Put `quantity` of the SKU coded `sku` in the cart of `owner_id` (None: the staff cart);
    a SKU already in the cart gets the quantity added to it.

    Refused (422, nothing changed) when the SKU is unknown to the company (another seller's,
    another tenant's, outside its assortment) or the line could not be ordered at its new
    quantity: inactive, below the minimum, not a pack multiple, no price. Short stock does not
    stop it: the order decides (backorder or refusal)."""
    _quantity_must_be_positive(quantity)
    buyer = queries.buyer_company(tenant_id, company_id)
    sku_id = (
        Sku.objects.filter(tenant_id=tenant_id, seller_id=buyer.seller_id, code=sku)
        .values_list("id", flat=True)
        .first()
    )
    if sku_id is None:
        raise refusal("sku", "unknown_sku", f"No SKU {sku}")
    cart = cart_for_update(tenant_id, buyer, owner_id)
    existing = CartLine.objects.filter(cart=cart, sku_id=sku_id).first()
    total = quantity + (existing.quantity if existing else 0)
    # Judged at the quantity the cart will hold: the tier, the pack and the minimum of the sum.
    _check_orderable(tenant_id, buyer, sku, total)
    if existing is None:
        CartLine.objects.create(tenant_id=tenant_id, cart=cart, sku_id=sku_id, quantity=total)
    else:
        existing.quantity = total
        existing.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])


def _cart_line(tenant_id: int, buyer: Buyer, owner_id: int | None, sku_id: int) -> CartLine:
    cart = locked_cart(tenant_id, buyer, owner_id)
    line = (
        CartLine.objects.select_related("sku", "cart").filter(cart=cart, sku_id=sku_id).first()
        if cart is not None
        else None
    )
    if line is None:
        raise NotFound(f"SKU {sku_id} is not in the cart.")
    return line


@transaction.atomic
def set_cart_quantity(
    *, tenant_id: int, company_id: int, owner_id: int | None, sku_id: int, quantity: int
) -> None:
    """Change how many of a SKU in the cart the order would take; a SKU not in the cart is
    not found. Refused like `add_to_cart` when the line could not be ordered."""
    _quantity_must_be_positive(quantity)
    buyer = queries.buyer_company(tenant_id, company_id)
    line = _cart_line(tenant_id, buyer, owner_id, sku_id)
    _check_orderable(tenant_id, buyer, line.sku.code, quantity)
    if line.quantity != quantity:
        line.quantity = quantity
        line.save(update_fields=["quantity"])
        line.cart.save(update_fields=["updated_at"])


@transaction.atomic
def remove_from_cart(*, tenant_id: int, company_id: int, owner_id: int | None, sku_id: int) -> None:
    """Take a SKU out of the cart; a SKU not in the cart is not found."""
    buyer = queries.buyer_company(tenant_id, company_id)
    line = _cart_line(tenant_id, buyer, owner_id, sku_id)
    line.delete()
    line.cart.save(update_fields=["updated_at"])


@transaction.atomic
def checkout_cart(
    *,
    tenant_id: int,
    company_id: int,
    owner_id: int | None,
    ship_to_id: int,
    purchase_order_number: str = "",
    notes: str = "",
    channel: str = "api",
    placed_by_id: int | None = None,
    requested_delivery_date: date | None = None,
    entered_by_id: int | None = None,
) -> Order:
    """Place the cart as one order and empty it, together: a refused order (422/409 with the
    order's errors) leaves the cart exactly as it was."""
    buyer = queries.buyer_company(tenant_id, company_id)
    cart = locked_cart(tenant_id, buyer, owner_id)
    rows = (
        list(CartLine.objects.filter(cart=cart).order_by("id").values_list("sku__code", "quantity"))
        if cart is not None
        else []
    )
    if cart is None or not rows:
        raise refusal("lines", "cart_empty", "The cart is empty")
    order = place_order(
        tenant_id=tenant_id,
        company_id=company_id,
        ship_to_id=ship_to_id,
        lines=[LineRequest(code, quantity) for code, quantity in rows],
        purchase_order_number=purchase_order_number,
        notes=notes,
        channel=channel,
        placed_by_id=placed_by_id,
        requested_delivery_date=requested_delivery_date,
        entered_by_id=entered_by_id,
    )
    CartLine.objects.filter(cart=cart).delete()
    cart.save(update_fields=["updated_at"])
    return order
