"""A company's credit line, payment terms and unpaid invoices over HTTP (staff routes)."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change
from dinghuo.api.schemas import ObjectId, given
from dinghuo.customers import queries, services
from dinghuo.customers.schemas import (
    CreditOut,
    CreditPatch,
    ReceivablesIn,
    amount,
    amount_or_none,
    credit_out,
)

router = Router(tags=["customers"])


def _date_or_none(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@router.get(
    "/companies/{company_id}/credit",
    response=CreditOut,
    summary="Read a credit line",
    auth=staff_may("credit.view"),
)
def get_credit(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """Limit, terms, exposure (open orders not yet invoiced + unpaid invoices), what is
    available, days overdue and the status under the seller's grace days; for a parent
    company also its group's exposure."""
    return json_response(200, credit_out(queries.company_credit(tenant_id(request), company_id)))


@router.patch(
    "/companies/{company_id}/credit",
    response=CreditOut,
    summary="Change a credit line",
    auth=staff_may("credit.change"),
)
def update_credit(request: HttpRequest, company_id: ObjectId, payload: CreditPatch) -> HttpResponse:
    """`credit_limit: null` removes the limit; a negative one is 422 `credit_limit_negative`.
    Prepaid takes no days and no deposit: setting it sets `terms_days` and
    `deposit_percent` to 0, and prepaid with days is 422 `prepaid_has_no_days`, with a
    deposit 422 `prepaid_has_no_deposit`. A deposit (percent of each order) makes orders
    wait for that much payment before they are confirmed."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.update_credit_line(
            tenant_id=tenant,
            company_id=company_id,
            credit_limit=given(payload, "credit_limit", amount_or_none),
            terms=given(payload, "terms"),
            terms_days=given(payload, "terms_days"),
            deposit_percent=given(payload, "deposit_percent"),
        )
        return credit_out(queries.company_credit(tenant, company_id))

    return run_change(run)


@router.put(
    "/companies/{company_id}/receivables",
    response=CreditOut,
    summary="Set a company's unpaid invoices",
    auth=staff_may("credit.change"),
)
def sync_receivables(
    request: HttpRequest, company_id: ObjectId, payload: ReceivablesIn
) -> HttpResponse:
    """From the seller's accounting system: the total of unpaid invoices and the due date of
    the oldest (required when something is unpaid, null when nothing is). Replaces what was
    there; overdue days count from that date."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.sync_receivables(
            tenant_id=tenant,
            company_id=company_id,
            unpaid_amount=amount(payload.unpaid_amount),
            oldest_unpaid_due_on=_date_or_none(payload.oldest_unpaid_due_on),
        )
        return credit_out(queries.company_credit(tenant, company_id))

    return run_change(run)
