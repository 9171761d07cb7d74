"""Invoices and credit notes over HTTP (staff routes): lists, documents and their PDFs, the
period's invoicing run, and crediting an invoice."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, require_key, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, RequiredIdempotencyKey
from dinghuo.billing import documents, queries, services
from dinghuo.billing.api.shared import (
    LanguageFilter,
    StaffCreditNoteFilters,
    StaffInvoiceFilters,
    pdf_openapi,
    pdf_response,
    today,
)
from dinghuo.billing.schemas import (
    CreditNoteIn,
    CreditNoteOut,
    CreditNotePageOut,
    InvoiceOut,
    InvoicePageOut,
    PeriodRunIn,
    PeriodRunOut,
    credit_note_out,
    credit_note_summary_out,
    invoice_out,
    invoice_summary_out,
    money,
)
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.queries import seller_for

router = Router(tags=["billing"])


@router.get(
    "/invoices", response=InvoicePageOut, summary="List invoices", auth=staff_may("billing.view")
)
def list_invoices(request: HttpRequest, filters: Query[StaffInvoiceFilters]) -> dict[str, Any]:
    """Oldest first; follow `next_cursor` with `after`. By company and by state: open (still
    owing), overdue (owing past its due date) or paid."""
    on = today()
    invoices = queries.invoices(
        tenant_id(request), company_id=filters.company_id, state=filters.state, today=on
    )
    return paged(invoices, filters, lambda i: invoice_summary_out(i, queries.invoice_state(i, on)))


def _through(requested: date | None, invoicing: str) -> date:
    """The last day billed: as asked (never after today), else the last period's end."""
    on = today()
    if requested is None:
        return services.period_through(invoicing, on)
    if requested > on:
        raise ValidationFailed(
            "Shipments can be billed up to today at the latest.",
            code="through_in_future",
            errors=[FieldError("through", "through_in_future", "Today or earlier")],
        )
    return requested


# Before /invoices/{invoice_id}, whose pattern would take "period-run" as an id.
@router.post(
    "/invoices/period-run",
    response={201: PeriodRunOut},
    summary="Issue the period's consolidated invoices",
    auth=staff_may("billing.change"),
)
def run_period_invoicing(
    request: HttpRequest, payload: PeriodRunIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """For a seller on weekly or monthly invoicing: one invoice per company for the shipments
    not yet billed, shipped on or before `through` (dated `through`). Answers the invoices
    issued (none when nothing waits; a run repeated issues nothing twice)."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        seller = seller_for(tenant, payload.seller)
        policy = services.policy_for(tenant, seller.pk)
        through = _through(payload.through, policy.invoicing)
        issued = services.issue_period_invoices(
            tenant_id=tenant, seller_id=seller.pk, through=through
        )
        on = today()
        listed = queries.invoices(tenant).filter(pk__in=[i.pk for i in issued]).order_by("id")
        return 201, {
            "seller": seller.slug,
            "through": through.isoformat(),
            "invoices": [invoice_summary_out(i, queries.invoice_state(i, on)) for i in listed],
        }

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/invoices/{invoice_id}",
    response=InvoiceOut,
    summary="Read an invoice",
    auth=staff_may("billing.view"),
)
def get_invoice(request: HttpRequest, invoice_id: ObjectId) -> HttpResponse:
    """Lines with their tax, the tax summary per rate, totals, what is still open, the seller's
    details and the bill-to as printed, and the payments and credit notes applied to it."""
    invoice = queries.invoice_detail(tenant_id(request), invoice_id)
    return json_response(200, invoice_out(invoice, queries.invoice_state(invoice, today())))


@router.get(
    "/invoices/{invoice_id}/pdf",
    summary="An invoice as PDF",
    openapi_extra=pdf_openapi("invoice"),
    auth=staff_may("billing.view"),
)
def get_invoice_pdf(
    request: HttpRequest, invoice_id: ObjectId, filters: Query[LanguageFilter]
) -> HttpResponse:
    """The invoice as printed, in `language` (en, zh-hant or zh-hans)."""
    invoice = queries.invoice_detail(tenant_id(request), invoice_id)
    return pdf_response(documents.invoice_pdf(invoice, filters.language), f"{invoice.number}.pdf")


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    response={201: CreditNoteOut},
    summary="Credit an invoice",
    auth=staff_may("billing.change"),
)
def issue_credit_note(
    request: HttpRequest,
    invoice_id: ObjectId,
    payload: CreditNoteIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """Exactly one of: `whole` (every unit not yet credited), `lines` (units of invoice lines)
    or `amount` (with tax, shared across the invoice's rates); and a `reason`. Never more than
    the invoice (409 `exceeds_invoice`). It settles what the invoice still owes; the rest
    becomes the company's unapplied credit. Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, "a retried credit note is never recorded twice")
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        note = services.issue_credit_note(
            tenant_id=tenant,
            invoice_id=invoice_id,
            reason=payload.reason,
            whole=payload.whole,
            lines=None
            if payload.lines is None
            else [services.CreditUnits(line.line_number, line.quantity) for line in payload.lines],
            amount=None if payload.amount is None else money(payload.amount),
        )
        return 201, credit_note_out(queries.credit_note_detail(tenant, note.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/credit-notes",
    response=CreditNotePageOut,
    summary="List credit notes",
    auth=staff_may("billing.view"),
)
def list_credit_notes(
    request: HttpRequest, filters: Query[StaffCreditNoteFilters]
) -> dict[str, Any]:
    """Oldest first; by company and by the invoice they correct."""
    notes = queries.credit_notes(
        tenant_id(request), company_id=filters.company_id, invoice_id=filters.invoice_id
    )
    return paged(notes, filters, credit_note_summary_out)


@router.get(
    "/credit-notes/{credit_note_id}",
    response=CreditNoteOut,
    summary="Read a credit note",
    auth=staff_may("billing.view"),
)
def get_credit_note(request: HttpRequest, credit_note_id: ObjectId) -> HttpResponse:
    """Its lines (units of invoice lines, or an amount per tax rate), totals and reason."""
    return json_response(
        200, credit_note_out(queries.credit_note_detail(tenant_id(request), credit_note_id))
    )


@router.get(
    "/credit-notes/{credit_note_id}/pdf",
    summary="A credit note as PDF",
    openapi_extra=pdf_openapi("credit note"),
    auth=staff_may("billing.view"),
)
def get_credit_note_pdf(
    request: HttpRequest, credit_note_id: ObjectId, filters: Query[LanguageFilter]
) -> HttpResponse:
    """The credit note as printed, in `language` (en, zh-hant or zh-hans)."""
    note = queries.credit_note_detail(tenant_id(request), credit_note_id)
    return pdf_response(documents.credit_note_pdf(note, filters.language), f"{note.number}.pdf")
