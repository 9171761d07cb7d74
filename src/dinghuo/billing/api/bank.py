"""Bank reconciliation over HTTP (staff routes): import a statement (CAMT.053 or MT940), see
imported statements and their lines, the clerk's queue of credits no rule matched, and a
clerk's decision on one: whose payment it is, or set aside."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from dinghuo.api import uploads
from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import Id, IdempotencyKey, InSchema, ObjectId, PageFilters, ShortText
from dinghuo.billing.bank import queries
from dinghuo.billing.models import BankLine, BankStatement
from dinghuo.billing.schemas import MAX_ALLOCATIONS, AllocationIn, money
from dinghuo.billing.services import bank, payments
from dinghuo.core.errors import DomainError, FieldError, ValidationFailed
from dinghuo.core.money import format_amount
from dinghuo.core.services import Caller

router = Router(tags=["billing"])

# A month of a busy account as CAMT.053 is a few megabytes; this leaves room for a year.
MAX_STATEMENT_BYTES = 20 * 1024 * 1024
StatementFormat = Literal["camt053", "mt940"]
LineStatus = Literal["unmatched", "matched", "ignored"]
_RAW_TYPES = ("application/xml", "text/xml", "text/plain", "application/octet-stream")


# --- bodies -------------------------------------------------------------------------------


class BankStatementOut(Schema):
    id: int
    format: StatementFormat
    statement_id: str = Field(description="The bank's id of the statement (CAMT Id, MT940 :20:)")
    account: str
    currency: str
    opening_balance: str | None
    closing_balance: str | None
    file_name: str
    imported_by: str
    imported_at: datetime
    lines: int = Field(description="Booked entries")
    matched: int = Field(description="Recorded as payments")
    waiting: int = Field(description="Credits waiting for a clerk")
    ignored: int = Field(description="Set aside: money out, or not a customer's payment")


class BankStatementPageOut(Schema):
    items: list[BankStatementOut]
    next_cursor: str | None


class BankLineInvoiceOut(Schema):
    invoice_id: int
    invoice_number: str
    amount: str


class BankLineOut(Schema):
    id: int
    statement_id: int
    line_number: int
    booked_on: date
    amount: str = Field(description="Money in above zero, money out below")
    currency: str
    reference: str = Field(description="What the payer wrote (remittance information)")
    payer_name: str
    payer_account: str
    bank_reference: str
    status: LineStatus = Field(
        description="unmatched: waiting for a clerk; matched: recorded as a payment; "
        "ignored: set aside"
    )
    company_id: int | None
    payment_id: int | None
    invoices: list[BankLineInvoiceOut] = Field(description="What its payment paid")
    decided_by: str
    decided_at: datetime | None


class BankLinePageOut(Schema):
    items: list[BankLineOut]
    next_cursor: str | None


class BankStatementDetailOut(BankStatementOut):
    entries: list[BankLineOut] = Field(description="Every line, in the statement's order")


class ImportFilters(Schema):
    format: StatementFormat | None = Field(
        None, description="camt053 or mt940; by default read from the file's first characters"
    )
    file_name: ShortText = Field("", description="The file's name, for a raw body")


class LineFilters(PageFilters):
    status: LineStatus | None = Field(None, description="unmatched: the clerk's queue")
    statement_id: Id | None = None
    company_id: Id | None = None


class MatchIn(InSchema):
    company_id: Id
    allocations: list[AllocationIn] | None = Field(
        None,
        max_length=MAX_ALLOCATIONS,
        description="Which invoices the credit pays and how much each; omitted: oldest due first",
    )


def bank_statement_out(statement: BankStatement) -> dict[str, Any]:
    """A statement with its counts (from `queries.statements`)."""
    cur = statement.currency
    return {
        "id": statement.pk,
        "format": statement.format,
        "statement_id": statement.statement_id,
        "account": statement.account,
        "currency": cur,
        "opening_balance": _amount(statement.opening_balance, cur),
        "closing_balance": _amount(statement.closing_balance, cur),
        "file_name": statement.file_name,
        "imported_by": statement.imported_by,
        "imported_at": statement.imported_at.isoformat(),
        "lines": statement.line_count,  # type: ignore[attr-defined]
        "matched": statement.matched,  # type: ignore[attr-defined]
        "waiting": statement.waiting,  # type: ignore[attr-defined]
        "ignored": statement.ignored,  # type: ignore[attr-defined]
    }


def bank_line_out(line: BankLine) -> dict[str, Any]:
    """A line with the invoices its payment paid (from `queries.lines`)."""
    cur = line.currency
    paid = list(line.payment.allocations.all()) if line.payment else []
    return {
        "id": line.pk,
        "statement_id": line.statement_id,
        "line_number": line.line_number,
        "booked_on": line.booked_on.isoformat(),
        "amount": format_amount(line.amount, cur),
        "currency": cur,
        "reference": line.reference,
        "payer_name": line.payer_name,
        "payer_account": line.payer_account,
        "bank_reference": line.bank_reference,
        "status": line.status,
        "company_id": line.company_id,
        "payment_id": line.payment_id,
        "invoices": [
            {
                "invoice_id": a.invoice_id,
                "invoice_number": a.invoice.number,
                "amount": format_amount(a.amount, cur),
            }
            for a in paid
            if a.invoice is not None
        ],
        "decided_by": line.decided_by,
        "decided_at": line.decided_at.isoformat() if line.decided_at else None,
    }


def _amount(amount: Any, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


def _caller(request: HttpRequest) -> str:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return f"staff (API key {caller.key_prefix})"


# --- the upload -----------------------------------------------------------------------------

_UPLOAD_OPENAPI = uploads.upload_body(
    "The statement file: a form field `file`, or the file itself as the body", _RAW_TYPES
)


def _too_large() -> DomainError:
    return DomainError(
        f"A statement file is {MAX_STATEMENT_BYTES // (1024 * 1024)} MB at most; "
        "import it in parts (a period at a time).",
        code="statement_too_large",
        status=413,
        errors=[FieldError("file", "statement_too_large", "The file is too large")],
    )


def _no_file() -> ValidationFailed:
    return ValidationFailed(
        "Send the statement as the form field `file`, or as the request body.",
        errors=[FieldError("file", "required", "Send the statement file")],
    )


def statement_file(request: HttpRequest, file_name: str) -> tuple[bytes, str]:
    """The statement's bytes and file name: a multipart form's `file`, or the raw body."""
    content, name = uploads.uploaded(request, MAX_STATEMENT_BYTES, _too_large)
    if not content:
        raise _no_file()
    return content, name or file_name


@router.post(
    "/bank-statements",
    response={200: BankStatementOut, 201: BankStatementOut},
    summary="Import a bank statement",
    openapi_extra=_UPLOAD_OPENAPI,
    auth=staff_may("billing.change"),
)
def import_bank_statement(
    request: HttpRequest, filters: Query[ImportFilters], idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A CAMT.053 (camt.053.001.02 to .13) or MT940 file, as a multipart form's `file` or
    as the body. Credits that name open invoices, or whose payer and amount single out one,
    are recorded as payments applied to those invoices; other credits wait in the clerk's
    queue (`GET /bank-lines?status=unmatched`); money out is set aside. 201 with the counts;
    the same file again: 200 with the earlier statement, and nothing changes. 422
    `malformed_statement` for a file that is not a readable statement."""
    content, file_name = statement_file(request, filters.file_name)
    tenant = tenant_id(request)
    imported_by = _caller(request)

    def create() -> tuple[int, Any]:
        imported = bank.import_statement(
            tenant_id=tenant,
            content=content,
            file_name=file_name,
            format=filters.format,
            imported_by=imported_by,
        )
        answer = bank_statement_out(queries.statement(tenant, imported.statement.pk))
        return (201 if imported.created else 200), answer

    body = {"sha256": bank.fingerprint(content), "format": filters.format, "file": file_name}
    return run_create(request, idempotency_key, body, create)


