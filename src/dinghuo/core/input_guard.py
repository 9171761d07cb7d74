"""The one guard in front of every page and route: input nothing behind it can hold is refused.

PostgreSQL text cannot hold NUL (U+0000): one reaching a query is a `DataError`, a server
error. So a NUL anywhere a request carries text is refused with 400 before any view runs:
the path, the query string (raw or percent-encoded: `%00`; `%2500` is the harmless text
"%00"), header values, cookie names and values (parsed, so a quoted `"\\000"` counts), and,
for the views that read forms, every form field's name and value (urlencoded and multipart)
and every uploaded file's field name. Lone surrogates cannot arrive: Django decodes bytes
that are not UTF-8 with a replacement character (query, forms, multipart names and values;
file names lose non-printable characters), and JSON bodies are the API parser's
(`api.root.OrjsonParser` refuses NUL, raw control characters and lone surrogates).

Pages answer the styled `layout/bad_request.html` in the visitor's language; the API's
middleware (outside this one) turns the same 400 into problem+json `malformed_request`.

Cost: the path, query string and headers are looked at on every request (a few string
searches); cookies are parsed once, as the session would parse them anyway; a form body is
read only by views that are not CSRF-exempt, which Django's CSRF check reads at that point
anyway, so no body is read that would not be, and none twice (the API's views are exempt and
read their JSON themselves). Bodies past `DATA_UPLOAD_MAX_MEMORY_SIZE` are refused with 413.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _

from dinghuo.core.error_pages import error_page

NUL = "\x00"
# The percent-encoding of NUL; checking the raw query string for it finds exactly the NULs
# decoding would produce (no other escape can consume its "%").
_ENCODED_NUL = "%00"
# Headers WSGI passes without the HTTP_ prefix.
_BARE_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH")

_UNREADABLE = (
    _("The request could not be read"),
    _("Something in the address or the form could not be used. Nothing was changed."),
)
_TOO_LARGE = (
    _("The request is too large"),
    _("What was sent is larger than this site accepts. Nothing was changed."),
)


def has_nul(texts: Iterable[str]) -> bool:
    """Whether any of `texts` holds a NUL character."""
    return any(NUL in text for text in texts)


def envelope_has_nul(request: HttpRequest) -> bool:
    """Whether the path, query string, a header or a cookie of `request` holds a NUL."""
    if NUL in request.path_info:
        return True
    meta = request.META
    query = meta.get("QUERY_STRING", "")
    if query and (_ENCODED_NUL in query or NUL in query):
        return True
    for key, value in meta.items():
        if (key.startswith("HTTP_") or key in _BARE_HEADERS) and NUL in value:
            return True
    cookies = request.COOKIES
    return bool(cookies) and (has_nul(cookies) or has_nul(cookies.values()))


def form_has_nul(request: HttpRequest) -> bool:
    """Whether a form field's name or value, or an upload's field name, holds a NUL (reads
    and parses the body; may raise what Django raises for a body it cannot parse)."""
    for name, values in request.POST.lists():
        if NUL in name or has_nul(values):
            return True
    return has_nul(request.FILES)


def refusal(request: HttpRequest, *, status: int = 400) -> HttpResponse:
    """The styled page that says the request could not be read (or was too large), in the
    visitor's language; nothing was changed."""
    title, explanation = _TOO_LARGE if status == 413 else _UNREADABLE
    return error_page(
        request,
        status,
        title=title,
        explanation=explanation,
        hint=_("Go back and try again."),
        testid="bad-request",
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's `handler400`: every request Django itself finds malformed (too many fields,
    a damaged multipart body, a disallowed host) gets the same styled page."""
    return refusal(request, status=413 if isinstance(exception, RequestDataTooBig) else 400)


class InputGuard:
    """Refuse, before anything reads them, requests carrying text the database cannot hold."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if envelope_has_nul(request):
            return refusal(request)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """Check the form of a POST to a view that reads forms (not CSRF-exempt: those read
        their own body, as the API's JSON routes do)."""
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        try:
            unreadable = form_has_nul(request)
        except RequestDataTooBig:
            return refusal(request, status=413)
        except (SuspiciousOperation, MultiPartParserError, OSError):
            unreadable = True  # too many fields, a damaged body, a connection broken off
        return refusal(request) if unreadable else None
