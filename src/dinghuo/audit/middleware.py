"""Sets who acts for each request, for the audit log (`core.actors`)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, reverse

from dinghuo.core import actors
from dinghuo.core.security import client_address


class ActorMiddleware:
    """The request's actor: its session's person (looked up only when a write is recorded),
    through the page, API or admin door, from its client address. The API's key check then
    names the key instead (`api.auth`). Place after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        def person() -> int | None:
            user = getattr(request, "user", None)
            return int(user.pk) if user is not None and user.is_authenticated else None

        actor = actors.RequestActor(_door(request.path_info), client_address(request), person)
        with actors.acting_as(actor):
            return self.get_response(request)


def _door(path: str) -> actors.Via:
    if path.startswith("/api/"):
        return "api"
    try:
        admin = reverse("admin:index")
    except NoReverseMatch:  # a URL configuration without the admin
        return "page"
    return "admin" if path.startswith(admin) else "page"
