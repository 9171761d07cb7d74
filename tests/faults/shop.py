"""The fault suite's database side, run in a child process configured for the test's own
cluster (DATABASE_URL): `load` fills a small shop, `audit` checks every invariant afterwards.

    python -m tests.faults.shop load  OUT.json
    python -m tests.faults.shop audit IN.json     (exit 1 with the broken invariants listed)

The audit's input names the tenant and, for every Idempotency-Key a client used, the final
answer it got (201 with the order id, or 409).
"""

import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

STOCK = 1_000_000  # far more than a run can order: only faults, never shortages, refuse


def load(out: Path) -> None:
    """One tenant with stock, a company with an unlimited credit line, an API key."""
    from tests.builders import build_world
    from tests.orders.support import set_credit

    world = build_world("faults", stock_per_sku=STOCK)
    set_credit(world, None)
    out.write_text(
        json.dumps(
            {
                "tenant_id": world.tenant.pk,
                "key": world.key,
                "company_id": world.company.pk,
                "ship_to_id": world.ship_to.pk,
            }
        )
    )


def _order_problems(tenant_id: int, outcomes: dict[str, Any]) -> list[str]:
    """Every key that got 201 is exactly one order, the one answered; no order without one."""
    from dinghuo.core.models import IdempotencyRecord
    from dinghuo.orders.models import Order

    problems = []
    records = {r.key: r for r in IdempotencyRecord.objects.filter(tenant_id=tenant_id)}
    orders = set(Order.objects.filter(tenant_id=tenant_id).values_list("id", flat=True))
    answered = Counter(o["order_id"] for o in outcomes.values() if o["status"] == 201)
    for key, outcome in outcomes.items():
        record = records.get(key)
        if outcome["status"] == 201:
            if outcome["order_id"] not in orders:
                problems.append(f"lost: key {key} was answered order {outcome['order_id']}")
            if record is None or (record.response_body or {}).get("id") != outcome["order_id"]:
                problems.append(f"key {key}: its record does not name order {outcome['order_id']}")
        elif record is not None and record.response_status == 201:
            problems.append(f"key {key} was answered {outcome['status']} but placed an order")
    problems += [f"order {i} answered to {n} keys" for i, n in answered.items() if n > 1]
    unanswered = orders - set(answered)
    if unanswered:
        problems.append(f"orders no key was answered (duplicates?): {sorted(unanswered)}")
    return problems


def _reservation_problems(tenant_id: int) -> list[str]:
    """Each line of an open order holds what it has not shipped or backordered."""
    from django.db.models import Sum

    from dinghuo.orders.models import OrderLine
    from dinghuo.orders.states import OPEN_STATUSES

    problems = []
    lines = OrderLine.objects.filter(tenant_id=tenant_id, order__status__in=OPEN_STATUSES)
    for line in lines.annotate(held=Sum("reservations__quantity")):
        expected = line.quantity - line.backordered_quantity - line.shipped_quantity
        if (line.held or 0) != expected:
            problems.append(f"line {line.pk}: {line.held} reserved, {expected} open")
    return problems


def _credit_problems(tenant_id: int) -> list[str]:
    """The company's order exposure is what its open orders hold (no invoices exist yet)."""
    from django.db.models import Sum

    from dinghuo.customers.models import CreditLine
    from dinghuo.orders.models import Order
    from dinghuo.orders.states import OPEN_STATUSES

    problems = []
    for line in CreditLine.objects.filter(tenant_id=tenant_id):
        orders = Order.objects.filter(tenant_id=tenant_id, company_id=line.company_id)
        held = orders.aggregate(s=Sum("credit_reserved"))["s"] or Decimal(0)
        open_total = orders.filter(status__in=OPEN_STATUSES).aggregate(s=Sum("total"))["s"]
        if line.order_exposure != held or held != (open_total or Decimal(0)):
            problems.append(
                f"company {line.company_id}: exposure {line.order_exposure}, held {held}, "
                f"open orders {open_total}"
            )
    return problems


def audit(given: Path) -> int:
    """Check every invariant; print what broke (or a summary) as JSON; 0 when all hold."""
    from tests.invariants import assert_stock_consistent

    data = json.loads(given.read_text())
    tenant_id = data["tenant_id"]
    problems = _order_problems(tenant_id, data["outcomes"])
    problems += _reservation_problems(tenant_id)
    problems += _credit_problems(tenant_id)
    try:
        assert_stock_consistent(tenant_id)
    except AssertionError as exc:
        problems.append(f"ledger and stock disagree: {exc!r}")
    from dinghuo.orders.models import Order

    print(json.dumps({"orders": Order.objects.filter(tenant_id=tenant_id).count(),
                      "problems": problems}))  # fmt: skip
    return 1 if problems else 0


def main() -> int:
    import django

    django.setup()
    command, path = sys.argv[1], Path(sys.argv[2])
    if command == "load":
        load(path)
        return 0
    return audit(path)


if __name__ == "__main__":
    sys.exit(main())
