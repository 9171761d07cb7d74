"""What a company pays, at scale: the price book of a page of 50 SKUs, and the catalogue page.

    uv run python -m bench.prices [--quick] [--no-load] [--database NAME] [--rounds 300]

On the benchmark database (100,000 SKUs, 10,000 companies; `--quick`: 2,000 and 200) a
company of this phase's own gets every kind of price source touching the measured page: a
customer group (with 1,000 other companies of the phase's own) with a group list, its own
list at a higher priority, its base list, contract prices with tiers, an expired contract,
promotions by category (with an ancestor category) and by SKU, its own SKU terms and an
assortment. No source reaches the companies of the world file, which the other phases use.
Then, in one process with Django (no HTTP), `price_book` plus a resolution for each SKU of
the page is timed `--rounds` times, with its number of queries; and `GET /api/v1/catalog`
for that company's page is timed over HTTP against `dinghuo serve`.

`bench.run` calls `measure()` on the database it loaded. Target: a constant number of
queries, p95 under 20 ms for the price book. Exits 1 when the phase failed (its child, or a
catalogue answer other than 200 or an empty page).
"""

import argparse
import http.client
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from bench import load
from bench.phases import PhaseFailed, run_child
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "dinghuo_bench_prices"
PAGE = 50
# The sources cover a window of SKUs around the measured page, so the page sits among
# priced neighbours rather than alone.
WINDOW = 2_000
GROUP_MEMBERS = 1_000
P95_TARGET_MS = 20.0
EMPTY_PAGE = "the page was empty"


@dataclass
class PricesOutcome:
    """Figures of one run."""

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

    @property
    def failure(self) -> str | None:
        """Why the catalogue page's figures measure nothing (answers other than 200, or an
        empty page); None when they are sound."""
        if self.catalogue_failures:
            return f"catalogue answered {self.catalogue_failures}: {self.sample}"
        return EMPTY_PAGE if self.sample == EMPTY_PAGE else None

    def render(self) -> str:
        """The figures as Markdown lines for the report."""
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
        if self.failure:
            lines.append(f"- catalogue FAILED: {self.failure}")
        return "\n".join(lines)


# --- the child process: sources and the in-process timing (Django configured) ---------------


# The measured company and the other members of its customer group are this phase's own,
# made here: no source below reaches a company another phase uses, whatever ran before or
# after (the assortment would hide most of the catalogue from it, and its lists, contracts
# and promotions would change what its orders and pages cost).
COMPANY = "bench-prices"
MEMBER = "bench-dealer-{:04d}"


