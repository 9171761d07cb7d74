"""Profile order placement inside one process, as one gunicorn worker would run it.

    uv run python -m bench.hotpath [--orders 300] [--mix uniform] [--database dinghuo_bench]

Calls the WSGI application directly (no HTTP, no test client) against the database of the
last `bench.run`, with the pool on as in production, and prints: time per order split into
time waiting for PostgreSQL and time in Python, the SQL statements of one order, and the
functions that cost most (cProfile). Run `python -m bench.run` (or its --quick) first.
Loud (`!!!!!`) when a TIMED name is gone or never called; exits 1 when an order was answered
anything but 201 (the figures would time failures).
"""

import argparse
import cProfile
import importlib
import io
import os
import pstats
import sys
import time
import uuid
from collections import Counter, defaultdict
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
        self.by_kind: dict[str, tuple[int, float]] = {}  # statements and seconds

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
            count, seconds = self.by_kind.get(kind, (0, 0.0))
            self.by_kind[kind] = (count + 1, seconds + took)
            if self.statements is not None:
                self.statements.append(" ".join(sql.split())[:160])


# Functions timed without a profiler (inclusive wall time; nested ones are inside their callers).
# Each is named where the caller looks it up at call time: a function imported with
# `from … import` is patched in the module that calls it (dinghuo.api.auth, not core.services).
# The list lags the code when code moves: a name that no longer exists, or that is never
# called while orders are placed (patched where nobody looks it up), is printed loudly at the
# start and at the end of the output; update it here.
TIMED = (
    "dinghuo.api.auth:authenticate_api_key",
    "dinghuo.core.idempotency:claim",
    "dinghuo.orders.services.placing:validate",
    "dinghuo.orders.line_checks:resolve_parties",
    "dinghuo.orders.services.placing:price",
    "dinghuo.orders.line_checks:check_lines",
    "dinghuo.customers.services:take_credit",
    "dinghuo.orders.judging:judge",
    "dinghuo.orders.services.placing:allocate",
    "dinghuo.inventory.services.levels:lock_available_levels",
    "dinghuo.inventory.allocation:allocate",
    "dinghuo.orders.services.placing:write",
    "dinghuo.orders.services.placing:record",
    "dinghuo.orders.services.placing:reserve",
    "dinghuo.inventory.services.levels:write_changes",
    "dinghuo.integrations.events:record",
    "dinghuo.orders.api:order_out",
    "dinghuo.core.idempotency:store",
    "django.db.backends.postgresql.base:DatabaseWrapper._commit",
)


def _lookup(target: str) -> tuple[Any, str, Any] | None:
    """The owner (module or class), attribute name and function of a TIMED entry; None
    when it no longer exists."""
    module_name, _, path = target.partition(":")
    try:
        owner: Any = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for part in parents:
            owner = getattr(owner, part)
        return owner, name, getattr(owner, name)
    except (ImportError, AttributeError):
        return None


def stale_names() -> list[str]:
    """The TIMED entries that no longer exist."""
    return [target for target in TIMED if _lookup(target) is None]


def _shout(lines: list[str]) -> None:
    for line in lines:
        print(f"!!!!! {line}", file=sys.stderr, flush=True)


class _Timers:
    """Wraps the TIMED functions with wall-clock timers while active."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.missing: list[str] = []
        self._undo: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> "_Timers":
        for target in TIMED:
            found = _lookup(target)
            if found is None:
                self.missing.append(target)
                continue
            owner, name, original = found
            self._undo.append((owner, name, original))
            setattr(owner, name, self._wrap(target, original))
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

    def problems(self) -> list[str]:
        """A loud line for each TIMED entry that is not timed: gone, or never called."""
        out = [
            f"TIMED name not found, not timed: {t} (update bench/hotpath.py)" for t in self.missing
        ]
        out += [
            f"TIMED name never called, not timed: {t} (the code calls it under another name?)"
            for t in TIMED
            if t not in self.missing and not self.calls[t]
        ]
        return out


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


class _Placer:
    """Places orders through the WSGI application, counting the answers' statuses."""

    def __init__(self, world: World, mix: str) -> None:
        from django.core.wsgi import get_wsgi_application

        self.application = get_wsgi_application()
        self.world = world
        self.maker = OrderMaker(world, mix, seed=99)
        self.statuses: Counter[str] = Counter()

    def _start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        self.statuses[status.split()[0]] += 1
        return lambda data: None

    def send(self, body: bytes, token: str, key: str) -> None:
        """One request; the answer is read and dropped."""
        for chunk in self.application(_environ(body, token, key), self._start_response):
            del chunk

    def place(self, count: int = 1) -> None:
        """Place `count` random orders."""
        for _ in range(count):
            self.send(orjson.dumps(self.maker.body()), self.world.token, uuid.uuid4().hex)


