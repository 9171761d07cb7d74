"""Import runs as the API and pages read them, and their problems said for people."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from dinghuo.bulk.layout import CellProblem
from dinghuo.bulk.models import ImportRun
from dinghuo.core import refusals
from dinghuo.core.queries import tenant_row


def runs(tenant_id: int) -> QuerySet[ImportRun]:
    """The tenant's import runs, newest first, without their files."""
    return ImportRun.objects.filter(tenant_id=tenant_id).defer("content").order_by("-id")


def run_of(tenant_id: int, run_id: int) -> ImportRun:
    """The tenant's import run (without its file); 404 otherwise."""
    return tenant_row(ImportRun.objects.defer("content"), tenant_id, run_id, f"No import {run_id}.")


def problem(found: dict[str, Any]) -> CellProblem:
    """A stored problem."""
    return CellProblem(**{**found, "extra": found.get("extra") or {}})  # as `as_dict` stored it


def said(found: CellProblem) -> str:
    """The problem in the active language."""
    return refusals.message(found.as_field_error())


def problem_rows(run: ImportRun) -> Iterator[list[Any]]:
    """The run's problems as rows of a table: row, column, message (active language)."""
    for stored in run.problems:
        found = problem(stored)
        yield [found.row or None, found.column or None, said(found)]
