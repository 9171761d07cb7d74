"""The site's answers to errors no view answered (Django's `handler500` and `handler400`).

Django turns an exception into a response in every middleware layer, calling these views with
the exception still being handled: a database that went away (`core.outage`) answers 503 with
Retry-After, as problem+json on the API and as a styled page elsewhere, wherever it failed
(a view, the session or sign-in middleware, an API key lookup). Anything else is a real
server error and keeps Django's 500. A session that could not be saved after the view is a
400 to Django (`SessionInterrupted`); when the database was away it is a 503 here too.
"""

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from dinghuo.api.problems import database_unavailable
from dinghuo.core import input_guard, outage


def server_error(request: HttpRequest) -> HttpResponse:
    """503 when the database is unavailable, else Django's own 500 page."""
    exc = sys.exc_info()[1]
    if exc is None or not outage.is_database_unavailable(exc):
        return defaults.server_error(request)
    outage.drop_broken_connections()
    if request.path.startswith("/api/"):
        return database_unavailable()
    return outage.unavailable_page(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """503 when the database went away while the session was saved, else the styled 400."""
    if exception is not None and outage.is_database_unavailable(exception):
        outage.drop_broken_connections()
        return outage.unavailable_page(request)
    return input_guard.bad_request(request, exception)
