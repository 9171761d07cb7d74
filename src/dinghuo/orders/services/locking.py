"""Taking an order for a change: its row locked first (then the credit line, then stock
levels: the lock order everywhere), and the move checked against the table of allowed
transitions (`orders.states`)."""

from dinghuo.core.errors import InvalidTransition, NotFound
from dinghuo.orders.models import Order
from dinghuo.orders.states import allowed_targets


def locked_order(tenant_id: int, order_id: int, *, with_seller: bool = False) -> Order:
    """The tenant's order, its row locked until the transaction ends, or 404; `with_seller`
    reads its seller in the same statement (only the order's row is locked)."""
    orders = Order.objects.select_for_update(of=("self",)).filter(tenant_id=tenant_id, pk=order_id)
    if with_seller:
        orders = orders.select_related("seller")
    order = orders.first()
    if order is None:
        raise NotFound(f"No order {order_id}.")
    return order


def transition(order: Order, action: str) -> set[str]:
    """The statuses `action` may lead to from the order's status, or 409 `invalid_transition`."""
    targets = allowed_targets(order.status, action)
    if not targets:
        raise InvalidTransition(f"Cannot {action} an order that is {order.status}.")
    return set(targets)
