"""What a company pays, at scale: the price book of a page of 50 SKUs, and the catalogue page.

    uv run python -m bench.prices [--quick] [--no-load] [--database NAME] [--rounds 300]

On the benchmark database (100,000 SKUs, 10,000 companies; `--quick`: 2,000 and 200) one
company gets every kind of price source touching the measured page: a customer group with a
group list, its own list at a higher priority, its base list, contract prices with tiers, an
expired contract, promotions by category (with an ancestor category) and by SKU, its own SKU
terms and an assortment. Then, in one process with Django (no HTTP), `price_book` plus a
resolution for each SKU of the page is timed `--rounds` times, with its number of queries;
and `GET /api/v1/catalog` for that company's page is timed over HTTP against `dinghuo serve`.

`bench.run` calls `measure()` on the database it loaded (after the order scenarios: the
sources change one company of ten thousand). Target: a constant number of queries, p95 under
20 ms for the price book.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from bench import load
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "dinghuo_bench_prices"
PAGE = 50
# The sources cover a window of SKUs around the measured page, so the page sits among
# priced neighbours rather than alone.
WINDOW = 2_000
GROUP_MEMBERS = 1_000
P95_TARGET_MS = 20.0


@dataclass
class PricesOutcome:
    """Figures of one run; `skipped` says why nothing was measured."""

    skipped: str | None = None
    book_queries: int = 0
    book_ms: list[float] = field(default_factory=list)
    catalogue_queries: int = 0
    catalogue_ms: list[float] = field(default_factory=list)
    catalogue_failures: dict[int, int] = field(default_factory=dict)
    sample: str = ""
    prices: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def percentile(data: list[float], q: float) -> float:
        """Nearest-rank value at quantile `q` (0–100); NaN when empty."""
        ordered = sorted(data)
        if not ordered:
            return float("nan")
        return ordered[max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5))) - 1]

    def render(self) -> str:
        """The figures as Markdown lines for the report."""
        if self.skipped:
            return f"- customer prices: not measured ({self.skipped})"
        p = self.percentile
        lines = [
            f"- price book of {PAGE} SKUs with every source: {self.book_queries} queries, "
            f"p50 {p(self.book_ms, 50):.1f} ms, p95 {p(self.book_ms, 95):.1f} ms "
            f"(target < {P95_TARGET_MS:.0f} ms: "
            f"{'met' if p(self.book_ms, 95) < P95_TARGET_MS else 'MISSED'})",
            f"- catalogue page of {PAGE} for that company over HTTP: "
            f"{self.catalogue_queries} queries in-process, "
            f"p50 {p(self.catalogue_ms, 50):.1f} ms, p95 {p(self.catalogue_ms, 95):.1f} ms",
        ]
        if self.catalogue_failures:
            lines.append(f"- catalogue failures: {self.catalogue_failures}: {self.sample}")
        return "\n".join(lines)


# --- the child process: sources and the in-process timing (Django configured) ---------------


def _add_sources(world: dict[str, Any]) -> dict[str, Any]:
    """Give one company every kind of price source around the measured page."""
    from datetime import UTC, date, datetime, timedelta
    from decimal import Decimal

    from django.db import transaction

    from dinghuo.catalog.models import Category, Product
    from dinghuo.customers.models import Company, CustomerGroup
    from dinghuo.pricing.models import (
        Assortment,
        CompanySkuTerms,
        ContractPrice,
        ContractPriceTier,
        PriceList,
        PriceListAssignment,
        PriceTier,
        Promotion,
    )

    tenant, seller = world["tenant_id"], world["seller_id"]
    company_id = world["companies"][-1][0]
    max_sku = world["max_sku_id"]
    first = max(1, max_sku // 2 - WINDOW // 2)
    window = list(range(first, min(max_sku, first + WINDOW) + 1))
    page = window[WINDOW // 4 : WINDOW // 4 + PAGE] if len(window) > PAGE else window[:PAGE]
    now = datetime.now(UTC)
    with transaction.atomic():
        if PriceList.objects.filter(tenant_id=tenant, code="bench-dealer").exists():
            return {"company_id": company_id, "page": page}  # added by an earlier run
        top = Category.objects.create(tenant_id=tenant, code="bench-all", name="All")
        tools = Category.objects.create(tenant_id=tenant, code="bench-tools", name="T", parent=top)
        hand = Category.objects.create(tenant_id=tenant, code="bench-hand", name="H", parent=tools)
        # bench.load makes product i for SKU i
        Product.objects.filter(tenant_id=tenant, pk__in=window).update(category=hand)
        dealers = CustomerGroup.objects.create(tenant_id=tenant, code="bench-dealers", name="D")
        members = [c for c, _ in world["companies"][:GROUP_MEMBERS]] + [company_id]
        dealers.companies.add(*Company.objects.filter(pk__in=members))

        def price_list(code: str, skus: list[int], factor: str) -> PriceList:
            created = PriceList.objects.create(
                tenant_id=tenant, seller_id=seller, code=code, name=code, currency="USD"
            )
            PriceTier.objects.bulk_create(
                PriceTier(
                    tenant_id=tenant,
                    price_list=created,
                    sku_id=s,
                    min_quantity=m,
                    unit_price=(Decimal(1 + s % 97) * Decimal(factor) * f).quantize(
                        Decimal("0.0001")
                    ),
                )
                for s in skus
                for m, f in ((1, Decimal(1)), (10, Decimal("0.95")), (50, Decimal("0.9")))
            )
            return created

        dealer = price_list("bench-dealer", window[::2], "0.97")
        own = price_list("bench-own", window[::3], "0.95")
        PriceListAssignment.objects.create(
            tenant_id=tenant, price_list=dealer, customer_group=dealers, priority=5
        )
        PriceListAssignment.objects.create(
            tenant_id=tenant, price_list=own, company_id=company_id, priority=10
        )
        for s in window[::5]:
            for since, until in ((date(2020, 1, 1), date(2020, 12, 31)), (date(2021, 1, 1), None)):
                contract = ContractPrice.objects.create(
                    tenant_id=tenant,
                    company_id=company_id,
                    sku_id=s,
                    valid_from=since,
                    valid_until=until,
                    reference=f"K-{s}",
                )
                ContractPriceTier.objects.bulk_create(
                    ContractPriceTier(
                        tenant_id=tenant, contract=contract, min_quantity=m, unit_price=p
                    )
                    for m, p in ((1, Decimal("0.80")), (20, Decimal("0.75")))
                )
        by_category = Promotion.objects.create(
            tenant_id=tenant,
            seller_id=seller,
            code="bench-tools-10",
            name="Tools 10%",
            kind="percent",
            value=10,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=365),
        )
        by_category.categories.add(tools)
        by_category.customer_groups.add(dealers)
        by_sku = Promotion.objects.create(
            tenant_id=tenant,
            seller_id=seller,
            code="bench-page-off",
            name="5 cents off",
            kind="amount",
            value=Decimal("0.05"),
            currency="USD",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=365),
            applies_to_contract_prices=True,
        )
        by_sku.skus.add(*page[::4])
        for i in range(20):  # running, but for SKUs outside the page
            other = Promotion.objects.create(
                tenant_id=tenant,
                seller_id=seller,
                code=f"bench-other-{i}",
                name="Other",
                kind="percent",
                value=5,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
            )
            other.skus.add(*range(1 + i * 10, 11 + i * 10))
        CompanySkuTerms.objects.bulk_create(
            CompanySkuTerms(tenant_id=tenant, company_id=company_id, sku_id=s, pack_size=5)
            for s in page[::10]
        )
        assortment = Assortment.objects.create(
            tenant_id=tenant, seller_id=seller, code="bench-range", name="Range"
        )
        assortment.categories.add(top)
        assortment.customer_groups.add(dealers)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"company_id": company_id, "page": page}


def _time_book(world: dict[str, Any], setup: dict[str, Any], rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.client import Client
    from django.test.utils import CaptureQueriesContext

    from dinghuo.pricing.queries import price_book

    tenant, company, page = world["tenant_id"], setup["company_id"], setup["page"]
    quantities = [1 + (i * 7) % 60 for i in range(len(page))]

    def once() -> list[Any]:
        book = price_book(tenant, company_id=company, sku_ids=page)
        return [book.resolve(s, q) for s, q in zip(page, quantities, strict=True)]

    for _ in range(20):
        once()
    with CaptureQueriesContext(connection) as captured:
        found = once()
    timings = []
    for _ in range(rounds):
        began = time.perf_counter()
        once()
        timings.append((time.perf_counter() - began) * 1000)
    client = Client(headers={"Authorization": f"Bearer {world['token']}"})
    params = {"company_id": company, "limit": PAGE, "after": page[0] - 1}
    with CaptureQueriesContext(connection) as catalogue:
        response = client.get("/api/v1/catalog", params)
    if response.status_code != 200:
        raise RuntimeError(f"catalogue answered {response.status_code}: {response.content[:300]!r}")
    sources = {r.source for r in found if r is not None}
    return {
        "book_queries": len(captured.captured_queries),
        "book_ms": timings,
        "catalogue_queries": len(catalogue.captured_queries),
        "prices": {
            "priced": str(sum(r is not None for r in found)),
            "sources": ",".join(sorted(sources)),
            "with promotion": str(sum(1 for r in found if r and r.promotion)),
        },
    }


def _child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    world = json.loads(Path(args.world).read_text())
    setup = _add_sources(world)
    figures = _time_book(world, setup, args.rounds)
    Path(args.out).write_text(json.dumps({"setup": setup, **figures}))


# --- the parent: child, then HTTP ---------------------------------------------------------


def _time_catalogue(
    port: int, token: str, company: int, after: int, requests: int
) -> tuple[list[float], dict[int, int], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/catalog?" + urlencode({"company_id": company, "limit": PAGE, "after": after})
    timings: list[float] = []
    failures: dict[int, int] = {}
    sample = ""
    for i in range(requests + 10):
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        took = (time.perf_counter() - began) * 1000
        if response.status != 200:
            failures[response.status] = failures.get(response.status, 0) + 1
            sample = sample or body[:300].decode(errors="replace")
        elif i >= 10:  # the first requests warm the worker up
            timings.append(took)
    conn.close()
    if not failures and not orjson.loads(body)["items"]:
        sample = "the page was empty"
    return timings, failures, sample


def measure(
    database: str, world_path: Path, *, rounds: int = 300, requests: int = 200
) -> PricesOutcome:
    """Add the sources to the loaded database `database` and time both reads."""
    figures_path = RESULTS / f"prices-{database}.json"
    env = {
        **os.environ,
        "DATABASE_URL": load.database_url(database),
        "DB_POOL": "0",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
    }
    cmd = [sys.executable, "-m", "bench.prices", "--child", "--world", str(world_path)]
    cmd += ["--out", str(figures_path), "--rounds", str(rounds)]
    done = subprocess.run(cmd, env=env, timeout=900, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return PricesOutcome(skipped=f"child failed: {done.stderr[-600:]}")
    figures = json.loads(figures_path.read_text())
    outcome = PricesOutcome(
        book_queries=figures["book_queries"],
        book_ms=figures["book_ms"],
        catalogue_queries=figures["catalogue_queries"],
        prices=figures["prices"],
    )
    world = json.loads(world_path.read_text())
    log = RESULTS / f"server-prices-{database}.log"
    with Server(load.database_url(database), 1, log) as server:
        server.wait_ready()
        page = figures["setup"]["page"]
        timings, failures, sample = _time_catalogue(
            server.port, world["token"], figures["setup"]["company_id"], page[0] - 1, requests
        )
    outcome.catalogue_ms, outcome.catalogue_failures, outcome.sample = timings, failures, sample
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Load (unless --no-load), measure, print; 1 when the catalogue answered an error."""
    parser = argparse.ArgumentParser(prog="python -m bench.prices", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 SKUs, 200 companies")
    parser.add_argument("--no-load", action="store_true", help="reuse the database")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="dropped and made anew")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    RESULTS.mkdir(exist_ok=True)
    world_path = RESULTS / f"world-{args.database}.json"
    if not (args.no_load and world_path.exists()):
        scale = load.QUICK if args.quick else load.FULL
        print(f"loading {scale.skus:,} SKUs and {scale.companies:,} companies", flush=True)
        seconds = load.prepare(args.database, scale, world_path)
        print(f"loaded in {seconds:.1f} s", flush=True)
    outcome = measure(args.database, world_path, rounds=args.rounds, requests=args.requests)
    print(outcome.render())
    if outcome.prices:
        print("- page: " + ", ".join(f"{k} {v}" for k, v in outcome.prices.items()))
    print(json.dumps({k: v for k, v in asdict(outcome).items() if not k.endswith("_ms")}))
    return 1 if outcome.skipped or outcome.catalogue_failures else 0


if __name__ == "__main__":
    sys.exit(main())
