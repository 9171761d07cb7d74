"""The dashboard: today's work counted, each count linked to the filtered desk, a chart of
the last 14 days, in a constant number of queries."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dinghuo.backoffice import queries
from dinghuo.catalog.models import Product, Sku
from dinghuo.core import clock
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel, Warehouse
from dinghuo.orders.models import Order
from dinghuo.orders.services import confirm_order
from tests.backoffice.staffing import place, staff_client, texts
from tests.builders import World, build_world
from tests.orders.support import add_rule, buyer_in, set_credit, set_rate

# Session, user, staff member, the order counts with the chart, low stock.
DASHBOARD_QUERIES = 5


def test_the_counts_say_what_waits_and_link_to_the_desk(world):
    staff = staff_client(world)
    placed = place(world, ("A-1", 1), key="a")
    to_ship = place(world, ("A-1", 1), key="b")
    confirm_order(tenant_id=world.tenant.pk, order_id=to_ship.pk)
    add_rule(world, "seller looks", approver="seller", min_amount="50")
    place(world, ("A-1", 6), key="c")  # 60.00 → waits for the seller
    set_credit(world, "100.00")
    place(world, ("A-1", 9), key="d")  # over the limit → credit hold
    board = queries.dashboard(world.tenant.pk)
    assert (board.orders_today, board.to_confirm, board.awaiting_approval) == (4, 1, 1)
    assert (board.awaiting_seller, board.on_credit_hold, board.to_ship) == (1, 1, 1)
    assert placed.status == "placed"
    # D-4 has no stock at all; every other SKU has 100 less what is reserved.
    assert board.low_stock == 0  # D-4 has no stock level: nothing to be low on
    stock.adjust_stock(
        tenant_id=world.tenant.pk,
        warehouse_code="main",
        sku_id=world.skus["C-3"].pk,
        delta=-95,
        reason="damaged",
    )
    assert queries.dashboard(world.tenant.pk).low_stock == 1

    page = texts(staff.client.get("/staff/"))
    for status in ("placed", "awaiting_approval", "awaiting_seller", "credit_hold", "to_ship"):
        assert f'href="/staff/orders/?status={status}"' in page
    assert staff.client.get("/staff/orders/?status=awaiting_seller").status_code == 200


def test_the_amounts_are_in_the_base_currency_with_each_currencys_part(db):
    """Orders in Hong Kong dollars and in yen (at 0.052, each rounded once per currency): what
    today's and the fortnight's orders not cancelled come to in HK$, and each currency's part."""
    hk = build_world("hk", currency="HKD")
    yen = buyer_in(hk, "JPY", {"A-1": "1000", "C-3": "1"})
    set_rate(hk, "JPY", "0.052")
    place(hk, ("A-1", 2), key="hk")  # HK$20.00
    place(yen, ("A-1", 3), key="jp")  # ¥3,000 = HK$156.00
    place(yen, ("A-1", 1), ("C-3", 1), key="jp2")  # ¥1,001 = HK$52.052
    earlier = place(yen, ("A-1", 10), key="old")  # ¥10,000 = HK$520.00, three days ago
    Order.objects.filter(pk=earlier.pk).update(placed_at=timezone.now() - timedelta(days=3))
    cancelled = place(hk, ("A-1", 5), key="x")
    Order.objects.filter(pk=cancelled.pk).update(status="cancelled")

    [ordered] = queries.dashboard(hk.tenant.pk).ordered
    assert ordered.base_currency == "HKD"
    parts = [(p.currency, p.amount, p.base) for p in ordered.today]
    assert parts == [("HKD", Decimal("20.00"), Decimal("20.00")),
                     ("JPY", Decimal("4001"), Decimal("208.05"))]  # fmt: skip
    assert ordered.today_total == Decimal("228.05")
    assert [(p.currency, p.amount, p.base) for p in ordered.period] == [
        ("HKD", Decimal("20.00"), Decimal("20.00")),
        ("JPY", Decimal("14001"), Decimal("728.05")),
    ]
    assert ordered.period_total == Decimal("748.05")

    page = texts(staff_client(hk).client.get("/staff/"))
    assert "Ordered, in Hong Kong dollars (the base currency)" in page
    assert "HK$228.05" in page and "HK$748.05" in page
    assert "¥4,001, that is HK$208.05" in page and "¥14,001, that is HK$728.05" in page


