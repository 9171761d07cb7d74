"""The Stripe gateway: PaymentIntents through the official `stripe` library.

- A card payment is a PaymentIntent created with `automatic_payment_methods` (the buyer's
  browser confirms it with Stripe.js and the client secret), the amount in the currency's
  minor units as Stripe counts them (`to_minor`: JPY has none, KWD three, ISK two that must
  be 00), our metadata (tenant, company, invoice or order) and our idempotency key, so that
  the same card payment asked for twice is one PaymentIntent.
- Webhooks are verified with `stripe.Webhook.construct_event`: the `Stripe-Signature` header
  (`t=<timestamp>,v1=<HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>`), the
  raw body, and a tolerance on the timestamp against replays (300 seconds, Stripe's default).

Settings (read when the gateway is built, never at import): `STRIPE_SECRET_KEY` (sk_…),
`STRIPE_PUBLISHABLE_KEY` (pk_…, for the buyer's browser), `STRIPE_WEBHOOK_SECRET` (whsec_…,
the endpoint's signing secret), `STRIPE_API_BASE` (https://api.stripe.com; tests point it at a
local stand-in), `STRIPE_WEBHOOK_TOLERANCE` (seconds), `STRIPE_MAX_NETWORK_RETRIES` (the
library retries with the same idempotency key), `STRIPE_TIMEOUT_SECONDS`.
"""

import functools
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import stripe as stripe_lib
from django.conf import settings

from dinghuo.billing.gateways.base import (
    Charge,
    GatewayRefused,
    GatewayUnavailable,
    InvalidWebhook,
    ProviderPayment,
    Status,
    WebhookEvent,
)

log = logging.getLogger(__name__)

NAME = "stripe"
DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_TOLERANCE = 300

# Stripe's own table (docs.stripe.com/currencies): currencies whose API amount is the amount
# itself, those counted in thousandths (the last digit must be 0), and those Stripe counts in
# hundredths although only whole units can be charged (ISK). Every other currency: hundredths.
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
WHOLE_UNITS_IN_HUNDREDTHS = frozenset({"ISK"})

# PaymentIntent statuses → ours. requires_payment_method with an error is a failed attempt
# (the buyer may try another card with the same client secret).
_STATUSES: dict[str, Status] = {
    "requires_payment_method": "requires_payment",
    "requires_confirmation": "requires_payment",
    "requires_action": "requires_payment",
    "processing": "processing",
    "requires_capture": "processing",
    "succeeded": "succeeded",
    "canceled": "canceled",
}
# The events billing acts on, and the status each reports.
EVENTS: dict[str, Status] = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "failed",
    "payment_intent.processing": "processing",
    "payment_intent.canceled": "canceled",
}


def _exponent_and_step(currency: str) -> tuple[int, int]:
    """Stripe's decimal places for `currency`, and the multiple its minor amounts must be."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0, 1
    if code in THREE_DECIMAL:
        return 3, 10
    if code in WHOLE_UNITS_IN_HUNDREDTHS:
        return 2, 100
    return 2, 1


def to_minor(amount: Decimal, currency: str) -> int | None:
    """The amount as Stripe's integer (30.00 USD → 3000, 5000 JPY → 5000, 1.230 KWD → 1230);
    `None` if Stripe cannot charge exactly this amount (a fraction of a yen, 1.235 KWD)."""
    exponent, step = _exponent_and_step(currency)
    scaled = amount.scaleb(exponent)
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        return None
    minor = int(scaled)
    return minor if minor % step == 0 else None


def from_minor(minor: int, currency: str) -> Decimal:
    """Stripe's integer back to an amount (3000 USD → 30.00, 5000 JPY → 5000)."""
    exponent, _ = _exponent_and_step(currency)
    return Decimal(minor).scaleb(-exponent)


@functools.lru_cache(maxsize=8)
def _client(api_key: str, api_base: str, retries: int, timeout: float) -> stripe_lib.StripeClient:
    """One client per configuration (it keeps its HTTP connections)."""
    return stripe_lib.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=retries,
        http_client=stripe_lib.RequestsClient(timeout=timeout),
    )


def _reason(intent: Mapping[str, Any]) -> str:
    error = intent.get("last_payment_error") or {}
    return str(error.get("message") or error.get("code") or "")[:300]


def payment_of(intent: Mapping[str, Any], status: Status | None = None) -> ProviderPayment:
    """A PaymentIntent (as a plain dict) as billing understands it; `status` overrides the
    intent's own (an event says what happened, the intent may have moved on)."""
    currency = str(intent["currency"]).upper()
    reason = _reason(intent)
    if status is None:
        status = _STATUSES.get(str(intent.get("status")), "requires_payment")
        if status == "requires_payment" and reason:
            status = "failed"
    return ProviderPayment(
        reference=str(intent["id"]),
        status=status,
        amount=from_minor(int(intent["amount"]), currency),
        currency=currency,
        amount_received=from_minor(int(intent.get("amount_received") or 0), currency),
        client_secret=str(intent.get("client_secret") or ""),
        failure_reason=reason if status == "failed" else "",
    )


