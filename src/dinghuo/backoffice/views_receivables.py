"""Receivables pages: the aging of every company's open invoices (totals per currency with a
chart, all companies in the seller's base currency when they owe in another, a row per
company, CSV and Excel downloads), and a company's statement of account for a period with its
PDF.

Thin pages over `billing.queries.receivables_aging`, `billing.statements` and their exports,
the reads the API answers with. The tenant always comes from the signed-in staff member, so
another tenant's company is not found (404). A day the page cannot read (`?on=tomorrow`) is
taken as today, so that a hand-edited address never fails.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dinghuo.backoffice import forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.billing import aging_export, journal, statement_pdf, statements
from dinghuo.billing import queries as billing
from dinghuo.core.errors import NotFound, ValidationFailed
from dinghuo.core.queries import seller_for
from dinghuo.pages.invoices import business_day, pdf_language, pdf_response

AGING_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The chart: a bar per bucket, as long as its share of the largest bucket (out of 100).
LONGEST = 100
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def day_param(value: str | None) -> date | None:
    """An ISO day ("2026-03-31") from a query string, else None (also for days so far off
    that date arithmetic would leave the calendar)."""
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def chart_bars(total: aging_export.CurrencyTotal) -> list[dict[str, Any]]:
    """The chart's bars of one currency's aging: each bucket's words, amount and length
    (0 to 100, the largest bucket 100; any amount owed at least 1, so that it shows)."""
    buckets = aging_export.labelled(total.aged)
    largest = max((amount for _name, _label, amount in buckets), default=Decimal(0))
    bars = []
    for name, label, amount in buckets:
        length = max(int(LONGEST * amount / largest), 1) if amount > 0 else 0
        bars.append({"bucket": name, "label": label, "amount": amount, "length": length})
    return bars


def _matching(rows: list[billing.CompanyAging], q: str) -> list[billing.CompanyAging]:
    """The rows of the companies whose code is `q` or whose name contains it."""
    if not q:
        return rows
    wanted = q.casefold()
    return [r for r in rows if r.code.casefold() == wanted or wanted in r.name.casefold()]


@require_GET
@staff_required(get="billing.view")
def aging(request: StaffRequest) -> HttpResponse:
    """What every company still owes, aged on a day (today unless asked): the totals per
    currency with a chart, all companies in base currency, and a row per company (by code, a
    page at a time)."""
    today = business_day()
    on = day_param(request.GET.get("on")) or today
    q = (request.GET.get("q") or "").strip()[:100]
    rows = billing.receivables_aging(request.staff.tenant_id, on)
    totals = aging_export.totals(rows)
    # Amounts in base currency are worth a column only when some are in another currency.
    mixed = any(row.currency != row.base_currency for row in rows)
    found = _matching(rows, q)
    pages = max((len(found) + AGING_PAGE_SIZE - 1) // AGING_PAGE_SIZE, 1)
    page = min(int_param(request.GET.get("page")) or 1, pages)
    shown = found[(page - 1) * AGING_PAGE_SIZE : page * AGING_PAGE_SIZE]
    return render(
        request,
        "backoffice/receivables.html",
        {
            "on": on,
            "q": q,
            "labels": list(aging_export.BUCKET_LABELS.values()),
            "totals": [(total, chart_bars(total)) for total in totals],
            "base_totals": [
                (total, chart_bars(total)) for total in aging_export.base_totals(rows) if mixed
            ],
            "mixed": mixed,
            "chart_length": LONGEST,
            "rows": [(row, aging_export.labelled(row.aged)) for row in shown],
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
        },
    )


def _download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@staff_required(get="billing.view")
def aging_csv(request: StaffRequest) -> HttpResponse:
    """The aging as CSV, headings in the reader's language."""
    on = day_param(request.GET.get("on")) or business_day()
    rows = billing.receivables_aging(request.staff.tenant_id, on)
    content = aging_export.aging_csv(rows)
    return _download(content, "text/csv; charset=utf-8", f"receivables-aging-{on}.csv")


@require_GET
@staff_required(get="billing.view")
def aging_xlsx(request: StaffRequest) -> HttpResponse:
    """The aging as an Excel workbook, headings in the reader's language."""
    on = day_param(request.GET.get("on")) or business_day()
    rows = billing.receivables_aging(request.staff.tenant_id, on)
    return _download(aging_export.aging_xlsx(rows, on), XLSX, f"receivables-aging-{on}.xlsx")


def _journal(request: StaffRequest) -> tuple[list[journal.Entry], date]:
    """The accounting export's entries from the beginning through `on` (default today)."""
    on = day_param(request.GET.get("on")) or business_day()
    tenant = request.staff.tenant_id
    return billing.journal_entries(tenant, seller_for(tenant, None).pk, on), on


@require_GET
@staff_required(get="billing.view")
def journal_beancount(request: StaffRequest) -> HttpResponse:
    """The accounting export as a Beancount ledger."""
    entries, on = _journal(request)
    text = journal.to_beancount(entries, title=f"Journal to {on}")
    return _download(text, "text/plain; charset=utf-8", f"journal-{on}.beancount")


@require_GET
@staff_required(get="billing.view")
def journal_csv(request: StaffRequest) -> HttpResponse:
    """The accounting export as CSV, one row per posting."""
    entries, on = _journal(request)
    return _download(journal.to_csv(entries), "text/csv; charset=utf-8", f"journal-{on}.csv")


def _statement(request: StaffRequest, company_id: int) -> tuple[statements.Statement, list[str]]:
    """The company's statement for the period the query string asks (by default the month
    and the two before); a period that ends before it starts is said, and the default
    shown."""
    today = business_day()
    errors: list[str] = []
    try:
        start, end = statements.period(
            day_param(request.GET.get("from")), day_param(request.GET.get("to")), today
        )
    except ValidationFailed as error:
        errors = forms.error_messages(error)
        start, end = statements.default_period(today)
    try:
        return statements.statement(request.staff.tenant_id, company_id, start, end), errors
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="billing.view")
def statement(request: StaffRequest, company_id: int) -> HttpResponse:
    """A company's statement of account: the balance brought forward, the period's
    documents with the balance after each, the closing balance and what is open by age."""
    found, errors = _statement(request, company_id)
    return render(
        request,
        "backoffice/statement.html",
        {
            "statement": found,
            "errors": errors,
            "buckets": aging_export.labelled(found.aged),
            "invoice_url": "backoffice:invoice",
        },
    )


@require_GET
@staff_required(get="billing.view")
def statement_as_pdf(request: StaffRequest, company_id: int) -> HttpResponse:
    """The statement as a PDF in the reader's language."""
    found, _errors = _statement(request, company_id)
    pdf = statement_pdf.statement_pdf(found, pdf_language())
    return pdf_response(pdf, f"statement-{found.party.code}-{found.end.isoformat()}.pdf")
