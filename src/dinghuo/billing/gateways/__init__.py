"""Card payment gateways: the interface (`base`), and the built-in providers, registered by
name: `manual` (a clerk settles at a terminal) and `stripe` (PaymentIntents). See
docs/payments.md for adding one."""

from dinghuo.billing.gateways import manual, stripe
from dinghuo.billing.gateways.base import (
    Charge,
    Gateway,
    GatewayError,
    GatewayRefused,
    GatewayUnavailable,
    InvalidWebhook,
    ProviderPayment,
    Status,
    UnknownGateway,
    WebhookEvent,
    configured,
    configured_name,
    gateway,
    names,
    register,
)

register(manual.NAME, manual.from_settings)
register(stripe.NAME, stripe.from_settings)

__all__ = [
    "Charge",
    "Gateway",
    "GatewayError",
    "GatewayRefused",
    "GatewayUnavailable",
    "InvalidWebhook",
    "ProviderPayment",
    "Status",
    "UnknownGateway",
    "WebhookEvent",
    "configured",
    "configured_name",
    "gateway",
    "names",
    "register",
]
