"""Backorders filled on arrival: stock that arrives is reserved for the orders waiting for it,
in the seller's fill order, partially when there is not enough; the buyer sees it on the
order's timeline; held and cancelled orders are not served."""

from datetime import timedelta

from django.utils import timezone

from dinghuo.customers.models import CustomerGroup
from dinghuo.integrations.models import Event
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockLevel
from dinghuo.orders import services
from dinghuo.orders.models import OrderLine, OrderPolicy
from tests.builders import build_world
from tests.invariants import assert_stock_consistent
from tests.orders.support import buyer_in, place, set_credit, set_policy


def _receive(world, sku: str, quantity: int, warehouse: str = "main") -> None:
    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code=warehouse,
        sku_id=world.skus[sku].pk,
        quantity=quantity,
        reason="arrival",
    )


def _fill(world, *skus: str) -> services.Filled:
    return services.fill_backorders(
        tenant_id=world.tenant.pk, sku_ids=[world.skus[s].pk for s in skus]
    )


def _waiting(order_id: int) -> list[tuple[int, int]]:
    """(backordered, reserved) of each line of the order."""
    return [
        (line.backordered_quantity, sum(r.quantity for r in line.reservations.all()))
        for line in OrderLine.objects.filter(order_id=order_id).order_by("line_number")
    ]


def _d4(world, warehouse: str = "main") -> tuple[int, int]:
    level = StockLevel.objects.get(sku=world.skus["D-4"], warehouse__code=warehouse)
    return level.on_hand, level.reserved


def test_oldest_order_first_with_a_partial_fill(world):
    first = place(world, ("D-4", 5), key="k1")
    second = place(world, ("A-1", 2), ("D-4", 4), key="k2")
    assert _waiting(first) == [(5, 0)]
    _receive(world, "D-4", 7)
    filled = _fill(world, "D-4")
    assert filled.units == 7
    assert filled.orders == [first, second]
    assert _waiting(first) == [(0, 5)]
    assert _waiting(second) == [(0, 2), (2, 2)]  # A-1 was reserved when placed
    assert _d4(world) == (7, 7)
    assert_stock_consistent(world.tenant.pk)
    timeline = world.client().get(f"/orders/{second}/timeline").json()
    assert timeline[-1]["type"] == "order.backorder_filled"
    assert timeline[-1]["data"]["lines"] == [
        {"line_number": 2, "sku": "D-4", "quantity": 2, "still_backordered": 2}
    ]
    # The next arrival serves the rest, and no more than the rest.
    _receive(world, "D-4", 10)
    assert _fill(world, "D-4").units == 2
    assert _waiting(second) == [(0, 2), (0, 4)]
    assert _d4(world) == (17, 9)
    assert_stock_consistent(world.tenant.pk)


def test_nothing_waits_or_nothing_arrived_changes_nothing(world):
    place(world, ("D-4", 3))
    events_before = Event.objects.count()
    assert _fill(world, "D-4").units == 0  # no stock yet
    assert _fill(world, "A-1").units == 0  # nobody waits for A-1
    assert Event.objects.count() == events_before


def test_priority_customers_first(world):
    vip = buyer_in(world, "USD", {"D-4": "100.00"}, code="V001")
    group = CustomerGroup.objects.create(tenant=world.tenant, code="key", name="Key accounts")
    vip.company.groups.add(group)
    set_policy(world, backorder_fill=OrderPolicy.BackorderFill.PRIORITY, priority_group=group)
    ordinary = place(world, ("D-4", 4), key="k1")
    priority = place(vip, ("D-4", 4), key="k2")
    _receive(world, "D-4", 5)
    _fill(world, "D-4")
    assert _waiting(priority) == [(0, 4)]
    assert _waiting(ordinary) == [(3, 1)]
    assert_stock_consistent(world.tenant.pk)


