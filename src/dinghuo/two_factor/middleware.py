"""No page for a session that skipped the second step, and nothing but setting it up for a
person whose tenant requires it.

The doors of this site sign a person with an authenticator in only after their code
(`two_factor.signin`). This guard covers any other way a session could become signed in (a
future door, a password reset that signs in): a signed-in person with an authenticator whose
session has not passed the second step is signed out and sent to sign in. A signed-in person
a tenant's rule covers who has no authenticator yet reaches only the page that sets one up,
sign-out, the change of password, their sessions and the language switch. With the setting
DINGHUO_OPERATORS_2FA, an operator (superuser) without an authenticator is likewise sent from
the console and the admin to the console's page that sets one up.

It runs after django-otp's `OTPMiddleware` (which tells whether the session passed the second
step) and costs one query a minute for a signed-in person who needs no second step, one
per page for the others; the API (API keys, machine
credentials without sessions) and the PunchOut cXML endpoints are not pages and are left alone.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.two_factor import doors, queries
from dinghuo.two_factor.signin import VOUCHED

NOT_PAGES = ("/api/", "/punchout/cxml/", "/static/")
_CLEAR_AT = "dinghuo_second_step_clear_at"
_CLEAR_FOR_SECONDS = 60
# What a person who must set up two-step sign-in may still open: setting it up (and keeping
# the recovery codes, or adding a passkey), signing out, changing their password, their
# sessions (to sign out a lost device), and the language switch. Nothing else.
WHILE_SETTING_UP = {
    "backoffice:two-step",
    "backoffice:two-step-codes",
    "backoffice:sign-out",
    "portal:two-step",
    "portal:two-step-codes",
    "portal:sign-out",
    "accounts:password",
    "accounts:sessions",
    "set-language",
    "set_language",
    "operators:two-step",
    "operators:two-step-codes",
    "two_factor:passkey-options",
    "two_factor:passkey-add",
    "admin:logout",
}


class SecondStepRequired:
    """Django middleware: see the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path.startswith(NOT_PAGES):
            return None
        user: Any = request.user
        if not user.is_authenticated or user.is_verified() or request.session.get(VOUCHED):
            return None
        operator = _operator_door(request, user)
        # A person neither enrolled nor covered by a rule is asked again a minute later, not
        # on every page (enrolling elsewhere or a new rule takes effect within that minute).
        now = int(time.time())
        if not operator and now - int(request.session.get(_CLEAR_AT, 0)) < _CLEAR_FOR_SECONDS:
            return None
        standing = queries.standing(user.pk)
        if standing.enrolled:
            request.session.pop(_CLEAR_AT, None)
            _sign_out_keeping_the_chosen_seller(request)
            return redirect_to_login(request.get_full_path(), doors.sign_in_url(request.path))
        enrol_page = (
            doors.ENROL_PAGE[standing.required_as]
            if standing.required_as is not None
            else doors.OPERATOR_ENROL_PAGE
            if operator
            else None
        )
        if enrol_page is None:
            request.session[_CLEAR_AT] = now
            return None
        request.session.pop(_CLEAR_AT, None)
        match = request.resolver_match
        if match is not None and match.view_name in WHILE_SETTING_UP:
            return None
        return HttpResponseRedirect(reverse(enrol_page))


def _operator_door(request: HttpRequest, user: Any) -> bool:
    """Whether an operator opens the console or the admin while the deployment requires
    operators to sign in in two steps (setting DINGHUO_OPERATORS_2FA)."""
    return bool(
        settings.DINGHUO_OPERATORS_2FA
        and user.is_superuser
        and request.path.startswith(doors.OPERATOR_PREFIXES)
    )


def _sign_out_keeping_the_chosen_seller(request: HttpRequest) -> None:
    """Sign out, but keep the seller the person chose (or an invitation chose for them), so
    that after their code they land in that seller, not in the chooser or their first one.
    The choice is a preference only: the doors use it only among the person's own sellers."""
    chosen = request.session.get(CHOSEN_TENANT)
    logout(request)
    if chosen is not None:
        request.session[CHOSEN_TENANT] = chosen
