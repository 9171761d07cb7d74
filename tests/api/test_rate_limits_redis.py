"""The rate limits' counters in Redis are one count for every process (every gunicorn worker,
every server): a second process sees and adds to the first one's count.

Marker `redis`: these need Redis at 127.0.0.1:6379 (database 15, keys under a name of their
own) and SKIP, saying so, when it cannot be reached."""

import os
import subprocess
import sys
import uuid
import zlib
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from dinghuo.core import rate_limits

REDIS = "redis://127.0.0.1:6379/15"
T0 = 1_800_000_000
SRC = Path(__file__).resolve().parents[2] / "src"

pytestmark = pytest.mark.redis

COUNT_ELSEWHERE = """
import sys
import django
django.setup()
from dinghuo.core import rate_limits
rate_limits.clock = lambda: float(sys.argv[2])
print(rate_limits.count(sys.argv[1], limit=3).used)
"""


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(
            f"REDIS NOT REACHABLE at {REDIS} ({error}): the shared-counter tests did not run"
        )
    settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": "dinghuo",
        }
    }
    with override_settings(CACHES=settings):
        yield caches["default"]


def count_in_another_process(caller: str) -> int:
    env = {
        **os.environ,
        "CACHE_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
        "PYTHONPATH": str(SRC),
    }
    done = subprocess.run(
        [sys.executable, "-c", COUNT_ELSEWHERE, caller, str(T0)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_two_processes_share_one_count(redis_cache, monkeypatch):
    monkeypatch.setattr(rate_limits, "clock", lambda: float(T0))
    caller = f"key:test-{uuid.uuid4().hex}:read"

    here = [rate_limits.count(caller, limit=3).used for _ in range(2)]
    there = count_in_another_process(caller)
    last = rate_limits.count(caller, limit=3)

    assert here == [1, 2]
    assert there == 3
    assert (last.used, last.allowed, last.remaining) == (4, False, 0)


def test_a_counter_expires_one_window_after_its_own(redis_cache, monkeypatch):
    monkeypatch.setattr(rate_limits, "clock", lambda: float(T0))
    caller = f"key:test-{uuid.uuid4().hex}:write"
    verdict = rate_limits.count(caller, limit=3)
    rate_limits.count(caller, limit=3)

    index = (T0 - zlib.crc32(caller.encode()) % 60) // 60
    name = redis_cache.make_and_validate_key(f"ratelimit:{caller}:{index}")
    client = redis.Redis.from_url(REDIS)
    ttl = client.ttl(name)

    # Set by the window's first request (never left without one, never pushed back).
    assert 0 < ttl <= verdict.reset + 60
    assert int(client.get(name)) == 2
