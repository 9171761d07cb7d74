"""Card payments over HTTP: a buyer starts paying an invoice or a prepaid order by card
(`buyer_router`, mounted at /my), staff read them, settle those of the manual provider and ask
the provider how one stands (`router`), and providers report outcomes by webhook
(`POST /gateways/stripe/webhook`, authenticated by its signature, not by an API key).

Starting a card payment claims it in one transaction (with the Idempotency-Key), then asks the
provider outside any transaction (`billing.services.cards` explains the order of the steps);
a retry with the same key finishes what a failed or interrupted attempt claimed."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field, StringConstraints

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.idempotent import json_response, require_key, run_create
from dinghuo.api.schemas import IdempotencyKey, InSchema, ObjectId, RequiredIdempotencyKey
from dinghuo.billing import gateways
from dinghuo.billing.models import CardPayment
from dinghuo.billing.services import cards
from dinghuo.core import idempotency
from dinghuo.core.money import format_amount
from dinghuo.core.services import Caller

router = Router(tags=["card payments"])
buyer_router = Router(tags=["buyer: card payments"])

Status = Literal["requires_payment", "processing", "succeeded", "failed", "canceled"]


class CardPaymentOut(Schema):
    id: int
    provider: str = Field(description="The gateway: manual (a terminal in the shop) or stripe")
    status: Status = Field(
        description="requires_payment (waiting for the card), processing, succeeded (recorded "
        "as a payment), failed (the buyer may try another card) or canceled"
    )
    amount: str
    currency: str
    invoice_id: int | None
    order_id: int | None
    reference: str = Field(description="The provider's id (Stripe: pi_…); empty until known")
    failure_reason: str
    payment_id: int | None = Field(description="The payment it was recorded as, once succeeded")
    created_at: str
    updated_at: str


class BuyerCardPaymentOut(CardPaymentOut):
    client_secret: str = Field(
        description="For the buyer's browser to pay with the provider (Stripe.js "
        "`confirmPayment`); empty for the manual provider and once settled"
    )
    publishable_key: str = Field(description="The provider's public key for the browser, if any")


class SettleIn(InSchema):
    outcome: Literal["succeeded", "failed"]
    reason: Annotated[str, StringConstraints(max_length=300)] = Field(
        "", description="Why the card was declined (for failed)"
    )


class WebhookOut(Schema):
    received: bool
    outcome: Literal["handled", "repeat", "ignored"]


def card_payment_out(card: CardPayment) -> dict[str, Any]:
    """A card payment as staff see it (never its client secret)."""
    return {
        "id": card.pk,
        "provider": card.provider,
        "status": card.status,
        "amount": format_amount(card.amount, card.currency),
        "currency": card.currency,
        "invoice_id": card.invoice_id,
        "order_id": card.order_id,
        "reference": "" if cards.is_pending(card) else card.provider_reference,
        "failure_reason": card.failure_reason,
        "payment_id": card.payment_id,
        "created_at": card.created_at.isoformat(),
        "updated_at": card.updated_at.isoformat(),
    }


def buyer_card_payment_out(card: CardPayment) -> dict[str, Any]:
    """A card payment as its buyer sees it: with what the browser needs while it is open."""
    open_ = card.status not in cards.FINAL
    try:
        public_key = gateways.gateway(card.provider).public_key if open_ else ""
    except gateways.UnknownGateway:
        public_key = ""
    return {
        **card_payment_out(card),
        "client_secret": card.client_secret if open_ else "",
        "publishable_key": public_key,
    }


def _me(request: HttpRequest) -> tuple[int, int, Caller]:
    caller: Caller = buyer(request)
    assert caller.company_id is not None
    return caller.tenant_id, caller.company_id, caller


def _start(
    request: HttpRequest, key: str | None, invoice_id: int | None, order_id: int | None
) -> HttpResponse:
    """Claim once per key (in one transaction), then finish with the provider outside it."""
    require_key(key, "a retried card payment is never recorded twice")
    assert key is not None
    tenant, company, caller = _me(request)

    def claim() -> tuple[int, Any]:
        card = cards.claim_card_payment(
            tenant_id=tenant, company_id=company, invoice_id=invoice_id, order_id=order_id
        )
        return 201, {"card_payment_id": card.pk}

    claimed = idempotency.run_once(
        tenant_id=tenant,
        key=key,
        # Buyers choose their keys independently, as for every buyer create.
        scope=f"buyer-{caller.company_user_id}:",
        method=request.method or "POST",
        path=request.path,
        request_body=None,
        create=claim,
    )
    card = cards.card_payment_of(tenant, claimed.body["card_payment_id"], company)
    card = cards.complete_card_payment(card)
    return json_response(201, buyer_card_payment_out(card), replayed=claimed.replayed)


@buyer_router.post(
    "/invoices/{invoice_id}/card-payments",
    response={201: BuyerCardPaymentOut},
    summary="Pay one of my company's invoices by card",
)
def buyer_pay_invoice_by_card(
    request: HttpRequest, invoice_id: ObjectId, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """Starts a card payment for what the invoice still owes, with the seller's card payment
    provider; the answer's `client_secret` lets the browser pay it with the provider. Asked
    again while it waits, the same card payment is answered. 409 `invoice_not_open` for a
    paid invoice, 404 for another company's. Requires an `Idempotency-Key` header."""
    return _start(request, idempotency_key, invoice_id, None)


