"""Bulk receipts and adjustments racing each other on PostgreSQL, their lines in opposite
orders: the levels are locked in (sku, warehouse) order whatever the lines' order, so no
request deadlocks (no retry is allowed here: a deadlock would fail the test), every request
finishes in bounded time, and the ledger adds up to the levels."""

import random
import threading

import pytest
from django.db import connections, transaction

from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel
from tests.builders import build_world
from tests.invariants import assert_stock_consistent

pytestmark = pytest.mark.postgres

PAIRS = [(sku, wh) for sku in ("A-1", "B-2", "C-3", "D-4") for wh in ("main", "north")]


def _lines(seed: int, reverse: bool) -> list[stock.StockLine]:
    """Every level twice, shuffled, then in the opposite order for half the requests."""
    lines = [stock.StockLine(sku, wh, 1, "race") for sku, wh in PAIRS * 2]
    random.Random(seed).shuffle(lines)
    return lines[::-1] if reverse else lines


def test_two_bulk_writers_in_opposite_orders_never_deadlock() -> None:
    world = build_world("bulkrace", stock_per_sku=0)
    tenant_id, rounds = world.tenant.pk, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(i: int) -> None:
        try:
            barrier.wait()
            for n in range(rounds):
                lines = _lines(n, reverse=i == 1)
                with transaction.atomic():  # no retry: a deadlock would raise here
                    if i == 0:
                        stock.receive_many(tenant_id=tenant_id, lines=lines)
                    else:
                        stock.adjust_many(tenant_id=tenant_id, lines=lines)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a bulk writer did not finish"
    assert not errors, errors
    # Each request adds 2 units to each of the 8 levels: 2 writers × 15 rounds × 2.
    levels = StockLevel.objects.filter(tenant_id=tenant_id)
    assert sorted(levels.values_list("on_hand", flat=True)) == [2 * 2 * rounds] * len(PAIRS)
    assert_stock_consistent(tenant_id)
