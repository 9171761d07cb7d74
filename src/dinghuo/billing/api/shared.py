"""What the staff and the buyer routes of billing share: today's date, the company a balance
is asked for, the lists' filters, the PDF answer and the required Idempotency-Key."""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from dinghuo.api.schemas import Id, PageFilters
from dinghuo.billing import queries
from dinghuo.billing.schemas import InvoiceState, Language, balance_out
from dinghuo.core import clock
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company

PDF = "application/pdf"


def download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    """A file to save (an export, a ledger), under `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_openapi(what: str, media_type: str) -> dict[str, object]:
    """The OpenAPI answer of a route that answers a file of `media_type`."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": what, "content": content}}}


def today() -> date:
    """The business date, as billing dates its documents (UTC)."""
    return timezone.localdate(clock.now())


def company_balance(tenant: int, company_id: int) -> dict[str, object]:
    """The balance answer of one of the tenant's companies (404 for another's)."""
    company = tenant_row(
        Company.objects.select_related("price_list"),
        tenant,
        company_id,
        f"No company {company_id}.",
    )
    currency = company.price_list.currency
    return balance_out(company_id, queries.balance(tenant, company_id, currency, today()))


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF answer, shown in the browser and saved as `filename`."""
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def pdf_openapi(what: str) -> dict[str, object]:
    """The OpenAPI answer of a PDF route (Ninja describes JSON answers only)."""
    return {
        "responses": {
            200: {
                "description": f"The {what} as a PDF",
                "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


# The query parameters of lists and PDFs. (Comments, not docstrings: a docstring would become
# the schema's description in the OpenAPI document.)
class InvoiceFilters(PageFilters):
    state: InvoiceState | None = Field(None, description="open, overdue (open, past due) or paid")


class StaffInvoiceFilters(InvoiceFilters):
    company_id: Id | None = None


class CreditNoteFilters(PageFilters):
    invoice_id: Id | None = None


class StaffCreditNoteFilters(CreditNoteFilters):
    company_id: Id | None = None


class LanguageFilter(Schema):
    language: Language = Field("en", description="The document's language")
