"""The PunchOut page: each buying company's procurement connections (cXML), set up, switched
on or off, and given a new shared secret, shown once.

Thin over `punchout.services` and `punchout.queries`, what the API's connection routes use.
The tenant always comes from the signed-in staff member; the addresses the buyer's
procurement system posts to are shown with the connections.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.punchout import queries, services

# The service's problem fields, as the form names them.
_FORM_FIELDS = {"user_id": "user"}


class ConnectionForm(forms.Form):
    """A new connection: whose, called what, the two identities, and whom it signs in as."""

    name = forms.CharField(label=_("Name"), max_length=200)
    user = forms.TypedChoiceField(label=_("Signs in as"), coerce=int)
    buyer_domain = forms.CharField(label=_("Buyer's credential domain"), max_length=100)
    buyer_identity = forms.CharField(label=_("Buyer's identity"), max_length=200)
    supplier_domain = forms.CharField(label=_("Our credential domain"), max_length=100)
    supplier_identity = forms.CharField(label=_("Our identity"), max_length=200)
    named_user_allowed = forms.BooleanField(
        label=_("Sign in as the person the purchasing system names, if they are a user"),
        required=False,
        initial=True,
    )

    def __init__(self, users: list[tuple[int, int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.companies = {pk: company for pk, company, _ in users}
        self.fields["user"].choices = [(pk, label) for pk, _, label in users]  # type: ignore[attr-defined]


def _page(
    request: StaffRequest, form: ConnectionForm, status: int = 200, **extra: Any
) -> HttpResponse:
    tenant = request.staff.tenant_id
    context = {
        "connections": list(queries.connections(tenant)),
        "form": form,
        "setup_url": request.build_absolute_uri(reverse("punchout:setup")),
        "order_url": request.build_absolute_uri(reverse("punchout:order")),
        **extra,
    }
    return render(request, "backoffice/punchout.html", context, status=status)


@require_GET
@staff_required(get="integrations.view")
def connections(request: StaffRequest) -> HttpResponse:
    """The connections and the form to set one up."""
    return _page(request, ConnectionForm(queries.company_users(request.staff.tenant_id)))


@require_http_methods(["POST"])
@staff_required(post="punchout.manage")
def create(request: StaffRequest) -> HttpResponse:
    """Set up a connection; the page then shows its shared secret, this once."""
    tenant = request.staff.tenant_id
    form = ConnectionForm(queries.company_users(tenant), request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    data = form.cleaned_data
    try:
        issued = services.create_connection(
            tenant_id=tenant,
            company_id=form.companies[data["user"]],
            name=data["name"],
            identities=_identities(data),
            company_user_id=data["user"],
            named_user_allowed=data["named_user_allowed"],
        )
    except DomainError as error:
        for problem in refusals.problems_of(error):
            form.add_error(_FORM_FIELDS.get(problem.field), refusals.message(problem))
        return _page(request, form, status=422)
    return _page(request, ConnectionForm(queries.company_users(tenant)), issued=issued)


@require_POST
@staff_required(post="punchout.manage")
def switch(request: StaffRequest, connection_id: int) -> HttpResponseBase:
    """Switch a connection on or off (`active`: "1" or "0")."""
    active = request.POST.get("active") == "1"
    try:
        services.update_connection(
            tenant_id=request.staff.tenant_id, connection_id=connection_id, is_active=active
        )
    except NotFound:
        raise Http404 from None
    messages.success(
        request,
        gettext("The connection is switched on.")
        if active
        else gettext("The connection is switched off: its requests are refused."),
    )
    return redirect("backoffice:punchout")


@require_POST
@staff_required(post="punchout.manage")
def renew(request: StaffRequest, connection_id: int) -> HttpResponse:
    """A new shared secret, shown once; the old one stops working at once."""
    tenant = request.staff.tenant_id
    try:
        issued = services.renew_secret(tenant_id=tenant, connection_id=connection_id)
    except NotFound:
        raise Http404 from None
    return _page(request, ConnectionForm(queries.company_users(tenant)), issued=issued)


def _identities(data: dict[str, Any]) -> services.Identities:
    """The four identities of the connection form, as the service takes them."""
    return services.Identities(
        data["buyer_domain"],
        data["buyer_identity"],
        data["supplier_domain"],
        data["supplier_identity"],
    )


def _initial(connection: Any) -> dict[str, Any]:
    return {
        "name": connection.name,
        "user": connection.user_id,
        "buyer_domain": connection.buyer_domain,
        "buyer_identity": connection.buyer_identity,
        "supplier_domain": connection.supplier_domain,
        "supplier_identity": connection.supplier_identity,
        "named_user_allowed": connection.named_user_allowed,
    }


@require_http_methods(["GET", "POST"])
@staff_required(get="integrations.view", post="punchout.manage")
def connection(request: StaffRequest, connection_id: int) -> HttpResponseBase:
    """Change a connection's name, identities or user (the company stays: the user must be
    one of its users); refusals show next to the fields."""
    tenant = request.staff.tenant_id
    try:
        found = queries.connection(tenant, connection_id)
    except NotFound:
        raise Http404 from None
    users = queries.company_users(tenant)
    form = ConnectionForm(users, request.POST or None, initial=_initial(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_connection(
                tenant_id=tenant,
                connection_id=found.pk,
                name=data["name"],
                identities=_identities(data),
                company_user_id=data["user"],
                named_user_allowed=data["named_user_allowed"],
            )
        except DomainError as error:
            for problem in refusals.problems_of(error):
                form.add_error(_FORM_FIELDS.get(problem.field), refusals.message(problem))
        else:
            messages.success(request, gettext("The connection is changed."))
            return redirect("backoffice:punchout")
    status = 422 if request.method == "POST" else 200
    context = {"connection": found, "form": form}
    return render(request, "backoffice/punchout_connection.html", context, status=status)
