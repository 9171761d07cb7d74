"""`make bench`: load a PostgreSQL database, serve the app, drive orders, compare with plain SQL.

    uv run python -m bench.run [--quick] [--duration S] [--warmup S] [--concurrency 1,4,16]
                               [--workers 3,4] [--threads 1] [--mix uniform,hot]
                               [--database NAME] [--no-load] [--wait-quiet S]

Phases, in order: load, orders-<N>w for each number of workers (with the catalogue on the
first pass's server), pages, prices. Each sets up or picks the data it needs itself. A phase
that fails (an exception, a child process that exits non-zero, an answer it must not get: a
5xx other than 503, a broken connection, an order refused as malformed, a page other than
200) is printed as `!!!!! phase <name> FAILED: <why>`, the other phases still run, and the
run exits 1 (2 when stopped by a signal or the alarm). `not run` / `not measured` in the
report only ever means left out on purpose, with the reason. BENCH_FAIL_PHASE=<name> makes
that phase fail as it starts (tests/bench checks that the run then fails).

Bounded: every phase has a timeout and the whole run an alarm; servers and client processes
are stopped on the way out, whatever happened.
"""

import argparse
import contextlib
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType

import psycopg

from bench import catalog, cpu, driver, load, pages, prices, report
from bench.orders import MIXES, World
from bench.phases import PhaseFailed
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "dinghuo_bench"
FAIL_PHASE = "BENCH_FAIL_PHASE"


