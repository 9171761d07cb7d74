"""The buyer's "Two-step sign-in" page: set up an authenticator, recovery codes, turn off."""

from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dinghuo.portal.access import BuyerRequest, buyer_required
from dinghuo.two_factor.pages import recovery_codes_file, two_step_page


@require_http_methods(["GET", "POST"])
@never_cache
@buyer_required
def two_step(request: BuyerRequest) -> HttpResponseBase:
    """The buyer's "Two-step sign-in" page and its buttons."""
    return two_step_page(
        request, template="portal/two_step.html", codes_url=reverse("portal:two-step-codes")
    )


@require_GET
@never_cache
@buyer_required
def two_step_codes(request: BuyerRequest) -> HttpResponse:
    """The new recovery codes as a text file."""
    return recovery_codes_file(request)