@buyer_router.post(
    "/orders/{order_id}/card-payments",
    response={201: BuyerCardPaymentOut},
    summary="Pay one of my company's prepaid orders by card",
)
def buyer_pay_order_by_card(
    request: HttpRequest, order_id: ObjectId, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """Starts a card payment for a prepaid order waiting for its money (its total less the
    company's money held for it); once paid the order confirms itself. 409
    `order_not_awaiting_payment` otherwise. Requires an `Idempotency-Key` header."""
    return _start(request, idempotency_key, None, order_id)


@buyer_router.get(
    "/card-payments/{card_payment_id}",
    response=BuyerCardPaymentOut,
    summary="Read one of my company's card payments",
)
def buyer_get_card_payment(request: HttpRequest, card_payment_id: ObjectId) -> HttpResponse:
    """Its status as the provider last reported it."""
    tenant, company, _ = _me(request)
    card = cards.card_payment_of(tenant, card_payment_id, company)
    return json_response(200, buyer_card_payment_out(card))


@router.get(
    "/card-payments/{card_payment_id}",
    response=CardPaymentOut,
    summary="Read a card payment",
    auth=staff_may("billing.view"),
)
def get_card_payment(request: HttpRequest, card_payment_id: ObjectId) -> HttpResponse:
    """Its status as the provider last reported it, and the payment it was recorded as."""
    return json_response(
        200, card_payment_out(cards.card_payment_of(tenant_id(request), card_payment_id))
    )


@router.post(
    "/card-payments/{card_payment_id}/settle",
    response=CardPaymentOut,
    summary="Settle a card payment taken at a terminal",
    auth=staff_may("billing.change"),
)
def settle_card_payment(
    request: HttpRequest,
    card_payment_id: ObjectId,
    payload: SettleIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """For the manual provider: the clerk says whether the terminal took the card. Succeeded
    records the payment (applied to its invoice, or prepaying its order); failed keeps the
    reason. The same outcome again changes nothing; 409 `card_payment_not_manual` for a
    provider that settles by itself, `card_payment_final` for another outcome of a settled
    one."""
    tenant = tenant_id(request)
    caller: Caller = request.auth  # type: ignore[attr-defined]

    def settle() -> tuple[int, Any]:
        card = cards.settle_manually(
            tenant_id=tenant,
            card_payment_id=card_payment_id,
            succeeded=payload.outcome == "succeeded",
            reason=payload.reason,
            settled_by=f"staff (API key {caller.key_prefix})",
        )
        return 200, card_payment_out(card)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), settle)


@router.post(
    "/card-payments/{card_payment_id}/refresh",
    response=CardPaymentOut,
    summary="Ask the provider how a card payment stands",
    auth=staff_may("billing.change"),
)
def refresh_card_payment(request: HttpRequest, card_payment_id: ObjectId) -> HttpResponse:
    """Reads the payment from the provider and applies it as its webhook would (for a webhook
    that is late or was lost): a payment the provider says succeeded is recorded once."""
    card = cards.refresh_card_payment(tenant_id=tenant_id(request), card_payment_id=card_payment_id)
    return json_response(200, card_payment_out(card))


def provider_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's webhook handled: 400 `invalid_signature` unless verified, 200 when handled,
    when ignored and when an event already handled is delivered again."""
    outcome = cards.handle_gateway_event(
        provider=provider, headers=request.headers, body=request.body
    )
    return json_response(200, {"received": True, "outcome": outcome})


# One route per provider that sends webhooks (a new provider adds its own line).
@router.post("/gateways/stripe/webhook", auth=None, response=WebhookOut, summary="Stripe's webhook")
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Called by Stripe, not by people: no API key; the request is authenticated by its
    `Stripe-Signature` header (an HMAC-SHA256 of the timestamp and the raw body with the
    endpoint's signing secret, `STRIPE_WEBHOOK_SECRET`, no older than 5 minutes). 400
    `invalid_signature` if it cannot be verified; 200 when handled, and when an event
    already handled is delivered again. Subscribe it to `payment_intent.succeeded`,
    `payment_intent.payment_failed`, `payment_intent.processing` and
    `payment_intent.canceled`."""
    return provider_webhook(request, "stripe")
