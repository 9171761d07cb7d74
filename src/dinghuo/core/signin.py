"""Signing a person in by email and password, shared by the buyer portal and the back office.

Failed attempts are counted per email and per client address; past the limits (settings
`SIGN_IN_FAILURES_PER_EMAIL`, `SIGN_IN_FAILURES_PER_ADDRESS` in `SIGN_IN_WINDOW` seconds)
passwords are not even checked until the window has passed. Both doors share the counters,
so a failure at one counts at the other.

The counters are shared by every server worker and survive restarts (`core.failures`): a
table by default (one atomic upsert per failure, on SQLite and PostgreSQL alike), or Redis
when `REDIS_URL` is set, falling back to the table while Redis cannot be reached.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dinghuo.core import failures
from dinghuo.core.security import client_address

# One message for an unknown email and a wrong password: the form never tells which.
WRONG_CREDENTIALS = _("The email or the password is not right.")
TOO_MANY_ATTEMPTS = _("Too many failed attempts. Wait a few minutes and try again.")


class SignInForm(forms.Form):
    """Email and password; checks nothing by itself (the view authenticates)."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def counter_keys(request: HttpRequest, email: str) -> tuple[str, str]:
    """The keys counting failures for this email and this client address."""
    # Hashed so that no email or address is kept in clear.
    email_hash = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    address = client_address(request)
    address_hash = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"signin:email:{email_hash}", f"signin:address:{address_hash}"


def blocked(keys: tuple[str, str]) -> bool:
    """Whether the email or the address has failed too often in the window."""
    counts = failures.counts(keys)
    return (
        counts.get(keys[0], 0) >= settings.SIGN_IN_FAILURES_PER_EMAIL
        or counts.get(keys[1], 0) >= settings.SIGN_IN_FAILURES_PER_ADDRESS
    )


def count_failure(keys: tuple[str, str]) -> None:
    """One more failure for the email and the address."""
    failures.add(keys, window=settings.SIGN_IN_WINDOW)


def username_for(email: str) -> str:
    """The stored username of the person with `email`: their username when it is the email
    (people type it in any case), else the one user with that email (the demo's staff user
    is "staff"); two accounts sharing an email match neither."""
    users = get_user_model().objects
    found = users.filter(username__iexact=email).values_list("username", flat=True).first()
    if found:
        return found
    by_email = list(users.filter(email__iexact=email).values_list("username", flat=True)[:2])
    return by_email[0] if len(by_email) == 1 else email


SecondStep = Callable[[HttpRequest, Any, tuple[str, str], str], HttpResponseBase | None]
"""After a right password: (request, user, failure counter keys, where to go next) → the
answer that asks for a second step, or None when there is none (two_factor.signin)."""


def sign_in_page(
    request: HttpRequest,
    *,
    template: str,
    belongs: Callable[[int], Any],
    refused: Any,
    next_url: Callable[[HttpRequest], str],
    second_step: SecondStep | None = None,
    form_class: type[SignInForm] = SignInForm,
) -> HttpResponseBase:
    """The sign-in page (GET) and the sign-in (POST email, password, next) of one door:
    `belongs(user_id)` says whether the person may use it (else `refused` is shown). With
    `second_step`, a person it asks for a code is not signed in yet, and their failures
    are forgotten only once the code is right."""
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            keys = counter_keys(request, email)
            if blocked(keys):
                form.add_error(None, TOO_MANY_ATTEMPTS)
                status = 429
            else:
                password = form.cleaned_data["password"]
                user = authenticate(request, username=username_for(email), password=password)
                if user is None:
                    count_failure(keys)
                    form.add_error(None, WRONG_CREDENTIALS)
                elif belongs(user.pk) is None:
                    form.add_error(None, refused)
                else:
                    asking = second_step and second_step(request, user, keys, next_url(request))
                    if asking:
                        return asking
                    failures.forget(keys[0])
                    login(request, user)
                    return HttpResponseRedirect(next_url(request))
    else:
        form = form_class()
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, template, {"form": form, "next": wanted}, status=status)