def _split(placer: _Placer, orders: int) -> None:
    """The fixed cost of a request, one order's statements, and time per order split
    between waiting for PostgreSQL and Python."""
    from django.db import connection

    # What any API request costs before a view runs: middleware, routing, Ninja, auth refusal.
    refused = orjson.dumps(placer.maker.body())
    began = time.perf_counter()
    for _ in range(orders):
        placer.send(refused, "dh_nope_nope", "k")
    fixed = (time.perf_counter() - began) / orders * 1000
    print(f"a request refused at authentication (401, no query): {fixed:.2f} ms")
    meter = _SqlMeter()
    meter.statements = []
    with connection.execute_wrapper(meter):
        placer.place()
    print(f"one order: {len(meter.statements)} SQL statements")
    for sql in meter.statements:
        print(f"  {sql}")

    meter = _SqlMeter()
    placer.statuses.clear()
    with connection.execute_wrapper(meter):
        began = time.perf_counter()
        placer.place(orders)
        plain = time.perf_counter() - began
    per = plain / orders * 1000
    db = meter.seconds / orders * 1000
    print(
        f"\n{orders} orders ({dict(placer.statuses)}), no profiler: {per:.2f} ms per order = "
        f"{db:.2f} ms waiting for PostgreSQL ({meter.count / orders:.1f} statements) "
        f"+ {per - db:.2f} ms of Python"
    )
    print("time per order by statement (no profiler):")
    for kind, (count, seconds) in sorted(meter.by_kind.items(), key=lambda kv: -kv[1][1]):
        print(f"  {seconds / orders * 1000:6.2f} ms  {count / orders:4.1f}×  {kind}")


def _steps(placer: _Placer, orders: int) -> list[str]:
    """Inclusive time per order of each TIMED function; the loud lines of those not timed."""
    with _Timers() as timers:
        began = time.perf_counter()
        placer.place(orders)
        total = time.perf_counter() - began
    print(
        "\ninclusive wall time per order by step "
        f"(no profiler; {total / orders * 1000:.2f} ms per order):"
    )
    for target in TIMED:
        if timers.calls[target]:
            # Module and name: two steps may share a name (placing's allocate, inventory's).
            module, _, name = target.partition(":")
            label = f"{module.rsplit('.', 1)[-1]}.{name}"
            per_order = timers.seconds[target] / orders * 1000
            print(f"  {per_order:6.2f} ms  {timers.calls[target] / orders:4.1f}×  {label}")
    problems = timers.problems()
    for line in problems:
        print(f"  !!!!! {line}")
    return problems


def _profile(placer: _Placer, orders: int, top: int) -> None:
    """cProfile's top functions: own time, cumulative, cumulative of the application's own."""
    profiler = cProfile.Profile()
    profiler.enable()
    placer.place(orders)
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
        stats.print_stats(*([only] if only else []), top)
        print(f"\n=== top {top} by {title} ({orders} orders, cProfile) ===")
        text = out.getvalue()
        print(text[max(0, text.find("   ncalls")) :])


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
    # Counted, never refused (bench.server says why).
    os.environ.setdefault("DINGHUO_API_WRITES_PER_MINUTE", "100000000")
    placer = _Placer(World.read(world_path), args.mix)
    # Said before minutes of profiling, and again at the end, where it is seen.
    _shout(
        [f"TIMED name not found, not timed: {t} (update bench/hotpath.py)" for t in stale_names()]
    )
    placer.place(args.warmup)
    _split(placer, args.orders)
    problems = _steps(placer, args.orders)
    _profile(placer, args.orders, args.top)
    _shout(problems)
    # Counted since the split's measured orders: anything but 201 was timed as a failure.
    refused = {status: n for status, n in placer.statuses.items() if status != "201"}
    if refused:
        _shout([f"orders answered {refused}: these figures time failures, not placements"])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
