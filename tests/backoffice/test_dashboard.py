"""The dashboard: today's work counted, each count linked to the filtered desk, a chart of
the last 14 days, in a constant number of queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dinghuo.backoffice import queries
from dinghuo.inventory import services as stock
from dinghuo.orders.models import Order
from dinghuo.orders.services import confirm_order
from tests.backoffice.staffing import place, staff_client, texts
from tests.orders.support import add_rule, set_credit

# Session, user, staff member, the order counts, the seller's approvals, low stock, the chart.
DASHBOARD_QUERIES = 7


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
