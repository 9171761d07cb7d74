"""Webhook delivery: how many deliveries a second 4 workers send to a local receiver, and
what delivering costs order placement.

    uv run python -m bench.webhooks [--events 20000] [--workers 4] [--duration 20]
                                    [--clients 4] [--database dinghuo_bench_hooks] [--no-load]

1. A PostgreSQL database loaded as `make bench --quick` loads it (2,000 SKUs, 200 companies).
2. Throughput: `--events` events (over 5,000 objects) are written, a subscription to them is
   made, and `--workers` `dinghuo worker` processes send them to a receiver on 127.0.0.1 (an
   asyncio server in its own process that answers 200 at once, with keep-alive). Deliveries
   a second = events / (last receipt − first receipt).
3. Placement: the order benchmark (the API with 3 gunicorn workers, `--clients` clients) for
   `--duration` s with no webhook worker, then again with a subscription to every order and
   stock event and `--workers` workers delivering them while orders are placed. The ratio of
   the two order rates is the cost (aim: within 15 %).
Bounded: every wait has a deadline; all processes are stopped on the way out.
"""

import argparse
import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench import driver, load
from bench.orders import World
from bench.server import Server, free_port

RESULTS = Path(__file__).resolve().parent / "results"
OBJECTS = 5_000
DEADLINE = 600.0


def _receive(port: int, count: Any, first: Any, last: Any, ready: Any) -> None:
    """A minimal HTTP/1.1 server: reads each request, answers 200 OK, counts."""

    class Answer(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport, self.buffer = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                head_end = self.buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    return
                head = self.buffer[:head_end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
                if len(self.buffer) < head_end + 4 + length:
                    return
                self.buffer = self.buffer[head_end + 4 + length :]
                now = time.time()
                with count.get_lock():
                    if count.value == 0:
                        first.value = now
                    count.value += 1
                    last.value = now
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Answer, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


@contextmanager
def _receiver() -> Iterator[tuple[str, Any, Any, Any]]:
    ctx = multiprocessing.get_context("spawn")
    port = free_port()
    count, first, last, ready = ctx.Value("q", 0), ctx.Value("d", 0), ctx.Value("d", 0), ctx.Event()
    process = ctx.Process(target=_receive, args=(port, count, first, last, ready), daemon=True)
    process.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the receiver did not start")
        yield f"http://127.0.0.1:{port}/hooks", count, first, last
    finally:
        process.kill()
        process.join(5)


@contextmanager
def _workers(database: str, n: int) -> Iterator[None]:
    env = {
        **os.environ,
        "DATABASE_URL": load.database_url(database),
        "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
        "DINGHUO_WEBHOOK_PRIVATE_ADDRESSES": "1",
        "DEBUG": "0",
    }
    cmd = [sys.executable, "-m", "dinghuo.cli", "worker"]  # the default idle: 1 s
    processes = [subprocess.Popen(cmd, env=env) for _ in range(n)]
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _django(database: str) -> None:
    os.environ["DATABASE_URL"] = load.database_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    os.environ["DINGHUO_WEBHOOK_PRIVATE_ADDRESSES"] = "1"
    import django

    django.setup()


def _subscribe(tenant_id: int, url: str, types: list[str]) -> None:
    from dinghuo.integrations import services
    from dinghuo.integrations.models import WebhookSubscription

    WebhookSubscription.objects.filter(tenant_id=tenant_id).update(is_active=False)
    services.create_subscription(tenant_id=tenant_id, url=url, event_types=types, platform_hosts=[])


def _write_events(tenant_id: int, n: int) -> None:
    from django.db import transaction

    from dinghuo.integrations import events

    for start in range(0, n, 1000):
        with transaction.atomic():
            events.record(
                *(
                    events.new(tenant_id, "bench.step", "bench", i % OBJECTS, {"n": i})
                    for i in range(start, min(n, start + 1000))
                )
            )


def _wait_for_workers(tenant_id: int, count: Any) -> None:
    """Until the workers are up (one has delivered a `bench.ready` event), and a moment more:
    workers still starting while orders are measured would measure nothing."""
    from dinghuo.integrations import events

    events.record(events.new(tenant_id, "bench.ready", "bench", 0, {}))
    deadline = time.monotonic() + 120
    while count.value < 1:
        if time.monotonic() > deadline:
            raise RuntimeError("the webhook workers did not start")
        time.sleep(0.2)
    time.sleep(3)


def throughput(args: argparse.Namespace, world: World) -> float:
    """Deliveries a second of `--workers` workers sending a backlog of `--events`."""
    with _receiver() as (url, count, first, last):
        _subscribe(world.tenant_id, url, ["bench.*"])
        _write_events(world.tenant_id, args.events)
        with _workers(args.database, args.workers):
            deadline = time.monotonic() + DEADLINE
            while count.value < args.events:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {count.value} of {args.events} delivered")
                time.sleep(0.2)
        rate = args.events / max(1e-6, last.value - first.value)
    print(f"throughput: {args.events:,} deliveries by {args.workers} workers: {rate:,.0f}/s")
    return rate


def placement(args: argparse.Namespace, world: World, world_path: Path) -> tuple[float, float]:
    """Orders a second with no webhook worker, then with workers delivering every order event."""
    RESULTS.mkdir(exist_ok=True)
    rates = []
    with Server(load.database_url(args.database), 3, RESULTS / "webhooks-server.log") as server:
        server.wait_ready(timeout=240)  # a busy machine builds the first answers slowly
        for delivering in (False, True):
            with ExitStack() as stack:
                if delivering:
                    url, count, _first, _last = stack.enter_context(_receiver())
                    _subscribe(world.tenant_id, url, ["order.*", "stock.*", "bench.ready"])
                    stack.enter_context(_workers(args.database, args.workers))
                    _wait_for_workers(world.tenant_id, count)
                scenario = driver.Scenario("api", "uniform", args.clients, 3, args.duration, 3)
                outcome = driver.run(
                    scenario, server.port, world_path, database=args.database, seed=7
                )
                if outcome.server_errors or outcome.unexpected:
                    raise RuntimeError(f"the order benchmark failed: {outcome.counts}")
                rates.append(outcome.orders_per_s)
                said = f", {count.value - 1:,} deliveries received" if delivering else ""
                print(
                    f"placement {'with' if delivering else 'without'} delivery: "
                    f"{outcome.orders_per_s:.1f} orders/s, p95 {outcome.percentile(95):.0f} ms"
                    f"{said}",
                    flush=True,
                )
    print(f"placement with delivery / without: {rates[1] / rates[0]:.2f}")
    return rates[0], rates[1]


def main() -> None:
    """Load (unless --no-load), then measure throughput and the cost to placement."""
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", default="dinghuo_bench_hooks")
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    world_path = RESULTS / f"world-{args.database}.json"
    if not (args.no_load and world_path.exists()):
        seconds = load.prepare(args.database, load.QUICK, world_path)
        print(f"loaded in {seconds:.0f} s", flush=True)
    world = World.read(world_path)
    _django(args.database)
    throughput(args, world)
    placement(args, world, world_path)


if __name__ == "__main__":
    main()
