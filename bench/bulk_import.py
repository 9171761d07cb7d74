"""Bulk import's figure: a product file of 100,000 rows (one SKU each, names in three
languages), checked (the dry run) and then applied, on PostgreSQL.

    uv run python -m bench.bulk_import [--rows 100000] [--format csv|xlsx]
        [--database-url postgres://postgres@127.0.0.1:5432/dinghuo_bench_bulk
                        | sqlite:////tmp/bench_bulk.sqlite3]

A fresh database (dropped and made again, or the SQLite file removed), migrated; one tenant
with a category. The file is made here. Timed, each through the worker's own function
(`bulk.importing.run`): the dry run (read, check every row, write in a transaction rolled
back), the apply (the same, kept), and the same file applied again (nothing changes: no
row, no event). Printed: seconds and rows per second of each, and the peak memory.
"""

import argparse
import csv
import io
import os
import resource
import sys
import time
from pathlib import Path

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dinghuo_bench_bulk"
HEAD = [
    "Product code", "Product name (English)", "Product name (Traditional Chinese)",
    "Product name (Simplified Chinese)", "Category code", "SKU code", "SKU name (English)",
    "Unit", "Minimum order quantity", "Pack size",
]  # fmt: skip


def product_rows(count: int, *, bad_every: int = 0) -> list[list[str]]:
    """`count` rows, one product with one SKU each; with `bad_every`, every such row is
    wrong in one of four ways (a pack size that is no number, no English name for a new
    product, a SKU code given twice, an unknown category)."""
    rows = [HEAD]
    for i in range(count):
        row = [
            f"P-{i:06d}", f"Green tea {i}", f"綠茶 {i}", f"绿茶 {i}", "tea", f"S-{i:06d}",
            f"Tin of 100 g ({i})", "tin", "1", str(1 + i % 12),
        ]  # fmt: skip
        if bad_every and i % bad_every == bad_every - 1:
            flaw = (i // bad_every) % 4
            if flaw == 0:
                row[9] = "a dozen"
            elif flaw == 1:
                row[1] = ""
            elif flaw == 2:
                row[5] = f"S-{i - 1:06d}"
            else:
                row[4] = "coffee"
        rows.append(row)
    return rows


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def xlsx_file(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("products")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite:"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _timed_run(tenant_id: int, content: bytes, name: str, mode: str) -> tuple[float, object]:
    from dinghuo.bulk import importing
    from dinghuo.bulk.models import ImportRun
    from dinghuo.core import clock

    run = ImportRun.objects.create(
        tenant_id=tenant_id,
        kind="products",
        mode=mode,
        file_name=name,
        content=content,
        created_at=clock.now(),
    )
    started = time.perf_counter()
    importing.run(run.pk)
    return time.perf_counter() - started, ImportRun.objects.get(pk=run.pk)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_import")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    _fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command

    from dinghuo.catalog.models import Category, Sku
    from dinghuo.core.services import create_tenant
    from dinghuo.integrations.models import Event

    call_command("migrate", verbosity=0)
    tenant = create_tenant(slug="bulk-bench", name="Bulk Bench")
    Category.objects.create(tenant=tenant, code="tea", name_en="Tea")
    rows = product_rows(args.rows)
    content = csv_file(rows) if args.format == "csv" else xlsx_file(rows)
    name = f"products.{args.format}"
    print(f"file: {args.rows:,} rows, {len(content) / 1e6:.1f} MB {args.format}")
    failed = False
    figures = []
    for label, mode in (("dry run", "dry_run"), ("apply", "apply"), ("apply again", "apply")):
        seconds, run = _timed_run(tenant.pk, content, name, mode)
        events = Event.objects.filter(tenant_id=tenant.pk).count()
        figures.append(seconds)
        print(
            f"{label:12} {seconds:7.1f} s  {args.rows / seconds:9,.0f} rows/s  "
            f"state={run.state} problems={run.problem_count} events={events} "  # type: ignore[attr-defined]
            f"summary={run.summary}"  # type: ignore[attr-defined]
        )
        failed |= run.problem_count > 0  # type: ignore[attr-defined]
    skus = Sku.objects.filter(tenant=tenant).count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"dry run + apply: {figures[0] + figures[1]:.1f} s (aim: under 120 s); SKUs: {skus:,}")
    print(f"peak memory of the process: {peak:.0f} MB")
    return 1 if failed or skus != args.rows else 0


if __name__ == "__main__":
    sys.exit(main())
