"""Replenishment suggestions for 100,000 SKUs × 2 warehouses (target: under 5 s).

    uv run python -m bench.suggestions [--skus 100000] [--database dinghuo_bench_suggestions]

A fresh PostgreSQL database (dropped and made again), migrated; one seller, `--skus` SKUs
(100 per product), two warehouses, a stock level and a reorder rule for every SKU in both,
one supplier selling every SKU (packs of 6, minimum 12, 10 days' lead time), a shipment
(`issue` movement) of every SKU in each warehouse within the demand window, and open
purchase orders for every tenth SKU (incoming). About a third of the pairs end below their
reorder point. Rows are bulk-inserted (a bench needs the rows, not the way to them). Then
`purchasing.suggestions.suggestions` (one aggregate query per input, the pure rule per
pair), the median of 3 runs after one to warm up. Backorders are not loaded: they add one
aggregate query over order lines (indexed by SKU), not a pass over the SKUs.
"""

import argparse
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RUNS = 3
BATCH = 5_000


def _fresh_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _catalog(tenant: Any, seller: Any, count: int) -> list[Any]:
    from dinghuo.catalog.models import Category, Product, Sku

    category = Category.objects.create(tenant=tenant, code="all", name_en="All")
    products = Product.objects.bulk_create(
        [
            Product(
                tenant=tenant,
                seller=seller,
                code=f"P{p:06d}",
                name_en=f"Product {p}",
                category=category,
            )
            for p in range((count + 99) // 100)
        ],
        batch_size=BATCH,
    )
    return Sku.objects.bulk_create(
        [
            Sku(
                tenant=tenant,
                seller=seller,
                product=products[i // 100],
                code=f"S{i:07d}",
                name_en=f"Item {i}",
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )


def _stock(tenant: Any, skus: list[Any], warehouses: list[Any]) -> None:
    from dinghuo.inventory.models import StockLevel, StockMovement
    from dinghuo.purchasing.models import ReorderRule

    now = datetime.now(UTC) - timedelta(days=3)
    levels, rules, moves = [], [], []
    for i, sku in enumerate(skus):
        for w, warehouse in enumerate(warehouses):
            on_hand = (i * 7 + w * 13) % 90
            levels.append(
                StockLevel(
                    tenant=tenant,
                    warehouse=warehouse,
                    sku=sku,
                    on_hand=on_hand,
                    reserved=on_hand // 10,
                )
            )
            rules.append(
                ReorderRule(
                    tenant=tenant,
                    sku=sku,
                    warehouse=warehouse,
                    reorder_point=40,
                    reorder_quantity=60,
                )
            )
            moves.append(
                StockMovement(
                    tenant=tenant,
                    warehouse=warehouse,
                    sku=sku,
                    kind="issue",
                    on_hand_delta=-(i % 30),
                    created_at=now,
                )
            )
    StockLevel.objects.bulk_create(levels, batch_size=BATCH)
    ReorderRule.objects.bulk_create(rules, batch_size=BATCH)
    StockMovement.objects.bulk_create(moves, batch_size=BATCH)


def _purchasing(tenant: Any, skus: list[Any], warehouse: Any) -> None:
    from dinghuo.purchasing.models import (
        PurchaseOrder,
        PurchaseOrderLine,
        Supplier,
        SupplierItem,
    )

    supplier = Supplier.objects.create(tenant=tenant, code="SUP", name="Supplier", currency="HKD")
    SupplierItem.objects.bulk_create(
        [
            SupplierItem(
                tenant=tenant,
                supplier=supplier,
                sku=sku,
                is_preferred=True,
                cost_tiers=[{"min_quantity": 1, "unit_cost": "4.50"}],
                lead_time_days=10,
                minimum_order_quantity=12,
                pack_size=6,
            )
            for sku in skus
        ],
        batch_size=BATCH,
    )
    now = datetime.now(UTC)
    ordered = skus[::10]
    for start in range(0, len(ordered), 1000):
        po = PurchaseOrder.objects.create(
            tenant=tenant,
            supplier=supplier,
            warehouse=warehouse,
            currency="HKD",
            status="sent",
            created_at=now,
            updated_at=now,
        )
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(
                    tenant=tenant,
                    order=po,
                    line_number=n + 1,
                    sku=sku,
                    quantity=24,
                    unit_cost=Decimal("4.50"),
                )
                for n, sku in enumerate(ordered[start : start + 1000])
            ],
            batch_size=BATCH,
        )


def _load(count: int) -> int:
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_tenant
    from dinghuo.inventory.models import Warehouse

    tenant = create_tenant(slug="bench", name="Bench Wholesale", base_currency="HKD")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    warehouses = [
        Warehouse.objects.create(tenant=tenant, code="main", name="Main", priority=1),
        Warehouse.objects.create(tenant=tenant, code="north", name="North", priority=2),
    ]
    skus = _catalog(tenant, seller, count)
    _stock(tenant, skus, warehouses)
    _purchasing(tenant, skus, warehouses[0])
    return int(tenant.pk)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.suggestions")
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--database", default="dinghuo_bench_suggestions")
    args = parser.parse_args()
    _fresh_database(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dinghuo.purchasing import suggestions

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    tenant_id = _load(args.skus)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"load: {args.skus} SKUs × 2 warehouses in {time.perf_counter() - began:.1f} s")
    found = suggestions.suggestions(tenant_id)
    walls = []
    for _ in range(RUNS):
        start = time.perf_counter()
        found = suggestions.suggestions(tenant_id)
        walls.append(time.perf_counter() - start)
    print(
        f"suggestions: {len(found)} lines for {2 * args.skus} SKU × warehouse pairs, "
        f"median {statistics.median(walls):.2f} s (target < 5 s at 100,000 SKUs)"
    )


if __name__ == "__main__":
    main()
