"""Staff sign in to the back office with their email and password, and sign out.

The portal's sign-in form and its failed-attempt counters (per email and per client address,
in Django's cache) are used as they are, so guessing is bounded the same way on both doors and
a failure at one door counts at the other.
"""

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dinghuo.backoffice.access import staff_of
from dinghuo.portal.signin import (
    TOO_MANY_ATTEMPTS,
    WRONG_CREDENTIALS,
    SignInForm,
    _blocked,
    _count_failure,
    _counter_keys,
)

NOT_STAFF = _("This account is not staff of a seller here. Buyers sign in on the portal.")


def _username_for(email: str) -> str:
    """The stored username of the person with `email`: their username when it is the email
    (in any case), else the one user with that email (the demo's staff user is "staff")."""
    users = get_user_model().objects
    found = users.filter(username__iexact=email).values_list("username", flat=True).first()
    if found:
        return found
    by_email = list(users.filter(email__iexact=email).values_list("username", flat=True)[:2])
    # Two accounts sharing an email: sign-in by email would be ambiguous, so neither matches.
    return by_email[0] if len(by_email) == 1 else email


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/staff/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("backoffice:dashboard")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponseBase:
    """The staff sign-in page (GET) and the sign-in (POST email, password, next)."""
    status = 200
    if request.method == "POST":
        form = SignInForm(request.POST)
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
                elif staff_of(user.pk) is None:
                    form.add_error(None, NOT_STAFF)
                else:
                    cache.delete(keys[0])
                    login(request, user)
                    return HttpResponseRedirect(_next_url(request))
    else:
        form = SignInForm()
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(
        request, "backoffice/signin.html", {"form": form, "next": next_url}, status=status
    )


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so that no link or image can sign a person out)."""
    logout(request)
    return HttpResponseRedirect(reverse("backoffice:sign-in"))
