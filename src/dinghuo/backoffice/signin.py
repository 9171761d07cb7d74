"""Staff sign in to the back office with their email and password, and sign out.

The sign-in itself is `core.signin`'s, shared with the portal: the same form and the same
failed-attempt counters, so a failure at one door counts at the other.
"""

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dinghuo.backoffice.access import staff_of
from dinghuo.core.signin import sign_in_page
from dinghuo.two_factor.signin import asking_at, code_page

NOT_STAFF = _("This account is not staff of a seller here. Buyers sign in on the portal.")


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
    return sign_in_page(
        request,
        template="backoffice/signin.html",
        belongs=staff_of,
        refused=NOT_STAFF,
        next_url=_next_url,
        second_step=asking_at(reverse("backoffice:sign-in-code")),
    )


@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    """The second step: the code of a person whose password was right (GET the form, POST it)."""
    return code_page(
        request, template="backoffice/signin_code.html", sign_in_url=reverse("backoffice:sign-in")
    )


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so that no link or image can sign a person out)."""
    logout(request)
    return HttpResponseRedirect(reverse("backoffice:sign-in"))