def test_amounts_in_the_base_currency_alone_have_no_parts(world):
    place(world, ("A-1", 2), key="a")
    [ordered] = queries.dashboard(world.tenant.pk).ordered
    assert (ordered.base_currency, ordered.today_total, ordered.foreign) == (
        "USD",
        Decimal("20.00"),
        False,
    )
    page = texts(staff_client(world).client.get("/staff/"))
    assert "$20.00" in page and 'data-testid="ordered-today-parts"' not in page


def test_the_chart_has_a_bar_per_day_for_fourteen_days(world):
    staff = staff_client(world)
    place(world, ("A-1", 1), key="a")
    old = place(world, ("A-1", 1), key="b")
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=3))
    ancient = place(world, ("A-1", 1), key="c")
    Order.objects.filter(pk=ancient.pk).update(placed_at=timezone.now() - timedelta(days=30))
    board = queries.dashboard(world.tenant.pk)
    assert len(board.per_day) == 14
    assert [d.orders for d in board.per_day][-1] == 1
    assert [d.orders for d in board.per_day][-4] == 1
    assert sum(d.orders for d in board.per_day) == 2
    page = texts(staff.client.get("/staff/"))
    assert page.count('class="chart__bar"') == 14
    assert page.count('data-orders="1"') == 2


def test_the_dashboard_issues_the_same_queries_for_few_or_many_orders(world):
    staff = staff_client(world)
    place(world, ("A-1", 1), key="a")
    staff.client.get("/staff/")
    with CaptureQueriesContext(connection) as few:
        staff.client.get("/staff/")
    for i in range(15):
        place(world, ("C-3", 1), key=f"b{i}")
    with CaptureQueriesContext(connection) as many:
        staff.client.get("/staff/")
    assert len(few) == len(many) <= DASHBOARD_QUERIES, [q["sql"] for q in many]


def test_the_chart_days_are_local_days_and_later_orders_count_as_today(world):
    """Bars are days in the reader's time zone, from its midnights: an order a second
    before the first day's midnight has no bar, one placed after today counts as today's."""
    zone = ZoneInfo("Asia/Hong_Kong")
    now = datetime(2026, 3, 20, 1, 30, tzinfo=zone)  # still the 19th in UTC
    first_midnight = datetime(2026, 3, 7, tzinfo=zone)
    placed_at = {
        "first": first_midnight,
        "before": first_midnight - timedelta(seconds=1),
        "today": datetime(2026, 3, 20, 0, 0, tzinfo=zone),
        "later": datetime(2026, 3, 21, 9, 0, tzinfo=zone),
    }
    for key, moment in placed_at.items():
        order = place(world, ("A-1", 1), key=key)
        Order.objects.filter(pk=order.pk).update(placed_at=moment)
    with timezone.override(zone), clock.as_of(now):
        board = queries.dashboard(world.tenant.pk)
    assert (board.per_day[0].day, board.per_day[-1].day) == (date(2026, 3, 7), date(2026, 3, 20))
    assert [d.orders for d in board.per_day] == [1] + [0] * 12 + [1]
    assert (board.orders_today, board.to_confirm) == (2, 4)


def test_old_open_orders_still_count_and_old_closed_ones_do_not(world):
    recent = place(world, ("A-1", 1), key="a")
    old_open = place(world, ("A-1", 1), key="b")
    old_done = place(world, ("A-1", 1), key="c")
    long_ago = timezone.now() - timedelta(days=40)
    Order.objects.filter(pk__in=[old_open.pk, old_done.pk]).update(placed_at=long_ago)
    Order.objects.filter(pk=old_done.pk).update(status="delivered")
    board = queries.dashboard(world.tenant.pk)
    assert recent.status == "placed"
    assert (board.orders_today, board.to_confirm, board.to_ship) == (1, 2, 0)
    assert sum(d.orders for d in board.per_day) == 1


