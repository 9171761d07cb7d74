"""Reads only the back office's pages need, around the domain's own queries: the dashboard's
counts, a page of the order desk, the orders to ship, an order's pick list.

Each is scoped by tenant and takes a fixed number of queries whatever the number of rows.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dinghuo.core import clock
from dinghuo.customers import queries as customers
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel
from dinghuo.orders import queries as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus

# A SKU whose units available over the active warehouses fall below this counts as low.
LOW_STOCK_THRESHOLD = 10
CHART_DAYS = 14
TO_SHIP = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)
# Desk filters beyond the order statuses themselves (the dashboard links to them).
FILTER_TO_SHIP = "to_ship"
FILTER_AWAITING_SELLER = "awaiting_seller"
# "SO-0000123", "so123", "123": an order number as people type it.
_ORDER_NUMBER = re.compile(r"^(?:SO-?)?0*(\d{1,12})$", re.IGNORECASE)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class DayCount:
    day: date
    orders: int


@dataclass(frozen=True)
class Dashboard:
    orders_today: int
    to_confirm: int
    awaiting_approval: int
    awaiting_seller: int
    on_credit_hold: int
    to_ship: int
    low_stock: int
    per_day: list[DayCount]

    @property
    def busiest_day(self) -> int:
        """The most orders on one day of the chart (at least 1, to scale the bars by)."""
        return max([d.orders for d in self.per_day] + [1])


def dashboard(tenant_id: int) -> Dashboard:
    """What needs the staff's attention today, and the orders of the last days (four
    queries, whatever the number of orders and SKUs)."""
    today = timezone.localdate(clock.now())
    tenant_orders = orders.orders(tenant_id)
    counts = tenant_orders.aggregate(
        today=Count("id", filter=Q(placed_at__gte=_start_of(today))),
        to_confirm=Count("id", filter=Q(status=OrderStatus.PLACED)),
        awaiting=Count("id", filter=Q(status=OrderStatus.AWAITING_APPROVAL)),
        hold=Count("id", filter=Q(status=OrderStatus.CREDIT_HOLD)),
        to_ship=Count("id", filter=Q(status__in=TO_SHIP)),
    )
    awaiting_seller = orders.awaiting_seller_approval(tenant_id).values("id").distinct().count()
    low_stock = (
        StockLevel.objects.filter(tenant_id=tenant_id, warehouse__is_active=True)
        .values("sku_id")
        .annotate(units=Sum(F("on_hand") - F("reserved")))
        .filter(units__lt=LOW_STOCK_THRESHOLD)
        .count()
    )
    first_day = today - timedelta(days=CHART_DAYS - 1)
    per_day = dict(
        tenant_orders.filter(placed_at__gte=_start_of(first_day))
        .annotate(day=TruncDate("placed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [first_day + timedelta(days=i) for i in range(CHART_DAYS)]
    return Dashboard(
        orders_today=counts["today"],
        to_confirm=counts["to_confirm"],
        awaiting_approval=counts["awaiting"],
        awaiting_seller=awaiting_seller,
        on_credit_hold=counts["hold"],
        to_ship=counts["to_ship"],
        low_stock=low_stock,
        per_day=[DayCount(day, per_day.get(day, 0)) for day in days],
    )


@dataclass(frozen=True)
class OrdersPage:
    orders: list[Order]
    next_cursor: int | None


def _page(qs: QuerySet[Order], limit: int, *, newest_first: bool) -> OrdersPage:
    found = list(qs.order_by("-id" if newest_first else "id")[: limit + 1])
    cursor = found[limit - 1].pk if len(found) > limit else None
    return OrdersPage(found[:limit], cursor)


def desk_orders(
    tenant_id: int,
    *,
    status: str = "",
    company_id: int | None = None,
    company_text: str = "",
    q: str = "",
    before: int | None = None,
    limit: int = 50,
) -> OrdersPage:
    """A page of the order desk, newest first, with each order's company (one query):
    `status` is an order status, `to_ship` or `awaiting_seller`; the company by id or by its
    exact code or part of its name; `q` an order number or part of a purchase-order number."""
    if status == FILTER_AWAITING_SELLER:
        qs = orders.awaiting_seller_approval(tenant_id).distinct()
    elif status == FILTER_TO_SHIP:
        qs = orders.orders(tenant_id).filter(status__in=TO_SHIP)
    else:
        qs = orders.orders(tenant_id, status=status or None)
    if company_id:
        qs = qs.filter(company_id=company_id)
    elif company_text:
        qs = qs.filter(
            Q(company__code__iexact=company_text) | Q(company__name__icontains=company_text)
        )
    q = q.strip()
    if q:
        wanted = Q(purchase_order_number__icontains=q)
        number = _ORDER_NUMBER.match(q)
        if number:
            wanted |= Q(pk=int(number.group(1)))
        qs = qs.filter(wanted)
    if before:
        qs = qs.filter(id__lt=before)
    return _page(qs.select_related("company"), limit, newest_first=True)


def company_choices(tenant_id: int) -> list[tuple[int, str]]:
    """The tenant's companies for a filter, by name (one query)."""
    rows = customers.companies(tenant_id).order_by("name", "id").values_list("id", "code", "name")
    return [(pk, f"{name} ({code})") for pk, code, name in rows]


def orders_to_ship(tenant_id: int, *, after: int | None = None, limit: int = 50) -> OrdersPage:
    """Confirmed and partially shipped orders, oldest first (they have waited longest), with
    their company and ship-to (one query)."""
    qs = orders.orders(tenant_id).filter(status__in=TO_SHIP)
    if after:
        qs = qs.filter(id__gt=after)
    return _page(qs.select_related("company", "ship_to"), limit, newest_first=False)


@dataclass(frozen=True)
class PickLine:
    """What is still to ship of an order line and where its stock is held."""

    line: OrderLine
    to_ship: int
    held: list[tuple[str, int]]  # (warehouse code, units reserved there), by priority

    @property
    def reserved(self) -> int:
        return sum(units for _, units in self.held)


def pick_list(tenant_id: int, lines: list[OrderLine]) -> list[PickLine]:
    """The order's lines with what is left to ship and the warehouses holding it, from the
    very reservations shipping draws on (one query)."""
    held: dict[int, list[tuple[str, int]]] = {}
    for reservation in stock.open_reservations(tenant_id, (line.pk for line in lines)):
        held.setdefault(reservation.order_line_id, []).append(
            (reservation.warehouse.code, reservation.quantity)
        )
    return [
        PickLine(line, line.quantity - line.shipped_quantity, held.get(line.pk, []))
        for line in lines
    ]
