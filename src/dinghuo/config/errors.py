"""The site's answers to errors no view answered (Django's `handler400`, `handler403`,
`handler404`, `handler500` and the CSRF failure view): styled pages in the reader's language.

Django turns an exception into a response in every middleware layer, calling these views with
the exception still being handled: a database that went away (`core.outage`) answers 503 with
Retry-After, as problem+json on the API and as a styled page elsewhere, wherever it failed
(a view, the session or sign-in middleware, an API key lookup). Anything else is a real
server error: a styled 500 page (Django logs the error). A session that could not be saved
after the view is a 400 to Django (`SessionInterrupted`); when the database was away it is a
503 here too.
"""

import sys

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinghuo.api.problems import database_unavailable
from dinghuo.core import input_guard, outage
from dinghuo.core.error_pages import error_page


def server_error(request: HttpRequest) -> HttpResponse:
    """503 when the database is unavailable, else the styled 500 page."""
    exc = sys.exc_info()[1]
    if exc is None or not outage.is_database_unavailable(exc):
        return _page(request, 500, *_SERVER_ERROR)
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


_NOT_FOUND = (
    _("Page not found"),
    _("There is no page at this address. The link may be old or mistyped."),
)
_FORBIDDEN = (_("Not open to you"), _("This page is not open to your account."))
_FORM_EXPIRED = (
    _("The form has expired"),
    _("The page was open too long, or you signed in or out elsewhere. Reload it, then send again."),
)
_SERVER_ERROR = (
    _("Something went wrong"),
    _("This page could not be shown because of an error on our side. We have noted it."),
)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's `handler404`: the styled "page not found"."""
    return _page(request, 404, *_NOT_FOUND)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's `handler403`: the styled "not open to you"."""
    return _page(request, 403, *_FORBIDDEN)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with a missing or stale token (403)."""
    return _page(request, 403, *_FORM_EXPIRED)


def _page(request: HttpRequest, status: int, title: Promise, explanation: Promise) -> HttpResponse:
    # Back to the side of the site the person was on, in its look; nothing here reads the
    # database or the tenant, which may be what failed.
    if request.path.startswith("/staff/"):
        return error_page(
            request,
            status,
            title=title,
            explanation=explanation,
            start="/staff/",
            sign_in="/staff/signin/",
            template="backoffice/error.html",
        )
    return error_page(
        request, status, title=title, explanation=explanation, start="/", sign_in="/signin/"
    )
