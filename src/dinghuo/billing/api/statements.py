"""Statements of account and receivables aging over HTTP.

Staff routes (`router`): a company's statement for a period, as JSON and as PDF, and the
aging of every company's open invoices, as JSON, CSV and an Excel workbook. Buyer routes
(`buyer_router`, mounted at /my): the caller's own company's statement, as JSON and as PDF.
Another tenant's company is not found (404).
"""

import datetime as dt
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Query, Router, Schema
from pydantic import Field

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import json_response
from dinghuo.api.schemas import ObjectId, ReportDay
from dinghuo.billing import aging, aging_export, queries, statement_pdf, statements
from dinghuo.billing.api.shared import download, file_openapi, pdf_openapi, pdf_response, today
from dinghuo.billing.schemas import Language
from dinghuo.core.money import format_amount

router = Router(tags=["billing: receivables"])
buyer_router = Router(tags=["buyer: billing"])

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- parameters and answers (comments, not docstrings: a docstring would become the schema's
# description in the OpenAPI document) ----------------------------------------------------------


class PeriodFilters(Schema):
    start: ReportDay | None = Field(
        None, alias="from", description="First day; default: the 1st of the month 2 months ago"
    )
    end: ReportDay | None = Field(None, alias="to", description="Last day; default: today")


class StatementPdfFilters(PeriodFilters):
    language: Language = Field("en", description="The document's language")


class AgingFilters(Schema):
    on: ReportDay | None = Field(None, description="The day to age open invoices on; default today")


class AgingExportFilters(AgingFilters):
    language: Language = Field("en", description="The language of the headings")


class AgedOut(Schema):
    current: str = Field(description="Not yet due (or due on the day)")
    days_1_30: str
    days_31_60: str
    days_61_90: str
    over_90: str
    total: str


class StatementCompanyOut(Schema):
    id: int
    code: str
    name: str


class StatementLineOut(Schema):
    date: dt.date
    kind: str = Field(description="invoice, credit_note, payment or refund")
    document_id: int
    reference: str = Field(description="The document's number, or the payment's reference")
    due_on: dt.date | None = Field(description="An invoice's due date")
    invoice: str | None = Field(description="The invoice a credit note corrects")
    method: str | None = Field(description="How a payment or refund was paid")
    debit: str | None = Field(description="What raised the balance (invoices, refunds)")
    credit: str | None = Field(description="What lowered it (credit notes, payments)")
    balance: str = Field(description="What the company owes after this line")


class OpenInvoiceOut(Schema):
    invoice_id: int
    number: str
    issued_on: date
    due_on: date
    total: str
    open_amount: str
    days_overdue: int


class StatementOut(Schema):
    company: StatementCompanyOut
    currency: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    opening_balance: str = Field(description="What the company owed before the first day")
    total_debits: str
    total_credits: str
    closing_balance: str = Field(description="What it owes after the last day")
    lines: list[StatementLineOut]
    aging: AgedOut = Field(description="What was open on the last day, by days past due")
    open_invoices: list[OpenInvoiceOut]
    unapplied_credit: str = Field(description="Money of the company's held, not yet applied")


class CompanyAgingOut(AgedOut):
    company_id: int
    code: str
    name: str
    currency: str
    base_currency: str = Field(description="The seller's base currency")
    base: AgedOut = Field(description="The same in base currency, at each invoice's rate")


class CurrencyAgingOut(AgedOut):
    currency: str
    companies: int
    base_currency: str = Field(description="The seller's base currency")
    base: AgedOut = Field(description="The same in base currency, at each invoice's rate")


class BaseAgingOut(AgedOut):
    currency: str = Field(description="The seller's base currency")
    companies: int


class AgingOut(Schema):
    on: date
    companies: list[CompanyAgingOut]
    totals: list[CurrencyAgingOut] = Field(description="Per currency: amounts are never mixed")
    base_totals: list[BaseAgingOut] = Field(
        description="All companies in the seller's base currency (one per base currency)"
    )


# --- shaping -------------------------------------------------------------------------------

# The answer's field of each bucket (a field name cannot start with a digit).
_FIELDS = {
    aging.CURRENT: "current",
    aging.DAYS_1_30: "days_1_30",
    aging.DAYS_31_60: "days_31_60",
    aging.DAYS_61_90: "days_61_90",
    aging.OVER_90: "over_90",
}


def aged_out(aged: aging.Aged, currency: str) -> dict[str, str]:
    """The buckets and their total as decimal strings in `currency`."""
    names = {aging.DAYS_1_30: "days_1_30", aging.DAYS_31_60: "days_31_60"}
    names |= {aging.DAYS_61_90: "days_61_90"}
    out = {
        names.get(name, name): format_amount(v, currency) for name, v in aged.by_bucket().items()
    }
    return {**out, "total": format_amount(aged.total, currency)}


def _amount(value: Any, currency: str) -> str | None:
    return None if value is None else format_amount(value, currency)


def statement_out(found: statements.Statement) -> dict[str, Any]:
    """A statement as the API answers it."""
    cur = found.currency
    party = found.party
    return {
        "company": {"id": party.company_id, "code": party.code, "name": party.name},
        "currency": cur,
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "opening_balance": format_amount(found.opening, cur),
        "total_debits": format_amount(found.debits, cur),
        "total_credits": format_amount(found.credits, cur),
        "closing_balance": format_amount(found.closing, cur),
        "lines": [
            {
                "date": line.movement.day.isoformat(),
                "kind": line.movement.kind,
                "document_id": line.movement.document_id,
                "reference": line.movement.reference,
                "due_on": line.movement.due_on.isoformat() if line.movement.due_on else None,
                "invoice": line.movement.invoice_number or None,
                "method": line.movement.method or None,
                "debit": _amount(line.movement.debit, cur),
                "credit": _amount(line.movement.credit, cur),
                "balance": format_amount(line.balance, cur),
            }
            for line in found.lines
        ],
        "aging": aged_out(found.aged, cur),
        "open_invoices": [
            {
                "invoice_id": item.invoice_id,
                "number": item.number,
                "issued_on": item.issued_on.isoformat(),
                "due_on": item.due_on.isoformat(),
                "total": format_amount(item.total, cur),
                "open_amount": format_amount(item.open_amount, cur),
                "days_overdue": item.days_overdue,
            }
            for item in found.open_items
        ],
        "unapplied_credit": format_amount(found.unapplied, cur),
    }


def aging_out(rows: list[queries.CompanyAging], on: date) -> dict[str, Any]:
    """The aging as the API answers it: a row per company, totals per currency."""
    return {
        "on": on.isoformat(),
        "companies": [
            {
                "company_id": row.company_id,
                "code": row.code,
                "name": row.name,
                "currency": row.currency,
                **aged_out(row.aged, row.currency),
                "base_currency": row.base_currency,
                "base": aged_out(row.base, row.base_currency),
            }
            for row in rows
        ],
        "totals": [
            {
                "currency": t.currency,
                "companies": t.companies,
                **aged_out(t.aged, t.currency),
                "base_currency": t.base_currency,
                "base": aged_out(t.base, t.base_currency),
            }
            for t in aging_export.totals(rows)
        ],
        "base_totals": [
            {"currency": t.currency, "companies": t.companies, **aged_out(t.aged, t.currency)}
            for t in aging_export.base_totals(rows)
        ],
    }


def _statement(tenant: int, company_id: int, filters: PeriodFilters) -> statements.Statement:
    start, end = statements.period(filters.start, filters.end, today())
    return statements.statement(tenant, company_id, start, end)


def _pdf(found: statements.Statement, language: str) -> HttpResponse:
    name = f"statement-{found.party.code}-{found.end.isoformat()}.pdf"
    return pdf_response(statement_pdf.statement_pdf(found, language), name)


# --- staff routes --------------------------------------------------------------------------


@router.get(
    "/companies/{company_id}/statement",
    response=StatementOut,
    by_alias=True,  # the answer's `from` and `to`
    summary="A company's statement of account",
    auth=staff_may("billing.view"),
)
def get_statement(
    request: HttpRequest, company_id: ObjectId, filters: Query[PeriodFilters]
) -> HttpResponse:
    """The balance before `from`, every invoice, credit note, payment and refund from `from`
    to `to` in date order with the balance after each, the closing balance, and what was
    open on `to` by days past due. 422 `period_not_ordered` when `to` is before `from`."""
    found = _statement(tenant_id(request), company_id, filters)
    return json_response(200, statement_out(found))


@router.get(
    "/companies/{company_id}/statement.pdf",
    summary="A company's statement of account as PDF",
    openapi_extra=pdf_openapi("statement of account"),
    auth=staff_may("billing.view"),
)
def get_statement_pdf(
    request: HttpRequest, company_id: ObjectId, filters: Query[StatementPdfFilters]
) -> HttpResponse:
    """The statement as printed, in `language` (en, zh-hant or zh-hans)."""
    found = _statement(tenant_id(request), company_id, filters)
    return _pdf(found, filters.language)


@router.get(
    "/receivables/aging",
    response=AgingOut,
    summary="Receivables aging",
    auth=staff_may("billing.view"),
)
def get_aging(request: HttpRequest, filters: Query[AgingFilters]) -> HttpResponse:
    """What every company's invoices still owe today, aged on `on` by days past their due
    date: current (not yet due), 1–30, 31–60, 61–90 and over 90; a row per company with
    open invoices (by company code) and the totals per currency, each also in the seller's
    base currency (at each invoice's rate), and all companies in base currency."""
    on = filters.on or today()
    return json_response(200, aging_out(queries.receivables_aging(tenant_id(request), on), on))


@router.get(
    "/receivables/aging.csv",
    summary="Receivables aging as CSV",
    openapi_extra=file_openapi("The aging as CSV", CSV),
    auth=staff_may("billing.view"),
)
def get_aging_csv(request: HttpRequest, filters: Query[AgingExportFilters]) -> HttpResponse:
    """A row per company, a total row per currency and one of all companies in base
    currency; amounts as plain decimals with a currency column, then the same in base
    currency; headings in `language`."""
    on = filters.on or today()
    rows = queries.receivables_aging(tenant_id(request), on)
    with translation.override(filters.language):
        content = aging_export.aging_csv(rows)
    return download(content, f"{CSV}; charset=utf-8", f"receivables-aging-{on}.csv")


@router.get(
    "/receivables/aging.xlsx",
    summary="Receivables aging as an Excel workbook",
    openapi_extra=file_openapi("The aging as an Excel workbook", XLSX),
    auth=staff_may("billing.view"),
)
def get_aging_xlsx(request: HttpRequest, filters: Query[AgingExportFilters]) -> HttpResponse:
    """As the CSV, with amounts as numbers in their currency's format and bold totals."""
    on = filters.on or today()
    rows = queries.receivables_aging(tenant_id(request), on)
    with translation.override(filters.language):
        content = aging_export.aging_xlsx(rows, on)
    return download(content, XLSX, f"receivables-aging-{on}.xlsx")


# --- buyer routes (/my) --------------------------------------------------------------------


def _my_company(request: HttpRequest) -> tuple[int, int]:
    caller = buyer(request)
    assert caller.company_id is not None  # buyer keys always belong to a company user
    return caller.tenant_id, caller.company_id


@buyer_router.get(
    "/statement",
    response=StatementOut,
    by_alias=True,  # the answer's `from` and `to`
    summary="My company's statement of account",
)
def buyer_get_statement(request: HttpRequest, filters: Query[PeriodFilters]) -> HttpResponse:
    """As the staff see it: the balance before `from`, the period's documents with the
    balance after each, the closing balance and what was open on `to`."""
    tenant, company = _my_company(request)
    return json_response(200, statement_out(_statement(tenant, company, filters)))


@buyer_router.get(
    "/statement.pdf",
    summary="My company's statement of account as PDF",
    openapi_extra=pdf_openapi("statement of account"),
)
def buyer_get_statement_pdf(
    request: HttpRequest, filters: Query[StatementPdfFilters]
) -> HttpResponse:
    """The statement as printed, in `language` (en, zh-hant or zh-hans)."""
    tenant, company = _my_company(request)
    return _pdf(_statement(tenant, company, filters), filters.language)
