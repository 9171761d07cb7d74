"""The back office's two-step sign-in pages: a staff member's own (set up, recovery codes,
turn off), and the tenant's rule on who must use it."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.two_factor import queries, services
from dinghuo.two_factor.forms import RequirementForm
from dinghuo.two_factor.models import Requirement
from dinghuo.two_factor.pages import recovery_codes_file, two_step_page


@require_http_methods(["GET", "POST"])
@never_cache
@staff_required(get="account.own", post="account.own")
def two_step(request: StaffRequest) -> HttpResponseBase:
    """The staff member's "Two-step sign-in" page and its buttons."""
    return two_step_page(
        request,
        template="backoffice/two_step.html",
        codes_url=reverse("backoffice:two-step-codes"),
    )


@require_GET
@never_cache
@staff_required(get="account.own")
def two_step_codes(request: StaffRequest) -> HttpResponse:
    """The new recovery codes as a text file."""
    return recovery_codes_file(request)


@require_http_methods(["GET", "POST"])
@staff_required(get="settings.change", post="settings.change")
def sign_in_settings(request: StaffRequest) -> HttpResponseBase:
    """The tenant's rule: nobody, staff, or everyone must sign in in two steps."""
    tenant_id = request.staff.tenant_id
    if request.method == "POST":
        form = RequirementForm(request.POST)
        if form.is_valid():
            services.set_requirement(
                tenant_id=tenant_id, requires=Requirement(form.cleaned_data["requires"])
            )
            messages.success(request, gettext("Saved."))
            return HttpResponseRedirect(reverse("backoffice:sign-in-settings"))
        status = 422
    else:
        form = RequirementForm(initial={"requires": queries.requirement(tenant_id)})
        status = 200
    return render(request, "backoffice/sign_in_settings.html", {"form": form}, status=status)
