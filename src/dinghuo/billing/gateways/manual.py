"""The manual gateway: no outside service. The buyer pays at a card terminal in the shop (or
by phone); a clerk then marks the card payment succeeded or failed
(`billing.services.settle_manually`, `POST /card-payments/{id}/settle`). Useful for the demo
and the tests too.

It keeps no state of its own: the card payment row is the whole truth, so `read_payment`
answers `None`, and it sends no webhooks.
"""

import hashlib
from collections.abc import Mapping
from decimal import Decimal

from dinghuo.billing.gateways.base import Charge, InvalidWebhook, ProviderPayment, WebhookEvent

NAME = "manual"


class ManualGateway:
    """Card payments a person settles by hand."""

    name = NAME
    settled_by_hand = True
    sends_webhooks = False
    public_key = ""

    def can_charge(self, amount: Decimal, currency: str) -> bool:
        """Whatever billing can invoice, a terminal can take."""
        return amount > 0

    def create_payment(self, charge: Charge) -> ProviderPayment:
        """A payment waiting for the clerk; its reference follows from the idempotency key,
        so asking again with the same key gives the same payment."""
        digest = hashlib.sha256(charge.idempotency_key.encode()).hexdigest()[:24]
        return ProviderPayment(
            reference=f"manual_{digest}",
            status="requires_payment",
            amount=charge.amount,
            currency=charge.currency,
        )

    def read_payment(self, reference: str) -> ProviderPayment | None:
        """Nothing outside: the card payment row is the truth."""
        return None

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """There are none to trust."""
        raise InvalidWebhook("The manual gateway sends no webhooks.")


def from_settings() -> ManualGateway:
    """The manual gateway (it has no settings)."""
    return ManualGateway()
