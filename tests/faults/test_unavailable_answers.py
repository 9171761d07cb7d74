"""What a request answers when the database goes away (on any database: the failure is made by
an execute wrapper that raises what Django raises for psycopg's errors).

The API answers 503 problem+json `database_unavailable` with Retry-After; pages answer a styled
503 page in the visitor's language; wherever it fails (an API key lookup, a view, the session
middleware after the view). Real bugs keep their 500.
"""

import json
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, ProgrammingError, connection
from django.test import Client
from psycopg import errors
from psycopg_pool import PoolTimeout

from dinghuo.core.outage import RETRY_AFTER_SECONDS, is_database_unavailable
from tests.backoffice.staffing import staff_client
from tests.portal.ordering import sign_in

GONE = [
    psycopg.OperationalError("connection failed: Connection refused"),
    psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
    errors.AdminShutdown("terminating connection due to administrator command"),
    errors.CannotConnectNow("the database system is starting up"),
    errors.TooManyConnections("sorry, too many clients already"),
    PoolTimeout("couldn't get a connection after 5.00 sec"),
    psycopg.InterfaceError("the connection is closed"),
]
NOT_GONE = [
    errors.LockNotAvailable("canceling statement due to lock timeout"),
    errors.QueryCanceled("canceling statement due to statement timeout"),
    errors.UndefinedTable('relation "x" does not exist'),
    errors.UniqueViolation("duplicate key value violates unique constraint"),
    errors.SerializationFailure("could not serialize access"),
    psycopg.InterfaceError("the cursor is closed"),
]


def _as_django(driver_error: Exception) -> DatabaseError:
    """The error as Django raises it: its own class, `raise … from` the driver's."""
    kind = OperationalError if isinstance(driver_error, psycopg.OperationalError) else DatabaseError
    if isinstance(driver_error, errors.UndefinedTable):
        kind = ProgrammingError
    try:
        raise kind(str(driver_error)) from driver_error
    except DatabaseError as wrapped:
        return wrapped


@pytest.mark.parametrize("error", GONE, ids=lambda e: type(e).__name__)
def test_a_lost_or_refused_connection_is_unavailable_raw_or_wrapped(error):
    assert is_database_unavailable(error)
    assert is_database_unavailable(_as_django(error))


@pytest.mark.parametrize("error", NOT_GONE, ids=lambda e: type(e).__name__)
def test_a_refusal_by_a_working_database_is_not(error):
    assert not is_database_unavailable(error)
    assert not is_database_unavailable(_as_django(error))


def test_sqlite_unreachable_is_unavailable_and_locked_is_not():
    assert is_database_unavailable(OperationalError("unable to open database file"))
    assert not is_database_unavailable(OperationalError("database is locked"))


def test_a_bug_raised_while_handling_an_outage_stays_a_bug():
    try:
        try:
            raise _as_django(errors.AdminShutdown("terminating connection"))
        except OperationalError:
            raise KeyError("a bug in the handler") from None
    except KeyError as bug:
        assert not is_database_unavailable(bug)


class _Failing:
    """An execute wrapper failing the statements `when` picks with `driver_error`."""

    def __init__(self, driver_error: Exception, when: str = "") -> None:
        self.driver_error = driver_error
        self.when = when
        self.failed = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.when in sql:
            self.failed += 1
            raise _as_django(self.driver_error)
        return execute(sql, params, many, context)


def _unavailable_problem(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json.loads(response.content)["code"] == "database_unavailable"


def test_api_answers_503_when_the_key_lookup_cannot_reach_the_database(world):
    failing = _Failing(PoolTimeout("couldn't get a connection after 5.00 sec"))
    with connection.execute_wrapper(failing):
        response = world.client().get("/orders")
    # The key is looked up twice: by the rate limits (which count the request under its
    # address when the lookup fails) and by the API's auth, whose failure answers 503.
    assert failing.failed == 2
    _unavailable_problem(response)


def test_api_answers_503_when_the_order_cannot_be_written_and_nothing_is_placed(world):
    failing = _Failing(errors.AdminShutdown("terminating connection"), when='INSERT INTO "orders')
    with connection.execute_wrapper(failing):
        response = world.client().place(world.order_body(("A-1", 2)), key="k-outage")
    assert failing.failed == 1
    _unavailable_problem(response)
    again = world.client().place(world.order_body(("A-1", 2)), key="k-outage")
    assert again.status_code == 201  # the same key works once the database is back


def test_api_keeps_500_for_a_real_bug(world):
    failing = _Failing(errors.UndefinedTable('relation "orders_order" does not exist'))
    with connection.execute_wrapper(failing):
        response = world.client().get("/orders")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "Retry-After" not in response


def _unavailable_page(response: Any) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'data-testid="unavailable"' in page
    return page


def test_portal_page_answers_the_styled_503_page_in_the_buyers_language(world):
    buyer = sign_in(world)
    buyer.client.raise_request_exception = False
    buyer.client.cookies["django_language"] = "zh-hant"
    with connection.execute_wrapper(_Failing(errors.AdminShutdown("terminating connection"))):
        page = _unavailable_page(buyer.client.get("/catalogue/"))
    assert "請稍後再試" in page and "服務暫時無法使用" in page
    assert "Try again shortly" not in page


def test_back_office_page_answers_the_styled_503_page(world):
    staff = staff_client(world)
    staff.client.raise_request_exception = False
    with connection.execute_wrapper(_Failing(PoolTimeout("no connection"))):
        page = _unavailable_page(staff.client.get("/staff/"))
    assert "Try again shortly" in page


def test_a_failure_in_the_session_middleware_after_the_view_answers_503(world):
    buyer = sign_in(world)
    client = Client(raise_request_exception=False)
    client.force_login(buyer.member.user)
    # The language switch keeps the choice on the session: SessionMiddleware saves it after
    # the view has answered.
    failing = _Failing(psycopg.OperationalError("server closed the connection unexpectedly"),
                       when='UPDATE "django_session"')  # fmt: skip
    with connection.execute_wrapper(failing):
        response = client.post("/i18n/language/", {"language": "zh-hans", "next": "/"})
    assert failing.failed == 1
    assert "Try again shortly" in _unavailable_page(response)  # the choice was not saved


def test_a_page_keeps_500_for_a_real_bug(world):
    buyer = sign_in(world)
    buyer.client.raise_request_exception = False
    with connection.execute_wrapper(_Failing(errors.UndefinedTable('relation "x"'))):
        response = buyer.client.get("/catalogue/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.postgres  # SQLite's in-memory test database is never closed
@pytest.mark.django_db(transaction=True)
def test_the_failed_connection_is_closed_so_the_next_request_opens_a_fresh_one(world):
    connection.ensure_connection()
    with connection.execute_wrapper(_Failing(errors.AdminShutdown("terminating connection"))):
        response = world.client().get("/orders")
    _unavailable_problem(response)
    assert connection.connection is None
    assert world.client().get("/orders").status_code == 200


def test_an_api_path_failing_outside_the_api_views_answers_problem_json(rf):
    from dinghuo.config.errors import server_error

    try:
        raise _as_django(psycopg.OperationalError("server closed the connection unexpectedly"))
    except OperationalError:  # Django calls handler500 while handling the exception
        response = server_error(rf.get("/api/v1/orders"))
    _unavailable_problem(response)
