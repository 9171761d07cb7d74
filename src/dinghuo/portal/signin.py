"""Buyers sign in with their email and password, and sign out.

Failed attempts are counted per email and per client address in Django's cache; past the
limits (settings `SIGN_IN_FAILURES_PER_EMAIL`, `SIGN_IN_FAILURES_PER_ADDRESS` in
`SIGN_IN_WINDOW` seconds) passwords are not even checked until the window has passed. The
counters live in the configured cache: with the default per-process cache each server worker
counts on its own, which still bounds guessing to a small multiple of the limit.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dinghuo.portal.access import buyer_of

# One message for an unknown email and a wrong password: the form never tells which.
WRONG_CREDENTIALS = _("The email or the password is not right.")
NOT_A_BUYER = _("This account does not buy for a company here. Staff use the back office.")
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


def _counter_keys(request: HttpRequest, email: str) -> tuple[str, str]:
    # Hashed so that no email or address is kept in the cache in clear.
    email_hash = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    address = request.META.get("REMOTE_ADDR", "")
    address_hash = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"signin:email:{email_hash}", f"signin:address:{address_hash}"


def _blocked(keys: tuple[str, str]) -> bool:
    counts = cache.get_many(keys)
    return (
        counts.get(keys[0], 0) >= settings.SIGN_IN_FAILURES_PER_EMAIL
        or counts.get(keys[1], 0) >= settings.SIGN_IN_FAILURES_PER_ADDRESS
    )


def _count_failure(keys: tuple[str, str]) -> None:
    for key in keys:
        # add() starts the window on the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.SIGN_IN_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=settings.SIGN_IN_WINDOW)


def _username_for(email: str) -> str:
    """The stored username of `email`: emails are unique whatever their case, and people type
    them in any case."""
    found = (
        get_user_model()
        .objects.filter(username__iexact=email)
        .values_list("username", flat=True)
        .first()
    )
    return found or email


def safe_next_url(request: HttpRequest) -> str:
    """Where to go after signing in: `next` if it stays on this site, else the portal's start."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponseBase:
    """The sign-in page (GET) and the sign-in (POST email, password, next)."""
    if request.method == "POST":
        form = SignInForm(request.POST)
        status = 200
        if form.is_valid():
            email = form.cleaned_data["email"]
            keys = _counter_keys(request, email)
            if _blocked(keys):
                form.add_error(None, TOO_MANY_ATTEMPTS)
                status = 429
            else:
                user = authenticate(
                    request, username=_username_for(email), password=form.cleaned_data["password"]
                )
                if user is None:
                    _count_failure(keys)
                    form.add_error(None, WRONG_CREDENTIALS)
                elif buyer_of(user.pk) is None:
                    form.add_error(None, NOT_A_BUYER)
                else:
                    cache.delete(keys[0])
                    login(request, user)
                    return HttpResponseRedirect(safe_next_url(request))
    else:
        form = SignInForm()
        status = 200
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "portal/signin.html", {"form": form, "next": next_url}, status=status)


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so that no link or image can sign a person out) and go to the
    sign-in page."""
    logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