def _window(max_sku: int) -> tuple[list[int], list[int]]:
    """The SKU ids the sources cover, and the measured page among them."""
    first = max(1, max_sku // 2 - WINDOW // 2)
    window = list(range(first, min(max_sku, first + WINDOW) + 1))
    page = window[WINDOW // 4 : WINDOW // 4 + PAGE] if len(window) > PAGE else window[:PAGE]
    return window, page


def _companies(world: dict[str, Any]) -> tuple[Any, int]:
    """The phase's customer group of GROUP_MEMBERS + 1 companies, and the measured one's id."""
    from dinghuo.customers.models import Company, CustomerGroup

    tenant = world["tenant_id"]
    codes = [*(MEMBER.format(i) for i in range(1, GROUP_MEMBERS + 1)), COMPANY]
    made = Company.objects.bulk_create(
        Company(tenant_id=tenant, code=code, name=code, price_list_id=world["price_list_id"])
        for code in codes
    )
    dealers = CustomerGroup.objects.create(tenant_id=tenant, code="bench-dealers", name="D")
    dealers.companies.add(*made)
    return dealers, made[-1].pk


def _price_list(tenant: int, seller: int, code: str, skus: list[int], factor: str) -> Any:
    """A price list with tiers at 1, 10 and 50 units for `skus`."""
    from dinghuo.pricing.models import PriceList, PriceTier

    created = PriceList.objects.create(
        tenant_id=tenant, seller_id=seller, code=code, name=code, currency="USD"
    )
    PriceTier.objects.bulk_create(
        PriceTier(
            tenant_id=tenant,
            price_list=created,
            sku_id=s,
            min_quantity=m,
            unit_price=(Decimal(1 + s % 97) * Decimal(factor) * f).quantize(Decimal("0.0001")),
        )
        for s in skus
        for m, f in ((1, Decimal(1)), (10, Decimal("0.95")), (50, Decimal("0.9")))
    )
    return created


def _lists_and_contracts(
    tenant: int, seller: int, company_id: int, dealers: Any, window: list[int]
) -> None:
    """A group list, the company's own list at a higher priority, and two contracts (one
    expired) on every 5th SKU of the window."""
    from dinghuo.pricing.models import ContractPrice, ContractPriceTier, PriceListAssignment

    dealer = _price_list(tenant, seller, "bench-dealer", window[::2], "0.97")
    own = _price_list(tenant, seller, "bench-own", window[::3], "0.95")
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
                ContractPriceTier(tenant_id=tenant, contract=contract, min_quantity=m, unit_price=p)
                for m, p in ((1, Decimal("0.80")), (20, Decimal("0.75")))
            )


def _promotions(tenant: int, seller: int, dealers: Any, tools: Any, page: list[int]) -> None:
    """10% off a parent category, an amount off some SKUs of the page, and 20 other running
    promotions for SKUs outside it. All for the customer group only: the measured company
    sees every one of them, and no other phase's company sees any."""
    from dinghuo.pricing.models import Promotion

    now = datetime.now(UTC)
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
    by_sku.customer_groups.add(dealers)
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
        other.customer_groups.add(dealers)


def _add_sources(world: dict[str, Any]) -> dict[str, Any]:
    """Give the phase's own company every kind of price source around the measured page."""
    from django.db import connection, transaction

    from dinghuo.catalog.models import Category, Product
    from dinghuo.customers.models import Company
    from dinghuo.pricing.models import Assortment, CompanySkuTerms, PriceList

    tenant, seller = world["tenant_id"], world["seller_id"]
    window, page = _window(world["max_sku_id"])
    with transaction.atomic():
        if PriceList.objects.filter(tenant_id=tenant, code="bench-dealer").exists():
            measured = Company.objects.filter(tenant_id=tenant, code=COMPANY).first()
            if measured is None:
                raise RuntimeError(
                    "this database has the price sources of an older bench, on companies "
                    "other phases use: load it anew (without --no-load)"
                )
            return {"company_id": measured.pk, "page": page}  # added by an earlier run
        top = Category.objects.create(tenant_id=tenant, code="bench-all", name="All")
        tools = Category.objects.create(tenant_id=tenant, code="bench-tools", name="T", parent=top)
        hand = Category.objects.create(tenant_id=tenant, code="bench-hand", name="H", parent=tools)
        # bench.load makes product i for SKU i
        Product.objects.filter(tenant_id=tenant, pk__in=window).update(category=hand)
        dealers, company_id = _companies(world)
        _lists_and_contracts(tenant, seller, company_id, dealers, window)
        _promotions(tenant, seller, dealers, tools, page)
        CompanySkuTerms.objects.bulk_create(
            CompanySkuTerms(tenant_id=tenant, company_id=company_id, sku_id=s, pack_size=5)
            for s in page[::10]
        )
        assortment = Assortment.objects.create(
            tenant_id=tenant, seller_id=seller, code="bench-range", name="Range"
        )
        assortment.categories.add(top)
        assortment.customer_groups.add(dealers)
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
        sample = EMPTY_PAGE
    return timings, failures, sample


def measure(
    database: str, world_path: Path, *, rounds: int = 300, requests: int = 200
) -> PricesOutcome:
    """Add the sources to the loaded database `database` and time both reads; PhaseFailed
    when the set-up or the in-process timing fails."""
    figures_path = RESULTS / f"prices-{database}.json"
    args = ["--child", "--world", str(world_path), "--out", str(figures_path)]
    args += ["--rounds", str(rounds)]
    run_child("bench.prices", args, database, timeout=900)
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
    try:
        outcome = measure(args.database, world_path, rounds=args.rounds, requests=args.requests)
    except PhaseFailed as failed:
        print(f"!!!!! phase prices FAILED: {failed}", file=sys.stderr)
        return 1
    print(outcome.render())
    if outcome.prices:
        print("- page: " + ", ".join(f"{k} {v}" for k, v in outcome.prices.items()))
    print(json.dumps({k: v for k, v in asdict(outcome).items() if not k.endswith("_ms")}))
    if outcome.failure:
        print(f"!!!!! phase prices FAILED: {outcome.failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
