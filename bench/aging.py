"""The receivables aging of 10,000 companies: the query, and its CSV and Excel exports.

    uv run python -m bench.aging [--companies 10000] [--invoices 3] [--database dinghuo_bench_aging]

A fresh PostgreSQL database (dropped and made again), migrated; one seller and `--companies`
companies, each with `--invoices` open invoices due on days spread over the last 150 days
and the next 30, some partly paid. The invoices and what is open on them are bulk-inserted
(a bench needs the rows, not the way to them; the services are measured in bench.billing).
Then, each the median of 7 runs after one to warm up:
1. `queries.receivables_aging` (one query: the database sums by company and bucket);
2. the CSV export of its rows (`aging_export.aging_csv`);
3. the Excel export of its rows (`aging_export.aging_xlsx`);
4. one company's statement of account over a year (`statements.statement`).
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RUNS = 7
BATCH = 5_000


def _fresh_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _median_ms(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """The median wall time and the median CPU time of this process (ms) of `fn` over RUNS
    runs, after one to warm up, and its answer. (The CPU time leaves out the database's work
    and, on a busy machine, the time spent waiting for a processor.)"""
    result = fn()
    walls, cpus = [], []
    for _ in range(RUNS):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - began_cpu)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus), result


def _invoices(
    tenant: Any, seller: Any, companies: list[Any], per_company: int, today: date
) -> list[Any]:
    """`per_company` invoices of each company, due from 30 days ahead to 150 behind."""
    from dinghuo.billing.models import Invoice

    now = datetime.now(UTC)
    invoices = []
    for i, company in enumerate(companies):
        for j in range(per_company):
            n = i * per_company + j
            due_on = today - timedelta(days=(n * 37) % 181 - 30)
            total = Decimal(100 + n % 900) + Decimal("0.50")
            invoices.append(
                Invoice(
                    tenant=tenant,
                    seller=seller,
                    company=company,
                    number=f"INV-{n + 1:07d}",
                    issued_on=due_on - timedelta(days=30),
                    due_on=due_on,
                    currency="HKD",
                    net_total=total,
                    tax_total=Decimal(0),
                    total=total,
                    base_total=total,
                    terms="net",
                    terms_days=30,
                    bill_to={"company": company.name, "code": company.code, "address": {}},
                    seller_details={"legal_name": "Bench Wholesale"},
                    created_at=now,
                )
            )
    return invoices


def _load(companies: int, per_company: int, today: date) -> tuple[int, int]:
    """The tenant, its seller, the companies and their open invoices; (tenant id, a
    company id)."""
    from dinghuo.billing.models import Invoice, Receivable
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_tenant
    from dinghuo.customers.models import Company
    from dinghuo.pricing.models import PriceList

    tenant = create_tenant(slug="bench", name="Bench Wholesale", base_currency="HKD")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    prices = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Std", currency="HKD"
    )
    made = Company.objects.bulk_create(
        [
            Company(tenant=tenant, code=f"C{i:05d}", name=f"Buyer {i}", price_list=prices)
            for i in range(companies)
        ],
        batch_size=BATCH,
    )
    invoices = _invoices(tenant, seller, made, per_company, today)
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    Receivable.objects.bulk_create(
        [
            Receivable(
                tenant=tenant,
                invoice=invoice,
                company=invoice.company,
                due_on=invoice.due_on,
                # Every fifth partly paid.
                open_amount=invoice.total / 2 if k % 5 == 0 else invoice.total,
                open_base=invoice.total / 2 if k % 5 == 0 else invoice.total,
            )
            for k, invoice in enumerate(invoices)
        ],
        batch_size=BATCH,
    )
    return tenant.pk, made[0].pk


def main() -> None:
    """Load, time the reads and exports, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.aging")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=3, help="open invoices per company")
    parser.add_argument("--database", default="dinghuo_bench_aging")
    args = parser.parse_args()
    _fresh_database(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dinghuo.billing import aging_export, queries, statements

    call_command("migrate", verbosity=0)
    today = date.today()
    began = time.perf_counter()
    tenant_id, company_id = _load(args.companies, args.invoices, today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"load: {args.companies} companies, {args.companies * args.invoices} open invoices "
        f"in {time.perf_counter() - began:.1f} s"
    )
    query_ms, query_cpu, rows = _median_ms(lambda: queries.receivables_aging(tenant_id, today))
    print(
        f"receivables_aging: {len(rows)} companies, median {query_ms:.0f} ms "
        f"({query_cpu:.0f} ms CPU in Python)"
    )
    csv_ms, csv_cpu, content = _median_ms(lambda: aging_export.aging_csv(rows))
    print(
        f"CSV export: {len(content) / 1024:.0f} KiB, median {csv_ms:.0f} ms ({csv_cpu:.0f} ms CPU)"
    )
    xlsx_ms, xlsx_cpu, book = _median_ms(lambda: aging_export.aging_xlsx(rows, today))
    print(
        f"Excel export: {len(book) / 1024:.0f} KiB, median {xlsx_ms:.0f} ms ({xlsx_cpu:.0f} ms CPU)"
    )
    year = (today - timedelta(days=365), today)
    statement_ms, _cpu, found = _median_ms(
        lambda: statements.statement(tenant_id, company_id, year[0], year[1])
    )
    print(
        f"one company's statement over a year: {len(found.lines)} lines, "
        f"median {statement_ms:.1f} ms"
    )
    print(
        f"aging page or download = query + export: CSV {query_ms + csv_ms:.0f} ms, "
        f"Excel {query_ms + xlsx_ms:.0f} ms"
    )


if __name__ == "__main__":
    main()
