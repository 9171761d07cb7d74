"""A company's own invoices, credit notes and balance (mounted at /my, buyer keys only):
another company's documents are not found."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer
from dinghuo.api.idempotent import json_response
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import ObjectId
from dinghuo.billing import documents, queries
from dinghuo.billing.api.shared import (
    CreditNoteFilters,
    InvoiceFilters,
    LanguageFilter,
    company_balance,
    pdf_openapi,
    pdf_response,
    today,
)
from dinghuo.billing.schemas import (
    BalanceOut,
    CreditNoteOut,
    CreditNotePageOut,
    InvoiceOut,
    InvoicePageOut,
    credit_note_out,
    credit_note_summary_out,
    invoice_out,
    invoice_summary_out,
)
from dinghuo.core.services import Caller

router = Router(tags=["buyer: billing"])


def _me(request: HttpRequest) -> tuple[int, int]:
    """The caller's tenant and company (buyer keys always belong to a company user)."""
    caller: Caller = buyer(request)
    assert caller.company_id is not None
    return caller.tenant_id, caller.company_id


@router.get("/invoices", response=InvoicePageOut, summary="My company's invoices")
def buyer_list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> dict[str, Any]:
    """Oldest first; by state: open, overdue (past its due date) or paid."""
    tenant, company = _me(request)
    on = today()
    found = queries.invoices(tenant, company_id=company, state=filters.state, today=on)
    return paged(found, filters, lambda i: invoice_summary_out(i, queries.invoice_state(i, on)))


@router.get(
    "/invoices/{invoice_id}", response=InvoiceOut, summary="Read one of my company's invoices"
)
def buyer_get_invoice(request: HttpRequest, invoice_id: ObjectId) -> HttpResponse:
    """As the staff see it: lines, tax, totals, what is open, payments and credit notes."""
    tenant, company = _me(request)
    invoice = queries.invoice_detail(tenant, invoice_id, company_id=company)
    return json_response(200, invoice_out(invoice, queries.invoice_state(invoice, today())))


@router.get(
    "/invoices/{invoice_id}/pdf",
    summary="One of my company's invoices as PDF",
    openapi_extra=pdf_openapi("invoice"),
)
def buyer_get_invoice_pdf(
    request: HttpRequest, invoice_id: ObjectId, filters: Query[LanguageFilter]
) -> HttpResponse:
    """The invoice as printed, in `language` (en, zh-hant or zh-hans)."""
    tenant, company = _me(request)
    invoice = queries.invoice_detail(tenant, invoice_id, company_id=company)
    return pdf_response(documents.invoice_pdf(invoice, filters.language), f"{invoice.number}.pdf")


@router.get("/credit-notes", response=CreditNotePageOut, summary="My company's credit notes")
def buyer_list_credit_notes(
    request: HttpRequest, filters: Query[CreditNoteFilters]
) -> dict[str, Any]:
    """Oldest first; by the invoice they correct."""
    tenant, company = _me(request)
    found = queries.credit_notes(tenant, company_id=company, invoice_id=filters.invoice_id)
    return paged(found, filters, credit_note_summary_out)


@router.get(
    "/credit-notes/{credit_note_id}",
    response=CreditNoteOut,
    summary="Read one of my company's credit notes",
)
def buyer_get_credit_note(request: HttpRequest, credit_note_id: ObjectId) -> HttpResponse:
    """Its lines (units of invoice lines, or an amount per tax rate), totals and reason."""
    tenant, company = _me(request)
    note = queries.credit_note_detail(tenant, credit_note_id, company_id=company)
    return json_response(200, credit_note_out(note))


@router.get(
    "/credit-notes/{credit_note_id}/pdf",
    summary="One of my company's credit notes as PDF",
    openapi_extra=pdf_openapi("credit note"),
)
def buyer_get_credit_note_pdf(
    request: HttpRequest, credit_note_id: ObjectId, filters: Query[LanguageFilter]
) -> HttpResponse:
    """The credit note as printed, in `language` (en, zh-hant or zh-hans)."""
    tenant, company = _me(request)
    note = queries.credit_note_detail(tenant, credit_note_id, company_id=company)
    return pdf_response(documents.credit_note_pdf(note, filters.language), f"{note.number}.pdf")


@router.get("/balance", response=BalanceOut, summary="My company's balance")
def buyer_get_balance(request: HttpRequest) -> HttpResponse:
    """What its invoices still owe (and of that, past due), money held for it not yet
    applied, what of that can be refunded, and the oldest open due date."""
    tenant, company = _me(request)
    return json_response(200, company_balance(tenant, company))
