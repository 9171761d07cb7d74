"""The browser's side of passkeys (two_factor/static/two_factor/passkeys.js calls these; each
answers JSON): making a passkey on one's two-step page, and using one at the second step of
signing in. Any door's pages use the same four addresses (two_factor/urls.py).

Making a passkey needs a signed-in person whose session passed the second step if they have
one already (as django-otp-webauthn's own views require). Using one needs a session that
passed the password in the last minutes (`signin.PENDING`); only that person's passkeys are
offered and accepted, and a passkey that fails counts as a failed sign-in, like a wrong code.
"""

import json
from typing import Any

import django_otp
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from dinghuo.core.signin import TOO_MANY_ATTEMPTS, blocked, count_failure
from dinghuo.two_factor import passkeys, queries, services, signin
from dinghuo.two_factor.pages import FRESH_CODES

NOT_SIGNED_IN = _("Sign in again, then try once more.")
SECOND_STEP_FIRST = _("Sign in with your second step first, then add a passkey.")
PASSKEY_REFUSED = _("This passkey was not accepted. Try again, or use another way to sign in.")
NOT_MADE = _("The passkey could not be added. Try again.")
NAME_NEEDED = _("Give the passkey a name.")


def _refused(message: Any, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(message)}, status=status)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        found = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def _may_add(request: HttpRequest) -> JsonResponse | None:
    user: Any = request.user
    if not user.is_authenticated:
        return _refused(NOT_SIGNED_IN, 403)
    if not user.is_verified() and queries.is_enrolled(user.pk):
        return _refused(SECOND_STEP_FIRST, 403)
    return None


@never_cache
@require_POST
@csrf_protect
def registration_options(request: HttpRequest) -> JsonResponse:
    """The options for the browser to make a new passkey for the signed-in person."""
    refused = _may_add(request)
    if refused is not None:
        return refused
    return JsonResponse(passkeys.registration_options(request, request.user))


@never_cache
@require_POST
@csrf_protect
def add(request: HttpRequest) -> JsonResponse:
    """Keep the passkey the browser made (JSON: name, credential); new recovery codes, when
    the person had none, wait on their two-step page."""
    refused = _may_add(request)
    if refused is not None:
        return refused
    body = _body(request)
    name = str(body.get("name") or "").strip()
    if not name:
        return _refused(NAME_NEEDED, 422)
    user: Any = request.user
    made = services.add_passkey(
        user_id=user.pk,
        name=name,
        helper=passkeys.helper(request),
        state=passkeys.taken_state(request, passkeys.REGISTERING),
        answer=body.get("credential"),
    )
    if made is None:
        return _refused(NOT_MADE, 422)
    device, fresh = made
    if fresh:
        request.session[FRESH_CODES] = fresh
    if not user.is_verified():
        django_otp.login(request, device)
    return JsonResponse({"added": device.pk, "message": gettext("Passkey added.")})


@never_cache
@require_POST
@csrf_protect
def sign_in_options(request: HttpRequest) -> JsonResponse:
    """The options for the browser to sign in with a passkey of the person whose password was
    right in this session."""
    pending = signin.pending(request)
    if pending is None:
        return _refused(NOT_SIGNED_IN, 403)
    user = queries.active_user(int(pending["user"]))
    if user is None:
        return _refused(NOT_SIGNED_IN, 403)
    return JsonResponse(passkeys.sign_in_options(request, user))


@never_cache
@require_POST
@csrf_protect
def sign_in(request: HttpRequest) -> JsonResponse:
    """Sign in with the passkey's answer (JSON: credential); answers where to go next."""
    pending = signin.pending(request)
    if pending is None:
        return _refused(NOT_SIGNED_IN, 403)
    keys = (pending["keys"][0], pending["keys"][1])
    if blocked(keys):
        return _refused(TOO_MANY_ATTEMPTS, 429)
    device = services.check_passkey(
        user_id=int(pending["user"]),
        helper=passkeys.helper(request),
        state=passkeys.taken_state(request, passkeys.SIGNING_IN),
        answer=_body(request).get("credential"),
    )
    if device is None:
        count_failure(keys)
        return _refused(PASSKEY_REFUSED, 422)
    going = signin.finish(request, pending, device)
    if going is None:
        return _refused(NOT_SIGNED_IN, 403)
    return JsonResponse({"next": going})
