"""Invoice pages: the tenant's invoices (by company, state and number, with what is open and
overdue), one invoice with the forms to record a payment for it and to issue a credit note
against it, and the invoices' and credit notes' PDFs.

Thin pages over `billing.queries` and `billing.services` (the services the API uses): a
payment and a credit note are created once per form token (`pages.submits.submit_once`), so a
double click records one; refusals are said next to the field they are about. The tenant
always comes from the signed-in staff member, so another tenant's invoice is not found (404).
"""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms
from dinghuo.backoffice.access import StaffRequest, StaffUser, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.billing import documents, services
from dinghuo.billing import queries as billing
from dinghuo.billing.models import CreditNoteLine, Invoice, Receivable
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.money import format_amount
from dinghuo.core.templatetags.dinghuo import money
from dinghuo.pages.invoices import (
    STATE_LABELS,
    business_day,
    invoice_context,
    pdf_language,
    pdf_response,
    state_of,
)
from dinghuo.pages.submits import submit_once

INVOICES_PAGE_SIZE = 50
_POSITION = re.compile(r"^\w+\[(\d+)\]")


# --- refusals next to their fields ---------------------------------------------------------


def show_refusal(
    form: Any, error: DomainError, target: Callable[[str], str | None] = lambda field: field
) -> None:
    """Each of the refusal's problems next to the form field `target` names for the
    service's field (above the form when none); a refusal without problems above the form."""
    for problem in error.errors or []:
        field = target(problem.field)
        form.add_error(field if field in form.fields else None, forms.problem_message(problem))
    if not error.errors:
        form.add_error(None, " ".join(forms.error_messages(error)))


def position(field: str) -> int | None:
    """`lines[2].quantity` → 2: which item of a list the service's problem is about."""
    found = _POSITION.match(field)
    return int(found.group(1)) if found else None


def company_filter(text: str, prefix: str = "company") -> Q:
    """Rows of the company a staff member typed: its id, its code, or part of its name."""
    if text.isdigit():
        return Q(**{f"{prefix}_id": int_param(text) or 0})
    return Q(**{f"{prefix}__code__iexact": text}) | Q(**{f"{prefix}__name__icontains": text})


def open_totals(tenant_id: int, today: date, company: Q | None = None) -> list[dict[str, Any]]:
    """What is open and overdue on the tenant's invoices (of a company), per currency (one
    query)."""
    rows = Receivable.objects.filter(tenant_id=tenant_id, open_amount__gt=0)
    if company is not None:
        rows = rows.filter(company)
    return list(
        rows.values("invoice__currency")
        .annotate(open=Sum("open_amount"), overdue=Sum("open_amount", filter=Q(due_on__lt=today)))
        .order_by("invoice__currency")
    )


# --- the list ------------------------------------------------------------------------------


@require_GET
@staff_required(get="billing.view")
def invoices(request: StaffRequest) -> HttpResponse:
    """The tenant's invoices, newest first: by company, state and number, a page at a time,
    under the total open and overdue."""
    tenant_id, today = request.staff.tenant_id, business_day()
    state = request.GET.get("state") or ""
    if state not in STATE_LABELS:
        state = ""
    company = (request.GET.get("company") or "").strip()[:100]
    q = (request.GET.get("q") or "").strip()[:32]
    found: QuerySet[Invoice] = billing.invoices(tenant_id, state=state or None, today=today)
    chosen = company_filter(company) if company else None
    if chosen is not None:
        found = found.filter(chosen)
    if q:
        found = found.filter(number__icontains=q)
    before = int_param(request.GET.get("before"))
    if before is not None:
        found = found.filter(pk__lt=before)
    page = list(found[: INVOICES_PAGE_SIZE + 1])
    shown = page[:INVOICES_PAGE_SIZE]
    return render(
        request,
        "backoffice/invoices.html",
        {
            "rows": [state_of(invoice, today) for invoice in shown],
            "totals": open_totals(tenant_id, today, chosen),
            "next_before": shown[-1].pk if len(page) > INVOICES_PAGE_SIZE else None,
            "state": state,
            "company": company,
            "q": q,
            "states": list(STATE_LABELS.items()),
        },
    )


