"""Keeps the list of each person's signed-in sessions (`SignedInSession`)."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from dinghuo.accounts import services
from dinghuo.core.security import client_address

_NOTED_AT = "dinghuo_session_noted_at"
_NOTE_EVERY_SECONDS = 60


class SessionRegister:
    """After each request of a signed-in person, notes their session (device, address and
    when it was last seen, at most once a minute)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            key = session.session_key
            # The session remembers when it was last noted, so that a page costs no query
            # for this on all but one request a minute.
            now = int(time.time())
            if key and now - int(session.get(_NOTED_AT, 0)) >= _NOTE_EVERY_SECONDS:
                session[_NOTED_AT] = now
                services.note_session(
                    user_id=user.pk,
                    session_key=key,
                    user_agent=str(request.META.get("HTTP_USER_AGENT", "")),
                    address=client_address(request),
                )
        return response
