"""The second step of signing in, shared by the doors (portal, back office, admin).

After the password, a person with an authenticator or a passkey is *not* signed in: the
session only remembers, for a few minutes, who passed the password and where they were going.
They are signed in (Django's `login`, and django-otp's, which marks the session as having
passed the second step) when they type a code or use a passkey (`passkey_views`). Until then
every page treats them as signed out.

Wrong codes and refused passkeys count as failed sign-ins (`core.signin`'s counters, per email
and per client address, shared with the passwords), so the same lock-out rule stops guessing
either.
"""

from typing import Any

import django_otp
from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinghuo.core import failures
from dinghuo.core.signin import TOO_MANY_ATTEMPTS, SecondStep, blocked, count_failure
from dinghuo.two_factor import queries, services
from dinghuo.two_factor.forms import CodeForm

PENDING = "two_factor.pending"
VOUCHED = "two_factor.vouched"
PENDING_SECONDS = 5 * 60
"""How long after the password the code may be typed; then the person starts again."""

WRONG_CODE = _(
    "This code is not right. Type the 6 digits your app shows now, or one of your recovery codes."
)


def asking_at(code_url: str) -> SecondStep:
    """The second step of a door whose code page is `code_url` (for `core.signin`)."""

    def ask(
        request: HttpRequest, user: Any, keys: tuple[str, str], next_url: str
    ) -> HttpResponseBase | None:
        return second_step(request, user, keys, next_url, code_url=code_url)

    return ask


def second_step(
    request: HttpRequest, user: Any, keys: tuple[str, str], next_url: str, *, code_url: str
) -> HttpResponseBase | None:
    """After a right password: for a person with an authenticator or a passkey, remember them
    as pending and send them to the code page (`code_url`); None when there is no second step."""
    if not queries.is_enrolled(user.pk):
        return None
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "keys": list(keys),
        "next": next_url,
        "at": timezone.now().timestamp(),
    }
    return HttpResponseRedirect(code_url)


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if timezone.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        del request.session[PENDING]
        return None
    return pending


def code_page(request: HttpRequest, *, template: str, sign_in_url: str) -> HttpResponseBase:
    """The code page (GET) and the code (POST) of one door. Without a recent right password
    in this session it sends the person to `sign_in_url`."""
    pending = _pending(request)
    if pending is None:
        return HttpResponseRedirect(sign_in_url)
    status = 200
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        keys = (pending["keys"][0], pending["keys"][1])
        if blocked(keys):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            status = 429
        else:
            device = services.check_code(user_id=pending["user"], code=form.cleaned_data["code"])
            if device is None:
                count_failure(keys)
                form.add_error("code", WRONG_CODE)
            else:
                return HttpResponseRedirect(finish(request, pending, device) or sign_in_url)
    user_id = int(pending["user"])
    context = {
        "form": form,
        "sign_in_url": sign_in_url,
        # A person with passkeys may use one; the code form shows when a code can work.
        "passkeys": queries.has_passkeys(user_id),
        "app": queries.has_app(user_id),
        "codes": queries.has_app(user_id) or queries.has_recovery_codes(user_id),
    }
    return render(request, template, context, status=status)


def pending(request: HttpRequest) -> dict[str, Any] | None:
    """Who passed the password in this session in the last minutes, or None."""
    return _pending(request)


def finish(request: HttpRequest, pending: dict[str, Any], device: Any) -> str | None:
    """Sign in the person whose second step `device` accepted; answers where they were going,
    or None when their account was switched off meanwhile."""
    keys = pending["keys"]
    failures.forget(keys[0])
    del request.session[PENDING]
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    return str(pending["next"])


def vouch(request: HttpRequest) -> None:
    """Take this session as having passed a second step elsewhere: a PunchOut session, whose
    buyer the procurement system signed in and vouches for with the connection's secret."""
    request.session[VOUCHED] = True
