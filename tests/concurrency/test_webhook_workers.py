"""Webhook workers on PostgreSQL: several at once share the deliveries (SKIP LOCKED) without
sending any twice or letting an object's events overtake each other; a worker killed with
SIGKILL mid-delivery loses nothing, and what it had in flight is sent again (at least once,
with the same event id for the receiver to deduplicate)."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import connection, connections

from dinghuo.integrations import delivery, events
from dinghuo.integrations import services as webhooks
from dinghuo.integrations.models import WebhookDelivery
from tests.builders import build_world
from tests.integrations.receiver import Receiver, receiving, verified

pytestmark = pytest.mark.postgres

OBJECTS, STEPS = 40, 4
DEADLINE = 90.0  # seconds: the tests stop by themselves


def _subscribe(tenant_id: int, url: str) -> str:
    made = webhooks.create_subscription(
        tenant_id=tenant_id, url=url, event_types=["test.*"], platform_hosts=[]
    )
    return made.secret


def _happen(tenant_id: int) -> None:
    for step in range(1, STEPS + 1):
        events.record(
            *(
                events.new(tenant_id, "test.step", "test", obj, {"step": step})
                for obj in range(1, OBJECTS + 1)
            )
        )


def _steps_by_object(receiver: Receiver, first_only: bool) -> dict[int, list[int]]:
    seen: set[int] = set()
    steps: dict[int, list[int]] = {}
    for event in receiver.events():
        if first_only and event["id"] in seen:
            continue
        seen.add(event["id"])
        steps.setdefault(event["aggregate_id"], []).append(event["data"]["step"])
    return steps


def _wait_until_all_delivered() -> None:
    deadline = time.monotonic() + DEADLINE
    while WebhookDelivery.objects.filter(state="delivered").count() < OBJECTS * STEPS:
        assert time.monotonic() < deadline, "deliveries still waiting"
        time.sleep(0.2)


def test_four_workers_send_each_event_once_and_in_order_per_object(settings):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = True
    world = build_world("hooks")
    with receiving() as receiver:
        secret = _subscribe(world.tenant.pk, receiver.url)
        _happen(world.tenant.pk)
        stop, failures = threading.Event(), []

        def worker() -> None:
            try:
                while not stop.is_set():
                    if not delivery.make_deliveries() + delivery.send_due_deliveries(batch=25):
                        time.sleep(0.05)
            except BaseException as exc:
                failures.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            _wait_until_all_delivered()
        finally:
            stop.set()
            for thread in threads:
                thread.join(DEADLINE)
    assert not failures, failures
    sent = Counter(event["id"] for event in receiver.events())
    assert len(sent) == OBJECTS * STEPS and set(sent.values()) == {1}  # none twice
    steps = _steps_by_object(receiver, first_only=False)
    assert steps == {obj: list(range(1, STEPS + 1)) for obj in range(1, OBJECTS + 1)}
    assert all(verified(secret, got) for got in receiver.received)


def _worker_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dinghuo.cli", "worker", "--idle", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_delivery_loses_nothing(settings):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = True
    world = build_world("hooks")
    database = connection.settings_dict
    env: dict[str, Any] = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
        "DINGHUO_WEBHOOK_PRIVATE_ADDRESSES": "1",
        "DINGHUO_WEBHOOK_LEASE_SECONDS": "3",
    }
    with receiving(delay=0.3) as receiver:  # slow: the kill lands mid-delivery
        secret = _subscribe(world.tenant.pk, receiver.url)
        _happen(world.tenant.pk)
        first = _worker_process(env)
        deadline = time.monotonic() + DEADLINE
        while len(receiver.received) < 5:
            assert time.monotonic() < deadline and first.poll() is None, first.stderr
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        in_flight = WebhookDelivery.objects.filter(leased_until__isnull=False).count()
        assert in_flight > 0  # it died holding deliveries
        second = _worker_process(env)
        try:
            _wait_until_all_delivered()
        finally:
            second.terminate()
            second.wait(10)
    sent = Counter(event["id"] for event in receiver.events())
    assert len(sent) == OBJECTS * STEPS  # every event arrived
    resent = sum(n - 1 for n in sent.values())
    assert resent <= in_flight  # only what was in flight when it died is sent again
    steps = _steps_by_object(receiver, first_only=True)
    assert steps == {obj: list(range(1, STEPS + 1)) for obj in range(1, OBJECTS + 1)}
    assert all(verified(secret, got) for got in receiver.received)
