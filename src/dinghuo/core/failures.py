"""Counters of failed attempts (sign-ins) under a key, each for a window of time, shared by
every server worker and kept across restarts.

Where they live:
- the `core.SignInFailures` table by default (the SQLite demo and PostgreSQL alike): one
  `INSERT … ON CONFLICT DO UPDATE` adds a failure, so concurrent failures never undercount (the
  row is locked for the update; Django's cache `incr` is read-then-write on the database and
  per process in memory, so neither fits);
- Redis when `REDIS_URL` is set: `SET key 0 EX window NX` then `INCR key` in one MULTI/EXEC,
  which starts the window on the first failure and never leaves a counter without expiry
  (Django's `RedisCache.incr` checks the key exists, then INCRs: a key expiring in between
  would come back without a timeout, locking that email for good).

When Redis cannot be reached (refused, or no answer within `REDIS_TIMEOUT` seconds) the table
takes over for that call, with a warning in the log: sign-in keeps working and keeps being
limited. The failures counted in the table during an outage are not seen by Redis afterwards,
so around an outage a guesser gets at most the limit twice in one window.
"""

import logging
import time
from collections.abc import Iterable, Sequence

import redis
from django.conf import settings
from django.db import connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from dinghuo.core.models import SignInFailures

log = logging.getLogger(__name__)
_REDIS_PREFIX = "dinghuo:"
_clients: dict[str, "redis.Redis"] = {}


def counts(keys: Sequence[str]) -> dict[str, int]:
    """The failures counted under each key in its current window (absent keys: none)."""
    client = _redis()
    if client is not None:
        try:
            values = client.mget([_REDIS_PREFIX + key for key in keys])
            return {key: int(v) for key, v in zip(keys, values, strict=True) if v is not None}
        except redis.RedisError as error:
            _warn(error)
    now = _now()
    found = SignInFailures.objects.filter(key__in=keys, window_ends__gt=now)
    return dict(found.values_list("key", "failures"))


def add(keys: Sequence[str], *, window: int) -> None:
    """Count one more failure under each key; a key's first failure starts a window of
    `window` seconds, after which its count starts afresh."""
    client = _redis()
    if client is not None:
        try:
            with client.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.set(_REDIS_PREFIX + key, 0, ex=window, nx=True)
                    pipe.incr(_REDIS_PREFIX + key)
                pipe.execute()
            return
        except redis.RedisError as error:
            _warn(error)
    _add_in_table(keys, window)


def forget(key: str) -> None:
    """Drop the count under `key` (a person signed in: their email starts afresh)."""
    client = _redis()
    if client is not None:
        try:
            client.delete(_REDIS_PREFIX + key)
        except redis.RedisError as error:
            _warn(error)
    # Also in the table: failures counted there during a Redis outage end here too.
    SignInFailures.objects.filter(key=key).delete()


def purge_expired() -> int:
    """Delete the table's counters whose window has passed; the number deleted (housekeeping)."""
    deleted, _ = SignInFailures.objects.filter(window_ends__lte=_now()).delete()
    return deleted


def _add_in_table(keys: Iterable[str], window: int) -> None:
    now = _now()
    rows = list(keys)
    table = SignInFailures._meta.db_table
    values = ", ".join(["(%s, 1, %s)"] * len(rows))
    params: list[str | int] = []
    for key in rows:
        params += [key, now + window]
    # One statement: a new key starts at 1; an existing one adds 1 within its window, or
    # starts a new window at 1 once the old one has passed.
    sql = (
        f"INSERT INTO {table} (key, failures, window_ends) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (key) DO UPDATE SET "
        f"failures = CASE WHEN {table}.window_ends > %s THEN {table}.failures + 1 ELSE 1 END, "
        f"window_ends = CASE WHEN {table}.window_ends > %s "
        f"THEN {table}.window_ends ELSE excluded.window_ends END"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, now])


def _now() -> int:
    return int(time.time())


def _redis() -> "redis.Redis | None":
    url: str = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        timeout = float(getattr(settings, "REDIS_TIMEOUT", 0.5))
        # No retries: redis-py's default backs off for seconds, and a sign-in must not wait.
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        _clients[url] = client
    return client


def _warn(error: Exception) -> None:
    log.warning("Redis unreachable (%s): counting failed sign-ins in the database", error)
