"""Billing's figures: issuing invoices for 10,000 shipments in one run, what issuing an
invoice adds to shipping, and the receivables aging of 10,000 companies.

    uv run python -m bench.billing [--companies 10000] [--database dinghuo_bench_billing]

A fresh PostgreSQL database (dropped and made again), migrated; one seller keeping its books
in HKD, its price list's currency (no exchange rate needed), with 10 SKUs and `--companies`
companies, each with one order of two lines placed and confirmed through the services.
Then, timed (with the SQL statements sent and the CPU time of this process, which leaves out
the database's):
1. shipping: the first tenth of the orders shipped with per-shipment invoicing, as many with
   the seller on monthly invoicing (shipping only queues the units): ms per shipment of each,
   and the difference (what the invoice costs the shipment);
2. the period run: the rest shipped on monthly invoicing, then `issue_period_invoices`
   issues one invoice per company: invoices (= shipments) per second;
3. the aging of every company with open invoices (`queries.receivables_aging`), median of 5.
Bounded: each phase stops the run if it passes its time limit (printed as FAILED).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PHASE_LIMIT_SECONDS = 1200
CPU_SECONDS: dict[str, float] = {}


def _fresh_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


class Statements:
    """Counts the SQL statements sent while it is installed (`connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _timed(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    took, _statements, result = _counted(label, fn)
    return took, result


def _counted(label: str, fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """Wall time, statements sent and answer of `fn` (its CPU time in this process, without
    the database's, kept in CPU_SECONDS); the run stops past the phase limit."""
    from django.db import connection

    meter = Statements()
    began, began_cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(meter):
        result = fn()
    took = time.perf_counter() - began
    CPU_SECONDS[label] = time.process_time() - began_cpu
    if took > PHASE_LIMIT_SECONDS:
        print(f"!!!!! phase {label} FAILED: {took:.0f} s, over {PHASE_LIMIT_SECONDS} s")
        sys.exit(1)
    return took, meter.count, result


def _world(companies: int) -> dict[str, Any]:
    """The seller, its catalogue and stock, and the companies (master data through the ORM,
    as the test builders do; the orders go through the services)."""
    from dinghuo.catalog.models import Category, Product, Sku
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_tenant
    from dinghuo.customers.models import Company, CreditLine, Location
    from dinghuo.inventory import services as stock
    from dinghuo.inventory.models import Warehouse
    from dinghuo.orders import services as orders
    from dinghuo.pricing.models import PriceList, PriceTier

    tenant = create_tenant(slug="bench", name="Bench Wholesale", base_currency="HKD")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    Warehouse.objects.create(tenant=tenant, code="main", name="Main", priority=1)
    prices = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Std", currency="HKD"
    )
    category = Category.objects.create(tenant=tenant, code="tools", name_en="Tools")
    skus = []
    for i in range(10):
        product = Product.objects.create(
            tenant=tenant, seller=seller, code=f"P{i}", name_en=f"Product {i}", category=category
        )
        sku = Sku.objects.create(
            tenant=tenant, seller=seller, product=product, code=f"S{i}", name_en=f"Item {i}"
        )
        PriceTier.objects.create(
            tenant=tenant,
            price_list=prices,
            sku=sku,
            min_quantity=1,
            unit_price=Decimal("12.35") + i,
        )
        stock.receive_stock(
            tenant_id=tenant.pk,
            warehouse_code="main",
            sku_id=sku.pk,
            quantity=10 * companies,
            reason="opening",
        )
        skus.append(sku)
    made = Company.objects.bulk_create(
        [
            Company(tenant=tenant, code=f"C{i:05d}", name=f"Buyer {i}", price_list=prices)
            for i in range(companies)
        ]
    )
    CreditLine.objects.bulk_create([CreditLine(tenant=tenant, company=c) for c in made])
    Location.objects.bulk_create(
        [
            Location(
                tenant=tenant,
                company=c,
                kind="ship_to",
                name="Dock",
                line1="1 Road",
                city="Hong Kong",
                country="HK",
            )
            for c in made
        ]
    )
    orders.set_order_policy(
        tenant_id=tenant.pk,
        seller_slug=None,
        auto_confirm=True,
        credit_action="hold",
        overdue_grace_days=0,
        approval_expiry_hours=72,
    )
    return {"tenant": tenant, "seller": seller, "companies": made, "skus": skus}


def _place_all(world: dict[str, Any]) -> list[int]:
    from dinghuo.customers.models import Location
    from dinghuo.orders import services as orders

    tenant, skus = world["tenant"], world["skus"]
    ship_to = dict(Location.objects.filter(tenant=tenant).values_list("company_id", "id"))
    placed = []
    for i, company in enumerate(world["companies"]):
        order = orders.place_order(
            tenant_id=tenant.pk,
            company_id=company.pk,
            ship_to_id=ship_to[company.pk],
            lines=[
                orders.LineRequest(skus[i % 10].code, 3),
                orders.LineRequest(skus[(i + 1) % 10].code, 7),
            ],
        )
        placed.append(order.pk)
    return placed


def _ship(tenant_id: int, order_ids: list[int]) -> None:
    from dinghuo.fulfilment import services as fulfilment

    for order_id in order_ids:
        fulfilment.ship_order(
            tenant_id=tenant_id, order_id=order_id, carrier="SF", tracking_number=f"SF{order_id}"
        )


def _invoicing(tenant_id: int, seller_id: int, mode: str) -> None:
    from dinghuo.billing import services as billing

    billing.set_billing_policy(tenant_id=tenant_id, seller_id=seller_id, invoicing=mode)


def main() -> None:
    """Load, time the three phases, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.billing")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--database", default="dinghuo_bench_billing")
    args = parser.parse_args()
    _fresh_database(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command

    from dinghuo.billing import queries, services
    from dinghuo.billing.models import Invoice

    call_command("migrate", verbosity=0)
    took, world = _timed("load", lambda: _world(args.companies))
    print(f"load: {args.companies} companies in {took:.1f} s")
    took, placed = _timed("place", lambda: _place_all(world))
    print(f"placed {len(placed)} orders in {took:.1f} s ({1000 * took / len(placed):.1f} ms each)")
    tenant_id, seller_id = world["tenant"].pk, world["seller"].pk
    tenth = max(1, len(placed) // 10)
    _invoicing(tenant_id, seller_id, "per_shipment")
    with_invoice, sent, _ = _counted("ship-invoiced", lambda: _ship(tenant_id, placed[:tenth]))
    _invoicing(tenant_id, seller_id, "monthly")
    queued, sent_queued, _ = _counted(
        "ship-queued", lambda: _ship(tenant_id, placed[tenth : 2 * tenth])
    )
    a, b = 1000 * with_invoice / tenth, 1000 * queued / tenth
    cpu_a = 1000 * CPU_SECONDS["ship-invoiced"] / tenth
    cpu_b = 1000 * CPU_SECONDS["ship-queued"] / tenth
    print(
        f"shipping with its invoice: {a:.1f} ms ({cpu_a:.1f} ms CPU here), "
        f"{sent / tenth:.1f} statements; queued for the period: {b:.1f} ms "
        f"({cpu_b:.1f} ms CPU), {sent_queued / tenth:.1f} statements; "
        f"the invoice adds {a - b:.1f} ms ({a / b:.2f}x)"
    )
    _timed("ship-rest", lambda: _ship(tenant_id, placed[2 * tenth :]))
    period = len(placed) - tenth
    took, sent, issued = _counted(
        "period-run",
        lambda: services.issue_period_invoices(
            tenant_id=tenant_id, seller_id=seller_id, through=date(2999, 12, 31)
        ),
    )
    print(
        f"period run: {len(issued)} invoices for {period} shipments in {took:.1f} s: "
        f"{len(issued) / took:.0f} invoices/s, {sent / len(issued):.1f} statements and "
        f"{1000 * CPU_SECONDS['period-run'] / len(issued):.1f} ms CPU here each"
    )
    runs = []
    for _ in range(5):
        took, aged = _timed("aging", lambda: queries.receivables_aging(tenant_id, date.today()))
        runs.append(took)
    print(
        f"aging of {len(aged)} companies ({Invoice.objects.count()} invoices): "
        f"median {1000 * statistics.median(runs):.0f} ms"
    )


if __name__ == "__main__":
    main()
