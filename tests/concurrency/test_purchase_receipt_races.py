"""Receiving purchase orders on PostgreSQL while clerks race each other and buyers place
orders. The rule: the PO row is locked first by every receipt, so two clerks receiving the
same line are served one after the other and the second sees what the first received; a
line never receives more than its ordered units plus the tolerance. Receipts and placing
lock stock levels in (SKU, warehouse) order, so nothing is oversold, no backordered unit is
given twice, and the ledger still sums to the levels; incoming equals the open PO lines."""

from collections import Counter

import pytest

from dinghuo.orders.models import OrderLine
from dinghuo.purchasing import queries
from dinghuo.purchasing.models import PurchaseOrderLine
from tests.builders import ApiClient, build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.invariants import assert_stock_consistent
from tests.purchasing.support import sent_po

pytestmark = pytest.mark.postgres


def test_two_clerks_receiving_one_line_never_pass_the_tolerance():
    world = build_world("porace", stock_per_sku=0)
    po = sent_po(world, ("A-1", 10))  # 10 %: 11 units in all

    def clerk(i: int) -> int:
        body = {"lines": [{"line_number": 1, "quantity": 6}]}
        r = ApiClient(world.key).post(f"/purchase-orders/{po['id']}/receipts", body)
        return int(r.status_code)

    statuses = Counter(run_together(4, clerk))
    assert statuses == {201: 1, 422: 3}, statuses  # 6 fits, a second 6 would make 12
    line = PurchaseOrderLine.objects.get(order_id=po["id"])
    assert line.received_quantity == 6
    assert_stock_consistent(world.tenant.pk)


def test_receiving_while_orders_are_placed_never_oversells():
    world = build_world("pofill", stock_per_sku=0)
    tenant = world.tenant.pk
    api = ApiClient(world.key)
    for n in range(6):  # waiting for D-4 before the goods arrive
        assert api.place(world.order_body(("D-4", 2)), key=f"w{n}").status_code == 201
    po = sent_po(world, ("D-4", 30))

    def receiver(i: int) -> Counter[str]:
        seen: Counter[str] = Counter()
        for _ in range(3):
            body = {"lines": [{"line_number": 1, "quantity": 3}]}
            r = ApiClient(world.key).post(f"/purchase-orders/{po['id']}/receipts", body)
            seen[f"receive {r.status_code}"] += 1
        return seen

    def placer(i: int) -> Counter[str]:
        seen: Counter[str] = Counter()
        client = ApiClient(world.key)
        for n in range(4):
            r = client.place(world.order_body(("D-4", 1 + n % 3)), key=f"p{i}-{n}")
            seen[f"place {r.status_code}"] += 1
        return seen

    work = [receiver] * 3 + [placer] * 3
    totals: Counter[str] = sum(run_together(len(work), lambda i: work[i](i)), Counter())
    assert set(totals) <= {"receive 201", "receive 503", "place 201", "place 503"}, totals
    assert totals["receive 201"] > 0, totals
    assert_stock_consistent(tenant)
    line = PurchaseOrderLine.objects.get(order_id=po["id"])
    assert line.received_quantity == 3 * totals["receive 201"]
    # Incoming is what the PO still expects.
    wanted = {(line.sku_id, world.warehouses[0].pk): line.quantity - line.received_quantity}
    assert queries.incoming(tenant) == {k: v for k, v in wanted.items() if v > 0}
    # Every unit that arrived is on hand, reserved for at most what orders asked.
    for order_line in OrderLine.objects.filter(tenant_id=tenant):
        held = sum(r.quantity for r in order_line.reservations.all())
        assert held + order_line.backordered_quantity == order_line.quantity, order_line