# --- one invoice ---------------------------------------------------------------------------


def _detail(staff: StaffUser, invoice_id: int) -> Invoice:
    try:
        return billing.invoice_detail(staff.tenant_id, invoice_id)
    except NotFound as error:
        raise Http404 from error


def _left_to_credit(invoice: Invoice) -> tuple[dict[int, int], Decimal]:
    """Units of each invoice line not yet credited (by line id), and the amount of the
    invoice not yet credited (one query; its lines and credit notes loaded)."""
    credited = dict(
        CreditNoteLine.objects.filter(invoice_line__invoice=invoice, quantity__isnull=False)
        .values("invoice_line_id")
        .annotate(units=Sum("quantity"))
        .values_list("invoice_line_id", "units")
    )
    units = {line.pk: line.quantity - (credited.get(line.pk) or 0) for line in invoice.lines.all()}
    amount = invoice.total - sum((n.total for n in invoice.credit_notes.all()), Decimal(0))
    return units, amount


def _invoice_page(
    request: HttpRequest,
    invoice: Invoice,
    *,
    payment_form: forms.PaymentForm | None = None,
    credit_form: forms.CreditNoteForm | None = None,
) -> HttpResponse:
    tenant_id, today = invoice.tenant_id, business_day()
    context = invoice_context(tenant_id, invoice, today)
    open_amount = invoice.receivable.open_amount
    units, amount_left = _left_to_credit(invoice)
    payment_form = payment_form or forms.PaymentForm(
        initial={"amount": format_amount(open_amount, invoice.currency), "received_on": today}
    )
    credit_form = credit_form or forms.CreditNoteForm(
        lines=[line.line_number for line, _name in context["lines"]]
    )
    context |= {
        "company": invoice.company,
        "payment_form": payment_form,
        "credit_form": credit_form,
        "credit_rows": [
            (line, name, units[line.pk], credit_form.units_of(line.line_number))
            for line, name in context["lines"]
        ],
        "can_pay": open_amount > 0,
        "can_credit": amount_left > 0,
        "amount_left": amount_left,
    }
    return render(request, "backoffice/invoice.html", context)


@require_GET
@staff_required(get="billing.view")
def invoice(request: StaffRequest, invoice_id: int) -> HttpResponse:
    """One invoice: its company, lines, tax, totals, what settled it and is still open, its
    credit notes; a form to record a payment for it and one to credit it."""
    return _invoice_page(request, _detail(request.staff, invoice_id))


def _payment_field(field: str) -> str | None:
    # The page's payment goes to this invoice: what the service says of the allocation's
    # amount is about the amount typed.
    return "amount" if field.startswith("allocations") and field.endswith("amount") else field


def _record_payment(
    request: HttpRequest, staff: StaffUser, invoice: Invoice, form: forms.PaymentForm
) -> Decimal:
    """The payment recorded once per form token, applied to this invoice up to what it
    still owes (the rest is the company's unapplied credit); answers the amount."""
    data = form.cleaned_data
    amount: Decimal = data["amount"]
    body = {
        "invoice": invoice.pk,
        "amount": str(amount),
        "method": data["method"],
        "received_on": data["received_on"].isoformat(),
        "reference": data["reference"],
    }

    def create() -> tuple[int, dict[str, Any]]:
        # Read inside the write's transaction: what the invoice owes now, not when the page
        # was drawn. The service checks it again under its locks.
        owed = Receivable.objects.get(invoice_id=invoice.pk).open_amount
        applied = min(amount, owed) if owed > 0 else amount
        payment = services.record_payment(
            tenant_id=staff.tenant_id,
            company_id=invoice.company_id,
            amount=amount,
            currency=invoice.currency,
            method=data["method"],
            received_on=data["received_on"],
            reference=data["reference"],
            allocations=[services.Allocate(invoice.pk, applied)],
            recorded_by=staff.name,
        )
        return 201, {"payment_id": payment.pk}

    submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=data["token"],
        body=body,
        create=create,
    )
    return amount


