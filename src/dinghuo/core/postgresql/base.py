"""Django's PostgreSQL backend, with a connection pool that survives the database going away.

Django (5.2) builds a psycopg `ConnectionPool` from `OPTIONS["pool"]`; this backend builds an
`OutagePool` instead and is otherwise Django's own. Why not the pool's own options: its
`check` tries pooled connections one at a time and sleeps 1, 2, 4… s after each dead one,
and it reconnects with the same growing backoff, so after a restart a request waits seconds
behind connections the restart killed, and after a 10 s outage the first reconnection can
come seconds late. tests/faults/ measures it: with Django's pool (and no 503 handling) the
fault suite saw 24 answers 500 and the first order 3.4 s after the database was back; with
this one, none, and 0.1 s (docs/operations.md).
"""

from time import monotonic
from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool, PoolTimeout

# While a request waits for a connection, the pool tries to connect this often.
RETRY_STEP_SECONDS = 0.25
# Once a wait has run out or a connection was lost, the database is likely away: later
# requests wait this long (still trying to connect) until a connection works again, so that
# requests queued behind waiting ones get their 503 within the bound too, not after several
# full waits in a row. A restart (well under a second) is still waited out.
KNOWN_AWAY_WAIT_SECONDS = 1.0


class OutagePool(ConnectionPool[Any]):
    """psycopg's pool, made for a database that restarts or goes away.

    - Every connection is tried (an empty statement, one round trip) before it is handed out.
      When one is dead, every other idle one is checked at once (`check()`): a restart kills
      them all, and none of them may fail a request once the database is back.
    - A request waits at most `timeout` seconds (`DINGHUO_DB_WAIT_SECONDS`), or
      `KNOWN_AWAY_WAIT_SECONDS` after a wait ran out or a connection came back broken, until
      one works again; and while it waits the pool tries to connect every
      `RETRY_STEP_SECONDS`: a failed attempt gives up after that long (`reconnect_timeout`)
      and the next step of the wait starts another.
    """

    def __init__(
        self, *args: Any, reconnect_timeout: float = RETRY_STEP_SECONDS, **kwargs: Any
    ) -> None:
        super().__init__(*args, reconnect_timeout=reconnect_timeout, **kwargs)
        self.away = False

    def getconn(self, timeout: float | None = None) -> Any:
        """A working connection, or `PoolTimeout` once the wait has passed."""
        wait = self.timeout if timeout is None else timeout
        if self.away:
            wait = min(wait, KNOWN_AWAY_WAIT_SECONDS)
        deadline = monotonic() + wait
        while (left := deadline - monotonic()) > 0:
            try:
                conn = super().getconn(min(left, RETRY_STEP_SECONDS))
            except PoolTimeout:
                continue
            try:
                self.check_connection(conn)
            except psycopg.Error:
                self.putconn(conn)  # broken: the pool closes it and connects a new one
                self.check()
                continue
            self.away = False
            return conn
        self.away = True
        raise PoolTimeout(f"couldn't get a connection after {wait:.2f} sec")

    def putconn(self, conn: Any) -> None:
        """Take back a connection; one that broke means the database may be away."""
        if conn.broken:
            self.away = True
        super().putconn(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL connection, pooled by an `OutagePool` when `OPTIONS["pool"]` is set."""

    @property
    def pool(self) -> OutagePool | None:
        """The process's pool for this alias (made on first use), as Django's own property."""
        options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not options:
            return None
        pools: dict[str, OutagePool] = self._connection_pools  # type: ignore[attr-defined]
        if self.alias not in pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            kwargs = self.get_connection_params()
            kwargs["autocommit"] = True  # Django sets the mode it wants afterwards
            pool = OutagePool(
                kwargs=kwargs,
                open=False,
                configure=self._configure_connection,  # type: ignore[attr-defined]
                **({} if options is True else options),
            )
            # Two threads may get here at once: the first pool kept wins, the other is unused.
            pools.setdefault(self.alias, pool)
        return pools[self.alias]
