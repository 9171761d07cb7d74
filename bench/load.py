"""Bulk data for the benchmark: a fresh database, migrated, filled with COPY in seconds.

`prepare()` runs in the bench process; the work itself runs in a child process
(`python -m bench.load`) configured for Django, because the API key must be made by
`create_api_key` and the column defaults are read from the models, so that a field added
later with a default does not break the load.

Invariants kept: every stock level has exactly one receipt movement equal to its on-hand,
nothing is reserved, each company has one active ship-to, buys from the one price list and
has a credit line; the seller confirms orders automatically and has approval rules that
every order is judged by (none asks for an approval at the bench's order sizes).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOT_SKUS = 20
# Every level holds far more than a run can reserve, so only locks, never shortages, slow
# orders down; hot SKUs get more because 80% of all lines land on them.
STOCK_PER_LEVEL = 1_000_000
HOT_STOCK_PER_LEVEL = 100_000_000
TIERS = ((1, Decimal("1.00")), (10, Decimal("0.95")), (50, Decimal("0.90")))


@dataclass(frozen=True)
class Scale:
    """How much data to load."""

    skus: int
    companies: int


FULL = Scale(skus=100_000, companies=10_000)
QUICK = Scale(skus=2_000, companies=200)


def database_url(name: str) -> str:
    """The URL the app and the bench use for database `name`."""
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def create_database(name: str) -> None:
    """Drop (ending its sessions) and create database `name`."""
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def analyze(name: str) -> None:
    """Refresh the planner statistics of database `name`.

    What autovacuum's ANALYZE does in production, done by hand before each scenario: tables
    that were empty at load (orders, lines, reservations, events, idempotency keys) grow by
    thousands of rows a scenario. Without fresh statistics, the foreign-key checks PostgreSQL
    runs at COMMIT keep the plans they got while those tables were empty (sequential scans)
    for the life of each pooled connection, and every order gets slower than the last: seen
    here with autovacuum off, 786 million rows read by 18 thousand checks in one minute.
    """
    url = database_url(name).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("ANALYZE")


def autovacuum_on() -> bool:
    """Whether the server runs autovacuum (and so refreshes statistics by itself)."""
    with psycopg.connect(ADMIN_URL, connect_timeout=5) as conn:
        row = conn.execute("SHOW autovacuum").fetchone()
    return bool(row and row[0] == "on")


def prepare(name: str, scale: Scale, world_path: Path, *, timeout: float = 600) -> float:
    """Create, migrate and fill database `name`; write the world file; return seconds taken."""
    started = time.monotonic()
    create_database(name)
    env = {**os.environ, "DATABASE_URL": database_url(name), "DB_POOL": "0", "DEBUG": "0"}
    env["DJANGO_SETTINGS_MODULE"] = "dinghuo.config.settings"
    cmd = [sys.executable, "-m", "bench.load", "--skus", str(scale.skus)]
    cmd += ["--companies", str(scale.companies), "--out", str(world_path)]
    subprocess.run(cmd, env=env, check=True, timeout=timeout)
    return time.monotonic() - started


# --- the child process -------------------------------------------------------------------


def _defaults(model: Any, given: Iterable[str], now: datetime) -> dict[str, Any]:
    """Values for the concrete fields not in `given`, as the ORM would fill them on save."""
    out: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.attname in given:
            continue
        if field.primary_key:
            raise RuntimeError(f"{model.__name__}: the loader must give ids")
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[field.column] = now
        elif field.has_default() or not field.null:
            value = field.get_default()
            if value is None and not field.null:
                raise RuntimeError(
                    f"{model.__name__}.{field.name} is required and has no default: "
                    "give it a value in bench/load.py"
                )
            out[field.column] = value
        else:
            out[field.column] = None
    return out


def _copy(
    cursor: Any, model: Any, columns: list[str], rows: Iterator[tuple[Any, ...]], now: datetime
) -> int:
    """COPY `rows` (values for `columns`, field attnames) into the model's table."""
    names = {f.attname for f in model._meta.concrete_fields}
    # A translated field (modeltranslation) reads `<field>_en` first: fill it with the same text.
    mirrors = [c for c in columns if f"{c}_en" in names]
    defaults = _defaults(model, [*columns, *(f"{c}_en" for c in mirrors)], now)
    at = [columns.index(c) for c in mirrors]
    cols = [*columns, *(f"{c}_en" for c in mirrors), *defaults]
    tail = tuple(defaults.values())
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, cols))
    )
    count = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *(row[i] for i in at), *tail))
            count += 1
    return count


def _destination(company: int) -> tuple[str, str]:
    """City and country of a company's ship-to: odd companies in Kowloon, even in Singapore."""
    return ("Kowloon", "HK") if company % 2 else ("Singapore", "SG")


