"""Taking an order for a change: its row locked first (then the credit line, then stock
levels: the lock order everywhere), and the move checked against the table of allowed
transitions (`orders.states`)."""

from django.db import connection

from dinghuo.core.errors import InvalidTransition, NotFound
from dinghuo.orders.models import Order, OrderApproval
from dinghuo.orders.states import allowed_targets

# Plain SQL: the ORM spends more building a locking SELECT (with the approvals flag) than the
# database spends running it, on every change of an order. SQLite locks the whole database
# for a writer, so it needs no FOR UPDATE.
_LOCK = "SELECT o.*{flag} FROM {orders} o WHERE o.tenant_id = %s AND o.id = %s{lock}"
_FLAG = ", EXISTS (SELECT 1 FROM {approvals} a WHERE a.order_id = o.id) AS has_approvals"


def locked_order(tenant_id: int, order_id: int, *, with_approval_flag: bool = False) -> Order:
    """The tenant's order, its row locked until the transaction ends, or 404;
    `with_approval_flag` also says whether it has approval rows (`has_approvals`)."""
    quote = connection.ops.quote_name
    sql = _LOCK.format(
        orders=quote(Order._meta.db_table),
        flag=_FLAG.format(approvals=quote(OrderApproval._meta.db_table))
        if with_approval_flag
        else "",
        lock=" FOR UPDATE OF o" if connection.features.has_select_for_update_of else "",
    )
    order = next(iter(Order.objects.raw(sql, [tenant_id, order_id])), None)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    return order


def transition(order: Order, action: str) -> set[str]:
    """The statuses `action` may lead to from the order's status, or 409 `invalid_transition`."""
    targets = allowed_targets(order.status, action)
    if not targets:
        raise InvalidTransition(f"Cannot {action} an order that is {order.status}.")
    return set(targets)
