"""Pages every part of the site shares: the language switch."""

from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

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
