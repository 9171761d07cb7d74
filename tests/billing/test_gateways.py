"""The card payment gateways on their own (no database): the registry chosen by settings, the
manual gateway, and the Stripe gateway through the official `stripe` library against a local
HTTP stand-in of Stripe's PaymentIntents endpoints (there is no internet here): amounts in
Stripe's minor units (zero- and three-decimal currencies), the secret key and idempotency key
sent, errors mapped, and webhooks verified as Stripe documents it."""

import json
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.billing import gateways
from dinghuo.billing.gateways import manual
from dinghuo.billing.gateways import stripe as stripe_gateway
from dinghuo.billing.gateways.stripe import from_minor, to_minor
from dinghuo.billing.services import cards
from dinghuo.core.errors import NotFound
from tests.billing import stripe_standin
from tests.billing.stripe_standin import WEBHOOK_SECRET, StripeStandIn, sign

D = Decimal


@pytest.fixture
def standin(settings) -> Iterator[StripeStandIn]:
    """Stripe's stand-in, and Stripe as the card payment provider."""
    with stripe_standin.as_stripe(settings) as running:
        yield running


def charge(amount: str, currency: str, key: str = "dinghuo-card-t1") -> gateways.Charge:
    return gateways.Charge(
        amount=D(amount),
        currency=currency,
        idempotency_key=key,
        metadata={"tenant_id": "7", "company_id": "9", "invoice": "INV-000001"},
        description="Invoice INV-000001",
    )


# --- amounts in Stripe's minor units ----------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("30.00", "USD", 3000),
        ("0.01", "HKD", 1),
        ("5000", "JPY", 5000),  # zero-decimal: not multiplied by 100
        ("12345", "KRW", 12345),
        ("1.230", "KWD", 1230),  # three decimals, the last one 0
        ("5", "ISK", 500),  # two decimals in Stripe's API, whole krónur only
        ("19.99", "EUR", 1999),
    ],
)
def test_amounts_convert_to_stripes_minor_units_and_back(amount, currency, minor):
    assert to_minor(D(amount), currency) == minor
    assert from_minor(minor, currency) == D(amount)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("5000.5", "JPY"), ("1.235", "KWD"), ("5.50", "ISK"), ("0.001", "USD")],
)
def test_an_amount_stripe_cannot_take_exactly_is_refused_not_rounded(amount, currency):
    assert to_minor(D(amount), currency) is None
    gateway = stripe_gateway.StripeGateway(secret_key="sk_test_x", webhook_secret="whsec_x")
    assert not gateway.can_charge(D(amount), currency)


@given(
    st.integers(min_value=1, max_value=10**10),
    st.sampled_from(["USD", "JPY", "KWD", "HKD", "VND", "BHD"]),
)
def test_minor_units_round_trip(minor, currency):
    if currency in stripe_gateway.THREE_DECIMAL:
        minor *= 10
    amount = from_minor(minor, currency)
    assert to_minor(amount, currency) == minor


# --- the registry ------------------------------------------------------------------------


def test_the_provider_comes_from_the_settings(settings):
    settings.DINGHUO_CARD_PROVIDER = None
    assert gateways.configured_name() == "manual"
    assert isinstance(gateways.configured(), manual.ManualGateway)
    settings.DINGHUO_CARD_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    found = gateways.configured()
    assert isinstance(found, stripe_gateway.StripeGateway)
    assert (found.secret_key, found.api_base, found.tolerance) == (
        "sk_test_abc",
        "http://127.0.0.1:9",
        300,
    )
    with pytest.raises(gateways.UnknownGateway):
        gateways.gateway("paypal")


def test_a_deployment_adds_a_provider_by_setting(settings):
    settings.DINGHUO_CARD_GATEWAYS = {"terminal": "dinghuo.billing.gateways.manual.from_settings"}
    assert "terminal" in gateways.names()
    assert isinstance(gateways.gateway("terminal"), manual.ManualGateway)


