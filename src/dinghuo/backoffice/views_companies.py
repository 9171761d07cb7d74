"""Company pages: the tenant's buying companies (search, a page at a time), one company
with its credit, users, addresses, group and members, and the prices it gets, and a company
created and changed.

Thin pages over `customers.queries` (the credit read the API answers with),
`pricing.queries.explain` (the price explanation the API gives) and `customers.services`
(the API's writes, with their events). The tenant always comes from the signed-in staff
member, so another tenant's company id finds nothing (404). Its addresses, users and credit
are changed on the pages of `views_company_parts`.
"""

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_companies import CompanyForm
from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.queries import company_by_code
from dinghuo.billing import queries as billing
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError, NotFound
from dinghuo.customers import queries as customers
from dinghuo.customers import services
from dinghuo.customers.models import Company
from dinghuo.pages.invoices import business_day
from dinghuo.pages.labels import CREDIT_STATUS_LABELS, KIND_LABELS, ROLE_LABELS, credit_terms
from dinghuo.pages.responses import is_htmx
from dinghuo.pricing import queries as pricing
from dinghuo.pricing.resolution import CONTRACT

COMPANIES_PAGE_SIZE = 50

PRICE_PROBLEMS: dict[str, Any] = {
    "not_in_assortment": _("Outside the company's assortment: it cannot buy this SKU."),
    "inactive_sku": _("This SKU can no longer be ordered."),
    "no_price": _("No price for the company at this quantity."),
    "below_minimum": _("Below the company's minimum order quantity."),
    "not_pack_multiple": _("Not a whole number of packs."),
}
SOURCE_LABELS: dict[str, Any] = {
    CONTRACT: _("Contract price"),
}


# --- the list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompaniesPage:
    companies: list[Company]
    page: int
    has_next: bool


def companies_page(tenant_id: int, *, q: str = "", page: int = 1) -> CompaniesPage:
    """A page of the tenant's companies by name, with price list and parent (two queries:
    the rows and their group ids)."""
    qs: QuerySet[Company] = customers.companies(tenant_id, q=q or None).select_related("parent")
    start = (page - 1) * COMPANIES_PAGE_SIZE
    found = list(qs.order_by("name", "id")[start : start + COMPANIES_PAGE_SIZE + 1])
    return CompaniesPage(found[:COMPANIES_PAGE_SIZE], page, len(found) > COMPANIES_PAGE_SIZE)


@require_GET
@staff_required(get="customers.view")
def companies(request: StaffRequest) -> HttpResponse:
    """The tenant's companies, searchable by code or name, a page at a time."""
    q = (request.GET.get("q") or "").strip()[:64]
    found = companies_page(
        request.staff.tenant_id, q=q, page=int_param(request.GET.get("page")) or 1
    )
    context = {"found": found, "q": q}
    if is_htmx(request):
        return render(request, "backoffice/_company_rows.html", context)
    return render(request, "backoffice/companies.html", context)


# --- one company --------------------------------------------------------------------------


class PriceQuestionForm(django_forms.Form):
    """Which SKU, how many: the question "what would this company pay?"."""

    sku = django_forms.CharField(label=_("SKU code"), max_length=64)
    quantity = django_forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=1_000_000_000,
        initial=1,
        widget=django_forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


@dataclass(frozen=True)
class PriceAnswer:
    """A price explanation as the page shows it."""

    explanation: pricing.Explanation
    problems: list[str]
    source: str

    @property
    def resolution(self) -> Any:
        return self.explanation.verdict.resolution

    @property
    def line_total(self) -> Any:
        resolution = self.resolution
        return None if resolution is None else resolution.unit_price * self.explanation.quantity


def price_answer(tenant_id: int, company_id: int, form: PriceQuestionForm) -> PriceAnswer | None:
    """The explanation of the price the form asks about, or None (with the problem next to
    the field) when the form is not valid or the SKU is unknown."""
    if not form.is_valid():
        return None
    try:
        found = pricing.explain(
            tenant_id, company_id, form.cleaned_data["sku"], form.cleaned_data["quantity"]
        )
    except NotFound as error:
        if any(problem.field == "sku" for problem in error.errors):
            form.add_error("sku", gettext("No such SKU."))
            return None
        raise
    # The problems are the explanation's own, the ones the API answers with, so the page and
    # the API agree.
    codes = found.problems
    resolution = found.verdict.resolution
    source = ""
    if resolution is not None:
        source = (
            str(SOURCE_LABELS[CONTRACT])
            if resolution.source == CONTRACT
            else gettext("Price list %(code)s") % {"code": resolution.reference}
        )
    return PriceAnswer(found, [str(PRICE_PROBLEMS.get(c, c)) for c in codes], source)


def _company(tenant_id: int, company_id: int) -> Company:
    try:
        return customers.company_detail(tenant_id, company_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="customers.view")
