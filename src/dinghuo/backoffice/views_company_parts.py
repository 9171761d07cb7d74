"""A company's addresses, users and credit line, added and changed by staff.

Thin pages over `customers.services` (`create_location`, `update_location`,
`create_company_user`, `update_company_user`, `update_credit_line`), the API's writes with
their events on the company. A credit change asks for a reason, kept in its event. The
tenant always comes from the signed-in staff member, and an address or user is looked up
within the company: another tenant's or another company's id finds nothing (404).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_companies import CompanyUserForm, CreditForm, LocationForm
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.money import format_unit_price
from dinghuo.customers import queries as customers
from dinghuo.customers import services
from dinghuo.customers.models import Company, CompanyUser, Location


def _company(tenant_id: int, company_id: int) -> Company:
    try:
        return customers.company_detail(tenant_id, company_id)
    except NotFound as error:
        raise Http404 from error


def _back(company: Company) -> HttpResponseBase:
    return redirect("backoffice:company", company_id=company.pk)


# --- addresses ----------------------------------------------------------------------------


LOCATION_FIELDS = ("kind", "name", "line1", "line2", "city", "postal_code", "country", "region")


def _location_values(data: dict[str, Any]) -> dict[str, Any]:
    return {field: data[field] for field in LOCATION_FIELDS}


@require_http_methods(["GET", "POST"])
@staff_required(get="customers.change", post="customers.change")
def new_location(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """A new ship-to or bill-to address of the company (`create_location`)."""
    tenant_id = request.staff.tenant_id
    company = _company(tenant_id, company_id)
    form = LocationForm(request.POST if request.method == "POST" else None)
    del form.fields["is_active"]  # a new address is in use
    if request.method == "POST" and form.is_valid():
        values = _location_values(form.cleaned_data)
        try:
            changes.run(
                lambda: services.create_location(
                    tenant_id=tenant_id, company_id=company.pk, **values
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The address is added."))
            return _back(company)
    context = {"company": company, "form": form, "location": None}
    return render(request, "backoffice/company_location.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(get="customers.view", post="customers.change")
def location(request: StaffRequest, company_id: int, location_id: int) -> HttpResponseBase:
    """One address of the company; POST changes it (`update_location`)."""
    tenant_id = request.staff.tenant_id
    company = _company(tenant_id, company_id)
    try:
        found: Location = customers.location(tenant_id, company.pk, location_id)
    except NotFound as error:
        raise Http404 from error
    initial = {field: getattr(found, field) for field in (*LOCATION_FIELDS, "is_active")}
    form = LocationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.update_location(
                    tenant_id=tenant_id,
                    company_id=company.pk,
                    location_id=found.pk,
                    is_active=data["is_active"],
                    **_location_values(data),
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The address is saved."))
            return _back(company)
    context = {"company": company, "form": form, "location": found}
    return render(request, "backoffice/company_location.html", context)


# --- users --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(get="customers.change", post="customers.change")
def new_user(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """A new user of the company (`create_company_user`): a sign-in named by their email,
    with no password until they set one."""
    tenant_id = request.staff.tenant_id
    company = _company(tenant_id, company_id)
    form = CompanyUserForm(request.POST if request.method == "POST" else None)
    del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.create_company_user(
                    tenant_id=tenant_id,
                    company_id=company.pk,
                    email=data["email"],
                    name=data["name"],
                    role=data["role"],
                    spending_limit=data["spending_limit"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            # `create_company_user` invites them (as the API's route does): they sign in
            # once they have chosen a password through the mailed link.
            messages.success(
                request, gettext("%(email)s is added to the company.") % {"email": data["email"]}
            )
            return _back(company)
    context = {"company": company, "form": form, "member": None}
    return render(request, "backoffice/company_user.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(get="customers.view", post="customers.change")
def user(request: StaffRequest, company_id: int, member_id: int) -> HttpResponseBase:
    """One user of the company: name, role, spending limit and whether they may sign in
    (`update_company_user`; the company's last active admin stays one)."""
    tenant_id = request.staff.tenant_id
    company = _company(tenant_id, company_id)
    try:
        found: CompanyUser = customers.company_user(tenant_id, company.pk, member_id)
    except NotFound as error:
        raise Http404 from error
    initial = {
        "email": found.user.email,
        "name": found.user.first_name,
        "role": found.role,
        "spending_limit": found.spending_limit,
        "is_active": found.is_active,
    }
    form = CompanyUserForm(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["email"].disabled = True  # the sign-in's name: the person changes it
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.update_company_user(
                    tenant_id=tenant_id,
                    company_id=company.pk,
                    company_user_id=found.pk,
                    name=data["name"],
                    role=data["role"],
                    spending_limit=data["spending_limit"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The user is saved."))
            return _back(company)
    context = {"company": company, "form": form, "member": found}
    return render(request, "backoffice/company_user.html", context)


@require_POST
@staff_required(post="customers.change")
def user_invitation(
    request: StaffRequest, company_id: int, member_id: int, action: str
) -> HttpResponseBase:
    """Send a company user's invitation again (a new link; the old one stops working) or
    withdraw the one waiting (`resend_company_user_invitation`,
    `revoke_company_user_invitation`); a refusal is said on the user's page."""
    staff = request.staff
    company = _company(staff.tenant_id, company_id)
    target = {"tenant_id": staff.tenant_id, "company_id": company.pk, "company_user_id": member_id}
    try:
        if action == "resend":
            services.resend_company_user_invitation(**target, invited_by=staff.name)
            messages.success(request, gettext("The invitation is sent again."))
        elif action == "withdraw":
            services.revoke_company_user_invitation(**target)
            messages.success(
                request, gettext("The invitation is withdrawn: its link no longer works.")
            )
        else:
            raise Http404
    except NotFound as missing:
        if missing.code != "invitation_not_found":
            raise Http404 from missing
        messages.error(request, refusals.messages(missing)[0])
    except DomainError as refused:
        for said in refusals.messages(refused):
            messages.error(request, said)
    return redirect("backoffice:company-user", company_id=company.pk, member_id=member_id)


# --- credit -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(get="credit.view", post="credit.change")
def credit(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """The company's credit limit, payment terms and deposit, changed with a reason
    (`update_credit_line`)."""
    tenant_id = request.staff.tenant_id
    company = _company(tenant_id, company_id)
    summary = customers.credit_summary(company, with_group=False)
    initial = {
        "credit_limit": None
        if summary.credit_limit is None
        else format_unit_price(summary.credit_limit, summary.currency),
        "terms": summary.terms,
        "terms_days": summary.terms_days,
        "deposit_percent": summary.deposit_percent,
    }
    form = CreditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.update_credit_line(
                    tenant_id=tenant_id,
                    company_id=company.pk,
                    credit_limit=data["credit_limit"],
                    terms=data["terms"],
                    terms_days=data["terms_days"],
                    deposit_percent=data["deposit_percent"],
                    reason=data["reason"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The credit terms are saved."))
            return _back(company)
    context = {"company": company, "form": form, "currency": company.price_list.currency}
    return render(request, "backoffice/company_credit.html", context)
