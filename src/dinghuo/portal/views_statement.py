"""The buyer's statement of account: what the company owed at the start of a period, every
invoice, credit note, payment and refund of the period with the balance after each, what it
owes at the end and how long past due, and the same as a PDF in the reader's language.

Reads `billing.statements` for the signed-in buyer's company only (the company never comes
from the address). A day the page cannot read is left out, so the default period is shown.
"""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dinghuo.billing import aging_export, statement_pdf, statements
from dinghuo.core.errors import ValidationFailed
from dinghuo.pages.invoices import business_day, pdf_language, pdf_response
from dinghuo.portal.access import BuyerRequest, buyer_required
from dinghuo.portal.forms import refusal_messages

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _statement(request: BuyerRequest) -> tuple[statements.Statement, list[str]]:
    """The company's statement for the period asked (by default the month and the two
    before); a period that ends before it starts is said, and the default shown."""
    today = business_day()
    errors: list[str] = []
    try:
        start, end = statements.period(
            _day(request.GET.get("from")), _day(request.GET.get("to")), today
        )
    except ValidationFailed as error:
        errors = refusal_messages(error)
        start, end = statements.default_period(today)
    buyer = request.buyer
    return statements.statement(buyer.tenant_id, buyer.company_id, start, end), errors


@require_GET
@buyer_required
def statement(request: BuyerRequest) -> HttpResponse:
    """The company's statement of account for a period, with a link to its PDF."""
    found, errors = _statement(request)
    return render(
        request,
        "portal/statement.html",
        {
            "statement": found,
            "errors": errors,
            "buckets": aging_export.labelled(found.aged),
            "invoice_url": "portal:invoice",
        },
    )


@require_GET
@buyer_required
def statement_as_pdf(request: BuyerRequest) -> HttpResponse:
    """The statement as a PDF in the reader's language."""
    found, _errors = _statement(request)
    pdf = statement_pdf.statement_pdf(found, pdf_language())
    return pdf_response(pdf, f"statement-{found.end.isoformat()}.pdf")
