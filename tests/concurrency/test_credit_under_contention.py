"""16 clients of one company racing orders against its credit limit on PostgreSQL: the
limit holds (exposure ≤ limit), exposure equals the orders holding credit, no 500s."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from dinghuo.customers.models import CreditLine
from dinghuo.orders.models import Order
from tests.builders import ApiClient, build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.orders.support import set_credit, set_policy

pytestmark = pytest.mark.postgres

LIMIT = Decimal("500.00")


def race(world, *, cancel_share: float) -> Counter[int]:
    def client(i: int) -> Counter[int]:
        rng = random.Random(i)
        api = ApiClient(world.key)
        seen: Counter[int] = Counter()
        for n in range(5):
            # 3–9 × 10.00 of A-1: 30–90 per order, so only some of 80 orders fit in 500
            r = api.place(world.order_body(("A-1", rng.randint(3, 9))), key=f"c{i}-{n}")
            seen[r.status_code] += 1
            if r.status_code == 201 and r.json()["status"] != "credit_hold":
                seen["on_account"] += 1
                if rng.random() < cancel_share:
                    seen[api.post(f"/orders/{r.json()['id']}/cancel").status_code] += 1
            elif r.status_code == 201:
                seen["held"] += 1
        return seen

    return sum(run_together(16, client), Counter())


def assert_credit_consistent(world) -> None:
    line = CreditLine.objects.get(company=world.company)
    held_by_orders = Order.objects.filter(company=world.company).aggregate(s=Sum("credit_reserved"))
    assert line.order_exposure == (held_by_orders["s"] or 0)
    assert line.order_exposure <= LIMIT
    assert not Order.objects.filter(status="cancelled", credit_reserved__gt=0).exists()


@pytest.mark.parametrize("action", ["refuse", "hold"])
def test_16_clients_never_take_a_company_over_its_limit(action):
    world = build_world(f"credit-{action}", stock_per_sku=10_000)
    set_credit(world, str(LIMIT))
    set_policy(world, credit_action=action)
    totals = race(world, cancel_share=0.3)
    statuses = {k for k in totals if isinstance(k, int)}
    assert statuses <= {200, 201, 409, 503}, totals
    if action == "refuse":
        assert totals[409] > 0, totals  # the limit really was reached
    else:
        assert totals["held"] > 0, totals
    assert totals["on_account"] > 0, totals
    assert_credit_consistent(world)
