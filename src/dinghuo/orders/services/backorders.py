"""Backorders filled on arrival: when stock of a SKU arrives (a receipt, a transfer, goods
returned to stock), the units open orders wait for are reserved by themselves, in the order
the seller chose (`OrderPolicy.backorder_fill`):

- `oldest` (the default): the order placed first is served first;
- `priority`: orders of the companies in the seller's priority group (`OrderPolicy.
  priority_group`) first, then the oldest;
- `delivery_date`: the earliest requested delivery date first (orders without one last),
  then the oldest.

Within an order, lines are served in line order. A line gets what there is (a partial fill),
from the active warehouses by priority, as placing allocates. Only orders that go ahead wait
for stock this way: placed, confirmed and partially shipped ones. An order on credit hold or
waiting for approval is not served until it is released or approved (the next arrival, or
the housekeeping round, serves it then); a cancelled one has no backorder left.

Locks: the waiting orders' rows (in id order, skipping any another transaction holds: that
order is served by the next fill), then their SKUs' stock levels in (sku, warehouse) order
through `inventory.services.allocate`, as placing does; so filling can neither oversell nor
deadlock with placing, shipping or cancelling, even inside a transaction that has already
locked stock levels (a receipt): it never waits for an order row.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from django.db import transaction
from django.db.models import F

from dinghuo.core import clock
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel
from dinghuo.orders.models import Order, OrderLine, OrderPolicy
from dinghuo.orders.services.order_events import order_event
from dinghuo.orders.states import OrderStatus

T = TypeVar("T")

# Orders whose backorders are served when stock arrives.
FILLED_STATUSES = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)
Fill = OrderPolicy.BackorderFill


@dataclass
class Filled:
    """What a fill reserved: units per order line id, and the orders served."""

    lines: dict[int, int] = field(default_factory=dict)
    orders: list[int] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(self.lines.values())


@transaction.atomic
def fill_backorders(*, tenant_id: int, sku_ids: Iterable[int]) -> Filled:
    """Reserve arrived stock of these SKUs for the open orders waiting for it, in each
    seller's fill order (see the module docstring), and record `order.backorder_filled` on
    each order served, with its lines and units. Nothing happens when nothing waits or
    nothing is available. One transaction (a savepoint inside the caller's)."""
    skus = set(sku_ids)
    orders = _lock_waiting_orders(tenant_id, skus)
    if not orders:
        return Filled()
    lines = _waiting_lines(orders, skus)
    queue = sorted(lines, key=_fill_order(orders, tenant_id))
    allocated = stock.allocate(
        tenant_id,
        [
            allocation.Want(i, line.sku_id, line.backordered_quantity, True)
            for i, line in enumerate(queue)
        ],
    )
    return _reserve(orders, queue, allocated)


def _lock_waiting_orders(tenant_id: int, sku_ids: set[int]) -> dict[int, Order]:
    """The open orders with backordered units of these SKUs, their rows locked in id order;
    orders locked by another transaction are left for the next fill."""
    waiting = (
        OrderLine.objects.filter(
            tenant_id=tenant_id,
            sku_id__in=sku_ids,
            backordered_quantity__gt=0,
            order__status__in=FILLED_STATUSES,
        )
        .values_list("order_id", flat=True)
        .distinct()
    )
    locked = (
        Order.objects.select_for_update(skip_locked=True)
        .filter(tenant_id=tenant_id, pk__in=list(waiting), status__in=FILLED_STATUSES)
        .order_by("pk")
    )
    return {order.pk: order for order in locked}


def _waiting_lines(orders: dict[int, Order], sku_ids: set[int]) -> list[OrderLine]:
    """The locked orders' lines still waiting for units of these SKUs (read after the lock)."""
    return list(
        OrderLine.objects.filter(
            order_id__in=list(orders), sku_id__in=sku_ids, backordered_quantity__gt=0
        ).order_by("order_id", "line_number")
    )


def _fill_order(orders: dict[int, Order], tenant_id: int) -> "_Key":
    """The sort key that puts lines in their sellers' fill order."""
    seller_ids = {order.seller_id for order in orders.values()}
    policies = {
        p.seller_id: p
        for p in OrderPolicy.objects.filter(tenant_id=tenant_id, seller_id__in=seller_ids)
    }
    priority_groups = {p.priority_group_id for p in policies.values() if p.priority_group_id}
    members: set[tuple[int, int]] = set()  # (group, company)
    if priority_groups:
        members = set(
            Company.groups.through.objects.filter(
                customergroup_id__in=priority_groups,
                company_id__in={order.company_id for order in orders.values()},
            ).values_list("customergroup_id", "company_id")
        )
    return _Key(orders, policies, members)


@dataclass(frozen=True)
class _Key:
    orders: dict[int, Order]
    policies: dict[int, OrderPolicy]
    members: set[tuple[int, int]]

    def __call__(self, line: OrderLine) -> tuple[int, date, datetime, int, int]:
        order = self.orders[line.order_id]
        policy = self.policies.get(order.seller_id)
        rule = policy.backorder_fill if policy else Fill.OLDEST
        first = 0
        if rule == Fill.PRIORITY and policy is not None:
            first = 0 if (policy.priority_group_id, order.company_id) in self.members else 1
        wanted = date.max
        if rule == Fill.DELIVERY_DATE and order.requested_delivery_date is not None:
            wanted = order.requested_delivery_date
        return (first, wanted, order.placed_at, order.pk, line.line_number)


def _reserve(
    orders: dict[int, Order], queue: list[OrderLine], allocated: stock.Allocated
) -> Filled:
    """Lower the served lines' backorders, record each served order's event, then hold the
    planned units (one inventory write per order, so the ledger names each order; the
    order's event comes before `stock.changed` in the feed, as when placing)."""
    planned: dict[int, list[allocation.Allocation]] = defaultdict(list)
    filled = Filled()
    for part in allocated.plan.allocations:
        line = queue[part.index]
        planned[line.order_id].append(part)
        filled.lines[line.pk] = filled.lines.get(line.pk, 0) + part.quantity
    if not planned:
        return filled
    filled.orders = sorted(planned)
    served = [line for line in queue if line.pk in filled.lines]
    for line in served:
        line.backordered_quantity -= filled.lines[line.pk]
    OrderLine.objects.bulk_update(served, ["backordered_quantity"])
    # A served order's answer changed: `updated_since` and its ETag must see it.
    Order.objects.filter(pk__in=filled.orders).update(updated_at=clock.now())
    events.record(*(_filled_event(orders[o], served, filled) for o in filled.orders))
    for order_id in filled.orders:
        stock.reserve(
            stock.Allocated(
                allocated.tenant_id, allocated.locked, allocation.Plan(planned[order_id], {}, [])
            ),
            order_line_ids=[line.pk for line in queue],
            sku_codes={line.sku_id: line.sku_code for line in queue},
            reference=f"order:{order_id}",
            reason="backorder filled",
        )
    return filled


def _filled_event(order: Order, served: list[OrderLine], filled: Filled) -> Event:
    return order_event(
        order,
        "order.backorder_filled",
        {
            "lines": [
                {
                    "line_number": line.line_number,
                    "sku": line.sku_code,
                    "quantity": filled.lines[line.pk],
                    "still_backordered": line.backordered_quantity,
                }
                for line in served
                if line.order_id == order.pk
            ]
        },
    )


def fill_waiting_backorders() -> int:
    """The housekeeping round's safety net: for every tenant, the SKUs that open orders wait
    for and that have stock available in an active warehouse are filled (`fill_backorders`),
    whatever brought the stock in. Returns how many units were reserved. Two queries when
    nothing waits."""
    waiting = set(
        OrderLine.objects.filter(backordered_quantity__gt=0, order__status__in=FILLED_STATUSES)
        .values_list("tenant_id", "sku_id")
        .distinct()
    )
    if not waiting:
        return 0
    available = set(
        StockLevel.objects.filter(
            sku_id__in={sku for _, sku in waiting},
            warehouse__is_active=True,
            on_hand__gt=F("reserved"),
        )
        .values_list("tenant_id", "sku_id")
        .distinct()
    )
    by_tenant: dict[int, set[int]] = defaultdict(set)
    for tenant_id, sku_id in waiting & available:
        by_tenant[tenant_id].add(sku_id)
    return sum(
        fill_backorders(tenant_id=tenant_id, sku_ids=skus).units
        for tenant_id, skus in sorted(by_tenant.items())
    )


def with_backorders_filled(
    *,
    tenant_id: int,
    sku_ids: Iterable[int] | Callable[[T], Iterable[int]],
    arrive: Callable[[], T],
) -> T:
    """Run a stock write that may bring units (a receipt, a transfer in, a count upwards)
    and fill the waiting backorders of these SKUs in the same transaction: the units are
    reserved for the orders waiting before anyone else can place an order for them.
    `sku_ids` may be a function of what the write answers (the SKUs a bulk receipt named)."""
    with transaction.atomic():
        done = arrive()
        served = sku_ids(done) if callable(sku_ids) else sku_ids
        fill_backorders(tenant_id=tenant_id, sku_ids=served)
    return done
