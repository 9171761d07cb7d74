"""Personal data on request, for owners (`people.erase`): a buyer's or a staff member's data
as a ZIP (what this seller holds), and erasing them after a confirmation page that names
what goes and what stays. Thin over `privacy.exporting` and `privacy.services`.

A person is reached through their membership here (a company user of one of the seller's
companies, or a staff member), so another tenant's person is not found (404)."""

from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.people import staff_people
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.customers import queries as customers
from dinghuo.privacy import exporting, queries, services


@dataclass(frozen=True)
class Person:
    """Whom the page is about, and where to go back to."""

    user_id: int
    name: str
    email: str
    back: str
    erase_url: str
    data_url: str


class EraseForm(django_forms.Form):
    confirm = django_forms.BooleanField(
        label=_("I understand that erasing cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


def _staff_person(request: StaffRequest, staff_member_id: int) -> Person:
    member = staff_people(request.staff.tenant_id).filter(pk=staff_member_id).first()
    if member is None:
        raise Http404
    user = member.user
    return Person(
        user.pk,
        user.get_full_name(),
        user.email,
        reverse("backoffice:people"),
        reverse("backoffice:people-erase", args=[member.pk]),
        reverse("backoffice:people-data", args=[member.pk]),
    )


def _buyer(request: StaffRequest, company_id: int, member_id: int) -> Person:
    try:
        member = customers.company_user(request.staff.tenant_id, company_id, member_id)
    except NotFound as missing:
        raise Http404 from missing
    user = member.user
    return Person(
        user.pk,
        user.get_full_name(),
        user.email,
        reverse("backoffice:company-user", args=[company_id, member.pk]),
        reverse("backoffice:company-user-erase", args=[company_id, member.pk]),
        reverse("backoffice:company-user-data", args=[company_id, member.pk]),
    )


def _zip(request: StaffRequest, person: Person) -> HttpResponse:
    content = exporting.export_person(user_id=person.user_id, tenant_id=request.staff.tenant_id)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="person-{person.user_id}.zip"'
    return response


def _erase(request: StaffRequest, person: Person) -> HttpResponseBase:
    tenant_id = request.staff.tenant_id
    form = EraseForm(request.POST if request.method == "POST" else None)
    elsewhere = queries.tenants_of(person.user_id) != {tenant_id}
    if request.method == "POST" and form.is_valid():
        try:
            changes.run(
                lambda: services.erase_for_seller(
                    tenant_id=tenant_id, user_id=person.user_id, by_user_id=request.staff.user_id
                )
            )
        except DomainError as refused:
            changes.show_refusal(form, refused, changes.field_of)
        else:
            messages.success(request, gettext("The person is erased."))
            return redirect(person.back)
    context = {"person": person, "form": form, "elsewhere": elsewhere}
    return render(request, "backoffice/erase_person.html", context)


@require_GET
@staff_required(get="people.erase")
def staff_data(request: StaffRequest, staff_member_id: int) -> HttpResponse:
    """A staff member's data held by this seller, as a ZIP of JSON files."""
    return _zip(request, _staff_person(request, staff_member_id))


@require_http_methods(["GET", "POST"])
@staff_required(get="people.erase", post="people.erase")
def erase_staff(request: StaffRequest, staff_member_id: int) -> HttpResponseBase:
    """What erasing a staff member takes away and what stays; POST (confirmed) erases them."""
    return _erase(request, _staff_person(request, staff_member_id))


@require_GET
@staff_required(get="people.erase")
def buyer_data(request: StaffRequest, company_id: int, member_id: int) -> HttpResponse:
    """A company user's data held by this seller, as a ZIP of JSON files."""
    return _zip(request, _buyer(request, company_id, member_id))


@require_http_methods(["GET", "POST"])
@staff_required(get="people.erase", post="people.erase")
def erase_buyer(request: StaffRequest, company_id: int, member_id: int) -> HttpResponseBase:
    """What erasing a company user takes away and what stays; POST (confirmed) erases them."""
    return _erase(request, _buyer(request, company_id, member_id))