# --- the manual gateway ---------------------------------------------------------------------


def test_the_manual_gateway_waits_for_a_clerk_and_sends_no_webhooks():
    gateway = manual.ManualGateway()
    first = gateway.create_payment(charge("30.00", "USD"))
    assert first == gateway.create_payment(charge("30.00", "USD"))  # same key, same payment
    assert first.reference != gateway.create_payment(charge("30.00", "USD", key="other")).reference
    assert (first.status, first.client_secret, first.amount) == ("requires_payment", "", D("30.00"))
    assert gateway.read_payment(first.reference) is None
    with pytest.raises(gateways.InvalidWebhook):
        gateway.parse_webhook({}, b"{}")


# --- the Stripe gateway against the stand-in ----------------------------------------------


def test_stripe_creates_a_payment_intent_with_our_key_metadata_and_minor_units(standin):
    made = gateways.configured().create_payment(charge("5000", "JPY"))
    assert made.reference.startswith("pi_")
    assert made.client_secret.startswith(f"{made.reference}_secret_")
    assert (made.status, made.amount, made.currency) == ("requires_payment", D(5000), "JPY")
    [request] = standin.posts()
    assert request.path == "/v1/payment_intents"
    assert request.headers["authorization"] == f"Bearer {standin.secret_key}"
    assert request.headers["idempotency-key"] == "dinghuo-card-t1"
    assert request.params == {
        "amount": "5000",
        "currency": "jpy",
        "automatic_payment_methods": {"enabled": "true"},
        "metadata": {"tenant_id": "7", "company_id": "9", "invoice": "INV-000001"},
        "description": "Invoice INV-000001",
    }


def test_the_same_idempotency_key_gives_the_same_payment_intent(standin):
    gateway = gateways.configured()
    first = gateway.create_payment(charge("30.00", "USD"))
    again = gateway.create_payment(charge("30.00", "USD"))
    assert again == first
    assert len(standin.intents) == 1
    assert len(standin.posts()) == 2


def test_reading_a_payment_intent_says_how_it_stands(standin):
    gateway = gateways.configured()
    made = gateway.create_payment(charge("30.00", "USD"))
    standin.fail(made.reference, "Your card has insufficient funds.")
    failed = gateway.read_payment(made.reference)
    assert failed is not None
    assert (failed.status, failed.failure_reason) == (
        "failed",
        "Your card has insufficient funds.",
    )
    standin.succeed(made.reference)
    paid = gateway.read_payment(made.reference)
    assert paid is not None
    assert (paid.status, paid.amount_received, paid.failure_reason) == (
        "succeeded",
        D("30.00"),
        "",
    )
    assert [s.method for s in standin.seen] == ["POST", "GET", "GET"]


def test_stripe_errors_become_refused_or_unavailable(standin, settings):
    gateway = gateways.configured()
    standin.failures.append(500)
    with pytest.raises(gateways.GatewayUnavailable):
        gateway.create_payment(charge("30.00", "USD"))
    with pytest.raises(gateways.GatewayRefused):
        gateway.read_payment("pi_missing")
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    with pytest.raises(gateways.GatewayRefused):
        gateways.configured().create_payment(charge("30.00", "USD"))
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(gateways.GatewayRefused):
        gateways.configured().create_payment(charge("30.00", "USD"))
    with pytest.raises(gateways.GatewayRefused):  # never sent: not chargeable exactly
        gateway.create_payment(charge("0.5", "JPY"))