def _low_by_definition(tenant_id: int) -> int:
    """SKUs with a level in an active warehouse whose available units there sum below the
    threshold: the definition, counted in Python from every level."""
    active = set(
        Warehouse.objects.filter(tenant_id=tenant_id, is_active=True).values_list("id", flat=True)
    )
    units: dict[int, int] = defaultdict(int)
    for level in StockLevel.objects.filter(tenant_id=tenant_id, warehouse_id__in=active):
        units[level.sku_id] += level.on_hand - level.reserved
    return sum(1 for total in units.values() if total < queries.LOW_STOCK_THRESHOLD)


def _adjust(world: World, code: str, warehouse: str, delta: int) -> None:
    where = {"tenant_id": world.tenant.pk, "warehouse_code": warehouse}
    where["sku_id"] = world.skus[code].pk
    if delta < 0:
        stock.adjust_stock(**where, delta=delta, reason="count")
    else:
        stock.receive_stock(**where, quantity=delta, reason="count")


def test_low_stock_sums_what_is_available_over_the_active_warehouses(world, other_world):
    _adjust(world, "A-1", "main", -97)  # 3 here + 2 up north = 5: low
    _adjust(world, "A-1", "north", 2)
    _adjust(world, "B-2", "main", -94)  # 6 + 4 = 10, each level below 10: not low
    _adjust(world, "B-2", "north", 4)
    _adjust(world, "C-3", "main", -95)  # 5 + 50: not low
    _adjust(world, "C-3", "north", 50)
    _adjust(world, "D-4", "north", 12)  # 12 up north, 3 of them reserved below: 9, low
    place(world, ("D-4", 3), key="d")
    _adjust(other_world, "A-1", "main", -99)  # another tenant's low SKU
    assert queries.low_stock_count(world.tenant.pk) == _low_by_definition(world.tenant.pk) == 2

    Warehouse.objects.filter(tenant=world.tenant, code="north").update(is_active=False)
    # A-1 3, B-2 6, C-3 5 are now low; D-4 is in no active warehouse, so it is not counted.
    assert queries.low_stock_count(world.tenant.pk) == _low_by_definition(world.tenant.pk) == 3
    assert queries.dashboard(world.tenant.pk).low_stock == 3


def test_low_stock_agrees_with_its_definition_on_random_levels(world):
    """Many SKUs with levels around the threshold in three warehouses, one inactive."""
    rnd = random.Random(4)
    tenant, seller = world.tenant, world.seller
    spare = Warehouse.objects.create(tenant=tenant, code="spare", name="Spare", is_active=False)
    warehouses = [*world.warehouses, spare]
    products = Product.objects.bulk_create(
        Product(tenant=tenant, seller=seller, code=f"R-{i}", name=f"R {i}") for i in range(60)
    )
    skus = Sku.objects.bulk_create(
        Sku(tenant=tenant, seller=seller, product=p, code=p.code) for p in products
    )
    levels = []
    for sku in skus:
        for warehouse in rnd.sample(warehouses, rnd.randint(0, 3)):
            on_hand = rnd.choice([0, 1, 4, 5, 9, 10, 11, 20, rnd.randint(0, 30)])
            levels.append(
                StockLevel(
                    tenant=tenant,
                    warehouse=warehouse,
                    sku=sku,
                    on_hand=on_hand,
                    reserved=rnd.randint(0, on_hand),
                )
            )
    StockLevel.objects.bulk_create(levels)
    expected = _low_by_definition(tenant.pk)
    assert 10 < expected < 50  # the draw covers both sides of the threshold
    assert queries.low_stock_count(tenant.pk) == expected
