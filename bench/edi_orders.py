"""EDI's figure: an EANCOM ORDERS of 100 lines read and placed, and answered (issue 13: under
1 s on PostgreSQL).

    uv run python -m bench.edi_orders [--lines 100] [--rounds 7]
        [--database-url postgres://postgres@127.0.0.1:5432/dinghuo_bench_edi
                        | sqlite:////tmp/bench_edi.sqlite3]

A fresh database (dropped and made again, or the SQLite file removed), migrated; one seller
with `--lines` SKUs (each with a GTIN, a price and stock in one warehouse), one company with
a ship-to address, its trading partner with the delivery point's GLN. Each round sends a new
interchange (its own reference and order number) of one ORDERS message with `--lines` lines
(LIN with the GTIN, QTY 21, PRI AAA) and times `edi.services.inbound.receive_interchange`:
the envelope read and counted, GLNs and articles resolved, the order placed through
`orders.services.place_order`, the order response written and kept, in one transaction.
Printed: each round, the median and the worst, and the statements one round sent.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dinghuo_bench_edi"
LIMIT_SECONDS = 1.0
OUR_GLN = "4012345000009"
BUYER_GLN = "5412345000013"
DOCK_GLN = "5412345000020"


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite:"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def gtin(n: int) -> str:
    """The n-th GTIN-13 of the bench's company prefix, with its check digit."""
    from dinghuo.core.gs1 import check_digit

    body = f"400638{n:06d}"
    return body + str(check_digit(body))


def world(lines: int) -> dict[str, Any]:
    """The seller, its SKUs with stock, the company and its trading partner."""
    from dinghuo.catalog.models import Category, Product, Sku
    from dinghuo.core.models import Seller
    from dinghuo.core.services import create_tenant
    from dinghuo.customers.models import Company, Location
    from dinghuo.edi.services import partners
    from dinghuo.inventory import services as stock
    from dinghuo.inventory.models import Warehouse
    from dinghuo.pricing.models import PriceList, PriceTier

    tenant = create_tenant(slug="edi-bench", name="EDI Bench", base_currency="EUR")
    seller = Seller.objects.get(tenant=tenant, is_primary=True)
    Warehouse.objects.create(tenant=tenant, code="main", name="Main", priority=1)
    prices = PriceList.objects.create(
        tenant=tenant, seller=seller, code="std", name="Standard", currency="EUR"
    )
    category = Category.objects.create(tenant=tenant, code="tools", name_en="Tools")
    for n in range(1, lines + 1):
        product = Product.objects.create(
            tenant=tenant, seller=seller, code=f"P-{n}", name_en=f"Product {n}", category=category
        )
        sku = Sku.objects.create(
            tenant=tenant, seller=seller, product=product, code=f"S-{n}", gtin=gtin(n)
        )
        PriceTier.objects.create(
            tenant=tenant, price_list=prices, sku=sku, min_quantity=1, unit_price=Decimal("4.25")
        )
        stock.receive_stock(
            tenant_id=tenant.pk,
            warehouse_code="main",
            sku_id=sku.pk,
            quantity=10_000,
            reason="bench",
        )
    company = Company.objects.create(tenant=tenant, code="C1", name="Buyer", price_list=prices)
    dock = Location.objects.create(
        tenant=tenant, company=company, kind="ship_to", name="Dock", line1="1 Quay",
        city="Antwerp", country="BE",
    )  # fmt: skip
    partners.create_partner(
        tenant_id=tenant.pk,
        name="Bench Buyer",
        gln=BUYER_GLN,
        company_id=company.pk,
        our_gln=OUR_GLN,
        ship_tos=[partners.ShipTo(DOCK_GLN, dock.pk)],
    )
    return {"tenant": tenant}


def interchange(round_number: int, lines: int) -> str:
    """One ORDERS of `lines` lines, as a buyer's EDI system writes it."""
    ref = f"BENCH{round_number:04d}"
    body = [
        f"BGM+220+PO-BENCH-{round_number}+9",
        "DTM+137:20261206:102",
        f"NAD+BY+{BUYER_GLN}::9",
        f"NAD+SU+{OUR_GLN}::9",
        f"NAD+DP+{DOCK_GLN}::9",
        "CUX+2:EUR:9",
    ]
    for n in range(1, lines + 1):
        body += [f"LIN+{n}++{gtin(n)}:EN", f"QTY+21:{1 + n % 7}", "PRI+AAA:4.25"]
    body += ["UNS+S", f"CNT+2:{lines}"]
    segments = [
        f"UNB+UNOC:3+{BUYER_GLN}:14+{OUR_GLN}:14+261206:0900+{ref}",
        "UNH+1+ORDERS:D:96A:UN:EAN008",
        *body,
        f"UNT+{len(body) + 2}+1",
        f"UNZ+1+{ref}",
    ]
    return "UNA:+.? '" + "'\n".join(segments) + "'\n"


def main() -> None:
    """Load, time each round, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.edi_orders")
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    _fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dinghuo.edi.services import inbound

    call_command("migrate", verbosity=0)
    tenant = world(args.lines)["tenant"]
    took: list[float] = []
    sent = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    for n in range(1, args.rounds + 1):
        text = interchange(n, args.lines)
        sent = 0
        began = time.perf_counter()
        with connection.execute_wrapper(count):
            received = inbound.receive_interchange(tenant_id=tenant.pk, text=text, source="bench")
        took.append(time.perf_counter() - began)
        if received.message.status != "accepted":
            print(f"!!!!! round {n} refused: {received.message.reason}")
            sys.exit(1)
    median, worst = statistics.median(took), max(took)
    rounds = ", ".join(f"{t * 1000:.0f}" for t in took)
    print(
        f"EDI ORDERS ({connection.vendor}): {args.lines} lines placed and answered in "
        f"{median * 1000:.0f} ms (median of {args.rounds}; worst {worst * 1000:.0f} ms; "
        f"rounds {rounds} ms); {sent} statements a round"
    )
    if worst > LIMIT_SECONDS:
        print(f"!!!!! EDI ORDERS over {LIMIT_SECONDS:.0f} s")
        sys.exit(1)


if __name__ == "__main__":
    main()
