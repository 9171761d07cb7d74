"""The event feed on PostgreSQL: in commit order, and no event is ever skipped by a reader,
however the writing transactions overlap. Two connections: the test's own and a thread's."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections, transaction

from dinghuo.integrations import events, queries
from dinghuo.integrations.cursors import read
from dinghuo.integrations.models import Event
from tests.builders import ApiClient, build_world

pytestmark = pytest.mark.postgres

TYPES = ["test.before", "test.slow", "test.fast"]
WAIT = 30.0  # seconds a test waits for a foreign transaction (another test's) to end


@contextmanager
def open_transaction(tenant_id: int, event_type: str) -> Iterator[None]:
    """A second connection that records an event and keeps its transaction open until the
    block ends, then commits: a transaction that started first and commits last."""
    started, release, failed = threading.Event(), threading.Event(), []

    def writer() -> None:
        try:
            with transaction.atomic():
                events.record(events.new(tenant_id, event_type, "test", 1, {}))
                started.set()
                release.wait(WAIT)
        except BaseException as exc:  # surfaced below
            failed.append(exc)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(WAIT)
    try:
        yield
    finally:
        release.set()
        thread.join(WAIT)
    assert not failed, failed


def read_until(api: ApiClient, after: str, count: int) -> dict[str, Any]:
    """The feed after `after` once it shows `count` test events (any other transaction open
    on the server, another test's, may hold it back a moment)."""
    deadline = time.monotonic() + WAIT
    while True:
        page = api.get("/events", after=after, type=TYPES).json()
        if len(page["items"]) >= count or time.monotonic() > deadline:
            return dict(page)
        time.sleep(0.05)


def test_a_transaction_that_commits_last_is_read_after_it_not_skipped():
    world = build_world("feed")
    api = ApiClient(world.key)
    tenant = world.tenant.pk
    events.record(events.new(tenant, "test.before", "test", 0, {}))
    before = read_until(api, "0", 1)
    assert [e["type"] for e in before["items"]] == ["test.before"]
    cursor = before["next_cursor"]

    with open_transaction(tenant, "test.slow"):
        events.record(events.new(tenant, "test.fast", "test", 2, {}))  # commits first
        assert Event.objects.filter(tenant_id=tenant, type="test.fast").exists()
        held = api.get("/events", after=cursor, type=TYPES).json()
        # Committed, but behind a transaction still open: not shown yet, cursor unchanged.
        assert held == {"items": [], "next_cursor": cursor}

    after = read_until(api, cursor, 2)
    assert [e["type"] for e in after["items"]] == ["test.slow", "test.fast"]
    assert read_until(api, after["next_cursor"], 0)["items"] == []


def test_control_a_feed_by_id_alone_skips_the_late_commit():
    """Without the horizon (ids only), the same interleaving loses the slow event for good."""
    world = build_world("control")
    tenant = world.tenant.pk
    mine = Event.objects.filter(tenant_id=tenant, type__in=TYPES)
    with open_transaction(tenant, "test.slow"):
        events.record(events.new(tenant, "test.fast", "test", 2, {}))
        [read_past] = mine.order_by("id")
        assert read_past.type == "test.fast"
    assert mine.count() == 2
    assert list(mine.filter(id__gt=read_past.pk)) == []  # test.slow: committed, never read


def test_the_reader_never_writes():
    world = build_world("reader")
    api = ApiClient(world.key)
    events.record(events.new(world.tenant.pk, "test.before", "test", 0, {}))
    with transaction.atomic():
        assert len(read_until(api, "0", 1)["items"]) == 1
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id_if_assigned()")
            assert cursor.fetchone() == (None,)  # reading took no transaction id


def test_own_events_show_once_no_older_transaction_is_open():
    world = build_world("own")
    tenant = world.tenant.pk
    with open_transaction(tenant, "test.slow"), transaction.atomic():
        events.record(events.new(tenant, "test.fast", "test", 2, {}))
        # An older transaction is open: even the writer's own event waits behind it.
        assert queries.events_after(tenant, read("0"), 10, TYPES) == []
    with transaction.atomic():
        events.record(events.new(tenant, "test.before", "test", 3, {}))
        deadline = time.monotonic() + WAIT
        while len(seen := queries.events_after(tenant, read("0"), 10, TYPES)) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # Its own transaction is the oldest open: it sees its own event, after the others.
        assert [e.type for e in seen] == ["test.slow", "test.fast", "test.before"]