def _call(what: str, request: Any) -> dict[str, Any]:
    """Run a Stripe request: what could work on a retry is `GatewayUnavailable`, the rest
    `GatewayRefused`; the answer as a plain dict."""
    try:
        answer = request()
    except stripe_lib.APIConnectionError as exc:
        raise GatewayUnavailable(f"Stripe could not be reached to {what}.") from exc
    except stripe_lib.StripeError as exc:
        status = exc.http_status or 0
        log.warning("Stripe refused to %s: %s %s", what, status, exc.user_message or exc)
        if status in (409, 429) or status >= 500:
            raise GatewayUnavailable(f"Stripe is busy; could not {what}.") from exc
        raise GatewayRefused(f"Stripe refused to {what}: {exc.user_message or exc}") from exc
    result: dict[str, Any] = answer.to_dict()
    return result


class StripeGateway:
    """Card payments through Stripe PaymentIntents."""

    name = NAME
    settled_by_hand = False
    sends_webhooks = True

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        publishable_key: str = "",
        api_base: str = DEFAULT_API_BASE,
        tolerance: int = DEFAULT_TOLERANCE,
        max_network_retries: int = 2,
        timeout: float = 20.0,
    ) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.public_key = publishable_key
        self.api_base = api_base.rstrip("/")
        self.tolerance = tolerance
        self.max_network_retries = max_network_retries
        self.timeout = timeout

    def _stripe(self) -> stripe_lib.StripeClient:
        if not self.secret_key:
            raise GatewayRefused("STRIPE_SECRET_KEY is not set: card payments are off.")
        return _client(self.secret_key, self.api_base, self.max_network_retries, self.timeout)

    def can_charge(self, amount: Decimal, currency: str) -> bool:
        """Whether Stripe can take exactly this amount (see `to_minor`)."""
        minor = to_minor(amount, currency)
        return minor is not None and minor > 0

    def create_payment(self, charge: Charge) -> ProviderPayment:
        """A PaymentIntent for the charge, or the one this idempotency key already made."""
        minor = to_minor(charge.amount, charge.currency)
        if minor is None or minor <= 0:
            raise GatewayRefused(f"Stripe cannot charge {charge.amount} {charge.currency}.")
        client = self._stripe()
        intent = _call(
            "create a payment",
            lambda: client.v1.payment_intents.create(
                params={
                    "amount": minor,
                    "currency": charge.currency.lower(),
                    "automatic_payment_methods": {"enabled": True},
                    "metadata": dict(charge.metadata),
                    "description": charge.description,
                },
                options={"idempotency_key": charge.idempotency_key},
            ),
        )
        return payment_of(intent)

    def read_payment(self, reference: str) -> ProviderPayment | None:
        """The PaymentIntent as Stripe has it now."""
        client = self._stripe()
        intent = _call("read a payment", lambda: client.v1.payment_intents.retrieve(reference))
        return payment_of(intent)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The event of a webhook, verified as Stripe documents it; `InvalidWebhook` for a
        missing or wrong signature, a timestamp beyond the tolerance, or a body that is not
        an event."""
        try:
            event = stripe_lib.Webhook.construct_event(
                body,
                headers.get("Stripe-Signature"),
                self.webhook_secret,
                tolerance=self.tolerance,
                api_key=self.secret_key or None,
            )
            values: dict[str, Any] = event.to_dict()
            event_id, kind = str(values["id"]), str(values["type"])
            obj = values["data"]["object"]
        except stripe_lib.SignatureVerificationError as exc:
            raise InvalidWebhook(str(exc.user_message or exc)) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # incl. UnicodeDecodeError
            raise InvalidWebhook("The body is not a Stripe event.") from exc
        status = EVENTS.get(kind)
        if status is None or not isinstance(obj, dict) or obj.get("object") != "payment_intent":
            return WebhookEvent(event_id, kind)
        try:
            return WebhookEvent(event_id, kind, payment_of(obj, status))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook("The event's payment intent is malformed.") from exc


def from_settings() -> StripeGateway:
    """The Stripe gateway as the settings configure it."""
    return StripeGateway(
        secret_key=str(getattr(settings, "STRIPE_SECRET_KEY", "") or ""),
        webhook_secret=str(getattr(settings, "STRIPE_WEBHOOK_SECRET", "") or ""),
        publishable_key=str(getattr(settings, "STRIPE_PUBLISHABLE_KEY", "") or ""),
        api_base=str(getattr(settings, "STRIPE_API_BASE", "") or DEFAULT_API_BASE),
        tolerance=int(getattr(settings, "STRIPE_WEBHOOK_TOLERANCE", DEFAULT_TOLERANCE)),
        max_network_retries=int(getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2)),
        timeout=float(getattr(settings, "STRIPE_TIMEOUT_SECONDS", 20)),
    )