def test_oldest_first_ignores_the_priority_group_unless_chosen(world):
    vip = buyer_in(world, "USD", {"D-4": "100.00"}, code="V001")
    group = CustomerGroup.objects.create(tenant=world.tenant, code="key", name="Key accounts")
    vip.company.groups.add(group)
    set_policy(world, priority_group=group)  # fill order left at "oldest"
    ordinary = place(world, ("D-4", 4), key="k1")
    priority = place(vip, ("D-4", 4), key="k2")
    _receive(world, "D-4", 5)
    _fill(world, "D-4")
    assert (_waiting(ordinary), _waiting(priority)) == ([(0, 4)], [(3, 1)])


def test_earliest_requested_delivery_date_first(world):
    set_policy(world, backorder_fill=OrderPolicy.BackorderFill.DELIVERY_DATE)
    api, today = world.client(), timezone.localdate()
    ids = []
    for n, days in enumerate([None, 9, 3]):
        extra = {} if days is None else {"requested_delivery_date": str(today + timedelta(days))}
        r = api.place(world.order_body(("D-4", 2), **extra), key=f"k{n}")
        ids.append(r.json()["id"])
    no_date, later, sooner = ids
    _receive(world, "D-4", 5)
    _fill(world, "D-4")
    assert [_waiting(o) for o in (sooner, later, no_date)] == [[(0, 2)], [(0, 2)], [(1, 1)]]


def test_held_and_cancelled_orders_are_not_served(world):
    set_credit(world, "150")
    held = place(world, ("D-4", 2), key="k1")  # 200 > 150: on credit hold
    assert world.client().get(f"/orders/{held}").json()["status"] == "credit_hold"
    set_credit(world, None)
    cancelled = place(world, ("D-4", 2), key="k2")
    world.client().post(f"/orders/{cancelled}/cancel")
    served = place(world, ("D-4", 2), key="k3")
    _receive(world, "D-4", 10)
    assert _fill(world, "D-4").orders == [served]
    assert _waiting(held) == [(2, 0)]
    assert _waiting(cancelled) == [(0, 0)]
    assert _d4(world) == (10, 2)
    assert_stock_consistent(world.tenant.pk)


def test_confirmed_and_partially_shipped_orders_are_served(world):
    api = world.client()
    order_id = place(world, ("A-1", 4), ("D-4", 3))
    api.post(f"/orders/{order_id}/confirm")
    r = api.post(
        f"/orders/{order_id}/shipments",
        {"carrier": "DHL", "tracking_number": "1", "lines": [{"line_number": 1, "quantity": 4}]},
    )
    assert r.status_code == 201, r.json()
    assert api.get(f"/orders/{order_id}").json()["status"] == "partially_shipped"
    _receive(world, "D-4", 3)
    _fill(world, "D-4")
    assert _waiting(order_id) == [(0, 0), (0, 3)]
    # What was reserved ships like any reserved unit.
    r = api.post(f"/orders/{order_id}/shipments", {"carrier": "DHL", "tracking_number": "2"})
    assert r.status_code == 201, r.json()
    assert api.get(f"/orders/{order_id}").json()["status"] == "shipped"
    assert _d4(world) == (0, 0)
    assert_stock_consistent(world.tenant.pk)


def test_stock_comes_from_the_warehouses_by_priority(world):
    order_id = place(world, ("D-4", 6))
    _receive(world, "D-4", 2, warehouse="north")
    _receive(world, "D-4", 3, warehouse="main")
    _fill(world, "D-4")
    held = dict(
        Reservation.objects.filter(order_line__order_id=order_id).values_list(
            "warehouse__code", "quantity"
        )
    )
    assert held == {"main": 3, "north": 2}
    assert _waiting(order_id) == [(1, 5)]
    assert_stock_consistent(world.tenant.pk)