def _ints(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive integers")
    return values


def _mixes(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values or set(values) - set(MIXES):
        raise argparse.ArgumentTypeError(f"a comma-separated list from {', '.join(MIXES)}")
    return values


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with --quick filling in small defaults."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small data (2,000 SKUs), 3 s per scenario"
    )
    parser.add_argument(
        "--duration", type=float, help="measured seconds per scenario (15; quick 3)"
    )
    parser.add_argument("--warmup", type=float, help="seconds before measuring (3; quick 1)")
    parser.add_argument(
        "--concurrency",
        type=_ints,
        default=[1, 4, 16],
        help="clients, e.g. 1,4,16 (placing orders, and the pages)",
    )
    parser.add_argument("--workers", type=_ints, help="gunicorn workers to try (3,4; quick 3)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers, as served)"
    )
    parser.add_argument("--mix", type=_mixes, default=list(MIXES), help="uniform,hot")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="dropped and created anew")
    parser.add_argument(
        "--no-load", action="store_true", help="reuse the database and world file of the last run"
    )
    parser.add_argument("--catalog-requests", type=int, default=500)
    parser.add_argument("--no-pages", action="store_true", help="skip timing the buyer's pages")
    parser.add_argument(
        "--no-prices",
        action="store_true",
        help="skip the customer-price measure (it adds price sources to companies of its own)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        help="seconds to wait for other work to stop before each scenario (30; quick 0)",
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (3.0 if args.quick else 15.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    args.workers = args.workers or ([3] if args.quick else [3, 4])
    if args.wait_quiet is None:
        args.wait_quiet = 0.0 if args.quick else 30.0
    return args


def _budget(args: argparse.Namespace) -> int:
    """Seconds the whole run may take before the alarm stops it."""
    per_scenario = args.warmup + args.duration + args.wait_quiet + 45
    scenarios = len(args.mix) * len(args.concurrency) * len(args.workers) * 2
    return int(600 + scenarios * per_scenario + len(args.workers) * 60 + 300)


class _Stop(Exception):
    pass


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(f"stopped by {signal.Signals(signum).name}")


def _measure(
    args: argparse.Namespace,
    scenario: driver.Scenario,
    endpoint: object,
    world_path: Path,
    seed: int,
) -> driver.Outcome:
    load.analyze(args.database)
    if args.wait_quiet > 0:
        share = cpu.wait_quiet(args.database, timeout=args.wait_quiet)
        if share >= 0.15:
            print(f"  (machine still busy: others use {share:.0%} of the CPU)", flush=True)
    outcome = driver.run(scenario, endpoint, world_path, database=args.database, seed=seed)
    _show(outcome)
    return outcome


def _show(outcome: driver.Outcome) -> None:
    c, o = outcome.counts, outcome
    print(
        f"  {o.scenario.label:<28} {o.orders_per_s:7.1f} orders/s"
        f"  p50 {o.percentile(50):6.1f} ms  p99 {o.percentile(99):6.1f} ms"
        f"  201={c['201']} 409={c['409']} 503={c['503']} 5xx={o.server_errors}"
        f" 4xx={o.unexpected}  others' CPU {o.other_cpu:.0%} IO stall {o.io_stall:.0%}",
        flush=True,
    )
    if outcome.server_errors or outcome.unexpected:
        print(f"  !!!!! {outcome.scenario.label}: UNEXPECTED ANSWERS: {dict(c)}", flush=True)
        for kind, sample in outcome.samples.items():
            print(f"  !!!!! first {kind}: {sample}", flush=True)


def _phase(results: report.Results, name: str, work: Callable[[], None]) -> bool:
    """Run one phase. A failure is printed loudly and recorded (it fails the run); the next
    phases still run. True when the phase succeeded."""
    started = time.monotonic()
    try:
        if os.environ.get(FAIL_PHASE) == name:
            raise PhaseFailed(f"made to fail by {FAIL_PHASE}={name}")
        work()
    except _Stop:
        raise
    except PhaseFailed as failed:
        why = str(failed)
    except Exception as exc:
        # Not a failure the phase foresaw: a bench bug or a broken application; show where.
        traceback.print_exc()
        why = f"{exc.__class__.__name__}: {exc}"
    else:
        print(f"  {name}: done ({time.monotonic() - started:.1f} s)", flush=True)
        return True
    results.failed[name] = why
    print(f"!!!!! phase {name} FAILED: {why}", file=sys.stderr, flush=True)
    return False


def _load(args: argparse.Namespace, results: report.Results, world_path: Path) -> None:
    """Load the database anew (or reuse it with --no-load) and describe the data."""
    scale = load.QUICK if args.quick else load.FULL
    if args.no_load and world_path.exists():
        print(f"reusing database {args.database}", flush=True)
    else:
        what = f"{scale.skus:,} SKUs and {scale.companies:,} companies"
        print(f"loading {what} into {args.database}", flush=True)
        results.load_seconds = load.prepare(args.database, scale, world_path)
        print(f"loaded in {results.load_seconds:.1f} s", flush=True)
    world = World.read(world_path)
    results.scale = (
        f"{len(world.skus):,} SKUs, {len(world.companies):,} companies, 2 warehouses, 3 price tiers"
    )


def _orders(
    args: argparse.Namespace, results: report.Results, workers: int, world_path: Path, log: Path
) -> None:
    """The order scenarios with `workers` workers, each against the API then the floor, and
    on the first pass that gets this far, the catalogue (its own phase) on the same server.
    PhaseFailed when the API answered a 5xx other than 503, broke a connection or refused
    an order as malformed."""
    url = load.database_url(args.database)
    with Server(url, workers, log, threads=args.threads) as server:
        server.wait_ready()
        print(f"serving on port {server.port} with {workers} workers ({log})", flush=True)
        for mix in args.mix:
            for clients in args.concurrency:
                # The floor runs right after the API, scenario by scenario, so that a
                # ratio compares two runs under the same background load.
                for target, endpoint in (("api", server.port), ("sql", url)):
                    scenario = driver.Scenario(
                        target, mix, clients, args.warmup, args.duration, workers
                    )
                    seed = len(results.outcomes) + 2
                    outcome = _measure(args, scenario, endpoint, world_path, seed)
                    results.outcomes.append(outcome)
                    if target == "api" and outcome.server_errors:
                        for line in server.last_errors():
                            print(f"  !!!!! server log: {line}", flush=True)
        results.rss_mb[workers] = server.worker_rss_mb()
        sizes = ", ".join(f"{v:.0f} MB" for v in results.rss_mb[workers].values())
        print(f"  worker RSS: {sizes}", flush=True)
        if results.catalog is None and "catalogue" not in results.failed:
            world = World.read(world_path)
            _phase(results, "catalogue", lambda: _catalogue(args, results, server.port, world))
    mine = [o for o in results.outcomes if o.scenario.workers == workers]
    errors, unexpected = sum(o.server_errors for o in mine), sum(o.unexpected for o in mine)
    if errors or unexpected:
        raise PhaseFailed(
            f"{errors} server errors (5xx other than 503, broken connections) and {unexpected} "
            f"unexpected 4xx (a bench bug): see the samples above and {log}"
        )


def _catalogue(args: argparse.Namespace, results: report.Results, port: int, world: World) -> None:
    """The catalogue page; PhaseFailed when a read was answered other than 200."""
    results.catalog = catalog.measure(port, world, requests=args.catalog_requests)
    if results.catalog.skipped:
        print(f"  catalogue: not measured ({results.catalog.skipped})", flush=True)
    if results.catalog.failure:
        raise PhaseFailed(results.catalog.failure)


def _pages(args: argparse.Namespace, results: report.Results, world_path: Path) -> None:
    """The buyer's and the staff's pages; PhaseFailed when one failed or answered other than 200."""
    results.pages = pages.measure(
        args.database, world_path, concurrency=args.concurrency, quick=args.quick
    )
    print(results.pages.render(), flush=True)
    if results.pages.failure:
        raise PhaseFailed(results.pages.failure)


def _prices(args: argparse.Namespace, results: report.Results, world_path: Path) -> None:
    """The customer prices; PhaseFailed when their catalogue page failed or was empty."""
    # A quick run (the smoke test) only needs each read to work and be timed a little.
    sizes = {"rounds": 50, "requests": 30} if args.quick else {}
    results.prices = prices.measure(args.database, world_path, **sizes)
    print(results.prices.render(), flush=True)
    if results.prices.failure:
        raise PhaseFailed(results.prices.failure)


def _phases(args: argparse.Namespace, results: report.Results, world_path: Path) -> None:
    """Every phase after the load, in order; each fails on its own."""
    suffix = _suffix(args.database)
    for workers in args.workers:
        log = RESULTS / f"server-{workers}w{suffix}.log"
        _phase(
            results, f"orders-{workers}w", partial(_orders, args, results, workers, world_path, log)
        )
    if not args.no_pages:
        _phase(results, "pages", lambda: _pages(args, results, world_path))
    if not args.no_prices:
        # Last: it adds price sources (to companies of its own) and categories to the catalogue.
        _phase(results, "prices", lambda: _prices(args, results, world_path))


def _suffix(database: str) -> str:
    # Runs on another database (the smoke test's) keep their own files, never the main ones.
    return "" if database == DEFAULT_DATABASE else f"-{database}"


def _failed(results: report.Results) -> int:
    """Repeat every failed phase at the very end, where it is seen; 1 when one failed."""
    for name, why in results.failed.items():
        print(f"!!!!! phase {name} FAILED: {why}", file=sys.stderr, flush=True)
    return 1 if results.failed else 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and write the report; 0 when every phase succeeded."""
    args = parse(argv)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, _on_signal)
    signal.alarm(_budget(args))
    RESULTS.mkdir(exist_ok=True)
    world_path = RESULTS / f"world-{args.database}.json"
    results_path = RESULTS / f"latest{_suffix(args.database)}.md"

    machine = report.machine()
    with contextlib.suppress(psycopg.Error):
        autovacuum = load.autovacuum_on()
        machine["autovacuum"] = "on" if autovacuum else "off (the bench runs ANALYZE itself)"
    machine["workers"] = "sync" if args.threads == 1 else f"gthread with {args.threads} threads"
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()), flush=True)
    results = report.Results(machine=machine, load_seconds=0.0, scale="")
    try:
        if not _phase(results, "load", lambda: _load(args, results, world_path)):
            return _failed(results)  # nothing to measure
        _phases(args, results, world_path)
        results.machine["load average at end"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    except _Stop as stop:
        print(f"!!!!! bench aborted: {stop}", file=sys.stderr, flush=True)
        return 2
    finally:
        signal.alarm(0)

    text = report.render(results)
    results_path.write_text(text)
    print()
    print(text)
    print(f"written to {results_path}")
    return _failed(results)


if __name__ == "__main__":
    sys.exit(main())
