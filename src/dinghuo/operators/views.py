"""The operator console (/operator/): every tenant with its size; create, suspend and
reactivate one. Thin: the forms read, `operators.services` and `core.services` write."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dinghuo.core.errors import DomainError
from dinghuo.core.models import Tenant
from dinghuo.core.services import set_tenant_status
from dinghuo.operators import queries, services
from dinghuo.operators.access import operator_required
from dinghuo.operators.forms import NewSellerForm
from dinghuo.operators.welcome import set_password_link


@require_safe
@operator_required
def tenants(request: HttpRequest) -> HttpResponse:
    """Every tenant, newest first, with its size and what can be done with it."""
    return render(request, "operators/tenants.html", {"tenants": queries.tenant_sizes()})


@operator_required
def new_tenant(request: HttpRequest) -> HttpResponse:
    """The form (GET) and the creation (POST): then the owner's one-time link is shown."""
    form = NewSellerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.set_up_tenant(**form.values())
        except DomainError as refusal:
            form.refused(refusal)
        else:
            link = (
                set_password_link(made.owner, base_url=request.build_absolute_uri("/"))
                if made.owner_is_new
                else ""
            )
            context = {"tenant": made.tenant, "owner": made.owner, "link": link}
            return render(request, "operators/tenant_created.html", context)
    status = 422 if form.errors else 200
    return render(request, "operators/tenant_new.html", {"form": form}, status=status)


def _set_status(request: HttpRequest, slug: str, status: str) -> HttpResponseBase:
    tenant = queries.tenant_by_slug(slug)
    if tenant is None:
        raise Http404
    set_tenant_status(tenant_id=tenant.pk, status=status)
    if status == Tenant.Status.SUSPENDED:
        messages.success(request, _("%(name)s is suspended.") % {"name": tenant.name})
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": tenant.name})
    return redirect("operators:tenants")


@require_POST
@operator_required
def suspend(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Suspend a tenant: its people and keys are refused; nothing of it changes."""
    return _set_status(request, slug, Tenant.Status.SUSPENDED)


@require_POST
@operator_required
def reactivate(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Make a suspended tenant active again, as it was."""
    return _set_status(request, slug, Tenant.Status.ACTIVE)
