"""When the database goes away: which errors mean "unavailable", and the answer pages give.

A lost or refused connection, a pool that had no connection within the wait
(`DINGHUO_DB_WAIT_SECONDS`) or a database restarting is not a bug in the request: the same
request will work once the database is back. Those answer 503 with `Retry-After` (the API's
problem+json is in `dinghuo.api.problems`; the pages' styled page is here), and the broken
connection is closed so the next request gets a fresh one. Every other database error
(a constraint, a lock not had in time, a bad statement) keeps its own answer.
"""

from collections.abc import Iterator

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from dinghuo.core.error_pages import error_page

# Seconds a client should wait before trying again: the pool reconnects within a second of
# the database coming back (core/postgresql/base.py), so a short wait is the right advice.
RETRY_AFTER_SECONDS = 1

# SQLSTATEs of a connection the server ended or refused: class 08 (connection exception),
# admin/crash shutdown, "cannot connect now" (starting up or shutting down), the database
# dropped, idle timeouts that end the session, and "too many connections".
_GONE_STATES = {"57P01", "57P02", "57P03", "57P04", "57P05", "25P03", "53300"}
_SQLITE_UNREACHABLE = "unable to open database file"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and the ones it was raised from (Django wraps the driver's error with
    `raise … from`). Not those it merely happened during: a bug raised while handling an
    outage error is still a bug. Except for the session's save, which Django turns into
    `UpdateError` and then `SessionInterrupted` (a 400) while handling the database's error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, SessionInterrupted | UpdateError):
            current = current.__context__
        else:
            current = current.__cause__


def _about_the_connection(exc: BaseException) -> bool:
    return "connection" in str(exc)


def _driver_says_gone(exc: BaseException) -> bool | None:
    """True/False when `exc` is a psycopg error that tells; None when it is not one."""
    try:
        import psycopg
        from psycopg_pool import PoolTimeout
    except ImportError:  # SQLite-only installs
        return None
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, psycopg.InterfaceError):
        # "the connection is closed" is; "the cursor is closed" and the like are bugs.
        return _about_the_connection(exc)
    if isinstance(exc, psycopg.OperationalError):
        state = exc.sqlstate
        # No SQLSTATE: libpq's own failure (refused, reset, "server closed the connection
        # unexpectedly", connect timeout): the connection itself is gone.
        return state is None or state.startswith("08") or state in _GONE_STATES
    return None


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database could not be reached, not that the request was wrong."""
    for link in _chain(exc):
        verdict = _driver_says_gone(link)
        if verdict is not None:
            return verdict
        if isinstance(link, OperationalError) and _SQLITE_UNREACHABLE in str(link):
            return True
    # Django's own InterfaceError without a driver error under it: "connection already closed".
    return isinstance(exc, InterfaceError) and exc.__cause__ is None and _about_the_connection(exc)


def drop_broken_connections() -> None:
    """Close this thread's database connections after an outage error, so that the next
    request starts from a fresh one (a pooled connection goes back to the pool, which throws
    it away when it is broken). One inside an open transaction is left to its owner."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block:
            conn.close()


def unavailable_page(request: HttpRequest) -> HttpResponse:
    """The pages' answer while the database is away: a styled "try again shortly" page."""
    response = error_page(
        request,
        503,
        title=_("Try again shortly"),
        explanation=_(
            "The service is briefly unavailable, so this page cannot be shown right now."
        ),
        hint=_("Wait a moment, then try again."),
        testid="unavailable",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
