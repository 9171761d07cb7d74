"""Payment pages: the tenant's payments and refunds, a company's payment applied oldest first
or to the invoices chosen, a refund of its unapplied credit, and the seller's billing
settings with the button that issues the period's consolidated invoices.

Thin pages over `billing.services` (the services the API uses). A payment and a refund are
created once per form token (`pages.submits.submit_once`), so a double click records one;
refusals are said next to the field they are about. The tenant always comes from the
signed-in staff member, so another tenant's company is not found (404).
"""

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import forms
from dinghuo.backoffice.access import StaffRequest, StaffUser, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.views_billing import position, show_refusal
from dinghuo.billing import queries as billing
from dinghuo.billing import services
from dinghuo.billing.models import Allocation, BillingPolicy, Invoice, Receivable, UnbilledShipment
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.queries import seller_for
from dinghuo.core.templatetags.dinghuo import date_, money
from dinghuo.customers import queries as customers
from dinghuo.customers import services as customer_services
from dinghuo.customers.models import Company
from dinghuo.orders.models import order_number
from dinghuo.pages.invoices import KIND_LABELS, METHOD_LABELS, business_day, state_of
from dinghuo.pages.submits import submit_once

PAYMENTS_PAGE_SIZE = 50
OPEN_INVOICES_SHOWN = 100
WHO_OWES_SHOWN = 20


# --- the page ------------------------------------------------------------------------------


def _company(tenant_id: int, text: str) -> Company | None:
    """The company a staff member chose: by id (links) or by code (typed)."""
    found = customers.companies(tenant_id).select_related("price_list")
    if text.isdigit():
        return found.filter(pk=int_param(text) or 0).first()
    return found.filter(code__iexact=text).first() if text else None


def _who_owes(tenant_id: int) -> list[dict[str, Any]]:
    """The companies owing most on open invoices, with what is overdue (one query)."""
    today = business_day()
    return list(
        Receivable.objects.filter(tenant_id=tenant_id, open_amount__gt=0)
        .values("company_id", "company__code", "company__name", "invoice__currency")
        .annotate(open=Sum("open_amount"), overdue=Sum("open_amount", filter=Q(due_on__lt=today)))
        .order_by("-open", "company_id")[:WHO_OWES_SHOWN]
    )


def _open_invoices(tenant_id: int, company_id: int) -> list[Invoice]:
    return list(
        billing.invoices(tenant_id, company_id=company_id, state=billing.OPEN).order_by(
            "due_on", "id"
        )[:OPEN_INVOICES_SHOWN]
    )


def _payments(tenant_id: int, company_id: int | None, before: int | None) -> list[Any]:
    """A page of payments and refunds with the invoices they paid (two queries)."""
    found = billing.payments(tenant_id, company_id=company_id).prefetch_related(
        Prefetch(
            "allocations", queryset=Allocation.objects.select_related("invoice").order_by("id")
        )
    )
    if before is not None:
        found = found.filter(pk__lt=before)
    return list(found[: PAYMENTS_PAGE_SIZE + 1])


def _company_forms(
    company: Company, invoices: list[Invoice], bound: dict[str, Any]
) -> dict[str, Any]:
    today = business_day()
    payment = bound.get("payment") or forms.CompanyPaymentForm(
        open_invoices=[i.pk for i in invoices], initial={"received_on": today}
    )
    refund = bound.get("refund") or forms.RefundForm(initial={"refunded_on": today})
    return {"payment_form": payment, "refund_form": refund}


def _payments_page(
    request: StaffRequest, company: Company | None, bound: dict[str, Any] | None = None
) -> HttpResponse:
    tenant_id, today = request.staff.tenant_id, business_day()
    page = _payments(
        tenant_id, company.pk if company else None, int_param(request.GET.get("before"))
    )
    shown = page[:PAYMENTS_PAGE_SIZE]
    context: dict[str, Any] = {
        "company": company,
        "payments": [
            (
                p,
                KIND_LABELS.get(p.kind, p.kind),
                METHOD_LABELS.get(p.method, p.method),
                order_number(p.order_id) if p.order_id else "",
            )
            for p in shown
        ],
        "next_before": shown[-1].pk if len(page) > PAYMENTS_PAGE_SIZE else None,
    }
    if company is None:
        context["who_owes"] = _who_owes(tenant_id)
        return render(request, "backoffice/payments.html", context)
    invoices = _open_invoices(tenant_id, company.pk)
    currency = company.price_list.currency
    context |= _company_forms(company, invoices, bound or {})
    context |= {
        "currency": currency,
        "balance": billing.balance(tenant_id, company.pk, currency, today),
        "open_invoices": [
            (*state_of(i, today), context["payment_form"].amount_of(i.pk)) for i in invoices
        ],
    }
    return render(request, "backoffice/payments.html", context)


