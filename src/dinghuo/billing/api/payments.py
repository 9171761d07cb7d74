"""Payments and refunds over HTTP (staff routes): record money received and where it goes,
pay back a company's unapplied credit, and where a company stands."""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, require_key, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import Id, ObjectId, PageFilters, RequiredIdempotencyKey
from dinghuo.billing import queries, services
from dinghuo.billing.api.shared import company_balance
from dinghuo.billing.schemas import (
    BalanceOut,
    PaymentIn,
    PaymentOut,
    PaymentPageOut,
    RefundIn,
    money,
    payment_out,
    payment_summary_out,
)
from dinghuo.core.services import Caller

router = Router(tags=["billing"])


def _recorded_by(request: HttpRequest) -> str:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return f"staff (API key {caller.key_prefix})"


@router.post(
    "/payments",
    response={201: PaymentOut},
    summary="Record a payment",
    auth=staff_may("billing.change"),
)
def record_payment(
    request: HttpRequest, payload: PaymentIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """Money received from a company, in its currency. Applied to the invoices `allocations`
    names (each no more than it still owes, together no more than the payment), else to its
    open invoices oldest due first, unless it prepays `order_id`; the rest is the company's
    unapplied credit. Prepaid orders the company's money now covers confirm themselves.
    Requires an `Idempotency-Key` header: a payment sent again with it is recorded once."""
    require_key(idempotency_key, "a retried payment is never recorded twice")
    tenant = tenant_id(request)
    recorded_by = _recorded_by(request)

    def create() -> tuple[int, Any]:
        payment = services.record_payment(
            tenant_id=tenant,
            company_id=payload.company_id,
            amount=money(payload.amount),
            currency=payload.currency,
            method=payload.method,
            received_on=payload.received_on,
            reference=payload.reference,
            allocations=None
            if payload.allocations is None
            else [services.Allocate(a.invoice_id, money(a.amount)) for a in payload.allocations],
            order_id=payload.order_id,
            recorded_by=recorded_by,
        )
        return 201, payment_out(queries.payment_detail(tenant, payment.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


class PaymentFilters(PageFilters):
    company_id: Id | None = None
    kind: Literal["received", "refund"] | None = Field(
        None, description="received: money in; refund: money paid back"
    )


@router.get(
    "/payments",
    response=PaymentPageOut,
    summary="List payments and refunds",
    auth=staff_may("billing.view"),
)
def list_payments(request: HttpRequest, filters: Query[PaymentFilters]) -> dict[str, Any]:
    """Oldest first; by company and by kind."""
    found = queries.payments(tenant_id(request), company_id=filters.company_id, kind=filters.kind)
    return paged(found, filters, payment_summary_out)


@router.get(
    "/payments/{payment_id}",
    response=PaymentOut,
    summary="Read a payment or refund",
    auth=staff_may("billing.view"),
)
def get_payment(request: HttpRequest, payment_id: ObjectId) -> HttpResponse:
    """With where its money went (invoices, refunds) and what is still unapplied; a refund
    with the payments and credit notes it paid back."""
    return json_response(200, payment_out(queries.payment_detail(tenant_id(request), payment_id)))


@router.post(
    "/companies/{company_id}/refunds",
    response={201: PaymentOut},
    summary="Refund a company",
    auth=staff_may("billing.change"),
)
def refund(
    request: HttpRequest,
    company_id: ObjectId,
    payload: RefundIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """Pay back some of the company's unapplied credit, in its currency; what confirmed
    prepaid orders still need is kept (409 `refund_exceeds_credit` for more). Requires an
    `Idempotency-Key` header."""
    require_key(idempotency_key, "a retried refund is never recorded twice")
    tenant = tenant_id(request)
    recorded_by = _recorded_by(request)

    def create() -> tuple[int, Any]:
        paid_back = services.refund(
            tenant_id=tenant,
            company_id=company_id,
            amount=money(payload.amount),
            method=payload.method,
            refunded_on=payload.refunded_on,
            reference=payload.reference,
            recorded_by=recorded_by,
        )
        return 201, payment_out(queries.payment_detail(tenant, paid_back.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/companies/{company_id}/balance",
    response=BalanceOut,
    summary="A company's balance",
    auth=staff_may("billing.view"),
)
def get_balance(request: HttpRequest, company_id: ObjectId) -> HttpResponse:
    """What its invoices still owe (and of that, what is past due), the money held for it
    not yet applied, what of that can be refunded, and its oldest open due date."""
    return json_response(200, company_balance(tenant_id(request), company_id))