def test_the_housekeeping_round_fills_whatever_brought_the_stock(world):
    order_id = place(world, ("D-4", 4))
    assert services.fill_waiting_backorders() == 0
    # A transfer from an inactive warehouse makes units available without a fill call.
    north = world.warehouses[1]
    _receive(world, "D-4", 3, warehouse="north")
    north.is_active = False
    north.save()
    assert services.fill_waiting_backorders() == 0  # inactive: not in reach
    stock.transfer_stock(
        tenant_id=world.tenant.pk,
        sku_id=world.skus["D-4"].pk,
        from_warehouse="north",
        to_warehouse="main",
        quantity=3,
    )
    assert services.fill_waiting_backorders() == 3
    assert _waiting(order_id) == [(1, 3)]
    assert services.fill_waiting_backorders() == 0
    assert_stock_consistent(world.tenant.pk)


def test_another_tenants_stock_never_fills_an_order(world, other_world):
    order_id = place(world, ("D-4", 2))
    _receive(other_world, "D-4", 5)
    assert services.fill_waiting_backorders() == 0
    assert (
        services.fill_backorders(
            tenant_id=world.tenant.pk, sku_ids=[other_world.skus["D-4"].pk]
        ).units
        == 0
    )
    assert _waiting(order_id) == [(2, 0)]


def test_a_receipt_through_the_api_serves_waiting_orders_at_once(world):
    waiting = place(world, ("D-4", 5), key="k1")
    api = world.client()
    r = api.post(
        "/stock/receipts",
        {"warehouse": "main", "sku_id": world.skus["D-4"].pk, "quantity": 3, "reason": "PO 7"},
        key="receipt-1",
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["on_hand"], r.json()["reserved"]) == (3, 3)
    assert _waiting(waiting) == [(2, 3)]
    # Units found by a count serve the rest; a count downwards serves nobody.
    found = {"warehouse": "main", "sku_id": world.skus["D-4"].pk, "delta": 4, "reason": "count"}
    r = api.post("/stock/adjustments", found, key="count-1")
    assert (r.status_code, r.json()["reserved"]) == (201, 5)
    assert _waiting(waiting) == [(0, 5)]
    assert_stock_consistent(world.tenant.pk)


def test_a_receipt_on_the_stock_page_serves_waiting_orders_at_once(world):
    from tests.backoffice.staffing import csrf_post, staff_client

    waiting = place(world, ("D-4", 5), key="k1")
    staff = staff_client(world)
    csrf_post(
        staff.client,
        f"/staff/stock/{world.skus['D-4'].pk}/receive/",
        {"receive-warehouse": "main", "receive-quantity": "6", "receive-reason": "PO 8"},
    )
    assert _waiting(waiting) == [(0, 5)]
    assert _d4(world) == (6, 5)
    assert_stock_consistent(world.tenant.pk)


def test_the_fill_order_is_set_through_the_api_with_its_group(world):
    import json

    from dinghuo.customers.services import create_customer_group

    api = world.client()
    base = {"auto_confirm": False, "credit_action": "hold", "overdue_grace_days": 0,
            "approval_expiry_hours": 72}  # fmt: skip
    alone = api.send("PUT", "/order-policy", json.dumps({**base, "backorder_fill": "priority"}))
    assert (alone.status_code, alone.json()["errors"][0]["code"]) == (
        422,
        "priority_group_required",
    )
    stranger = build_world("other")
    theirs = create_customer_group(tenant_id=stranger.tenant.pk, code="vip", name="VIP")
    body = {**base, "backorder_fill": "priority", "priority_group_id": theirs.pk}
    r = api.send("PUT", "/order-policy", json.dumps(body))
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "unknown_customer_group")
    assert api.get("/order-policy").json()["backorder_fill"] == "oldest"  # nothing changed
    ours = create_customer_group(tenant_id=world.tenant.pk, code="vip", name="VIP")
    r = api.send("PUT", "/order-policy", json.dumps({**body, "priority_group_id": ours.pk}))
    assert r.status_code == 200, r.json()
    read = api.get("/order-policy").json()
    assert (read["backorder_fill"], read["priority_group_id"]) == ("priority", ours.pk)
    assert OrderPolicy.objects.get(seller=world.seller).priority_group_id == ours.pk
