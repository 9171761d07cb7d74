"""The connection pool of `dinghuo serve` (core/postgresql/base.py) on PostgreSQL: connections
the server ended are never handed out, and a database that cannot be reached is a
`PoolTimeout` (which the API and pages answer with 503), not a wait without end."""

import time

import psycopg
import pytest
from bench.server import free_port
from django.conf import settings
from psycopg_pool import PoolTimeout

from dinghuo.core.postgresql.base import OutagePool

pytestmark = pytest.mark.postgres


def _conninfo(port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "dinghuo.core.postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={port or db['PORT'] or 5432} "
        f"user={db['USER']} dbname=postgres connect_timeout=2"
    )


def _end_sessions(pids: set[int]) -> None:
    """pg_terminate_backend, as a database restart does to every session; wait until gone."""
    with psycopg.connect(_conninfo(), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(pids)]
        )
        for _ in range(100):
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)]
            ).fetchone()
            if row == (0,):
                return
            time.sleep(0.05)
    raise AssertionError(f"sessions {pids} did not end")


def test_connections_the_server_ended_are_replaced_before_anyone_gets_one():
    with OutagePool(_conninfo(), min_size=2, max_size=2, timeout=5) as pool:
        first, second = pool.getconn(), pool.getconn()
        ended = {first.info.backend_pid, second.info.backend_pid}
        pool.putconn(first)
        pool.putconn(second)
        _end_sessions(ended)

        given = [pool.getconn(), pool.getconn()]
        assert [conn.execute("SELECT 1").fetchone() for conn in given] == [(1,), (1,)]
        assert not ended & {conn.info.backend_pid for conn in given}
        for conn in given:
            pool.putconn(conn)


def test_a_database_that_cannot_be_reached_is_a_pool_timeout():
    with OutagePool(_conninfo(free_port()), min_size=1, max_size=2, timeout=1) as pool:
        with pytest.raises(PoolTimeout):
            pool.getconn()
        assert pool.away is True
        with pytest.raises(PoolTimeout):
            pool.getconn()
