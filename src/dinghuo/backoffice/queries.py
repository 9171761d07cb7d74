"""Reads only the back office's pages need, around the domain's own queries: the dashboard's
counts and amounts, a page of the order desk, the orders to ship, an order's pick list, a
company named by its code, a page of price lists with their counts.

Each is scoped by tenant and takes a fixed number of queries whatever the number of rows.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dinghuo.core import clock
from dinghuo.core.db import exact
from dinghuo.core.money import round_money
from dinghuo.customers import queries as customers
from dinghuo.inventory import queries as inventory
from dinghuo.inventory.models import StockLevel
from dinghuo.orders import queries as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus
from dinghuo.pricing import queries as pricing
from dinghuo.pricing.models import PriceListAssignment, PriceTier

# A SKU whose units available over the active warehouses fall below this counts as low.
LOW_STOCK_THRESHOLD = 10
CHART_DAYS = 14
TO_SHIP = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)
# The statuses of the dashboard's other tiles.
_COUNTED = (OrderStatus.PLACED, OrderStatus.AWAITING_APPROVAL, OrderStatus.CREDIT_HOLD)
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
class CurrencyPart:
    """What orders in one currency amount to, and that in the base currency."""

    currency: str
    amount: Decimal
    base: Decimal


@dataclass
class Ordered:
    """What the orders of today and of the chart's days amount to, in a base currency (the
    sum of each currency's part, so the page adds up), with each currency's part."""

    base_currency: str
    today: list[CurrencyPart]
    period: list[CurrencyPart]

    @property
    def today_total(self) -> Decimal:
        return sum((part.base for part in self.today), Decimal(0))

    @property
    def period_total(self) -> Decimal:
        return sum((part.base for part in self.period), Decimal(0))

    @property
    def spans(self) -> list[tuple[str, Decimal, list[CurrencyPart]]]:
        """Today's and the chart's days' total and parts, for the page."""
        return [("today", self.today_total, self.today), ("period", self.period_total, self.period)]

    @property
    def foreign(self) -> bool:
        """Some orders of the period are in another currency than the base."""
        return any(part.currency != self.base_currency for part in self.period)


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
    # One per base currency of the tenant's sellers (one while a tenant has one seller).
    ordered: list[Ordered] = field(default_factory=list)

    @property
    def busiest_day(self) -> int:
        """The most orders on one day of the chart (at least 1, to scale the bars by)."""
        return max([d.orders for d in self.per_day] + [1])


def dashboard(tenant_id: int) -> Dashboard:
    """What needs the staff's attention today, the orders of the last days, and what the
    orders of today and of those days amount to in base currency (two queries, whatever the
    number of orders and SKUs)."""
    today = timezone.localdate(clock.now())
    counts, per_day, ordered = _order_counts(tenant_id, today)
    return Dashboard(
        orders_today=counts["today"],
        to_confirm=counts[OrderStatus.PLACED],
        awaiting_approval=counts[OrderStatus.AWAITING_APPROVAL],
        awaiting_seller=counts["awaiting_seller"],
        on_credit_hold=counts[OrderStatus.CREDIT_HOLD],
        to_ship=sum(counts[status] for status in TO_SHIP),
        low_stock=low_stock_count(tenant_id),
        per_day=per_day,
        ordered=ordered,
    )


def _order_counts(
    tenant_id: int, today: date
) -> tuple[Counter[str], list[DayCount], list[Ordered]]:
    """The tiles' counts (by status, "today", "awaiting_seller"), the chart's orders per
    day and what the orders not cancelled of today and of the chart's days amount to
    (`_amounts`), in one pass over the orders (one query).

    Orders are grouped by status and by the chart's day they fall on, told by comparing
    `placed_at` with each day's local midnight (newest first: one comparison for an order
    of today) rather than by turning every order's time into a local date, which costs
    PostgreSQL several times more; orders after today count as today's but have no bar,
    older ones count only by status."""
    days = [today - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS)]
    starts = [_start_of(day) for day in days]
    later = CHART_DAYS  # the "day" of orders placed after today
    day = Case(
        When(placed_at__gte=_start_of(today + timedelta(days=1)), then=Value(later)),
        *(When(placed_at__gte=starts[i], then=Value(i)) for i in reversed(range(CHART_DAYS))),
        output_field=IntegerField(),
    )
    # Only orders in a counted status or of the chart's days can count for anything.
    counted = Q(status__in=[*_COUNTED, *TO_SHIP]) | Q(placed_at__gte=starts[0])
    # An uncorrelated subquery: PostgreSQL reads the seller's inbox once (hashed).
    waits_for_seller = Q(
        status=OrderStatus.AWAITING_APPROVAL,
        id__in=orders.awaiting_seller_approval(tenant_id).values("id"),
    )
    groups = list(
        orders.orders(tenant_id)
        .filter(counted)
        .annotate(day=day)
        .values("day", "status", "currency", "seller__base_currency")
        .annotate(
            n=Count("id"),
            for_seller=Count("id", filter=waits_for_seller),
            amount=Sum("total"),
            base=Sum(exact(F("total") * F("fx_rate")), output_field=_AMOUNT),
        )
        .order_by()
    )
    counts: Counter[str] = Counter()
    per_day = [0] * CHART_DAYS
    for group in groups:
        counts[group["status"]] += group["n"]
        counts["awaiting_seller"] += group["for_seller"]
        if group["day"] is not None:
            if group["day"] >= CHART_DAYS - 1:
                counts["today"] += group["n"]
            if group["day"] < CHART_DAYS:
                per_day[group["day"]] += group["n"]
    days_counted = [DayCount(d, n) for d, n in zip(days, per_day, strict=True)]
    return counts, days_counted, _amounts(groups)


