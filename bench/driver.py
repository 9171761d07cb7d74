"""The load generator: N client processes placing orders for a warm-up and a measured window.

Each client is its own process (the GIL would otherwise serialise the clients) with one
connection: a keep-alive `http.client` connection to the API, or a psycopg connection for the
plain-SQL floor. Clients send the next order as soon as the previous answer arrives (closed
loop), so N clients means at most N orders in flight. Only requests that start and finish
inside the measured window count.
"""

import contextlib
import http.client
import multiprocessing
import queue
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench import cpu
from bench.orders import OrderMaker, World

TARGETS = ("api", "sql")
# How long a client may take to start (spawn, imports, connect) before the run is abandoned.
START_TIMEOUT = 60.0
SAMPLE_LENGTH = 400


@dataclass(frozen=True)
class Scenario:
    """One measured run: which target, which SKU mix, how many concurrent clients."""

    target: str
    mix: str
    clients: int
    warmup: float
    duration: float
    workers: int = 0  # gunicorn workers of the API; for the floor, those of its pass

    @property
    def label(self) -> str:
        who = f"api/{self.workers}w" if self.target == "api" else f"plain-sql@{self.workers}w"
        return f"{who} {self.mix} c={self.clients}"


@dataclass
class Outcome:
    """Counts and latencies of one scenario's measured window."""

    scenario: Scenario
    counts: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)
    other_cpu: float = float("nan")  # share of the machine others used during the window
    io_stall: float = float("nan")  # share of the window with some task waiting for IO

    @property
    def placed(self) -> int:
        return self.counts["201"]

    @property
    def orders_per_s(self) -> float:
        return self.placed / self.scenario.duration

    @property
    def server_errors(self) -> int:
        """5xx other than 503 (busy, an answer by design), plus broken connections."""
        return self.counts["5xx"] + self.counts["error"]

    @property
    def unexpected(self) -> int:
        """4xx other than 409: the bench sent something the API refused, which is a bench bug."""
        return self.counts["4xx"]

    def percentile(self, q: float) -> float:
        """Latency of placed orders at quantile `q` (0–100), nearest rank; NaN when none."""
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        rank = max(1, min(len(data), round(q / 100 * len(data) + 0.5)))
        return data[rank - 1]


def _category(status: int) -> str:
    if status in (201, 409, 503):
        return str(status)
    if status >= 500:
        return "5xx"
    return "4xx" if status >= 400 else "other"


class _ApiClient:
    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def place(self, body: dict[str, Any], key: str) -> tuple[int, bytes]:
        try:
            self.conn.request(
                "POST",
                "/api/v1/orders",
                orjson.dumps(body),
                {**self.headers, "Idempotency-Key": key},
            )
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return 0, repr(exc).encode()

    def close(self) -> None:
        self.conn.close()


class _SqlClient:
    def __init__(self, database_url: str, tenant_id: int) -> None:
        from bench.plain_sql import PlainOrders, connect

        self.conn = connect(database_url)
        self.orders = PlainOrders(self.conn, tenant_id)

    def place(self, body: dict[str, Any], key: str) -> tuple[int, bytes]:
        try:
            return self.orders.place(body, key), b""
        except Exception:
            return 500, traceback.format_exc().encode()

    def close(self) -> None:
        self.conn.close()


def _client(
    index: int,
    scenario: Scenario,
    endpoint: Any,
    world_path: str,
    seed: int,
    ready: Any,
    go: Any,
    window: Any,
    results: Any,
) -> None:
    try:
        world = World.read(Path(world_path))
        maker = OrderMaker(world, scenario.mix, seed)
        client: _ApiClient | _SqlClient = (
            _ApiClient(endpoint, world.token)
            if scenario.target == "api"
            else _SqlClient(endpoint, world.tenant_id)
        )
        ready.put(index)
        if not go.wait(START_TIMEOUT * 2):
            return
        start, end = window[0], window[1]
        counts: Counter[str] = Counter()
        latencies: list[float] = []
        samples: dict[str, str] = {}
        prefix = f"bench-{uuid.uuid4().hex[:12]}-"
        n = 0
        while True:
            body = maker.body()
            n += 1
            began = time.monotonic()
            if began >= end:
                break
            status, answer = client.place(body, f"{prefix}{n}")
            finished = time.monotonic()
            if began < start or finished > end:
                continue
            kind = "error" if status == 0 else _category(status)
            counts[kind] += 1
            if status == 201:
                latencies.append((finished - began) * 1000)
            elif kind not in samples:
                text = " ".join(answer[: SAMPLE_LENGTH * 2].decode(errors="replace").split())
                samples[kind] = f"{status} {text[:SAMPLE_LENGTH]}"
        client.close()
        results.put((index, counts, latencies, samples, None))
    except BaseException:
        results.put((index, Counter(), [], {}, traceback.format_exc()))


def run(
    scenario: Scenario, endpoint: Any, world_path: Path, *, database: str, seed: int = 1
) -> Outcome:
    """Run `scenario` against `endpoint` (the API's port, or the database URL for the floor).

    `database` names the bench database, whose sessions count as the bench's own CPU use.
    """
    if scenario.target not in TARGETS:
        raise ValueError(f"unknown target {scenario.target!r}")
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    window = ctx.Array("d", 2)
    processes = [
        ctx.Process(
            target=_client,
            args=(
                i,
                scenario,
                endpoint,
                str(world_path),
                seed * 1000 + i,
                ready,
                go,
                window,
                results,
            ),
            daemon=True,
        )
        for i in range(scenario.clients)
    ]
    outcome = Outcome(scenario)
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + START_TIMEOUT
        started = 0
        while started < scenario.clients:
            try:
                ready.get(timeout=0.5)
                started += 1
            except queue.Empty:
                failure = _first_failure(results)
                if failure or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{scenario.label}: clients did not start\n{failure}"
                    ) from None
        begin = time.monotonic() + 0.1
        window[0] = begin + scenario.warmup
        window[1] = window[0] + scenario.duration
        go.set()
        time.sleep(max(0.0, window[0] - time.monotonic()))
        first = cpu.sample(database)
        # Sampled before the end: clients disconnect at the end, and a process gone by the
        # last sample takes its CPU time with it (it would count as others').
        time.sleep(max(0.0, window[1] - min(0.5, scenario.duration / 4) - time.monotonic()))
        last = cpu.sample(database)
        outcome.other_cpu = cpu.other_share(first, last)
        outcome.io_stall = cpu.io_stall_share(first, last)
        collect_deadline = window[1] + 60
        for _ in processes:
            try:
                _, counts, latencies, samples, failure = results.get(
                    timeout=max(0.1, collect_deadline - time.monotonic())
                )
            except queue.Empty:
                raise RuntimeError(f"{scenario.label}: clients did not finish in time") from None
            if failure:
                raise RuntimeError(f"{scenario.label}: a client failed:\n{failure}")
            outcome.counts.update(counts)
            outcome.latencies_ms.extend(latencies)
            for kind, sample in samples.items():
                outcome.samples.setdefault(kind, sample)
        return outcome
    finally:
        go.set()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


def _first_failure(results: Any) -> str:
    with contextlib.suppress(queue.Empty):
        item = results.get_nowait()
        return str(item[4] or "")
    return ""