def _fill(scale: Scale) -> dict[str, Any]:
    """Load everything into the migrated database; return what the drivers need to know."""
    from django.db import connection, transaction

    from dinghuo.catalog.models import Product, Sku
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_api_key, create_tenant
    from dinghuo.customers.models import Company, CreditLine, Location
    from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
    from dinghuo.orders.models import ApprovalRule, OrderPolicy
    from dinghuo.pricing.models import PriceList, PriceTier, TaxRate

    now = datetime.now(UTC)
    tenant = create_tenant(slug="bench", name="Bench Wholesale")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    warehouses = [
        Warehouse.objects.create(tenant=tenant, code="main", name="Main", priority=1),
        Warehouse.objects.create(tenant=tenant, code="north", name="North", priority=2),
    ]
    price_list = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Standard", currency="USD"
    )
    key = create_api_key(tenant=tenant, name="bench", scopes={"read", "write"})

    n, t, s = scale.skus, tenant.pk, seller.pk
    hot_ids = [1 + i * (n // HOT_SKUS) for i in range(HOT_SKUS)]
    hot = set(hot_ids)

    def price(i: int) -> Decimal:
        return Decimal(100 + (i * 7919) % 9900) / 100

    counts: dict[str, int] = {}
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            counts["products"] = _copy(
                cur,
                Product,
                ["id", "tenant_id", "seller_id", "code", "name"],
                ((i, t, s, f"P{i:06d}", f"Product {i}") for i in range(1, n + 1)),
                now,
            )
            counts["skus"] = _copy(
                cur,
                Sku,
                ["id", "tenant_id", "seller_id", "product_id", "code", "name"],
                ((i, t, s, i, f"S{i:06d}", f"Article {i}") for i in range(1, n + 1)),
                now,
            )
            counts["tiers"] = _copy(
                cur,
                PriceTier,
                ["id", "tenant_id", "price_list_id", "sku_id", "min_quantity", "unit_price"],
                (
                    (
                        3 * (i - 1) + k + 1,
                        t,
                        price_list.pk,
                        i,
                        m,
                        (price(i) * f).quantize(Decimal("0.0001")),
                    )
                    for i in range(1, n + 1)
                    for k, (m, f) in enumerate(TIERS)
                ),
                now,
            )

            def levels() -> Iterator[tuple[Any, ...]]:
                for i in range(1, n + 1):
                    qty = HOT_STOCK_PER_LEVEL if i in hot else STOCK_PER_LEVEL
                    for k, w in enumerate(warehouses):
                        yield (2 * (i - 1) + k + 1, t, w.pk, i, qty)

            counts["stock levels"] = _copy(
                cur,
                StockLevel,
                ["id", "tenant_id", "warehouse_id", "sku_id", "on_hand"],
                levels(),
                now,
            )
            counts["stock movements"] = _copy(
                cur,
                StockMovement,
                [
                    "id",
                    "tenant_id",
                    "warehouse_id",
                    "sku_id",
                    "kind",
                    "on_hand_delta",
                    "reason",
                    "reference",
                    "created_at",
                ],
                (
                    (lid, t, w, i, "receipt", qty, "bench load", "bench", now)
                    for lid, _, w, i, qty in levels()
                ),
                now,
            )
            counts["companies"] = _copy(
                cur,
                Company,
                ["id", "tenant_id", "code", "name", "price_list_id"],
                (
                    (i, t, f"C{i:05d}", f"Buyer {i}", price_list.pk)
                    for i in range(1, scale.companies + 1)
                ),
                now,
            )
            counts["ship-tos"] = _copy(
                cur,
                Location,
                ["id", "tenant_id", "company_id", "kind", "name", "line1", "city", "country"],
                (
                    (i, t, i, "ship_to", f"Dock {i}", f"{i} Harbour Road", *_destination(i))
                    for i in range(1, scale.companies + 1)
                ),
                now,
            )
            # Every company on account with a limit far above what a run orders: each order
            # locks and raises its credit line, and the rules below are evaluated, but none
            # holds or asks for approval, so orders confirm themselves (straight through).
            counts["credit lines"] = _copy(
                cur,
                CreditLine,
                ["id", "tenant_id", "company_id", "credit_limit", "terms", "terms_days"],
                ((i, t, i, Decimal(10) ** 12, "net", 30) for i in range(1, scale.companies + 1)),
                now,
            )
            models = (Product, Sku, PriceTier, StockLevel, StockMovement, Company, Location)
            for model in (*models, CreditLine):
                cur.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                        "(SELECT max(id) FROM {i}))"
                    ).format(
                        t=sql.Literal(model._meta.db_table), i=sql.Identifier(model._meta.db_table)
                    )
                )
    # Half the buyers ship to Singapore, so placement computes, rounds and freezes a real tax
    # (9% GST on every product); Hong Kong charges none.
    TaxRate.objects.create(
        tenant=tenant,
        seller=seller,
        country="SG",
        name="GST",
        percent=Decimal(9),
        valid_from=date(2000, 1, 1),
    )
    # No invoices are loaded, so nothing is ever overdue: the seller's grace days (wherever
    # they are kept) never change a decision and are left at their default.
    OrderPolicy.objects.create(tenant=tenant, seller=seller, auto_confirm=True)
    for name, level, approver, extra in (
        ("Orders of 10,000,000 or more: purchasing", 1, "company", {"min_amount": 10**7}),
        ("Orders of 50,000,000 or more: sales desk", 2, "seller", {"min_amount": 5 * 10**7}),
        ("Near the credit limit: credit control", 1, "seller", {"credit_state": "near_limit"}),
    ):
        ApprovalRule.objects.create(
            tenant=tenant,
            seller=seller,
            name=name,
            level=level,
            approver=approver,
            currency=seller.base_currency,
            **extra,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for name, count in counts.items():
        print(f"  loaded {count:>9,} {name}", flush=True)
    return {
        "token": key.secret,
        "tenant_id": t,
        "seller_id": s,
        "price_list_id": price_list.pk,
        "warehouses": [w.pk for w in warehouses],
        "companies": [[i, i] for i in range(1, scale.companies + 1)],
        "skus": [f"S{i:06d}" for i in range(1, n + 1)],
        "hot": [f"S{i:06d}" for i in hot_ids],
        "max_sku_id": n,
    }


def main() -> None:
    """Entry point of the child: migrate, fill, write the world file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, required=True)
    parser.add_argument("--companies", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"  migrated in {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    world = _fill(Scale(args.skus, args.companies))
    print(f"  filled in {time.monotonic() - started:.1f} s", flush=True)
    world["scale"] = asdict(Scale(args.skus, args.companies))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(world))


if __name__ == "__main__":
    main()