@require_GET
@staff_required(get="billing.view")
def payments(request: StaffRequest) -> HttpResponse:
    """Payments and refunds, newest first; with `?company=` (its id or code) that company's,
    where it stands, its open invoices, and the forms to record its payment or a refund."""
    text = (request.GET.get("company") or "").strip()[:64]
    company = _company(request.staff.tenant_id, text)
    if text and company is None:
        messages.error(request, refusals.code_message("unknown_company"))
    return _payments_page(request, company)


# --- a company's payment, a refund ---------------------------------------------------------


def _chosen_company(staff: StaffUser, company_id: int) -> Company:
    found = _company(staff.tenant_id, str(company_id))
    if found is None:
        raise Http404
    return found


def _once(request: HttpRequest, staff: StaffUser, token: str, body: Any, create: Any) -> Any:
    return submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=token,
        body=body,
        create=create,
    )


def _record_company_payment(
    request: HttpRequest, staff: StaffUser, company: Company, form: forms.CompanyPaymentForm
) -> None:
    data = form.cleaned_data
    chosen = form.chosen()
    body = {
        "company": company.pk,
        "amount": str(data["amount"]),
        "method": data["method"],
        "received_on": data["received_on"].isoformat(),
        "reference": data["reference"],
        "chosen": None if chosen is None else [[i, str(a)] for i, a in chosen],
    }

    def create() -> tuple[int, dict[str, Any]]:
        payment = services.record_payment(
            tenant_id=staff.tenant_id,
            company_id=company.pk,
            amount=data["amount"],
            currency=company.price_list.currency,
            method=data["method"],
            received_on=data["received_on"],
            reference=data["reference"],
            allocations=None if chosen is None else [services.Allocate(i, a) for i, a in chosen],
            recorded_by=staff.name,
        )
        return 201, {"payment_id": payment.pk}

    _once(request, staff, data["token"], body, create)


def _allocation_target(chosen: list[int]) -> Any:
    """`allocations[i]…` → the amount field of the i-th invoice chosen."""

    def target(field: str) -> str | None:
        at = position(field)
        if field.startswith("allocations[") and at is not None and at < len(chosen):
            return forms.invoice_field(chosen[at])
        return None if field == "allocations" else field

    return target


