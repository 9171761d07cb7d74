"""`make bench`: load a PostgreSQL database, serve the app, drive orders, compare with plain SQL.

    uv run python -m bench.run [--quick] [--duration S] [--warmup S] [--concurrency 1,4,16]
                               [--workers 3,4] [--threads 1] [--mix uniform,hot]
                               [--database NAME] [--no-load] [--wait-quiet S]

Bounded: every phase has a timeout and the whole run an alarm; servers and client processes
are stopped on the way out, whatever happened. Exits 1 when the API answered any 5xx other
than 503 (busy) or broke a connection, or refused an order as malformed (a bench bug).
"""

import argparse
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import psycopg

from bench import catalog, cpu, driver, load, pages, prices, report
from bench.orders import MIXES, World
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "dinghuo_bench"


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
        help="skip the customer-price measure (it adds price sources to one company)",
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and write the report; 0 when no server error was seen."""
    args = parse(argv)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, _on_signal)
    signal.alarm(_budget(args))
    RESULTS.mkdir(exist_ok=True)
    world_path = RESULTS / f"world-{args.database}.json"
    # Runs on another database (the smoke test's) keep their own files, never the main ones.
    suffix = "" if args.database == DEFAULT_DATABASE else f"-{args.database}"
    results_path = RESULTS / f"latest{suffix}.md"
    scale = load.QUICK if args.quick else load.FULL
    url = load.database_url(args.database)

    machine = report.machine()
    with contextlib.suppress(psycopg.Error):
        autovacuum = load.autovacuum_on()
        machine["autovacuum"] = "on" if autovacuum else "off (the bench runs ANALYZE itself)"
    machine["workers"] = "sync" if args.threads == 1 else f"gthread with {args.threads} threads"
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()), flush=True)
    try:
        if args.no_load and world_path.exists():
            load_seconds = 0.0
            print(f"reusing database {args.database}", flush=True)
        else:
            what = f"{scale.skus:,} SKUs and {scale.companies:,} companies"
            print(f"loading {what} into {args.database}", flush=True)
            load_seconds = load.prepare(args.database, scale, world_path)
            print(f"loaded in {load_seconds:.1f} s", flush=True)
        world = World.read(world_path)
        results = report.Results(
            machine=machine,
            load_seconds=load_seconds,
            scale=f"{len(world.skus):,} SKUs, {len(world.companies):,} companies, "
            "2 warehouses, 3 price tiers",
        )
        seed = 1
        for workers in args.workers:
            log = RESULTS / f"server-{workers}w{suffix}.log"
            with Server(url, workers, log, threads=args.threads) as server:
                server.wait_ready()
                print(f"serving on port {server.port} with {workers} workers ({log})", flush=True)
                for mix in args.mix:
                    for clients in args.concurrency:
                        # The floor runs right after the API, scenario by scenario, so that a
                        # ratio compares two runs under the same background load.
                        for target, endpoint in (("api", server.port), ("sql", url)):
                            seed += 1
                            scenario = driver.Scenario(
                                target, mix, clients, args.warmup, args.duration, workers
                            )
                            outcome = _measure(args, scenario, endpoint, world_path, seed)
                            results.outcomes.append(outcome)
                            if target == "api" and outcome.server_errors:
                                for line in server.last_errors():
                                    print(f"  !!!!! server log: {line}", flush=True)
                results.rss_mb[workers] = server.worker_rss_mb()
                sizes = ", ".join(f"{v:.0f} MB" for v in results.rss_mb[workers].values())
                print(f"  worker RSS: {sizes}", flush=True)
                if results.catalog is None:
                    started = time.monotonic()
                    results.catalog = catalog.measure(
                        server.port, world, requests=args.catalog_requests
                    )
                    took = time.monotonic() - started
                    what = results.catalog.skipped or "measured"
                    print(f"  catalogue: {what} ({took:.1f} s)", flush=True)
        if not args.no_prices:
            # Last: it gives one company every kind of price source.
            started = time.monotonic()
            results.prices = prices.measure(args.database, world_path)
            print(f"  customer prices: measured ({time.monotonic() - started:.1f} s)", flush=True)
            print(results.prices.render(), flush=True)
        if not args.no_pages:
            started = time.monotonic()
            results.pages = pages.measure(
                args.database, world_path, concurrency=args.concurrency, quick=args.quick
            )
            print(f"  buyer pages: measured ({time.monotonic() - started:.1f} s)", flush=True)
            print(results.pages.render(), flush=True)
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
    if results.server_errors or results.unexpected:
        print(
            f"!!!!! {results.server_errors} SERVER ERRORS and {results.unexpected} unexpected 4xx: "
            "see the samples above and the server logs in bench/results/",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