@require_POST
@staff_required(post="billing.change")
def record_payment(request: StaffRequest, invoice_id: int) -> HttpResponseBase:
    """Record a payment for the invoice (once per form token)."""
    staff = request.staff
    found = _detail(staff, invoice_id)
    form = forms.PaymentForm(request.POST)
    if not form.is_valid():
        return _invoice_page(request, found, payment_form=form)
    try:
        amount = _record_payment(request, staff, found, form)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        show_refusal(form, error, _payment_field)
        return _invoice_page(request, found, payment_form=form)
    messages.success(
        request,
        gettext("A payment of %(amount)s is recorded.") % {"amount": money(amount, found.currency)},
    )
    return redirect("backoffice:invoice", invoice_id=found.pk)


def _credit_target(form: forms.CreditNoteForm, sent: list[int]) -> Callable[[str], str | None]:
    """Where the credit service's problems go: `lines[i]…` to the i-th line sent."""

    def target(field: str) -> str | None:
        at = position(field)
        if field.startswith("lines[") and at is not None and at < len(sent):
            return forms.credit_field(sent[at])
        return {"lines": "mode", "mode": "mode"}.get(field, field)

    return target


def _issue_credit_note(
    request: HttpRequest, staff: StaffUser, invoice: Invoice, form: forms.CreditNoteForm
) -> str:
    """The credit note issued once per form token; answers its number."""
    data = form.cleaned_data
    mode = data["mode"]
    units = form.crediting() if mode == forms.CREDIT_LINES else []
    # An amount left empty is no amount: the service then says to give one above zero.
    amount = (data["amount"] or Decimal(0)) if mode == forms.CREDIT_AMOUNT else None
    body = {
        "invoice": invoice.pk,
        "mode": mode,
        "lines": units,
        "amount": None if amount is None else str(amount),
        "reason": data["reason"],
    }

    def create() -> tuple[int, dict[str, Any]]:
        note = services.issue_credit_note(
            tenant_id=staff.tenant_id,
            invoice_id=invoice.pk,
            reason=data["reason"],
            whole=mode == forms.CREDIT_WHOLE,
            lines=[services.CreditUnits(n, q) for n, q in units]
            if mode == forms.CREDIT_LINES
            else None,
            amount=amount,
        )
        return 201, {"number": note.number}

    answer = submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=data["token"],
        body=body,
        create=create,
    )
    return str(answer["number"])


@require_POST
@staff_required(post="billing.change")
def issue_credit_note(request: StaffRequest, invoice_id: int) -> HttpResponseBase:
    """Issue a credit note against the invoice (once per form token)."""
    staff = request.staff
    found = _detail(staff, invoice_id)
    lines = [line.line_number for line in found.lines.all()]
    form = forms.CreditNoteForm(request.POST, lines=lines)
    if not form.is_valid():
        return _invoice_page(request, found, credit_form=form)
    try:
        number = _issue_credit_note(request, staff, found, form)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        sent = [n for n, _units in form.crediting()]
        show_refusal(form, error, _credit_target(form, sent))
        return _invoice_page(request, found, credit_form=form)
    messages.success(request, gettext("Credit note %(number)s is issued.") % {"number": number})
    return redirect("backoffice:invoice", invoice_id=found.pk)


# --- documents -----------------------------------------------------------------------------


@require_GET
@staff_required(get="billing.view")
def invoice_pdf(request: StaffRequest, invoice_id: int) -> HttpResponse:
    """The invoice as a PDF in the reader's language."""
    found = _detail(request.staff, invoice_id)
    return pdf_response(documents.invoice_pdf(found, pdf_language()), f"{found.number}.pdf")


@require_GET
@staff_required(get="billing.view")
def credit_note_pdf(request: StaffRequest, credit_note_id: int) -> HttpResponse:
    """A credit note as a PDF in the reader's language."""
    try:
        note = billing.credit_note_detail(request.staff.tenant_id, credit_note_id)
    except NotFound as error:
        raise Http404 from error
    return pdf_response(documents.credit_note_pdf(note, pdf_language()), f"{note.number}.pdf")
