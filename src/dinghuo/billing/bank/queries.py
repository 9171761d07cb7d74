"""Reads of bank reconciliation for the API and pages: tenant-scoped, a fixed number of
queries; another tenant's statement or line is not found."""

from django.db.models import Count, Prefetch, Q, QuerySet

from dinghuo.billing.models import Allocation, BankLine, BankStatement
from dinghuo.core.errors import NotFound

Status = BankLine.Status


def statements(tenant_id: int) -> QuerySet[BankStatement]:
    """The tenant's imported statements with how many lines each has, matched, waiting and
    set aside (one query)."""
    return BankStatement.objects.filter(tenant_id=tenant_id).annotate(
        line_count=Count("lines"),
        matched=Count("lines", filter=Q(lines__status=Status.MATCHED)),
        waiting=Count("lines", filter=Q(lines__status=Status.UNMATCHED)),
        ignored=Count("lines", filter=Q(lines__status=Status.IGNORED)),
    )


def statement(tenant_id: int, statement_id: int) -> BankStatement:
    """One statement with its counts (one query); 404 if it is not the tenant's."""
    found = statements(tenant_id).filter(pk=statement_id).first()
    if found is None:
        raise NotFound(f"No bank statement {statement_id}.")
    return found


def lines(
    tenant_id: int,
    *,
    status: str | None = None,
    statement_id: int | None = None,
    company_id: int | None = None,
) -> QuerySet[BankLine]:
    """The tenant's bank lines with their company, payment and what it paid (three queries
    for a page), by status (`unmatched`: the clerk's queue), statement and company."""
    found = BankLine.objects.filter(tenant_id=tenant_id)
    if status is not None:
        found = found.filter(status=status)
    if statement_id is not None:
        found = found.filter(statement_id=statement_id)
    if company_id is not None:
        found = found.filter(company_id=company_id)
    return found.select_related("company", "payment").prefetch_related(
        Prefetch(
            "payment__allocations",
            queryset=Allocation.objects.select_related("invoice").order_by("id"),
        )
    )


def line(tenant_id: int, line_id: int) -> BankLine:
    """One line with its statement, company and payment; 404 if it is not the tenant's."""
    found = lines(tenant_id).select_related("statement").filter(pk=line_id).first()
    if found is None:
        raise NotFound(f"No bank line {line_id}.")
    return found
