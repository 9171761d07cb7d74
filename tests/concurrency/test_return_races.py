"""Returns with many clients at once on PostgreSQL: requests for the same delivered line
never together exceed what was delivered, and approved returns are numbered without gap or
duplicate.

Each request counts what was already asked back while holding the order's row lock. To make
the race certain rather than likely, every request here pauses between counting and
writing; the control test shows that without the lock the same requests oversubscribe the
line."""

import time
from typing import Any

import pytest

from dinghuo.orders import services as orders
from dinghuo.orders.models import Order
from dinghuo.returns.models import ReturnLine, ReturnRequest
from dinghuo.returns.services import requesting
from tests.builders import ApiClient, build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.invariants import assert_stock_consistent
from tests.returns.support import delivered_order, set_policy

pytestmark = pytest.mark.postgres

CLIENTS = 8


def _slow_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request pauses after counting the units already asked back."""
    count = requesting.returned_units

    def slow(order: Order) -> dict[int, int]:
        counted = count(order)
        time.sleep(0.3)
        return counted

    monkeypatch.setattr(requesting, "returned_units", slow)


def _race(world: Any, order_id: int) -> list[int]:
    def ask(i: int) -> int:
        body = {"lines": [{"line_number": 1, "quantity": 2, "reason": "damaged"}]}
        r = ApiClient(world.key).post(f"/orders/{order_id}/returns", body, key=f"r{i}")
        return int(r.status_code)

    return run_together(CLIENTS, ask)


def test_concurrent_requests_never_exceed_the_delivered_quantity(monkeypatch):
    world = build_world("return-race")
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    _slow_count(monkeypatch)
    statuses = _race(world, order_id)
    # 2 + 2 fit in 5 units; a third request of 2 would not.
    assert sorted(statuses) == [201, 201] + [422] * (CLIENTS - 2)
    assert sum(ReturnLine.objects.values_list("quantity", flat=True)) == 4
    numbers = sorted(ReturnRequest.objects.values_list("number", flat=True))
    assert numbers == ["RMA-000001", "RMA-000002"]
    assert_stock_consistent(world.tenant.pk)


def test_control_without_the_order_lock_the_line_is_oversubscribed(monkeypatch):
    world = build_world("return-race-control")
    set_policy(world)
    order_id = delivered_order(world, ("A-1", 5))
    _slow_count(monkeypatch)

    def unlocked(tenant_id: int, order_id: int) -> Order:
        return Order.objects.get(tenant_id=tenant_id, pk=order_id)

    monkeypatch.setattr(orders, "locked_order", unlocked)
    statuses = _race(world, order_id)
    assert statuses.count(201) > 2
    assert sum(ReturnLine.objects.values_list("quantity", flat=True)) > 5


def test_concurrent_approvals_number_returns_without_gaps():
    world = build_world("rma-race")
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 20))
    api = ApiClient(world.key)
    ids = []
    for i in range(CLIENTS):
        body = {"lines": [{"line_number": 1, "quantity": 1, "reason": "damaged"}]}
        r = api.post(f"/orders/{order_id}/returns", body, key=f"a{i}")
        assert r.status_code == 201, r.json()
        ids.append(r.json()["id"])

    def approve(i: int) -> int:
        return int(ApiClient(world.key).post(f"/returns/{ids[i]}/approve", {}).status_code)

    assert run_together(CLIENTS, approve) == [200] * CLIENTS
    numbers = sorted(ReturnRequest.objects.values_list("number", flat=True))
    assert numbers == [f"RMA-{n:06d}" for n in range(1, CLIENTS + 1)]
