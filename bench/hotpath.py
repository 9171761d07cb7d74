"""Profile order placement inside one process, as one gunicorn worker would run it.

    uv run python -m bench.hotpath [--orders 300] [--mix uniform] [--database dinghuo_bench]

Calls the WSGI application directly (no HTTP, no test client) against the database of the
last `bench.run`, with the pool on as in production, and prints: time per order split into
time waiting for PostgreSQL and time in Python, the SQL statements of one order, and the
functions that cost most (cProfile). Run `python -m bench.run` (or its --quick) first.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench import load
from bench.orders import OrderMaker, World

RESULTS = Path(__file__).resolve().parent / "results"


class _SqlMeter:
    """Counts statements and the time spent waiting for them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[str] | None = None
        self.by_kind: dict[str, list[Any]] = {}

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - began
            self.seconds += took
            self.count += 1
            kind = " ".join(sql.split()[:4])[:60]
            self.by_kind.setdefault(kind, [0, 0.0])
            self.by_kind[kind][0] += 1
            self.by_kind[kind][1] += took
            if self.statements is not None:
                self.statements.append(" ".join(sql.split())[:160])


# Functions timed without a profiler (inclusive wall time; nested ones are inside their callers).
# A name that no longer exists is reported and skipped, so the list may lag the code.
TIMED = (
    "dinghuo.api.auth:authenticate_api_key",
    "dinghuo.core.idempotency:claim",
    "dinghuo.orders.services:_resolve_parties",
    "dinghuo.orders.services:_price_lines",
    "dinghuo.inventory.services:lock_available_levels",
    "dinghuo.inventory.allocation:allocate",
    "dinghuo.inventory.services:apply_changes",
    "dinghuo.inventory.services:_save_levels",
    "dinghuo.integrations.events:record_many",
    "dinghuo.orders.api:order_out",
    "dinghuo.core.idempotency:store",
    "django.db.models.query:QuerySet.create",
    "django.db.models.query:QuerySet.bulk_create",
    "django.db.models.query:QuerySet.bulk_update",
    "django.db.backends.postgresql.base:DatabaseWrapper._commit",
)


class _Timers:
    """Wraps the TIMED functions with wall-clock timers while active."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.missing: list[str] = []
        self._undo: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> "_Timers":
        import importlib

        for target in TIMED:
            module_name, _, path = target.partition(":")
            try:
                owner: Any = importlib.import_module(module_name)
                *parents, name = path.split(".")
                for part in parents:
                    owner = getattr(owner, part)
                original = getattr(owner, name)
            except (ImportError, AttributeError):
                self.missing.append(target)
                continue
            self._undo.append((owner, name, original))
            setattr(owner, name, self._wrap(path, original))
        return self

    def _wrap(self, label: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - began
                self.calls[label] += 1

        return timed

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def _environ(body: bytes, token: str, key: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/orders",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_IDEMPOTENCY_KEY": key,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main(argv: list[str] | None = None) -> int:
    """Profile `--orders` placements; print the split, the statements and the top functions."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.hotpath", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--mix", default="uniform")
    parser.add_argument("--database", default="dinghuo_bench")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)

    world_path = RESULTS / f"world-{args.database}.json"
    if not world_path.exists():
        print(f"no {world_path}: run `python -m bench.run` first", file=sys.stderr)
        return 2
    load.analyze(args.database)  # fresh statistics, as in bench.run (see load.analyze)
    os.environ.update(DATABASE_URL=load.database_url(args.database), DB_POOL="1", DEBUG="0")
    # Another settings module may be given to try a change (e.g. server-side binding).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    world = World.read(world_path)
    maker = OrderMaker(world, args.mix, seed=99)
    statuses: Counter[str] = Counter()

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses[status.split()[0]] += 1

    def place() -> None:
        body = orjson.dumps(maker.body())
        for chunk in application(_environ(body, world.token, uuid.uuid4().hex), start_response):
            del chunk

    for _ in range(args.warmup):
        place()

    # What any API request costs before a view runs: middleware, routing, Ninja, auth refusal.
    refused = orjson.dumps(maker.body())
    began = time.perf_counter()
    for _ in range(args.orders):
        for chunk in application(_environ(refused, "dh_nope_nope", "k"), start_response):
            del chunk
    fixed = (time.perf_counter() - began) / args.orders * 1000
    print(f"a request refused at authentication (401, no query): {fixed:.2f} ms")
    meter = _SqlMeter()
    meter.statements = []
    with connection.execute_wrapper(meter):
        place()
    print(f"one order: {len(meter.statements)} SQL statements")
    for sql in meter.statements:
        print(f"  {sql}")

    meter = _SqlMeter()
    statuses.clear()
    with connection.execute_wrapper(meter):
        began = time.perf_counter()
        for _ in range(args.orders):
            place()
        plain = time.perf_counter() - began
    per = plain / args.orders * 1000
    db = meter.seconds / args.orders * 1000
    print(
        f"\n{args.orders} orders ({dict(statuses)}), no profiler: {per:.2f} ms per order = "
        f"{db:.2f} ms waiting for PostgreSQL ({meter.count / args.orders:.1f} statements) "
        f"+ {per - db:.2f} ms of Python"
    )

    print("time per order by statement (no profiler):")
    for kind, (count, seconds) in sorted(meter.by_kind.items(), key=lambda kv: -kv[1][1]):
        print(f"  {seconds / args.orders * 1000:6.2f} ms  {count / args.orders:4.1f}×  {kind}")

    with _Timers() as timers:
        began = time.perf_counter()
        for _ in range(args.orders):
            place()
        total = time.perf_counter() - began
    print(
        "\ninclusive wall time per order by step "
        f"(no profiler; {total / args.orders * 1000:.2f} ms per order):"
    )
    for target in TIMED:
        label = target.partition(":")[2]
        if label in timers.calls:
            per_order = timers.seconds[label] / args.orders * 1000
            print(f"  {per_order:6.2f} ms  {timers.calls[label] / args.orders:4.1f}×  {label}")
    for target in timers.missing:
        print(f"  (not found, skipped: {target})")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.orders):
        place()
    profiler.disable()
    views = (
        ("tottime", "own time", None),
        ("cumulative", "cumulative time", None),
        ("cumulative", "cumulative time, the application's own functions", "src/dinghuo/"),
    )
    for key, title, only in views:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        if only is None:
            stats.strip_dirs()
        stats.sort_stats(key)
        stats.print_stats(*([only] if only else []), args.top)
        print(f"\n=== top {args.top} by {title} ({args.orders} orders, cProfile) ===")
        text = out.getvalue()
        print(text[max(0, text.find("   ncalls")) :])
    return 0


if __name__ == "__main__":
    sys.exit(main())