def company(request: StaffRequest, company_id: int) -> HttpResponse:
    """One company: credit (limit, exposure, available, terms, days overdue, status), where
    it stands on invoices (open, overdue, unapplied credit), users with roles and spending
    limits, addresses, customer groups, parent and members, and the prices it gets
    (`?sku=…&quantity=…` answers with the price explanation)."""
    tenant_id = request.staff.tenant_id
    asked = "sku" in request.GET
    form = PriceQuestionForm(request.GET if asked else None)
    if is_htmx(request) and asked:
        asked_of = _company(tenant_id, company_id)  # 404 before anything is explained
        answer = price_answer(tenant_id, asked_of.pk, form)
        return render(
            request,
            "backoffice/_price_answer.html",
            {"company": asked_of, "form": form, "answer": answer},
        )
    found = _company(tenant_id, company_id)
    answer = price_answer(tenant_id, found.pk, form) if asked else None
    credit = customers.credit_summary(found)
    group_ids = [group.pk for group in found.groups.all()]
    groups = list(customers.customer_groups(tenant_id).filter(pk__in=group_ids).order_by("name"))
    parent = (
        customers.companies(tenant_id).filter(pk=found.parent_id).first()
        if found.parent_id
        else None
    )
    members = list(customers.members(tenant_id, found.pk).order_by("name", "id")[:100])
    return render(
        request,
        "backoffice/company.html",
        {
            "company": found,
            "currency": found.price_list.currency,
            "credit": credit,
            "credit_terms": credit_terms(credit),
            "credit_status": CREDIT_STATUS_LABELS.get(credit.status, credit.status),
            "balance": billing.balance(
                tenant_id, found.pk, found.price_list.currency, business_day()
            ),
            "users": [
                (member, ROLE_LABELS.get(member.role, member.role)) for member in found.users.all()
            ],
            "locations": [
                (location, KIND_LABELS.get(location.kind, location.kind))
                for location in found.locations.all()
            ],
            "groups": groups,
            "parent": parent,
            "members": members,
            "form": form,
            "answer": answer,
        },
    )


# --- a company created and changed ---------------------------------------------------------

# The form field each problem of the company services is about.
COMPANY_FIELDS = {"price_list_id": "price_list", "parent_id": "parent_code", "group_ids": "groups"}


def _company_field(problem: FieldError) -> str:
    field = changes.field_of(problem)
    return COMPANY_FIELDS.get(field, field)


def _company_form(tenant_id: int, data: Any = None, **kwargs: Any) -> CompanyForm:
    """The company form with the tenant's price lists and customer groups (two queries)."""
    lists = (
        pricing.price_lists(tenant_id).order_by("name", "pk").values_list("pk", "name", "currency")
    )
    groups = customers.customer_groups(tenant_id).order_by("name", "pk").values_list("pk", "name")
    return CompanyForm(
        data,
        price_lists=[(pk, f"{name} ({currency})") for pk, name, currency in lists],
        groups=[(pk, str(name)) for pk, name in groups],
        **kwargs,
    )


def _read_parent(tenant_id: int, form: CompanyForm) -> tuple[bool, int | None]:
    """Whether the form is valid and names a known head company (or none), and its id; an
    unknown code is an error on the form."""
    if not form.is_valid():
        return False, None
    code = form.cleaned_data["parent_code"].strip()
    if not code:
        return True, None
    found = company_by_code(tenant_id, code)
    if found is None:
        form.add_error("parent_code", refusals.code_message("unknown_company"))
    return found is not None, found


@require_http_methods(["GET", "POST"])
@staff_required(get="customers.change", post="customers.change")
def new_company(request: StaffRequest) -> HttpResponseBase:
    """A new buying company (`create_company`); its credit line starts at net 30, no limit."""
    tenant_id = request.staff.tenant_id
    form = _company_form(tenant_id, request.POST if request.method == "POST" else None)
    del form.fields["is_active"]  # a new company may order; switch it off once it exists
    valid, parent_id = _read_parent(tenant_id, form) if request.method == "POST" else (False, None)
    if valid:
        data = form.cleaned_data
        try:
            created = changes.run(
                lambda: services.create_company(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=data["name"],
                    price_list_id=data["price_list"],
                    parent_id=parent_id,
                    group_ids=data["groups"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, _company_field)
        else:
            messages.success(request, gettext("%(name)s is created.") % {"name": created.name})
            return redirect("backoffice:company", company_id=created.pk)
    return render(request, "backoffice/company_form.html", {"form": form, "company": None})


@require_http_methods(["GET", "POST"])
@staff_required(get="customers.change", post="customers.change")
def edit_company(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """Change a company (`update_company`) and whether it may order (`activate_company`,
    `deactivate_company`), in one transaction."""
    tenant_id = request.staff.tenant_id
    found = _company(tenant_id, company_id)
    parent = (
        customers.companies(tenant_id).filter(pk=found.parent_id).first()
        if found.parent_id
        else None
    )
    initial = {
        "code": found.code,
        "name": found.name,
        "price_list": found.price_list_id,
        "parent_code": parent.code if parent else "",
        "groups": [group.pk for group in found.groups.all()],
        "is_active": found.is_active,
    }
    posted = request.POST if request.method == "POST" else None
    form = _company_form(tenant_id, posted, initial=initial)
    valid, parent_id = _read_parent(tenant_id, form) if posted is not None else (False, None)
    if valid:
        data = form.cleaned_data

        def change() -> None:
            services.update_company(
                tenant_id=tenant_id,
                company_id=found.pk,
                code=data["code"],
                name=data["name"],
                price_list_id=data["price_list"],
                parent_id=parent_id,
                group_ids=data["groups"],
            )
            switch = services.activate_company if data["is_active"] else services.deactivate_company
            switch(tenant_id=tenant_id, company_id=found.pk)

        try:
            changes.run(change)
        except DomainError as error:
            changes.show_refusal(form, error, _company_field)
        else:
            messages.success(request, gettext("The company is saved."))
            return redirect("backoffice:company", company_id=found.pk)
    return render(request, "backoffice/company_form.html", {"form": form, "company": found})
