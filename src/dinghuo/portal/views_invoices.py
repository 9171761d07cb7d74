"""The buyer portal's billing pages: the company's invoices with where it stands (open,
overdue, unapplied credit), one invoice with its lines, tax, payments and credit notes, the
company's credit notes, and each document as a PDF in the reader's language.

Reads through `billing.queries`, scoped to the signed-in buyer's company, so another
company's invoice or credit note is not found (404); the PDFs are `billing.documents`'.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dinghuo.billing import documents
from dinghuo.billing import queries as billing
from dinghuo.billing.models import Invoice
from dinghuo.core.errors import NotFound
from dinghuo.customers.models import Company
from dinghuo.pages.invoices import (
    STATE_LABELS,
    business_day,
    invoice_context,
    pdf_language,
    pdf_response,
    state_of,
)
from dinghuo.portal.access import BuyerRequest, buyer_required
from dinghuo.portal.params import positive_int

INVOICES_PAGE_SIZE = 25


def _company_currency(company_id: int) -> str:
    currency = (
        Company.objects.filter(pk=company_id).values_list("price_list__currency", flat=True).first()
    )
    return str(currency or "")


@require_GET
@buyer_required
def invoices(request: BuyerRequest) -> HttpResponse:
    """The company's balance (open, overdue, unapplied credit) and its invoices, newest
    first, by state, a page at a time."""
    buyer = request.buyer
    today = business_day()
    state = request.GET.get("state") or ""
    if state not in STATE_LABELS:
        state = ""
    found = billing.invoices(
        buyer.tenant_id, company_id=buyer.company_id, state=state or None, today=today
    )
    before = positive_int(request.GET.get("before"))
    if before is not None:
        found = found.filter(pk__lt=before)
    page = list(found[: INVOICES_PAGE_SIZE + 1])
    shown = page[:INVOICES_PAGE_SIZE]
    currency = _company_currency(buyer.company_id)
    return render(
        request,
        "portal/invoices.html",
        {
            "balance": billing.balance(buyer.tenant_id, buyer.company_id, currency, today),
            "rows": [state_of(invoice, today) for invoice in shown],
            "next_before": shown[-1].pk if len(page) > INVOICES_PAGE_SIZE else None,
            "state": state,
            "states": list(STATE_LABELS.items()),
        },
    )


def _invoice(request: BuyerRequest, invoice_id: int) -> Invoice:
    buyer = request.buyer
    try:
        return billing.invoice_detail(buyer.tenant_id, invoice_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@buyer_required
def invoice(request: BuyerRequest, invoice_id: int) -> HttpResponse:
    """One of the company's invoices: lines, tax per rate, totals, what is paid, credited
    and still open, the due date, how to pay, and its credit notes."""
    found = _invoice(request, invoice_id)
    context = invoice_context(request.buyer.tenant_id, found, business_day())
    return render(request, "portal/invoice.html", context)


@require_GET
@buyer_required
def invoice_pdf(request: BuyerRequest, invoice_id: int) -> HttpResponse:
    """The invoice as a PDF in the reader's language."""
    found = _invoice(request, invoice_id)
    return pdf_response(documents.invoice_pdf(found, pdf_language()), f"{found.number}.pdf")


@require_GET
@buyer_required
def credit_notes(request: BuyerRequest) -> HttpResponse:
    """The company's credit notes, newest first, a page at a time."""
    buyer = request.buyer
    found = billing.credit_notes(buyer.tenant_id, company_id=buyer.company_id)
    before = positive_int(request.GET.get("before"))
    if before is not None:
        found = found.filter(pk__lt=before)
    page = list(found[: INVOICES_PAGE_SIZE + 1])
    shown = page[:INVOICES_PAGE_SIZE]
    return render(
        request,
        "portal/credit_notes.html",
        {"notes": shown, "next_before": shown[-1].pk if len(page) > INVOICES_PAGE_SIZE else None},
    )


@require_GET
@buyer_required
def credit_note_pdf(request: BuyerRequest, credit_note_id: int) -> HttpResponse:
    """One of the company's credit notes as a PDF in the reader's language."""
    buyer = request.buyer
    try:
        note = billing.credit_note_detail(
            buyer.tenant_id, credit_note_id, company_id=buyer.company_id
        )
    except NotFound as error:
        raise Http404 from error
    return pdf_response(documents.credit_note_pdf(note, pdf_language()), f"{note.number}.pdf")
