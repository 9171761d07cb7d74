"""Mail workers on PostgreSQL: several at once share the outbox (SKIP LOCKED) and never send
a mail twice; two workers turning the same tenant's events into mails make each mail once."""

import threading
import time
from collections import Counter

import pytest
from django.db import connections

from dinghuo.notifications import jobs, services
from dinghuo.notifications.composing import Recipient
from dinghuo.notifications.kinds import Kind
from dinghuo.notifications.models import Mail
from tests.builders import add_buyer, build_world

pytestmark = pytest.mark.postgres

MAILS = 200
DEADLINE = 90.0


def _run_together(job, workers: int = 4) -> list[BaseException]:
    failures: list[BaseException] = []
    stop = threading.Event()

    def worker() -> None:
        try:
            while not stop.is_set():
                if not job():
                    time.sleep(0.02)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE
    try:
        while Mail.objects.filter(state="waiting").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(DEADLINE)
    return failures


def test_four_workers_send_each_mail_exactly_once(inbox):
    world = build_world("mails")
    for n in range(MAILS):
        services.queue_mail(
            tenant_id=world.tenant.pk,
            kind=Kind.INVITATION,
            recipient=Recipient(f"p{n}@buyer.example", f"P{n}", "en"),
            context={"link": f"https://shop.example/invite/{n}/"},
        )
    failures = _run_together(lambda: jobs.send_due_mails(batch=10))
    assert not failures, failures
    received = Counter(rcpt for rcpts, _ in inbox.received for rcpt in rcpts)
    assert len(received) == MAILS
    assert set(received.values()) == {1}  # none twice
    assert Mail.objects.filter(state="sent").count() == MAILS


def test_two_workers_make_each_events_mails_once(inbox):
    world = build_world("mails")
    _, api = add_buyer(world, "amy@buyer.example")
    for n in range(20):
        body = {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 1}]}
        assert api.post("/my/orders", body, key=f"k{n}").status_code == 201
    Mail.objects.all().delete()
    results: list[int] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait(10)
            # The feed shows events only once every older transaction of the cluster has
            # ended (another test's may still be open): both go on until all are mailed.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                results.append(jobs.make_mails())
                if Mail.objects.filter(kind="order_placed").count() >= 20:
                    break
                time.sleep(0.2)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    assert not failures, failures
    assert sum(results) == 20
    assert Mail.objects.filter(kind="order_placed").count() == 20
