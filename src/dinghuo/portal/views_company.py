"""My company: what every buyer may read of their company (parent, groups, credit, addresses)
and what its admins manage (users with their roles and spending limits, addresses).

Reads through `customers.queries.buyer_view` (what the API's `/my/company` answers) and
`customers.queries.company_users`; writes through `customers.services` as the API's `/my/users`
and `/my/locations` do. The user list is for company admins only, as in the API. Which emails,
countries and limits are valid, and that a company keeps an active admin, are the services'
rules: the page shows their refusals next to the field they name.
"""

from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.money import round_money
from dinghuo.customers import queries as customer_queries
from dinghuo.customers import services as customer_services
from dinghuo.customers.models import CompanyUser, Location
from dinghuo.pages.labels import (
    CREDIT_STATUS_LABELS,
    KIND_CHOICES,
    KIND_LABELS,
    ROLE_CHOICES,
    ROLE_LABELS,
    credit_terms,
)
from dinghuo.pages.responses import is_htmx
from dinghuo.portal import forms
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required, company_admin_required


class NewUserForm(django_forms.Form):
    email = django_forms.EmailField(label=_("Email"), max_length=150)
    name = django_forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=150)
    role = django_forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    spending_limit = django_forms.DecimalField(
        label=_("Spending limit"),
        required=False,
        max_digits=15,
        decimal_places=4,
        help_text=_("Orders above it wait for an approver. Empty: no limit."),
    )


class UserChangeForm(django_forms.Form):
    role = django_forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    spending_limit = django_forms.DecimalField(
        label=_("Spending limit"), required=False, max_digits=15, decimal_places=4
    )
    is_active = django_forms.BooleanField(label=_("May sign in"), required=False)


class AddressForm(django_forms.Form):
    kind = django_forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    name = django_forms.CharField(label=_("Name"), max_length=200)
    line1 = django_forms.CharField(label=_("Address"), max_length=200)
    line2 = django_forms.CharField(label=_("Address, second line"), max_length=200, required=False)
    city = django_forms.CharField(label=_("City"), max_length=100)
    postal_code = django_forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = django_forms.CharField(
        label=_("Country code"), min_length=2, max_length=2, help_text=_("Two letters, e.g. HK.")
    )

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()


class AddressChangeForm(AddressForm):
    is_active = django_forms.BooleanField(label=_("In use"), required=False)


