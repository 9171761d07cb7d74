"""Pages every part of the site shares: the language switch, a tenant's brand stylesheet
and logo."""

from collections.abc import Callable

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

from dinghuo.core import branding

# The session key the chosen language is kept under, beside Django's language cookie.
SESSION_LANGUAGE_KEY = "language"


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the language of the pages (POST `language`, `next`).

    Django's own view does the work: it checks the language, stores it in the language cookie
    (which LocaleMiddleware reads on every request, signed in or not) and redirects to `next`
    when that URL is safe. The choice is also kept on the session, where server code can read
    a signed-in person's language without the request's cookies."""
    response = django_set_language(request)
    language = request.POST.get(LANGUAGE_QUERY_PARAMETER, "")
    if language and check_for_language(language):
        request.session[SESSION_LANGUAGE_KEY] = language
    return response


def _cached(
    request: HttpRequest, etag: str, make: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """304 when the browser holds this version, else the answer, both with the ETag."""
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        response = make()
    response["ETag"] = etag
    # Browsers check back after five minutes, so a new colour shows soon after it is saved.
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def brand_stylesheet(request: HttpRequest, tenant_id: int) -> HttpResponseBase:
    """A tenant's colours as CSS custom properties (the layout links it: CSP forbids inline
    styles), cached by ETag."""
    brand = branding.brand_for(tenant_id)
    if brand is None:
        raise Http404
    return _cached(
        request,
        brand.etag,
        lambda: HttpResponse(branding.stylesheet(brand), content_type="text/css; charset=utf-8"),
    )


@require_safe
def brand_logo(request: HttpRequest, tenant_id: int) -> HttpResponseBase:
    """A tenant's logo (public: it shows on its sign-in pages), cached by ETag."""
    brand = branding.brand_for(tenant_id)
    if brand is None or not brand.logo or not default_storage.exists(brand.logo):
        raise Http404
    kind = "image/png" if brand.logo.endswith(".png") else "image/jpeg"
    return _cached(
        request,
        brand.etag,
        lambda: FileResponse(default_storage.open(brand.logo), content_type=kind),
    )