# Each order's total in base currency (its total × its frozen rate), to the money columns'
# four decimals; each currency's sum is rounded once to the base currency's minor units.
_AMOUNT: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=28, decimal_places=4)


def _amounts(groups: list[dict[str, Any]]) -> list[Ordered]:
    """What the orders not cancelled of the chart's days (and of today, which includes
    those placed after it) amount to, per base currency and currency, from the groups of
    `_order_counts`."""
    sums: dict[tuple[str, str, bool], list[Decimal]] = {}
    for group in groups:
        if group["day"] is None or group["status"] == OrderStatus.CANCELLED:
            continue
        spans = [False, True] if group["day"] >= CHART_DAYS - 1 else [False]
        for is_today in spans:
            key = (group["seller__base_currency"], group["currency"], is_today)
            found = sums.setdefault(key, [Decimal(0), Decimal(0)])
            found[0] += group["amount"] or 0
            found[1] += group["base"] or 0
    ordered: dict[str, Ordered] = {}
    for (base, currency, is_today), (amount, in_base) in sorted(sums.items()):
        sums_of = ordered.setdefault(base, Ordered(base, [], []))
        part = CurrencyPart(currency, amount, round_money(in_base, base))
        (sums_of.today if is_today else sums_of.period).append(part)
    return list(ordered.values())


def low_stock_skus(tenant_id: int) -> QuerySet[Any, dict[str, Any]]:
    """The ids of the SKUs with fewer than LOW_STOCK_THRESHOLD units available in total over
    the active warehouses (SKUs without a stock level in one are not counted), as a query
    (the stock page filters on it, the dashboard counts it).

    Available units are never negative (0 ≤ reserved ≤ on_hand is a database check), so a
    SKU below the threshold in total is below it in each of its levels: only the SKUs with a
    level below it are summed. PostgreSQL finds those levels in one pass over the levels and
    sums the few SKUs they name (a hash semi-join), instead of summing every SKU: 5× less
    work at 100,000 SKUs when few are low, about as much as summing everything when many are.
    No index on available units: it would make every stock update, placing an order's
    included, non-HOT (docs/performance.md, "Pages").
    """
    active = StockLevel.objects.filter(tenant_id=tenant_id, warehouse__is_active=True)
    available = F("on_hand") - F("reserved")
    candidates = active.alias(units=available).filter(units__lt=LOW_STOCK_THRESHOLD)
    return (
        active.filter(sku_id__in=candidates.values("sku_id"))
        .values("sku_id")
        .annotate(units=Sum(available))
        .filter(units__lt=LOW_STOCK_THRESHOLD)
        .values("sku_id")
    )


def low_stock_count(tenant_id: int) -> int:
    """How many SKUs are low in stock (`low_stock_skus`): one query."""
    return low_stock_skus(tenant_id).count()


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
        search = orders.OrderSearch(statuses=(status,) if status else ())
        qs = orders.orders(tenant_id, search=search)
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


def company_by_code(tenant_id: int, code: str) -> int | None:
    """The id of the tenant's company with this code, in any case, or None (one query)."""
    found: int | None = (
        customers.companies(tenant_id)
        .filter(code__iexact=code)
        .values_list("pk", flat=True)
        .first()
    )
    return found


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
    held: list[tuple[str, int]]  # (warehouse name, units reserved there), by priority

    @property
    def reserved(self) -> int:
        return sum(units for _, units in self.held)


def pick_list(tenant_id: int, lines: list[OrderLine]) -> list[PickLine]:
    """The order's lines with what is left to ship and the warehouses holding it, from the
    very reservations shipping draws on (one query)."""
    held: dict[int, list[tuple[str, int]]] = {}
    for reservation in inventory.open_reservations(tenant_id, (line.pk for line in lines)):
        held.setdefault(reservation.order_line_id, []).append(
            (reservation.warehouse.name, reservation.quantity)
        )
    return [
        PickLine(line, line.quantity - line.shipped_quantity, held.get(line.pk, []))
        for line in lines
    ]


# --- price lists ---------------------------------------------------------------------------


def _counted(model: Any, aggregate: Count) -> Coalesce:
    # A correlated count: unlike joins with Count(), it stays one row per list however many
    # tiers and assignments there are.
    return Coalesce(
        Subquery(
            model.objects.filter(price_list=OuterRef("pk"))
            .order_by()
            .values("price_list")
            .annotate(n=aggregate)
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def price_lists_page(
    tenant_id: int, *, after: int | None, limit: int
) -> tuple[list[Any], int | None]:
    """A page of the tenant's price lists with how many SKUs and tiers they price and how
    many companies or groups they are offered to (one query)."""
    qs = pricing.price_lists(tenant_id).annotate(
        tier_count=_counted(PriceTier, Count("*")),
        sku_count=_counted(PriceTier, Count("sku", distinct=True)),
        assignment_count=_counted(PriceListAssignment, Count("*")),
    )
    if after:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].pk if more else None