# --- reads ----------------------------------------------------------------------------------


@router.get(
    "/bank-statements",
    response=BankStatementPageOut,
    summary="List bank statements",
    auth=staff_may("billing.view"),
)
def list_bank_statements(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """Imported statements, oldest first, with how many lines each has matched, waiting and
    set aside."""
    return paged(queries.statements(tenant_id(request)), filters, bank_statement_out)


@router.get(
    "/bank-statements/{statement_id}",
    response=BankStatementDetailOut,
    summary="Read a bank statement",
    auth=staff_may("billing.view"),
)
def get_bank_statement(request: HttpRequest, statement_id: ObjectId) -> HttpResponse:
    """A statement with every line, what became of it, and the invoices its payment paid."""
    tenant = tenant_id(request)
    statement = queries.statement(tenant, statement_id)
    lines = queries.lines(tenant, statement_id=statement.pk).order_by("line_number")
    return json_response(
        200, {**bank_statement_out(statement), "entries": [bank_line_out(x) for x in lines]}
    )


@router.get(
    "/bank-lines",
    response=BankLinePageOut,
    summary="List bank lines",
    auth=staff_may("billing.view"),
)
def list_bank_lines(request: HttpRequest, filters: Query[LineFilters]) -> dict[str, Any]:
    """Lines of imported statements, oldest first; `status=unmatched` is the clerk's queue
    of credits no rule matched. By statement and by company."""
    found = queries.lines(
        tenant_id(request),
        status=filters.status,
        statement_id=filters.statement_id,
        company_id=filters.company_id,
    )
    return paged(found, filters, bank_line_out)


@router.get(
    "/bank-lines/{line_id}",
    response=BankLineOut,
    summary="Read a bank line",
    auth=staff_may("billing.view"),
)
def get_bank_line(request: HttpRequest, line_id: ObjectId) -> HttpResponse:
    """One line, what became of it, and the invoices its payment paid."""
    return json_response(200, bank_line_out(queries.line(tenant_id(request), line_id)))


# --- a clerk's decisions --------------------------------------------------------------------


@router.post(
    "/bank-lines/{line_id}/match",
    response=BankLineOut,
    summary="Match a bank line",
    auth=staff_may("billing.change"),
)
def match_bank_line(
    request: HttpRequest,
    line_id: ObjectId,
    payload: MatchIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Record a waiting credit as the company's payment: applied to the invoices
    `allocations` names (each no more than it still owes, together no more than the credit),
    else to its open invoices oldest due first; the rest is its unapplied credit. 409
    `bank_line_decided` once matched or set aside; 422 for money out."""
    tenant = tenant_id(request)
    decided_by = _caller(request)

    def create() -> tuple[int, Any]:
        allocations = (
            None
            if payload.allocations is None
            else [payments.Allocate(a.invoice_id, money(a.amount)) for a in payload.allocations]
        )
        line = bank.match_line(
            tenant_id=tenant,
            line_id=line_id,
            company_id=payload.company_id,
            allocations=allocations,
            decided_by=decided_by,
        )
        return 200, bank_line_out(queries.line(tenant, line.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.post(
    "/bank-lines/{line_id}/ignore",
    response=BankLineOut,
    summary="Set a line aside",
    auth=staff_may("billing.change"),
)
def ignore_bank_line(
    request: HttpRequest, line_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Set a waiting credit aside: it is not a customer's payment (interest, a supplier's
    refund, a transfer between own accounts). 409 `bank_line_decided` once decided."""
    tenant = tenant_id(request)
    decided_by = _caller(request)

    def create() -> tuple[int, Any]:
        line = bank.ignore_line(tenant_id=tenant, line_id=line_id, decided_by=decided_by)
        return 200, bank_line_out(queries.line(tenant, line.pk))

    return run_create(request, idempotency_key, {"line": line_id}, create)
