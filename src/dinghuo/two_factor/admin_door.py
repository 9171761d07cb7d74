"""The Django admin's sign-in (/admin/login/), in the same two steps as the other doors.

The admin's own login form would sign in with a password alone and count no failures; this
page takes its place (config/urls.py names it before the admin's URLs), so that the admin
door has the same failure counters and the same second step. Who may use the admin is the
admin's rule (`core.admin.operators_only`): an active superuser. A tenant's staff, even marked
`is_staff` and whether or not their tenant is suspended, is refused here before any session
is made.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from dinghuo.core.signin import SignInForm, sign_in_page
from dinghuo.two_factor.doors import OPERATOR_PREFIXES
from dinghuo.two_factor.signin import asking_at, code_page

NOT_ADMIN = _("This account may not use the master data pages.")


class AdminSignInForm(SignInForm):
    """As the other doors' form; operators' accounts may be named by a username (the demo's
    is "staff"), so the first field takes either."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"] = forms.CharField(
            label=_("Email or username"),
            max_length=254,
            widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        )


def _may_use_admin(user_id: int) -> bool | None:
    users = get_user_model().objects
    return users.filter(pk=user_id, is_active=True, is_superuser=True).exists() or None


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith(OPERATOR_PREFIXES) and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponseBase:
    """The admin's sign-in page (GET) and the sign-in (POST email, password, next)."""
    return sign_in_page(
        request,
        template="two_factor/admin_signin.html",
        belongs=_may_use_admin,
        refused=NOT_ADMIN,
        next_url=_next_url,
        second_step=asking_at(reverse("admin-sign-in-code")),
        form_class=AdminSignInForm,
    )


@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    """The admin's second step (GET the form, POST the code)."""
    return code_page(
        request, template="two_factor/admin_signin_code.html", sign_in_url=reverse("admin:login")
    )
