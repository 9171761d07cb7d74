"""Quotes (RFQ): a buyer asks, accepts, declines or withdraws (/my/quotes); staff ask on a
company's behalf, answer and reject."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.buying import queries, services
from dinghuo.buying.api.shared import BUYER_CHANNEL
from dinghuo.buying.schemas.quotes import (
    QuoteAcceptIn,
    QuoteAnswerIn,
    QuoteCounterIn,
    QuoteFilters,
    QuoteOut,
    QuotePageOut,
    QuoteRejectIn,
    QuoteRequestIn,
    StaffQuoteFilters,
    StaffQuoteRequestIn,
    quote_out,
    quote_summary_out,
)
from dinghuo.core import clock
from dinghuo.orders.schemas import OrderOut, order_out

router = Router(tags=["buying"])
buyer_router = Router(tags=["buyer: buying"])


def _quote_answer(tenant: int, quote_id: int, *, company_id: int | None = None) -> dict[str, Any]:
    found = queries.quote(tenant, quote_id, company_id=company_id)
    return quote_out(found, clock.now(), for_buyer=company_id is not None)


def _quote_lines(payload: QuoteRequestIn) -> list[services.QuoteLineRequest]:
    return [services.QuoteLineRequest(ln.sku, ln.quantity, ln.note) for ln in payload.lines]


def _quote_page(tenant: int, filters: QuoteFilters, company_id: int | None) -> Any:
    now = clock.now()
    found = queries.quotes(tenant, company_id=company_id, status=filters.status, now=now)
    return paged(found, filters, lambda q: quote_summary_out(q, now))


@buyer_router.post("/quotes", response={201: QuoteOut}, summary="Ask for a quote")
def request_my_quote(
    request: HttpRequest, payload: QuoteRequestIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Lines of SKUs my company may buy, in quantities it could order; a SKU without a list
    price may be asked for."""
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id

    def create() -> tuple[int, Any]:
        quote = services.request_quote(
            tenant_id=caller.tenant_id,
            company_id=company_id,
            lines=_quote_lines(payload),
            requested_by_id=caller.company_user_id,
            ship_to_id=payload.ship_to_id,
            note=payload.note,
        )
        return 201, _quote_answer(caller.tenant_id, quote.pk, company_id=company_id)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@buyer_router.get("/quotes", response=QuotePageOut, summary="My company's quotes")
def my_quotes(request: HttpRequest, filters: Query[QuoteFilters]) -> Any:
    """Oldest first; `status=expired` includes answers past their expiry."""
    caller = buyer(request)
    return _quote_page(caller.tenant_id, filters, caller.company_id)


@buyer_router.get("/quotes/{quote_id}", response=QuoteOut, summary="Read a quote")
def my_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    caller = buyer(request)
    return json_response(
        200, _quote_answer(caller.tenant_id, quote_id, company_id=caller.company_id)
    )


