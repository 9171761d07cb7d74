"""The one way an error page is drawn: the refusals of unreadable input (`input_guard`), the
"try again shortly" of a database that went away (`outage`) and the pages Django's error
handlers answer (`config/errors.py`).

Rendered in the visitor's language without the request's context processors: they read the
session and messages, which may be what failed (or, before the session middleware, are not
there yet).
"""

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise


def error_page(
    request: HttpRequest,
    status: int,
    *,
    title: str | Promise,
    explanation: str | Promise,
    hint: str | Promise | None = None,
    start: str | None = None,
    testid: str = "error-page",
) -> HttpResponse:
    """A styled page saying what went wrong, with a hint or a link to `start`."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.get_template("layout/error.html").render(
            {
                "title": title,
                "explanation": explanation,
                "hint": hint,
                "start": start,
                "testid": testid,
                "request": request,
                "csrf_token": get_token(request),
            }
        )
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
