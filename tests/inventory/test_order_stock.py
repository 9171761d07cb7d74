"""Stock for orders, as inventory writes it for orders and fulfilment: `allocate` + `reserve`
when an order is placed, `release` when it is cancelled, `plan_issue` + `issue` when it ships.
Each writes levels, ledger and `stock.changed` in one statement each."""

from dinghuo.integrations.models import Event
from dinghuo.inventory import allocation
from dinghuo.inventory import queries as inventory_queries
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement
from dinghuo.orders.models import OrderLine
from tests.invariants import assert_stock_consistent
from tests.orders.support import place


def level(world, sku, warehouse="main"):
    found = StockLevel.objects.get(sku=world.skus[sku], warehouse__code=warehouse)
    return found.on_hand, found.reserved


def receive(world, sku, quantity, warehouse="north"):
    stock.receive_stock(
        tenant_id=world.tenant.pk,
        warehouse_code=warehouse,
        sku_id=world.skus[sku].pk,
        quantity=quantity,
        reason="po",
    )


def written():
    return (
        Reservation.objects.count(),
        StockMovement.objects.count(),
        Event.objects.count(),
        sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
    )


def test_allocate_locks_and_plans_in_priority_order_and_writes_nothing(
    world, django_assert_num_queries
):
    receive(world, "C-3", 50)
    a1, c3 = world.skus["A-1"].pk, world.skus["C-3"].pk
    main, north = (w.pk for w in world.warehouses)
    before = written()
    with django_assert_num_queries(1):  # the locking read
        allocated = stock.allocate(
            world.tenant.pk,
            [allocation.Want(0, c3, 130, False), allocation.Want(1, a1, 101, False)],
        )
    assert allocated.plan.allocations == [
        allocation.Allocation(0, c3, main, 100),
        allocation.Allocation(0, c3, north, 30),
    ]
    assert allocated.plan.shortages == [allocation.Shortage(1, a1, 101, 100)]
    assert written() == before


def test_reserve_holds_the_allocation_for_the_lines(world, django_assert_num_queries):
    order_id = place(world, ("D-4", 3))  # nothing in stock: all backordered, nothing held
    line = OrderLine.objects.get(order_id=order_id)
    receive(world, "D-4", 2)
    allocated = stock.allocate(world.tenant.pk, [allocation.Want(0, line.sku_id, 2, False)])
    # reservations, levels, ledger, event
    with django_assert_num_queries(4):
        stock.reserve(
            allocated,
            order_line_ids=[line.pk],
            sku_codes={line.sku_id: "D-4"},
            reference=f"order:{order_id}",
        )
    held = Reservation.objects.get(order_line=line)
    assert (held.warehouse.code, held.quantity) == ("north", 2)
    assert level(world, "D-4", "north") == (2, 2)
    movement = StockMovement.objects.get(kind="reservation", reference=f"order:{order_id}")
    assert (movement.reserved_delta, movement.reason) == (2, "order placed")
    event = Event.objects.filter(type="stock.changed").latest("id")
    assert event.payload == {
        "reference": f"order:{order_id}",
        "levels": [
            {"sku": "D-4", "warehouse": "north", "on_hand": 2, "reserved": 2, "available": 0}
        ],
    }


def test_release_lets_go_of_everything_the_lines_hold(world, django_assert_num_queries):
    receive(world, "C-3", 50)
    order_id = place(world, ("A-1", 10), ("C-3", 130))
    lines = OrderLine.objects.filter(order_id=order_id).values_list("pk", flat=True)
    stock.release(
        world.tenant.pk, lines, reason="order cancelled: test", reference=f"order:{order_id}"
    )
    assert (level(world, "A-1"), level(world, "C-3"), level(world, "C-3", "north")) == (
        (100, 0),
        (100, 0),
        (50, 0),
    )
    assert not Reservation.objects.filter(quantity__gt=0).exists()
    released = StockMovement.objects.filter(kind="release", reference=f"order:{order_id}")
    assert sorted(released.values_list("reserved_delta", flat=True)) == [-100, -30, -10]
    assert set(released.values_list("reason", flat=True)) == {"order cancelled: test"}
    event = Event.objects.filter(type="stock.changed").latest("id")
    assert [(x["sku"], x["warehouse"], x["reserved"]) for x in event.payload["levels"]] == [
        ("A-1", "main", 0),
        ("C-3", "main", 0),
        ("C-3", "north", 0),
    ]
    before = written()
    with django_assert_num_queries(1):  # nothing is held any more: one read, no write
        stock.release(world.tenant.pk, lines, reason="again", reference=f"order:{order_id}")
    assert written() == before
    assert_stock_consistent(world.tenant.pk)


def test_plan_issue_says_what_is_short_and_issue_writes_the_plan(world):
    order_id = place(world, ("A-1", 10), ("D-4", 3))  # D-4 backordered
    a1, d4 = OrderLine.objects.filter(order_id=order_id).order_by("line_number")
    receive(world, "D-4", 2)
    reservations = inventory_queries.open_reservations(world.tenant.pk, [a1.pk, d4.pk])
    draws = [stock.Draw(a1.pk, a1.sku_id, 4), stock.Draw(d4.pk, d4.sku_id, 3)]
    before = written()
    short = stock.plan_issue(world.tenant.pk, draws, reservations, warehouse=None)
    assert (short.unreserved, short.short) == ({a1.pk: 0, d4.pk: 3}, {d4.pk: 1})
    assert written() == before

    draws[1] = stock.Draw(d4.pk, d4.sku_id, 2)
    reservations = inventory_queries.open_reservations(world.tenant.pk, [a1.pk, d4.pk])
    plan = stock.plan_issue(world.tenant.pk, draws, reservations, warehouse=None)
    assert (plan.unreserved, plan.short) == ({a1.pk: 0, d4.pk: 2}, {})
    stock.issue(plan, sku_codes={a1.sku_id: "A-1", d4.sku_id: "D-4"}, reference="order:x")
    assert (level(world, "A-1"), level(world, "D-4", "north")) == ((96, 6), (0, 0))
    assert Reservation.objects.get(order_line=a1).quantity == 6
    issued = StockMovement.objects.filter(kind="issue", reference="order:x").order_by("id")
    assert list(issued.values_list("on_hand_delta", "reserved_delta", "reason")) == [
        (-4, -4, "shipped"),
        (-2, 0, "shipped"),
    ]
    event = Event.objects.filter(type="stock.changed").latest("id")
    assert [(x["sku"], x["warehouse"], x["on_hand"]) for x in event.payload["levels"]] == [
        ("A-1", "main", 96),
        ("D-4", "north", 0),
    ]
    assert_stock_consistent(world.tenant.pk)
