"""Requests and answers of the bulk routes: export filters, import runs."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Id, PageFilters
from dinghuo.bulk import queries
from dinghuo.bulk.models import ImportRun

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


class ProblemOut(Schema):
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
    problems: list[ProblemOut] = Field(description="Every problem, by row (up to 10,000)")
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


class ImportFilters(PageFilters):
    pass


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
