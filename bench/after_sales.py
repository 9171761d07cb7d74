"""After the order: amending a 15-line order and requesting a return of 15 lines, against
placing an order of the same size, inside one process on PostgreSQL.

    uv run python -m bench.after_sales [--rounds 60] [--lines 15] [--database NAME]

Builds its own small world in a fresh database (one tenant, 80 SKUs in stock, a company on
account), then runs rounds that each place an order, amend it twice (`amend-2`: two
quantities up; `amend-12`: five lines up, five down, one removed and one new SKU, so the
order grows and credit and approval rules are judged again), deliver it and ask to return
every line. All go through the API as a client would (the WSGI application through Django's
test client), so the figures compare like with like. Prints per operation the median and
mean milliseconds and the SQL statements, then the ratios to placing. Exits 1 when an answer
is not what the operation must give.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench import load

DEFAULT_DATABASE = "dinghuo_after_sales"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.after_sales")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--lines", type=int, default=15)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    return parser.parse_args(argv)


class _Statements:
    """Counts the SQL statements of what runs inside it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        return execute(*args)


def _world(lines: int) -> dict[str, Any]:
    """A tenant with 80 SKUs in stock, a company on account with a ship-to, a staff key."""
    from dinghuo.catalog.models import Category, Product, Sku
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_api_key, create_tenant
    from dinghuo.customers.models import Company, CreditLine, Location
    from dinghuo.inventory import services as stock
    from dinghuo.inventory.models import Warehouse
    from dinghuo.pricing.models import PriceList, PriceTier

    tenant = create_tenant(slug="after-sales", name="After Sales Bench")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    Warehouse.objects.create(tenant=tenant, code="main", name="Main", priority=1)
    prices = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Standard", currency="USD"
    )
    category = Category.objects.create(tenant=tenant, code="goods", name_en="Goods")
    codes = []
    for n in range(80):
        product = Product.objects.create(
            tenant=tenant, seller=seller, code=f"P{n:03d}", name_en=f"Product {n}",
            category=category,
        )  # fmt: skip
        sku = Sku.objects.create(
            tenant=tenant, seller=seller, product=product, code=f"S{n:03d}", name_en=f"Item {n}"
        )
        for minimum, price in ((1, "12.00"), (10, "11.00"), (50, "10.00")):
            PriceTier.objects.create(
                tenant=tenant, price_list=prices, sku=sku, min_quantity=minimum,
                unit_price=Decimal(price),
            )  # fmt: skip
        stock.receive_stock(
            tenant_id=tenant.pk, warehouse_code="main", sku_id=sku.pk, quantity=1_000_000,
            reason="bench",
        )  # fmt: skip
        codes.append(sku.code)
    company = Company.objects.create(tenant=tenant, code="C1", name="Buyer", price_list=prices)
    CreditLine.objects.create(tenant=tenant, company=company, credit_limit=None)
    ship_to = Location.objects.create(
        tenant=tenant, company=company, kind="ship_to", name="Main", line1="1 Road",
        city="Hong Kong", country="HK",
    )  # fmt: skip
    key = create_api_key(tenant=tenant, name="bench", scopes={"read", "write"}).secret
    return {"company": company.pk, "ship_to": ship_to.pk, "codes": codes, "key": key}


class _Api:
    def __init__(self, key: str) -> None:
        from django.test import Client

        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}
        self.keys = 0

    def post(self, path: str, body: Any = None, *, expect: int, key: bool = False) -> Any:
        headers = dict(self.headers)
        if key:
            self.keys += 1
            headers["Idempotency-Key"] = f"bench-{self.keys}"
        r = self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=headers
        )
        if r.status_code != expect:
            print(f"!!!!! {path} answered {r.status_code}: {r.content[:300]!r}")
            sys.exit(1)
        return r.json()


def _timed(samples: dict[str, list[tuple[float, int]]], name: str, run: Callable[[], Any]) -> Any:
    from django.db import connection

    counter = _Statements()
    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        answer = run()
        took = time.perf_counter() - began
    samples.setdefault(name, []).append((took, counter.count))
    return answer


def _round(api: _Api, world: dict[str, Any], n: int, lines: int, samples: dict) -> None:
    """One order placed (timed), amended (timed), then delivered and asked back (timed)."""
    codes = world["codes"]
    start = (n * 7) % (len(codes) - lines - 1)
    chosen = codes[start : start + lines]
    body = {
        "company_id": world["company"],
        "ship_to_id": world["ship_to"],
        "lines": [{"sku": code, "quantity": 8 + i % 5} for i, code in enumerate(chosen)],
    }
    order = _timed(samples, "place", lambda: api.post("/orders", body, expect=201, key=True))
    wanted = [
        {"sku": line["sku"], "quantity": line["quantity"] + (3 if i < 5 else -2 if i < 10 else 0)}
        for i, line in enumerate(body["lines"][:-1])
    ] + [{"sku": codes[start + lines], "quantity": 4}]
    path = f"/orders/{order['id']}/amendments"
    # A small change first (two quantities up), then the big one.
    small = [dict(line) for line in body["lines"]]
    small[0]["quantity"] += 1
    small[1]["quantity"] += 1
    _timed(samples, "amend-2", lambda: api.post(path, {"lines": small}, expect=201, key=True))
    _timed(samples, "amend-12", lambda: api.post(path, {"lines": wanted}, expect=201, key=True))
    api.post(f"/orders/{order['id']}/confirm", expect=200)
    api.post(
        f"/orders/{order['id']}/shipments",
        {"carrier": "DHL", "tracking_number": f"B{n}"},
        expect=201,
    )
    api.post(f"/orders/{order['id']}/deliver", expect=200)
    returned = {
        "lines": [
            {"line_number": i + 1, "quantity": 1, "reason": "not_needed"} for i in range(lines - 1)
        ]
        + [{"line_number": lines + 1, "quantity": 1, "reason": "damaged"}]
    }
    path = f"/orders/{order['id']}/returns"
    _timed(samples, "return", lambda: api.post(path, returned, expect=201, key=True))


def _report(samples: dict[str, list[tuple[float, int]]], rounds: int, lines: int) -> None:
    print(f"\n{rounds} rounds, {lines}-line orders (after 5 warm-up rounds), PostgreSQL")
    print(f"{'operation':<10} {'median ms':>10} {'mean ms':>9} {'statements':>11}")
    medians = {}
    for name in ("place", "amend-2", "amend-12", "return"):
        taken = samples[name][5:]
        ms = [t * 1000 for t, _ in taken]
        medians[name] = statistics.median(ms)
        statements = statistics.median(s for _, s in taken)
        print(f"{name:<10} {medians[name]:>10.1f} {statistics.mean(ms):>9.1f} {statements:>11.0f}")
    for name in ("amend-2", "amend-12", "return"):
        print(f"{name} / place = {medians[name] / medians['place']:.2f}")


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    load.create_database(args.database)
    os.environ["DATABASE_URL"] = load.database_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    os.environ["DEBUG"] = "0"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    world = _world(args.lines)
    api = _Api(world["key"])
    samples: dict[str, list[tuple[float, int]]] = {}
    for n in range(args.rounds + 5):
        _round(api, world, n, args.lines, samples)
    _report(samples, args.rounds, args.lines)


if __name__ == "__main__":
    main()