@require_POST
@staff_required(post="billing.change")
def company_payment(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """Record a company's payment (once per form token), applied oldest first or to the
    invoices chosen; the rest is its unapplied credit."""
    staff = request.staff
    company = _chosen_company(staff, company_id)
    invoices = [i.pk for i in _open_invoices(staff.tenant_id, company.pk)]
    form = forms.CompanyPaymentForm(request.POST, open_invoices=invoices)
    if not form.is_valid():
        return _payments_page(request, company, {"payment": form})
    try:
        _record_company_payment(request, staff, company, form)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        chosen = [i for i, _amount in form.chosen() or []]
        show_refusal(form, error, _allocation_target(chosen))
        return _payments_page(request, company, {"payment": form})
    messages.success(
        request,
        gettext("A payment of %(amount)s from %(company)s is recorded.")
        % {
            "amount": money(form.cleaned_data["amount"], company.price_list.currency),
            "company": company.name,
        },
    )
    return redirect(f"{reverse('backoffice:payments')}?company={company.pk}")


def _refundable_in_money(error: DomainError, currency: str) -> DomainError:
    """The refusal with what may be refunded as money in the reader's locale (the service
    says it as a plain decimal)."""
    for i, problem in enumerate(error.errors):
        refundable = problem.extra.get("refundable")
        if isinstance(refundable, str):
            extra = {**problem.extra, "refundable": money(refundable, currency)}
            error.errors[i] = replace(problem, extra=extra)
    return error


@require_POST
@staff_required(post="billing.change")
def company_refund(request: StaffRequest, company_id: int) -> HttpResponseBase:
    """Pay back some of a company's unapplied credit (once per form token)."""
    staff = request.staff
    company = _chosen_company(staff, company_id)
    form = forms.RefundForm(request.POST)
    if not form.is_valid():
        return _payments_page(request, company, {"refund": form})
    data = form.cleaned_data
    body = {
        "company": company.pk,
        "amount": str(data["amount"]),
        "method": data["method"],
        "refunded_on": data["refunded_on"].isoformat(),
        "reference": data["reference"],
    }

    def create() -> tuple[int, dict[str, Any]]:
        paid_back = services.refund(
            tenant_id=staff.tenant_id,
            company_id=company.pk,
            amount=data["amount"],
            method=data["method"],
            refunded_on=data["refunded_on"],
            reference=data["reference"],
            recorded_by=staff.name,
        )
        return 201, {"payment_id": paid_back.pk}

    try:
        _once(request, staff, data["token"], body, create)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        show_refusal(form, _refundable_in_money(error, company.price_list.currency))
        return _payments_page(request, company, {"refund": form})
    messages.success(
        request,
        gettext("A refund of %(amount)s to %(company)s is recorded.")
        % {"amount": money(data["amount"], company.price_list.currency), "company": company.name},
    )
    return redirect(f"{reverse('backoffice:payments')}?company={company.pk}")


# --- the billing settings ------------------------------------------------------------------


def _settings_page(request: StaffRequest, form: forms.BillingPolicyForm | None) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    seller = seller_for(tenant_id, None)
    policy = services.policy_for(tenant_id, seller.pk)
    if form is None:
        form = forms.BillingPolicyForm(
            initial={
                "invoicing": policy.invoicing,
                "legal_name": policy.legal_name,
                "address": policy.address,
                "tax_number": policy.tax_number,
                "payment_instructions": policy.payment_instructions,
                "receivables_source": customer_services.receivables_source(tenant_id, seller.pk),
            }
        )
    periodic = policy.invoicing != BillingPolicy.Invoicing.PER_SHIPMENT
    through = services.period_through(policy.invoicing, business_day()) if periodic else None
    waiting = (
        UnbilledShipment.objects.filter(
            tenant_id=tenant_id, seller_id=seller.pk, shipped_on__lte=through
        )
        .values("shipment_id")
        .distinct()
        .count()
        if through
        else 0
    )
    return render(
        request,
        "backoffice/billing_settings.html",
        {"form": form, "seller": seller, "through": through, "waiting": waiting},
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="billing.view", post="settings.change")
def billing_settings(request: StaffRequest) -> HttpResponseBase:
    """How the seller invoices, the legal details and payment instructions its documents
    print, and where its receivables come from."""
    if request.method != "POST":
        return _settings_page(request, None)
    form = forms.BillingPolicyForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, form)
    tenant_id = request.staff.tenant_id
    try:
        services.set_billing_policy(
            tenant_id=tenant_id, seller_id=seller_for(tenant_id, None).pk, **form.cleaned_data
        )
    except DomainError as error:
        show_refusal(form, error)
        return _settings_page(request, form)
    messages.success(request, gettext("The billing settings are saved."))
    return redirect("backoffice:billing-settings")


@require_POST
@staff_required(post="billing.change")
def issue_period(request: StaffRequest) -> HttpResponseBase:
    """Issue the consolidated invoices of the last complete week or month now (a second
    click finds nothing left to invoice)."""
    tenant_id = request.staff.tenant_id
    seller = seller_for(tenant_id, None)
    policy = services.policy_for(tenant_id, seller.pk)
    if policy.invoicing == BillingPolicy.Invoicing.PER_SHIPMENT:
        messages.warning(request, gettext("Every shipment is invoiced when it ships."))
        return redirect("backoffice:billing-settings")
    through = services.period_through(policy.invoicing, business_day())
    issued = services.issue_period_invoices(
        tenant_id=tenant_id, seller_id=seller.pk, through=through
    )
    messages.success(
        request,
        ngettext(
            "%(count)d invoice issued for goods shipped up to %(day)s.",
            "%(count)d invoices issued for goods shipped up to %(day)s.",
            len(issued),
        )
        % {"count": len(issued), "day": date_(through)},
    )
    return redirect("backoffice:invoices")