def test_stripe_that_cannot_be_reached_is_unavailable(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the discard port: nothing listens
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    with pytest.raises(gateways.GatewayUnavailable):
        gateways.gateway("stripe").create_payment(charge("30.00", "USD"))


# --- Stripe's webhooks ----------------------------------------------------------------------


def _made(standin: StripeStandIn) -> str:
    return gateways.configured().create_payment(charge("30.00", "USD")).reference


def test_a_signed_event_is_parsed(standin):
    reference = _made(standin)
    standin.succeed(reference)
    body = standin.event("payment_intent.succeeded", reference, "evt_1")
    event = gateways.configured().parse_webhook({"Stripe-Signature": sign(body)}, body)
    assert (event.event_id, event.type) == ("evt_1", "payment_intent.succeeded")
    assert event.payment is not None
    assert (event.payment.reference, event.payment.status, event.payment.amount_received) == (
        reference,
        "succeeded",
        D("30.00"),
    )


def test_a_failure_event_carries_its_reason(standin):
    reference = _made(standin)
    standin.fail(reference, "Your card was declined.")
    body = standin.event("payment_intent.payment_failed", reference)
    event = gateways.configured().parse_webhook({"Stripe-Signature": sign(body)}, body)
    assert event.payment is not None
    assert (event.payment.status, event.payment.failure_reason) == (
        "failed",
        "Your card was declined.",
    )


def test_events_billing_does_not_act_on_carry_no_payment(standin):
    reference = _made(standin)
    body = standin.event("payment_intent.created", reference)
    event = gateways.configured().parse_webhook({"Stripe-Signature": sign(body)}, body)
    assert (event.type, event.payment) == ("payment_intent.created", None)
    other = json.dumps(
        {"id": "evt_2", "object": "event", "type": "charge.refunded", "data": {"object": {}}}
    ).encode()
    event = gateways.configured().parse_webhook({"Stripe-Signature": sign(other)}, other)
    assert (event.event_id, event.payment) == ("evt_2", None)


def test_a_rotated_secret_still_verifies_with_either_signature(standin):
    """Stripe sends one v1 signature per active secret while a secret is rolled."""
    reference = _made(standin)
    body = standin.event("payment_intent.succeeded", reference)
    now = int(time.time())
    old = sign(body, "whsec_old", now).split(",")[1]
    header = f"{sign(body, WEBHOOK_SECRET, now)},{old}"
    assert gateways.configured().parse_webhook({"Stripe-Signature": header}, body).payment


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong secret",
        "old timestamp",
        "no header",
        "body changed",
        "garbled header",
        "v0 scheme only",
    ],
)
def test_a_webhook_that_is_not_verifiably_stripes_is_refused(standin, tamper):
    reference = _made(standin)
    body = standin.event("payment_intent.succeeded", reference)
    headers = {
        "wrong secret": {"Stripe-Signature": sign(body, "whsec_wrong")},
        # beyond the 300 seconds' tolerance: a replay of a captured delivery
        "old timestamp": {"Stripe-Signature": sign(body, timestamp=int(time.time()) - 301)},
        "no header": {},
        "body changed": {"Stripe-Signature": sign(body)},
        "garbled header": {"Stripe-Signature": "nonsense"},
        "v0 scheme only": {"Stripe-Signature": sign(body).replace("v1=", "v0=")},
    }[tamper]
    sent = body.replace(b"30", b"31") if tamper == "body changed" else body
    with pytest.raises(gateways.InvalidWebhook):
        gateways.configured().parse_webhook(headers, sent)


def test_a_signed_body_that_is_not_an_event_is_refused(standin):
    for body in [b"not json", b"\xff\xfe", b"[1, 2]", b'{"id": "evt_3"}']:
        with pytest.raises(gateways.InvalidWebhook):
            gateways.configured().parse_webhook({"Stripe-Signature": sign(body)}, body)


def test_without_a_webhook_secret_nothing_is_trusted(standin, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    reference = _made(standin)
    body = standin.event("payment_intent.succeeded", reference)
    with pytest.raises(gateways.InvalidWebhook):
        gateways.configured().parse_webhook({"Stripe-Signature": sign(body, "")}, body)


def test_providers_without_webhooks_take_none():
    """Before anything is read or written: the manual gateway and unknown names have none."""
    for provider in ["manual", "paypal"]:
        with pytest.raises(NotFound):
            cards.handle_gateway_event(provider=provider, headers={}, body=b"{}")
