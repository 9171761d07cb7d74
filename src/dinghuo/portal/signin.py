"""Buyers sign in with their email and password (`core.signin`: the form, the failed-attempt
limits), and sign out."""

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dinghuo.core.signin import TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS, sign_in_page
from dinghuo.portal.access import buyer_of
from dinghuo.two_factor.signin import asking_at, code_page

__all__ = [
    "NOT_A_BUYER",
    "TOO_MANY_ATTEMPTS",
    "WRONG_CREDENTIALS",
    "sign_in",
    "sign_in_code",
    "sign_out",
]

NOT_A_BUYER = _("This account does not buy for a company here. Staff use the back office.")


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
    return sign_in_page(
        request,
        template="portal/signin.html",
        belongs=buyer_of,
        refused=NOT_A_BUYER,
        next_url=safe_next_url,
        second_step=asking_at(reverse("portal:sign-in-code")),
    )


@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    """The second step: the code of a person whose password was right (GET the form, POST it)."""
    return code_page(
        request, template="portal/signin_code.html", sign_in_url=reverse("portal:sign-in")
    )


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so that no link or image can sign a person out) and go to the
    sign-in page."""
    logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