@buyer_router.post("/quotes/{quote_id}/accept", response={201: OrderOut}, summary="Accept a quote")
def accept_my_quote(
    request: HttpRequest,
    quote_id: ObjectId,
    payload: QuoteAcceptIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """The quote becomes an order at the quoted prices. After its expiry: 409 `quote_expired`."""
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id
    body = payload or QuoteAcceptIn(ship_to_id=None)

    def create() -> tuple[int, Any]:
        order = services.accept_quote(
            tenant_id=caller.tenant_id,
            quote_id=quote_id,
            company_id=company_id,
            accepted_by_id=caller.company_user_id,
            ship_to_id=body.ship_to_id,
            purchase_order_number=body.purchase_order_number,
            channel=BUYER_CHANNEL,
        )
        return 201, order_out(order, order.seller.slug, [])

    return run_create(request, idempotency_key, body.model_dump(mode="json"), create)


def _buyer_closes(request: HttpRequest, quote_id: int, close: Callable[..., Any]) -> HttpResponse:
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id

    def run() -> dict[str, Any]:
        close(tenant_id=caller.tenant_id, quote_id=quote_id, company_id=company_id)
        return _quote_answer(caller.tenant_id, quote_id, company_id=company_id)

    return run_change(run)


@buyer_router.post("/quotes/{quote_id}/decline", response=QuoteOut, summary="Decline a quote")
def decline_my_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    """Say no to the seller's answer."""
    return _buyer_closes(request, quote_id, services.decline_quote)


@buyer_router.post(
    "/quotes/{quote_id}/counter", response=QuoteOut, summary="Counter a quote's answer"
)
def counter_my_quote(
    request: HttpRequest, quote_id: ObjectId, payload: QuoteCounterIn
) -> HttpResponse:
    """Propose other quantities and/or prices for some lines, with a note: the quote goes
    back to the seller (`countered`) with its history of rounds. 422 `nothing_proposed` when
    the offer changes nothing and says nothing; after the expiry 409 `quote_expired`."""
    caller = buyer(request)
    assert caller.company_id is not None
    company_id = caller.company_id

    def run() -> dict[str, Any]:
        services.counter_quote(
            tenant_id=caller.tenant_id,
            quote_id=quote_id,
            company_id=company_id,
            lines=[
                services.CounterLine(
                    ln.line_number,
                    ln.quantity,
                    None if ln.unit_price is None else Decimal(ln.unit_price),
                )
                for ln in payload.lines
            ],
            note=payload.note,
        )
        return _quote_answer(caller.tenant_id, quote_id, company_id=company_id)

    return run_change(run)


@buyer_router.post(
    "/quotes/{quote_id}/withdraw", response=QuoteOut, summary="Withdraw a quote request"
)
def withdraw_my_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    """Take back a request the seller has not answered yet."""
    return _buyer_closes(request, quote_id, services.withdraw_quote)


@router.get("/quotes", response=QuotePageOut, summary="List quotes", auth=staff_may("quotes.view"))
def list_quotes(request: HttpRequest, filters: Query[StaffQuoteFilters]) -> Any:
    """Oldest first; `status=expired` includes answers past their expiry."""
    return _quote_page(tenant_id(request), filters, filters.company_id)


@router.post(
    "/quotes",
    response={201: QuoteOut},
    summary="Ask for a quote for a company",
    auth=staff_may("quotes.answer"),
)
def request_company_quote(
    request: HttpRequest, payload: StaffQuoteRequestIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """A request entered on the company's behalf."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        quote = services.request_quote(
            tenant_id=tenant,
            company_id=payload.company_id,
            lines=_quote_lines(payload),
            ship_to_id=payload.ship_to_id,
            note=payload.note,
        )
        return 201, _quote_answer(tenant, quote.pk)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/quotes/{quote_id}", response=QuoteOut, summary="Read a quote", auth=staff_may("quotes.view")
)
def get_quote(request: HttpRequest, quote_id: ObjectId) -> HttpResponse:
    return json_response(200, _quote_answer(tenant_id(request), quote_id))


@router.post(
    "/quotes/{quote_id}/answer",
    response=QuoteOut,
    summary="Answer a quote",
    auth=staff_may("quotes.answer"),
)
def answer_quote(request: HttpRequest, quote_id: ObjectId, payload: QuoteAnswerIn) -> HttpResponse:
    """A price for every line, valid until `expires_at`; each line also shows the company's
    price today (`list_unit_price`) for comparison. A countered quote is answered the same
    way, and an answered one may be answered again (a new round) until the buyer accepts."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.answer_quote(
            tenant_id=tenant,
            quote_id=quote_id,
            lines=[
                services.QuotedLine(ln.line_number, Decimal(ln.unit_price), ln.note)
                for ln in payload.lines
            ],
            expires_at=payload.expires_at,
            note=payload.note,
        )
        return _quote_answer(tenant, quote_id)

    return run_change(run)


@router.post(
    "/quotes/{quote_id}/reject",
    response=QuoteOut,
    summary="Reject a quote",
    auth=staff_may("quotes.answer"),
)
def reject_quote(request: HttpRequest, quote_id: ObjectId, payload: QuoteRejectIn) -> HttpResponse:
    """Refuse a request, or take back an answer the buyer has not accepted."""
    tenant = tenant_id(request)

    def run() -> dict[str, Any]:
        services.reject_quote(tenant_id=tenant, quote_id=quote_id, reason=payload.reason)
        return _quote_answer(tenant, quote_id)

    return run_change(run)