def show_refusal(form: django_forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: next to the field it names, else above the form."""
    for problem in refusals.problems_of(error):
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, forms.problem_message(problem))


def _user_row(member: CompanyUser, form: UserChangeForm | None = None) -> dict[str, Any]:
    user = member.user
    form = form or UserChangeForm(
        prefix=f"user-{member.pk}",
        initial={
            "role": member.role,
            # As many decimals as the currency has: 500.00, not the stored 500.0000.
            "spending_limit": None
            if member.spending_limit is None
            else round_money(member.spending_limit, member.company.price_list.currency),
            "is_active": member.is_active,
        },
    )
    return {
        "member": member,
        "name": f"{user.first_name} {user.last_name}".strip() or user.email,
        "email": user.email,
        "role": ROLE_LABELS.get(member.role, member.role),
        "active": member.is_active,
        "invited": getattr(member, "invitation_open", False),
        "joined": user.has_usable_password() and not getattr(member, "invitation_open", False),
        "form": form,
    }


def _company_page(
    request: BuyerRequest,
    *,
    user_form: NewUserForm | None = None,
    address_form: AddressForm | None = None,
) -> HttpResponse:
    buyer = request.buyer
    view = customer_queries.buyer_view(buyer.tenant_id, buyer.company_id, buyer.company_user_id)
    users = []
    if buyer.is_company_admin:
        members = customer_queries.company_users(buyer.tenant_id, buyer.company_id)
        users = [_user_row(m) for m in members.order_by("user__email", "id")]
    credit = view.credit
    return render(
        request,
        "portal/company.html",
        {
            "company": view.company,
            "groups": list(view.company.groups.all()),
            "addresses": [
                (location, KIND_LABELS.get(location.kind, location.kind))
                for location in view.company.locations.all()
            ],
            "credit": credit,
            "credit_terms": credit_terms(credit),
            "credit_status": CREDIT_STATUS_LABELS.get(credit.status, credit.status),
            "users": users,
            "user_form": user_form or NewUserForm(initial={"role": CompanyUser.Role.BUYER}),
            "address_form": address_form
            or AddressForm(initial={"kind": Location.Kind.SHIP_TO}, prefix="new-address"),
        },
    )


@require_GET
@buyer_required
def company(request: BuyerRequest) -> HttpResponse:
    """The buyer's company: parent, groups, credit, addresses; for its admins also the users
    and the forms to add users and addresses."""
    return _company_page(request)


@require_POST
@company_admin_required
def add_user(request: BuyerRequest) -> HttpResponseBase:
    """Add a person to the company (company admins only) and mail them an invitation: they
    sign in once they have accepted it."""
    buyer = request.buyer
    form = NewUserForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            customer_services.create_company_user(
                tenant_id=buyer.tenant_id,
                company_id=buyer.company_id,
                email=data["email"],
                name=data["name"].strip(),
                role=data["role"],
                spending_limit=data["spending_limit"],
                invited_by=buyer.name,
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, gettext("We sent %(email)s an invitation to buy for your company.") % data
            )
            return redirect("portal:company")
    return _company_page(request, user_form=form)


def _members_change(buyer: Buyer, member_id: int, data: dict[str, Any]) -> CompanyUser:
    limit: Decimal | None = data["spending_limit"]
    return customer_services.update_company_user(
        tenant_id=buyer.tenant_id,
        company_id=buyer.company_id,
        company_user_id=member_id,
        role=data["role"],
        spending_limit=limit,
        is_active=data["is_active"],
    )


@require_POST
@company_admin_required
def change_user(request: BuyerRequest, member_id: int) -> HttpResponseBase:
    """Change a user's role, spending limit and whether they may sign in (company admins only).
    With HTMX the user's entry answers in place, with any refusal next to its field. Another
    company's user is not found."""
    buyer = request.buyer
    try:
        member = customer_queries.company_user(buyer.tenant_id, buyer.company_id, member_id)
    except NotFound as error:
        raise Http404 from error
    form = UserChangeForm(request.POST, prefix=f"user-{member.pk}")
    saved = False
    if form.is_valid():
        try:
            _members_change(buyer, member.pk, form.cleaned_data)
        except NotFound as error:
            raise Http404 from error
        except DomainError as error:
            show_refusal(form, error)
        else:
            saved = True
            # Read again as the page reads users (with the currency of the limit).
            member = customer_queries.company_user(buyer.tenant_id, buyer.company_id, member.pk)
    if is_htmx(request):
        row = _user_row(member, None if saved else form)
        return render(request, "portal/_company_user.html", {"row": row, "saved": saved})
    if saved:
        messages.success(request, gettext("Saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("portal:company")


@require_POST
@company_admin_required
def add_address(request: BuyerRequest) -> HttpResponseBase:
    """Add a ship-to or bill-to address to the company (company admins only)."""
    buyer = request.buyer
    form = AddressForm(request.POST, prefix="new-address")
    if form.is_valid():
        try:
            customer_services.create_location(
                tenant_id=buyer.tenant_id, company_id=buyer.company_id, **form.cleaned_data
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, gettext("The address is added."))
            return redirect("portal:company")
    return _company_page(request, address_form=form)


@require_http_methods(["GET", "POST"])
@company_admin_required
def address(request: BuyerRequest, location_id: int) -> HttpResponseBase:
    """Change one of the company's addresses, or stop using it (company admins only). Orders
    keep the address they were placed with. Another company's address is not found."""
    buyer = request.buyer
    try:
        location = customer_queries.location(buyer.tenant_id, buyer.company_id, location_id)
    except NotFound as error:
        raise Http404 from error
    if request.method == "POST":
        form = AddressChangeForm(request.POST)
        if form.is_valid():
            try:
                customer_services.update_location(
                    tenant_id=buyer.tenant_id,
                    company_id=buyer.company_id,
                    location_id=location.pk,
                    **form.cleaned_data,
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, gettext("The address is saved."))
                return redirect("portal:company")
    else:
        fields = ["kind", "name", "line1", "line2", "city", "postal_code", "country", "is_active"]
        form = AddressChangeForm(initial={f: getattr(location, f) for f in fields})
    return render(request, "portal/company_address.html", {"form": form, "location": location})


@require_POST
@company_admin_required
def invitation(request: BuyerRequest, member_id: int, action: str) -> HttpResponseBase:
    """Send a user's invitation again (a new link) or withdraw it (company admins only);
    another company's user is not found."""
    buyer = request.buyer
    try:
        if action == "resend":
            customer_services.resend_company_user_invitation(
                tenant_id=buyer.tenant_id,
                company_id=buyer.company_id,
                company_user_id=member_id,
                invited_by=buyer.name,
            )
        elif action == "revoke":
            customer_services.revoke_company_user_invitation(
                tenant_id=buyer.tenant_id, company_id=buyer.company_id, company_user_id=member_id
            )
        else:
            raise Http404
    except NotFound as error:
        if error.code != "invitation_not_found":  # another company's user
            raise Http404 from error
        messages.error(request, forms.problem_message(refusals.problems_of(error)[0]))
    except DomainError as error:
        for problem in refusals.problems_of(error):
            messages.error(request, forms.problem_message(problem))
    else:
        done = (
            gettext("The invitation is sent again.")
            if action == "resend"
            else gettext("The invitation is withdrawn: its link no longer works.")
        )
        messages.success(request, done)
    return redirect("portal:company")
