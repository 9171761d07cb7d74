"""The pages at scale: the buyer's catalogue (a page, a search), product page, cart, order list
and a 200-row quick-order paste, and the staff's order desk and dashboard, rendered by the
served application (gunicorn, sync workers as served) for signed-in people, by 1, 4 and 16
concurrent clients.

    uv run python -m bench.pages [--quick] [--no-load] [--database NAME]
                                 [--concurrency 1,4,16] [--workers 3]
                                 [--duration S] [--warmup S] [--wait-quiet S]

A child process (`bench.page_setup`, Django configured) picks the first bench company that
buys from its base list alone, with no assortment and no SKU terms (whatever other phases
added, it can order every SKU and its pages cost what a plain buyer's do), gives it a buyer
with a password, a cart of 20 lines and, if it has none, a few orders, and makes a staff
member; the bench runs VACUUM (ANALYZE), as autovacuum would in production; the parent
serves the application with `--workers` workers and signs both people in over HTTP like a
browser (CSRF cookie and token, session cookie). For each number of clients it starts that
many client processes (each with its own keep-alive connection and the signed-in cookies)
and measures the pages one after the other: every client requests the page back to back
(closed loop) for a warm-up, then a measured window; the requests that start inside the
window count, including the last one of each client, which ends after it (a page taking
seconds under 16 clients would otherwise be counted only when it was quick). Latencies are of
pages answered 200; anything else (another status, a broken connection) is an error and is
counted, and the first of each kind is shown.

Targets (issue 4): pages < 80 ms p95 server-side, a 200-row paste validated < 1 s p95.
Bounded: every phase has a timeout and a run of its own an alarm; the server and the clients
are stopped on the way out. Exits 1 when the phase failed: its child, or a page that failed
or answered anything but 200.
"""

import argparse
import contextlib
import http.client
import json
import multiprocessing
import queue
import re
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench import cpu, load
from bench.page_figures import PageRun, PagesOutcome
from bench.page_setup import STAFF_EMAIL
from bench.phases import PhaseFailed, run_child
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "dinghuo_bench"
PAGE_TARGET_MS = 80.0
PASTE_TARGET_MS = 1000.0
PASTE_ROWS = 200
CONCURRENCY = (1, 4, 16)
# Sync workers, as served; 3 on 2 cores (docs/performance.md: 4 gives nothing more).
WORKERS = 3
# Seconds per page and number of clients: warm-up, then measured (quick: for the smoke test).
WARMUP, DURATION = 1.0, 5.0
QUICK_WARMUP, QUICK_DURATION = 0.2, 0.5
WAIT_QUIET = 10.0
# How long clients may take to start, and one request to answer, before the run is abandoned.
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
# Requests per page and worker before anything is measured (templates, imports, pool);
# quick: one.
PRIMING = 3
PRODUCTS = 50  # product pages read in turn, spread over the catalogue
SAMPLE_LENGTH = 300


@dataclass(frozen=True)
class Page:
    """One page to time: who asks, how, and its p95 target. Clients take `paths` in turn."""

    name: str
    who: str  # "buyer" or "staff"
    method: str
    paths: tuple[str, ...]
    form: dict[str, Any] | None = None
    target_ms: float = PAGE_TARGET_MS


# --- the parent: sign in like a browser; the clients: time the pages -----------------------


class _Browser:
    """Cookies and CSRF over one keep-alive connection (reopened after a broken one)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = dict(cookies or {})

    def request(
        self, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, bytes, float]:
        """Status (0 for a broken connection), body and milliseconds taken."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = "http://127.0.0.1/"
        began = time.monotonic()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return 0, repr(exc).encode(), (time.monotonic() - began) * 1000
        took = (time.monotonic() - began) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, took

    def sign_in(self, email: str, password: str, at: str = "/signin/") -> None:
        status, page, _ = self.request("GET", at)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"sign-in page: {status}")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "email": email}
        status, _, _ = self.request("POST", at, {**form, "password": password})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in refused: {status}")


def _paste(skus: list[str]) -> str:
    return "\n".join(f"{skus[i * 37 % len(skus)]}\t{1 + i % 9}" for i in range(PASTE_ROWS))


