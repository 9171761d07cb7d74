"""Requests and answers of the bulk routes: export filters, import runs."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Id, Instant
from dinghuo.billing.schemas import InvoiceState
from dinghuo.bulk import queries
from dinghuo.bulk.models import ImportRun
from dinghuo.orders.queries import OrderSearch
from dinghuo.orders.schemas_filters import OrderNumber, as_utc, order_id_of
from dinghuo.orders.states import OrderStatus

FileFormat = Literal["csv", "xlsx"]
Language = Literal["en", "zh-hant", "zh-hans"]
ImportMode = Literal["dry_run", "apply"]
ImportState = Literal["waiting", "checking", "checked", "refused", "applying", "applied", "broken"]


# The query every export takes (comments, not docstrings: a docstring would become the
# schema's description in the OpenAPI document).
class ExportQuery(Schema):
    format: FileFormat = Field("csv", description="csv (UTF-8 with a byte-order mark) or xlsx")
    language: Language = Field("en", description="The language of the headings")


class ProductExportQuery(ExportQuery):
    category_id: Id | None = None
    is_active: bool | None = None
    q: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] | None = Field(
        None, description="Part of the code or of the name in any language"
    )


class PriceExportQuery(ExportQuery):
    price_list_id: Id | None = None


class CompanyScopedExportQuery(ExportQuery):
    company_id: Id | None = None


class StockExportQuery(ExportQuery):
    sku: Code | None = Field(None, description="SKU code")
    warehouse: Code | None = Field(None, description="Warehouse code")


class CompanyExportQuery(ExportQuery):
    is_active: bool | None = None
    q: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] | None = Field(
        None, description="Part of the code or of the name"
    )


# The filters of GET /orders (`orders.schemas_filters`), without paging.
class OrderExportQuery(ExportQuery):
    status: list[OrderStatus] = Field(
        default_factory=list, description="One or several statuses: orders in any"
    )
    number: OrderNumber | None = Field(None, description="The order number, exactly")
    purchase_order_number: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = (
        Field(None, description="The buyer's PO number, exactly, whatever the case")
    )
    company_id: Id | None = None
    updated_since: Instant | None = Field(
        None, description="Orders changed at or after this moment (ISO 8601; UTC if no offset)"
    )

    def search(self) -> OrderSearch:
        """The order search these filters ask for, as the order list makes it."""
        return OrderSearch(
            statuses=tuple(self.status),
            company_id=self.company_id,
            order_id=None if self.number is None else order_id_of(self.number),
            purchase_order_number=self.purchase_order_number,
            updated_since=as_utc(self.updated_since),
        )


# The filters of GET /invoices, without paging.
class InvoiceExportQuery(CompanyScopedExportQuery):
    state: InvoiceState | None = Field(None, description="open, overdue (open, past due) or paid")


class ImportProblemOut(Schema):
    row: int | None = Field(description="The file's row (1 is the heading row); null: the file")
    column: str | None = Field(description="The column's heading as the file writes it")
    code: str
    message: str


class ImportRunOut(Schema):
    id: int
    kind: str
    mode: ImportMode
    state: ImportState
    file_name: str
    rows_total: int = Field(description="Rows below the heading row (known once read)")
    rows_done: int = Field(description="Rows read and checked so far")
    problem_count: int
    problems: list[ImportProblemOut] = Field(description="Every problem, by row (up to 10,000)")
    summary: dict[str, int] = Field(
        description="What the run did, or in a dry run would do: `skus_created`, …"
    )
    started_by: str
    created_at: datetime
    finished_at: datetime | None


class ImportRunSummaryOut(Schema):
    id: int
    kind: str
    mode: ImportMode
    state: ImportState
    file_name: str
    rows_total: int
    rows_done: int
    problem_count: int
    created_at: datetime
    finished_at: datetime | None


class ImportRunPageOut(Schema):
    items: list[ImportRunSummaryOut]
    next_cursor: str | None


def run_summary_out(run: ImportRun) -> dict[str, Any]:
    """An import run without its problems (lists)."""
    return {
        "id": run.pk,
        "kind": run.kind,
        "mode": run.mode,
        "state": run.state,
        "file_name": run.file_name,
        "rows_total": run.rows_total,
        "rows_done": run.rows_done,
        "problem_count": run.problem_count,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def run_out(run: ImportRun) -> dict[str, Any]:
    """An import run with its problems said in English."""
    problems = []
    for stored in run.problems:
        found = queries.problem(stored)
        problems.append(
            {
                "row": found.row or None,
                "column": found.column or None,
                "code": found.code,
                "message": queries.said(found),
            }
        )
    return {
        **run_summary_out(run),
        "problems": problems,
        "summary": {k: int(v) for k, v in run.summary.items()},
        "started_by": run.started_by,
    }
