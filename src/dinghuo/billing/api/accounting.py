"""The accounting export over HTTP: the seller's journal (invoices, credit notes, payments,
refunds and the money applied to invoices) in its chart of accounts, as CSV or as a
Beancount ledger (`billing/journal.py` says what posts where)."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.schemas import ReportDay
from dinghuo.billing import journal, queries
from dinghuo.billing.api.shared import download, file_openapi
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.queries import seller_for

router = Router(tags=["billing: accounting"])


class JournalFilters(Schema):
    start: ReportDay | None = Field(
        None, alias="from", description="First day; default: the beginning"
    )
    end: ReportDay | None = Field(None, alias="to", description="Last day; default: today")
    seller: str | None = Field(
        None, max_length=50, description="Seller slug; the tenant's own store if omitted"
    )


def _entries(request: HttpRequest, filters: JournalFilters) -> tuple[list[journal.Entry], date]:
    end = filters.end or timezone.localdate(clock.now())
    if filters.start is not None and filters.start > end:
        raise ValidationFailed(
            "The period ends before it starts.",
            errors=[FieldError("to", "period_not_ordered", "On or after `from`")],
        )
    tenant = tenant_id(request)
    seller = seller_for(tenant, filters.seller)
    return queries.journal_entries(tenant, seller.pk, end, filters.start), end


@router.get(
    "/accounting/journal.csv",
    summary="The journal as CSV",
    openapi_extra=file_openapi(
        "One row per posting: debit or credit, account, currency", "text/csv"
    ),
    auth=staff_may("billing.view"),
)
def journal_csv(request: HttpRequest, filters: Query[JournalFilters]) -> HttpResponse:
    """Every posting of the period, in the seller's chart of accounts (`PUT /billing-policy`:
    `accounts`)."""
    entries, end = _entries(request, filters)
    return download(journal.to_csv(entries), "text/csv; charset=utf-8", f"journal-{end}.csv")


@router.get(
    "/accounting/journal.beancount",
    summary="The journal as a Beancount ledger",
    openapi_extra=file_openapi("A Beancount file: accounts opened, then the entries", "text/plain"),
    auth=staff_may("billing.view"),
)
def journal_beancount(request: HttpRequest, filters: Query[JournalFilters]) -> HttpResponse:
    """A ledger the `bean-check` tool accepts: with `from` left out it starts at the beginning,
    so that receivables equal the aging's total on `to`."""
    entries, end = _entries(request, filters)
    text = journal.to_beancount(entries, title=f"Journal to {end}")
    return download(text, "text/plain; charset=utf-8", f"journal-{end}.beancount")
