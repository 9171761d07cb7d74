"""The failed sign-in counters (core/failures.py): in the database by default, in Redis when
REDIS_URL is set, and in the database again while Redis cannot be reached."""

import socket
import threading
import uuid

import pytest
import redis
from django.db import connection
from django.test import Client

from dinghuo.core import failures
from dinghuo.core.models import SignInFailures
from dinghuo.core.signin import TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS

REDIS_URL = "redis://127.0.0.1:6379/15"
WINDOW = 900


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The counters' clock, in Unix seconds, moved by the test."""
    now = [1_800_000_000]
    monkeypatch.setattr(failures, "_now", lambda: now[0])
    return now


def test_failures_are_counted_per_key_within_the_window(db: None, clock: list[int]) -> None:
    failures.add(["a", "b"], window=WINDOW)
    failures.add(["a"], window=WINDOW)
    assert failures.counts(["a", "b", "c"]) == {"a": 2, "b": 1}
    row = SignInFailures.objects.get(key="a")
    assert row.window_ends == 1_800_000_000 + WINDOW  # the first failure started the window


def test_a_passed_window_starts_the_count_afresh(db: None, clock: list[int]) -> None:
    failures.add(["a"], window=WINDOW)
    failures.add(["a"], window=WINDOW)
    clock[0] += WINDOW - 1
    assert failures.counts(["a"]) == {"a": 2}  # last second of the window
    clock[0] += 1
    assert failures.counts(["a"]) == {}  # the window has passed
    failures.add(["a"], window=WINDOW)
    assert failures.counts(["a"]) == {"a": 1}
    assert SignInFailures.objects.get(key="a").window_ends == clock[0] + WINDOW


def test_forget_and_purge(db: None, clock: list[int]) -> None:
    failures.add(["old"], window=10)
    failures.add(["a", "b"], window=WINDOW)
    failures.forget("a")
    clock[0] += 10
    assert failures.purge_expired() == 1  # "old" only
    assert set(SignInFailures.objects.values_list("key", flat=True)) == {"b"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_on_postgresql_are_all_counted() -> None:
    """Twenty threads add a failure to one key at once: the count is exactly 20 (an atomic
    upsert; a read-then-write counter would lose some)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://…")
    start = threading.Barrier(20)

    def fail_once() -> None:
        try:
            start.wait()
            failures.add(["shared"], window=WINDOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures.counts(["shared"]) == {"shared": 20}


# --- Redis ------------------------------------------------------------------------------------


@pytest.fixture
def redis_client(settings) -> redis.Redis:
    """Redis at 127.0.0.1:6379 (database 15) as the store; skipped when it is not running."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error.__class__.__name__})")
    settings.REDIS_URL = REDIS_URL
    return client


def test_with_redis_the_counts_live_there_and_expire_with_the_window(
    db: None, redis_client: redis.Redis
) -> None:
    key = f"test:{uuid.uuid4().hex}"
    try:
        failures.add([key], window=WINDOW)
        failures.add([key], window=WINDOW)
        assert failures.counts([key, "test:absent"]) == {key: 2}
        assert 0 < redis_client.ttl(f"dinghuo:{key}") <= WINDOW
        assert not SignInFailures.objects.exists()  # nothing in the table
        failures.forget(key)
        assert failures.counts([key]) == {}
    finally:
        redis_client.delete(f"dinghuo:{key}")


def test_with_redis_concurrent_failures_are_all_counted(
    db: None, redis_client: redis.Redis
) -> None:
    key = f"test:{uuid.uuid4().hex}"
    start = threading.Barrier(20)

    def fail_once() -> None:
        start.wait()
        failures.add([key], window=WINDOW)

    threads = [threading.Thread(target=fail_once) for _ in range(20)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures.counts([key]) == {key: 20}
    finally:
        redis_client.delete(f"dinghuo:{key}")


def test_while_redis_is_unreachable_sign_in_is_still_limited_by_the_database(
    client: Client, db: None, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.SIGN_IN_FAILURES_PER_EMAIL = 3
    for _ in range(3):
        wrong = client.post("/signin/", {"email": "ann@buyer.test", "password": "guess"})
        assert wrong.status_code == 200
        assert str(WRONG_CREDENTIALS) in wrong.content.decode()
    refused = client.post("/signin/", {"email": "ann@buyer.test", "password": "guess"})
    assert refused.status_code == 429
    assert str(TOO_MANY_ATTEMPTS) in refused.content.decode()
    assert SignInFailures.objects.count() == 2  # the email's and the address's counters
    assert "Redis unreachable" in caplog.text