def plan(world: dict[str, Any]) -> list[Page]:
    """The pages, in the order they are measured."""
    skus = world["skus"]
    step = max(1, world["max_sku_id"] // PRODUCTS)
    products = tuple(f"/products/{1 + i * step}/" for i in range(min(PRODUCTS, len(skus))))
    paste = {"action": "paste", "rows_text": _paste(skus)}
    search = "/catalogue/?" + urlencode({"q": "Article 12"})
    return [
        Page("catalogue page of 50", "buyer", "GET", ("/catalogue/",)),
        Page("catalogue search", "buyer", "GET", (search,)),
        Page("product page", "buyer", "GET", products),
        Page("cart of 20 lines", "buyer", "GET", ("/cart/",)),
        Page("order list", "buyer", "GET", ("/orders/",)),
        Page(
            f"quick-order paste of {PASTE_ROWS} rows",
            "buyer",
            "POST",
            ("/quick-order/",),
            paste,
            PASTE_TARGET_MS,
        ),
        Page("staff order desk", "staff", "GET", ("/staff/orders/",)),
        Page("staff dashboard", "staff", "GET", ("/staff/",)),
    ]


def _kind(status: int) -> str:
    if status == 0:
        return "broken"
    if status == 200:
        return "200"
    return "5xx" if status >= 500 else ("4xx" if status >= 400 else str(status))


def _client(
    index: int,
    port: int,
    cookies: dict[str, dict[str, str]],
    pages: list[Page],
    inbox: Any,
    results: Any,
) -> None:
    """One client: for each window the parent sends, request its page back to back."""
    try:
        browsers = {who: _Browser(port, jar) for who, jar in cookies.items()}
        results.put(("ready", index, None))
        n = index  # clients start at different products
        while True:
            message = inbox.get(timeout=START_TIMEOUT * 2)  # the parent is gone
            if message is None:
                break
            k, start, measured_from, end = message
            page = pages[k]
            browser = browsers[page.who]
            latencies: list[float] = []
            counts: Counter[str] = Counter()
            samples: dict[str, str] = {}
            time.sleep(max(0.0, start - time.monotonic()))
            while True:
                began = time.monotonic()
                if began >= end:
                    break
                path = page.paths[n % len(page.paths)]
                n += 1
                status, body, took = browser.request(page.method, path, page.form)
                if began < measured_from:
                    continue
                kind = _kind(status)
                counts[kind] += 1
                if kind == "200":
                    latencies.append(took)
                elif kind not in samples:
                    text = " ".join(body[: SAMPLE_LENGTH * 2].decode(errors="replace").split())
                    samples[kind] = f"{status} {path} {text[:SAMPLE_LENGTH]}"
            results.put(("page", index, (k, latencies, counts, samples)))
    except BaseException:
        results.put(("failed", index, traceback.format_exc()))


def _run_clients(
    clients: int,
    port: int,
    cookies: dict[str, dict[str, str]],
    pages: list[Page],
    *,
    database: str,
    warmup: float,
    duration: float,
    on_run: Any,
) -> list[PageRun]:
    """Start `clients` client processes and measure every page with them, one after another."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(clients)]
    processes = [
        ctx.Process(
            target=_client, args=(i, port, cookies, pages, inboxes[i], results), daemon=True
        )
        for i in range(clients)
    ]
    runs: list[PageRun] = []

    def collect(expected: str, deadline: float) -> Any:
        try:
            kind, index, payload = results.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(f"{clients} clients: no answer in time") from None
        if kind == "failed":
            raise RuntimeError(f"client {index} failed:\n{payload}")
        if kind != expected:
            raise RuntimeError(f"client {index}: {kind} where {expected} was expected")
        return payload

    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + START_TIMEOUT
        for _ in processes:
            collect("ready", deadline)
        for k, page in enumerate(pages):
            start = time.monotonic() + 0.1
            measured_from = start + warmup
            end = measured_from + duration
            for inbox in inboxes:
                inbox.put((k, start, measured_from, end))
            run = PageRun(page.name, clients, duration, page.target_ms)
            time.sleep(max(0.0, measured_from - time.monotonic()))
            first = cpu.sample(database)
            # Sampled before the end: a client done with its page is idle, not gone.
            time.sleep(max(0.0, end - min(0.5, duration / 4) - time.monotonic()))
            run.other_cpu = cpu.other_share(first, cpu.sample(database))
            for _ in processes:
                _, latencies, counts, samples = collect("page", end + REQUEST_TIMEOUT + 10)
                run.latencies_ms.extend(latencies)
                run.counts.update(counts)
                for kind, sample in samples.items():
                    run.samples.setdefault(kind, sample)
            runs.append(run)
            on_run(run)
        return runs
    finally:
        for inbox in inboxes:
            with contextlib.suppress(Exception):
                inbox.put(None)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


def measure(
    database: str,
    world_path: Path,
    *,
    concurrency: Sequence[int] = CONCURRENCY,
    workers: int = WORKERS,
    quick: bool = False,
    duration: float | None = None,
    warmup: float | None = None,
    wait_quiet: float | None = None,
) -> PagesOutcome:
    """Prepare the buyer and staff in `database` and time each page over HTTP with each
    number of clients in `concurrency` (durations default to the quick ones with `quick`).
    PhaseFailed when the set-up fails; pages that fail are in the outcome's `failure`."""
    duration = duration or (QUICK_DURATION if quick else DURATION)
    warmup = warmup if warmup is not None else (QUICK_WARMUP if quick else WARMUP)
    wait_quiet = wait_quiet if wait_quiet is not None else (0.0 if quick else WAIT_QUIET)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pages-{database}.json"
    run_child(
        "bench.page_setup", ["--world", str(world_path), "--out", str(out)], database, timeout=900
    )
    login = json.loads(out.read_text())
    world = json.loads(world_path.read_text())
    _vacuum(database)
    outcome = PagesOutcome(workers=workers, company=login["company"])
    log = RESULTS / f"server-pages-{database}.log"
    with Server(load.database_url(database), workers, log) as server:
        server.wait_ready()
        buyer = _Browser(server.port)
        buyer.sign_in(login["email"], login["password"])
        staff = _Browser(server.port)
        staff.sign_in(STAFF_EMAIL, login["password"], at="/staff/signin/")
        browsers = {"buyer": buyer, "staff": staff}
        pages = _primed(plan(world), browsers, (1 if quick else PRIMING) * workers, outcome)
        cookies = {who: browser.cookies for who, browser in browsers.items()}
        for clients in concurrency:
            if wait_quiet > 0:
                share = cpu.wait_quiet(database, timeout=wait_quiet)
                if share >= 0.15:
                    print(f"  (machine still busy: others use {share:.0%} of the CPU)", flush=True)
            outcome.runs += _run_clients(
                clients,
                server.port,
                cookies,
                pages,
                database=database,
                warmup=warmup,
                duration=duration,
                on_run=lambda run: print(run.line(), flush=True),
            )
        if outcome.errors:
            for line in server.last_errors():
                print(f"  !!!!! server log: {line}", flush=True)
    # Page by page, then by number of clients, for the report.
    names = [page.name for page in pages]
    outcome.runs.sort(key=lambda run: (names.index(run.page), run.clients))
    return outcome


def _primed(
    pages: list[Page], browsers: dict[str, _Browser], requests: int, outcome: PagesOutcome
) -> list[Page]:
    """The pages that answered 200 to `requests` requests each (every worker renders each
    page a few times before anything is measured); the others are the outcome's failures."""
    primed = []
    for page in pages:
        for i in range(requests):
            status, body, _ = browsers[page.who].request(
                page.method, page.paths[i % len(page.paths)], page.form
            )
            if status != 200:
                outcome.failures[page.name] = f"{status}: {body[:200]!r}"
                break
        else:
            primed.append(page)
    return primed


def _vacuum(name: str) -> None:
    """What autovacuum does in production, done by hand: this PostgreSQL has it off, and the
    throughput runs leave hundreds of thousands of dead stock-level and order rows behind,
    which every page that scans those tables would otherwise read (the dashboard does)."""
    url = load.database_url(name).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _ints(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive integers")
    return values


def _budget(args: argparse.Namespace, pages: int = 8) -> int:
    """Seconds a run may take before the alarm stops it (the load, up to 10 min, aside)."""
    per_level = args.wait_quiet + START_TIMEOUT + pages * (args.warmup + args.duration + 5)
    return int(900 + 600 + len(args.concurrency) * per_level + 120)


class _Stop(Exception):
    pass


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(f"stopped by {signal.Signals(signum).name}")


def main(argv: list[str] | None = None) -> int:
    """Load (unless --no-load), measure, print; 1 when a page failed, 2 when stopped."""
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 SKUs, 200 companies")
    parser.add_argument("--no-load", action="store_true", help="reuse the database")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--concurrency", type=_ints, default=list(CONCURRENCY), help="clients, e.g. 1,4,16"
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers (3)")
    parser.add_argument(
        "--duration",
        type=float,
        help=f"measured seconds per page and clients ({DURATION:g}; quick {QUICK_DURATION:g})",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        help=f"seconds before measuring ({WARMUP:g}; quick {QUICK_WARMUP:g})",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        help=f"seconds to wait for other work to stop before each number of clients "
        f"({WAIT_QUIET:g}; quick 0)",
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (QUICK_DURATION if args.quick else DURATION)
    if args.warmup is None:
        args.warmup = QUICK_WARMUP if args.quick else WARMUP
    if args.wait_quiet is None:
        args.wait_quiet = 0.0 if args.quick else WAIT_QUIET
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, _on_signal)
    signal.alarm(_budget(args))
    RESULTS.mkdir(exist_ok=True)
    world_path = RESULTS / f"world-{args.database}.json"
    try:
        if not (args.no_load and world_path.exists()):
            scale = load.QUICK if args.quick else load.FULL
            print(f"loading {scale.skus:,} SKUs and {scale.companies:,} companies", flush=True)
            print(f"loaded in {load.prepare(args.database, scale, world_path):.1f} s", flush=True)
        outcome = measure(
            args.database,
            world_path,
            concurrency=args.concurrency,
            workers=args.workers,
            duration=args.duration,
            warmup=args.warmup,
            wait_quiet=args.wait_quiet,
        )
    except PhaseFailed as failed:
        print(f"!!!!! phase pages FAILED: {failed}", file=sys.stderr, flush=True)
        return 1
    except _Stop as stop:
        print(f"!!!!! pages bench aborted: {stop}", file=sys.stderr, flush=True)
        return 2
    finally:
        signal.alarm(0)
    print()
    print(outcome.render())
    if outcome.failure:
        print(f"!!!!! phase pages FAILED: {outcome.failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
