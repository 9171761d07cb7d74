"""The tenant's API rate limits (owners: `settings.change`): reads and writes a minute per
API key, and all its keys' requests a minute from one client address, each with the default
it replaces. Thin: the form reads, `core.services.set_api_limits` checks the bounds and
writes; an empty box, or "Back to the defaults", gives the default back."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.changes import show_refusal
from dinghuo.core import queries
from dinghuo.core.errors import DomainError
from dinghuo.core.services import MAX_REQUESTS_PER_MINUTE, set_api_limits

FIELDS = ("reads_per_minute", "writes_per_minute", "per_address_per_minute")


class ApiLimitsForm(forms.Form):
    # No bounds here: the service refuses what is out of them, with the words of its codes.
    reads_per_minute = forms.IntegerField(label=_("Reads a minute, per API key"), required=False)
    writes_per_minute = forms.IntegerField(label=_("Writes a minute, per API key"), required=False)
    per_address_per_minute = forms.IntegerField(
        label=_("Requests a minute from one address, all keys together"), required=False
    )


def _page(request: StaffRequest, form: ApiLimitsForm, status: int = 200) -> HttpResponseBase:
    context: dict[str, Any] = {
        "form": form,
        "default_reads": settings.DINGHUO_API_READS_PER_MINUTE,
        "default_writes": settings.DINGHUO_API_WRITES_PER_MINUTE,
        "highest": MAX_REQUESTS_PER_MINUTE,
    }
    return render(request, "backoffice/api_limits.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required(get="settings.change", post="settings.change")
def api_limits(request: StaffRequest) -> HttpResponseBase:
    """The limits' form (GET) and their saving (POST, or `reset` for the defaults); a limit
    out of bounds is shown on its field and nothing is saved."""
    tenant_id = request.staff.tenant_id
    if request.method != "POST":
        row = queries.api_limits(tenant_id)
        initial = {name: getattr(row, name) for name in FIELDS} if row else {}
        return _page(request, ApiLimitsForm(initial=initial))
    reset = "reset" in request.POST
    form = ApiLimitsForm({} if reset else request.POST)
    if not form.is_valid():
        return _page(request, form, 422)
    try:
        set_api_limits(tenant_id=tenant_id, **{name: form.cleaned_data[name] for name in FIELDS})
    except DomainError as refusal:
        show_refusal(form, refusal, lambda problem: problem.field)
        return _page(request, form, 422)
    messages.success(
        request,
        gettext("The defaults apply again.") if reset else gettext("The API limits are saved."),
    )
    return redirect("backoffice:api-limits")
