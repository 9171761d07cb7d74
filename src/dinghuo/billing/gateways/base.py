"""The plug-in point for card payments: one small interface a payment gateway implements, and
the registry that finds a gateway by name.

A gateway does three things, and billing asks for nothing else:

- `create_payment(charge)`: ask the provider for a payment of an amount in a currency, with
  metadata and an idempotency key (the same key must give back the same payment, so that a
  retry after a crash never charges twice);
- `read_payment(reference)`: what the provider says about one of its payments now (`None`
  when the provider keeps no state of its own, as the manual one);
- `parse_webhook(headers, body)`: verify that a webhook really comes from the provider and
  turn it into a `WebhookEvent`; anything unverifiable raises `InvalidWebhook`.

Amounts cross this interface as `Decimal` in the currency's major unit (30.00 USD, 5000 JPY);
each gateway converts to what its provider wants. A gateway talks to the outside world, so
billing calls it outside any database transaction; it never touches the database itself.

Gateways are built from settings when asked for (never at import), by name:
`gateway("stripe")`, or `configured()` for the one `DINGHUO_CARD_PROVIDER` names. Built-in
gateways register in `billing.gateways`; a deployment adds its own with `register(name,
factory)` or the setting `DINGHUO_CARD_GATEWAYS = {"name": "dotted.path.to.factory"}`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_PROVIDER = "manual"

Status = Literal["requires_payment", "processing", "succeeded", "failed", "canceled"]
STATUSES: tuple[Status, ...] = (
    "requires_payment",
    "processing",
    "succeeded",
    "failed",
    "canceled",
)


@dataclass(frozen=True)
class Charge:
    """What billing asks a provider to collect."""

    amount: Decimal
    currency: str  # ISO 4217, upper case
    idempotency_key: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """A provider's payment as billing understands it."""

    reference: str  # the provider's id (Stripe: pi_…)
    status: Status
    amount: Decimal  # asked for
    currency: str
    amount_received: Decimal = Decimal(0)
    client_secret: str = ""  # what the buyer's browser needs to pay it, if anything
    failure_reason: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook: its id (unique per provider; deliveries repeat), its type as the
    provider names it, and the payment it reports on (`None` for an event billing ignores)."""

    event_id: str
    type: str
    payment: ProviderPayment | None = None


class GatewayError(Exception):
    """The provider did not do what was asked."""


class GatewayUnavailable(GatewayError):
    """The provider could not be reached or is busy: the same request may work later."""


class GatewayRefused(GatewayError):
    """The provider refused the request (bad key, bad parameters): retrying will not help."""


class InvalidWebhook(Exception):
    """A webhook that is not verifiably the provider's (signature, age, shape)."""


class UnknownGateway(LookupError):
    """No gateway is registered under this name."""


class Gateway(Protocol):
    """What every card payment gateway provides."""

    name: str
    # Whether a person settles its payments by hand (`billing.services.settle_manually`).
    settled_by_hand: bool
    # Whether it sends webhooks (`POST /gateways/{name}/webhook`).
    sends_webhooks: bool
    # What a buyer's browser needs besides the client secret (Stripe's publishable key).
    public_key: str

    def can_charge(self, amount: Decimal, currency: str) -> bool:
        """Whether the provider can take exactly this amount in this currency."""
        ...

    def create_payment(self, charge: Charge) -> ProviderPayment:
        """A new payment for `charge`; the same idempotency key gives the same payment."""
        ...

    def read_payment(self, reference: str) -> ProviderPayment | None:
        """The payment as the provider has it now; `None` if the provider keeps no state."""
        ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The verified event of a webhook request; `InvalidWebhook` if it cannot be trusted."""
        ...


Factory = Callable[[], Gateway]
_REGISTRY: dict[str, Factory] = {}


def register(name: str, factory: Factory) -> None:
    """Make `factory` (called with no arguments, reading its settings then) the gateway `name`."""
    _REGISTRY[name] = factory


def names() -> list[str]:
    """The gateways known: registered, and those the settings add."""
    extra = getattr(settings, "DINGHUO_CARD_GATEWAYS", {}) or {}
    return sorted({*_REGISTRY, *extra})


def gateway(name: str) -> Gateway:
    """The gateway registered as `name` (or named in `DINGHUO_CARD_GATEWAYS`), built now from
    the current settings; `UnknownGateway` if there is none."""
    extra: Mapping[str, str] = getattr(settings, "DINGHUO_CARD_GATEWAYS", {}) or {}
    if name in extra:
        factory: Factory = import_string(extra[name])
    elif name in _REGISTRY:
        factory = _REGISTRY[name]
    else:
        raise UnknownGateway(name)
    return factory()


def configured_name() -> str:
    """The provider new card payments go to (`DINGHUO_CARD_PROVIDER`, manual by default)."""
    return str(getattr(settings, "DINGHUO_CARD_PROVIDER", DEFAULT_PROVIDER) or DEFAULT_PROVIDER)


def configured() -> Gateway:
    """The gateway new card payments go to."""
    return gateway(configured_name())
