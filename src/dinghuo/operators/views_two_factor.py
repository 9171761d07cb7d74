"""The operator's own two-step sign-in (/operator/two-step/): set up an authenticator, keep
the recovery codes, renew them, turn it off (refused while DINGHUO_OPERATORS_2FA requires it).
Operators sign in at the admin's door, which then asks for the code."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dinghuo.operators.access import operator_required
from dinghuo.two_factor.pages import recovery_codes_file, two_step_page


@require_http_methods(["GET", "POST"])
@never_cache
@operator_required
def two_step(request: HttpRequest) -> HttpResponseBase:
    """The operator's "Two-step sign-in" page and its buttons."""
    return two_step_page(
        request,
        template="operators/two_step.html",
        codes_url=reverse("operators:two-step-codes"),
        required=settings.DINGHUO_OPERATORS_2FA,
    )


@require_GET
@never_cache
@operator_required
def two_step_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes as a text file."""
    return recovery_codes_file(request)
