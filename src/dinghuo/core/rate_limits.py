"""Rate limits: how many requests one caller may make in a window, counted in Django's cache.

A fixed window per caller: the counter's key names the caller and the window, so a new window
starts at nought without anything being reset, and a counter is never touched after its window
(it expires one window later). Each caller's windows are shifted by a fixed offset drawn from
its name, so that not every client's window ends in the same second.

Where the counters live is Django's default cache (settings `CACHES`): Redis in production,
shared by every worker and server; the local-memory cache in the one-process SQLite demo.
On Redis a request costs one round trip: `INCR` and `EXPIRE … NX` in one pipeline (Django's
`RedisCache.incr` would take two, and `add` a third at each window's start). Any other cache
goes through Django's `incr`/`add`.

When the cache cannot be reached the request is let through (with a warning in the log): an
outage of Redis must not take the API down with it. Failed sign-ins are counted elsewhere, in
`core.failures`, which never lets a guess through unlimited.

Why not django-ratelimit: it is made of view decorators (ours is one middleware in front of
the whole API, `api.middleware.RateLimits`), gives no time left in the window for
`Retry-After` and the `RateLimit` header, and pays two or three cache round trips per request.
"""

import logging
import time
import zlib
from dataclasses import dataclass

import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
# The wall clock in seconds; a name of its own so that tests can move it.
clock = time.time


@dataclass(frozen=True)
class Verdict:
    """One request counted: the limit of its window, how many were counted in it (this one
    included) and the seconds until the window ends."""

    limit: int
    used: int
    reset: int
    window: int = WINDOW_SECONDS

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self) -> dict[str, str]:
        """The answer's headers (draft-ietf-httpapi-ratelimit-headers-07), and `Retry-After`
        on a refusal."""
        headers = {
            "RateLimit-Policy": f"{self.limit};w={self.window}",
            "RateLimit": f"limit={self.limit}, remaining={self.remaining}, reset={self.reset}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


def count(caller: str, *, limit: int, window: int = WINDOW_SECONDS) -> Verdict:
    """Count one request of `caller` (`key:<prefix>:read`, `address:<ip>`) in its current
    window; the verdict says whether it stays within `limit`."""
    offset = zlib.crc32(caller.encode()) % window
    index, into = divmod(int(clock()) - offset, window)
    reset = window - into
    key = f"ratelimit:{caller}:{index}"
    try:
        used = _increment(key, timeout=reset + window)
    except (redis.RedisError, OSError) as error:
        log.warning("Cache unreachable (%s): a request was let through uncounted", error)
        used = 0
    return Verdict(limit=limit, used=used, reset=reset, window=window)


def _increment(key: str, *, timeout: int) -> int:
    """Add one to the counter under `key`, which expires `timeout` seconds after its first."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        # Django's own client and connection pool (its `_cache`, stable since Django 4.0 but
        # not in the stubs), with both commands in one round trip.
        client: redis.Redis = cache._cache.get_client(name, write=True)  # type: ignore[attr-defined]
        with client.pipeline(transaction=False) as pipe:
            pipe.incr(name)
            pipe.expire(name, timeout, nx=True)
            used, _ = pipe.execute()
        return int(used)
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)
