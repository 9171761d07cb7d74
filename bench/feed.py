"""The event feed after a burst of orders: how long the first reader waits.

    uv run python -m bench.feed [--orders 40000] [--database dinghuo_bench_feed]

A fresh PostgreSQL database (dropped and made again), migrated, one tenant. Then `--orders`
transactions, each recording the two events placing an order records (`order.placed`,
`stock.changed`) with `events.record`, as `place_order` does; the rest of the order is left
out (the feed reads events only). Then, through the API (`GET /api/v1/events`):
1. the first read after the burst, from the start, one page of 100 and one of 1,000;
2. a read from a cursor in the middle of the burst (page of 1,000);
3. the whole feed walked page by page (1,000 a page), as a consumer catching up would.
Before events kept their transaction id, the first read numbered the whole backlog
(14.8 s after 40,000 orders); now no read does any work but its page.
"""

import argparse
import os
import statistics
import time
from typing import Any

import django
import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RUNS = 5


def _fresh_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _burst(tenant_id: int, orders: int) -> None:
    """`orders` transactions of two events each, as placing orders writes them."""
    from django.db import transaction

    from dinghuo.integrations import events

    for n in range(1, orders + 1):
        with transaction.atomic():
            events.record(
                events.new(tenant_id, "order.placed", "order", n, {"number": f"SO-{n:07d}"}),
                events.new(tenant_id, "stock.changed", "sku", n % 500 + 1, {"levels": []}),
            )


def _read(client: Any, key: str, after: str | None, limit: int) -> tuple[float, dict[str, Any]]:
    """One page of the feed through the API: wall time (ms) and the answer."""
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        params["after"] = after
    began = time.perf_counter()
    r = client.get("/api/v1/events", params, headers={"Authorization": f"Bearer {key}"})
    elapsed = 1000 * (time.perf_counter() - began)
    assert r.status_code == 200, r.content
    return elapsed, r.json()


def _cursor_after(client: Any, key: str, count: int) -> str:
    """The cursor after the first `count` events (about: whole pages of 1,000)."""
    cursor = "0"
    for _ in range(max(1, count // 1000)):
        cursor = _read(client, key, cursor, 1000)[1]["next_cursor"]
    return cursor


def _walk(client: Any, key: str) -> tuple[float, int, int]:
    """The whole feed page by page: seconds, events read, pages."""
    began, cursor, seen, pages = time.perf_counter(), "0", 0, 0
    while True:
        _ms, page = _read(client, key, cursor, 1000)
        if not page["items"]:
            return time.perf_counter() - began, seen, pages
        seen, pages, cursor = seen + len(page["items"]), pages + 1, page["next_cursor"]


def main() -> None:
    """Load the burst, then print the reads' figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=40_000)
    parser.add_argument("--database", default="dinghuo_bench_feed")
    args = parser.parse_args()
    _fresh_database(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from dinghuo.core.services import create_api_key, create_tenant

    call_command("migrate", verbosity=0)
    tenant = create_tenant(slug="feed", name="Feed")
    key = create_api_key(tenant=tenant, name="bench", scopes={"read"}).secret
    client = Client()
    _read(client, key, None, 1)  # the first request of a process loads the URLs and schemas
    with connection.cursor() as cursor:  # the burst is the setting, not what is measured
        cursor.execute("SET synchronous_commit TO off")
    began = time.perf_counter()
    _burst(tenant.pk, args.orders)
    print(
        f"burst: {args.orders} orders, {2 * args.orders} events in "
        f"{time.perf_counter() - began:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    first_ms, page = _read(client, key, None, 100)
    print(f"first read after the burst, 100 events: {first_ms:.1f} ms ({len(page['items'])} read)")
    first_ms, page = _read(client, key, None, 1000)
    print(f"first read after the burst, 1,000 events: {first_ms:.1f} ms")
    middle = _cursor_after(client, key, args.orders)  # half of the 2 events per order
    deep = statistics.median(_read(client, key, middle, 1000)[0] for _ in range(RUNS))
    print(f"a page of 1,000 from the middle of the burst: median {deep:.1f} ms")
    seconds, seen, pages = _walk(client, key)
    print(f"the whole feed, 1,000 a page: {seen} events in {pages} pages, {seconds:.2f} s")


if __name__ == "__main__":
    main()
