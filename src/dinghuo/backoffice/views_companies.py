"""Company pages: the tenant's buying companies (search, a page at a time) and one company
with its credit, users, addresses, group and members, and the prices it gets.

Thin pages over `customers.queries` (the credit read the API answers with) and
`pricing.queries.explain` (the price explanation the API gives). The tenant always comes from
the signed-in staff member, so another tenant's company id finds nothing (404).
"""

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.billing import queries as billing
from dinghuo.core.errors import NotFound
from dinghuo.customers import queries as customers
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
