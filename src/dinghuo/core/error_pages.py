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
    sign_in: str | None = None,
    testid: str = "error-page",
    template: str = "layout/error.html",
) -> HttpResponse:
    """A styled page saying what went wrong, with a hint or a link to `start` (and to
    `sign_in`, for a visitor who may only need to sign in). `template` gives it the look of
    the side of the site it is on."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.get_template(template).render(
            {
                "title": title,
                "explanation": explanation,
                "hint": hint,
                "start": start,
                "sign_in": sign_in,
                "testid": testid,
                "request": request,
                "csrf_token": get_token(request),
            }
        )
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
