"""How a page answers: HTMX asks for the fragment that changed, a plain request for the whole
page, so every form also works without JavaScript."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def is_htmx(request: HttpRequest) -> bool:
    """Whether HTMX sent the request (it then wants the fragment that changed)."""
    return request.headers.get("HX-Request") == "true"


def render_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect an HTMX request follows as a whole-page navigation."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
