"""Card payments end to end through their routes (a test API mounting `billing.api.cards`,
driven by `ninja.testing.TestClient`) and services: a buyer starts paying an invoice or a
prepaid order by card, Stripe (a local stand-in: there is no internet here) or a clerk says
how it went, and the payment is recorded exactly once; webhooks are verified by signature,
handled once per event id, and refusals change nothing."""

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from ninja.testing import TestClient

from dinghuo.api.auth import BuyerKeyAuth
from dinghuo.api.root import new_api
from dinghuo.billing import gateways
from dinghuo.billing.api import cards as cards_api
from dinghuo.billing.models import Allocation, CardPayment, GatewayEvent, Invoice, Payment
from dinghuo.billing.services import cards
from dinghuo.core.services import create_api_key
from dinghuo.customers import services as customers
from dinghuo.customers.models import Company
from dinghuo.orders.models import Order
from tests.billing import stripe_standin
from tests.billing.stripe_standin import StripeStandIn, sign
from tests.billing.support import (
    assert_money_consistent,
    billing_rows,
    invoices_of,
    open_amount,
    pay,
    shipped_order,
    unapplied,
)
from tests.builders import World, add_buyer, build_world
from tests.concurrency.test_orders_under_contention import run_together
from tests.orders.support import place, set_policy

D = Decimal


class Api:
    """The card routes as mounted in /api/v1 (staff routes at /, buyer routes at /my)."""

    def __init__(self) -> None:
        api = new_api()
        api.add_router("/my", cards_api.buyer_router, auth=BuyerKeyAuth())
        api.add_router("/", cards_api.router)
        self.client = TestClient(api)

    def post(self, path: str, key: str | None, body: Any = None, **headers: str) -> Any:
        sent = {"Authorization": f"Bearer {key}"} if key else {}
        sent |= headers
        if body is None or isinstance(body, bytes):
            return self.client.post(path, data=body or b"", headers=sent)
        return self.client.post(path, json=body, headers=sent)

    def get(self, path: str, key: str) -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {key}"})

    def webhook(self, body: bytes, signature: str | None) -> Any:
        headers = {} if signature is None else {"Stripe-Signature": signature}
        return self.client.post("/gateways/stripe/webhook", data=body, headers=headers)


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def buyer(world: World) -> str:
    """The API key of a buyer of the world's company."""
    return add_buyer(world, "bob@buyer.test")[1].headers["Authorization"][7:]


@pytest.fixture
def stranger(world: World) -> str:
    """The API key of a buyer of another company of the same tenant."""
    second = Company.objects.create(
        tenant=world.tenant, code="C002", name="Buyer Two", price_list=world.price_list
    )
    return add_buyer(world, "eve@two.test", company=second)[1].headers["Authorization"][7:]


@pytest.fixture
def standin(settings) -> Iterator[StripeStandIn]:
    """Stripe's stand-in, and Stripe as the card payment provider."""
    with stripe_standin.as_stripe(settings) as running:
        yield running


@pytest.fixture
def invoice(world: World) -> Invoice:
    """An invoice of 30.00 USD, open."""
    shipped_order(world, ("A-1", 3))
    [issued] = invoices_of(world)
    assert issued.total == D("30.00")
    return issued


def card_rows() -> dict[str, list[Any]]:
    """Billing's rows with the card payments and the events remembered."""
    return {
        **billing_rows(),
        "cards": list(CardPayment.objects.order_by("id").values()),
        "events": list(GatewayEvent.objects.order_by("id").values()),
    }


def start(api: Api, buyer: str, invoice: Invoice, key: str = "pay-1") -> Any:
    return api.post(f"/my/invoices/{invoice.pk}/card-payments", buyer, **{"Idempotency-Key": key})


def deliver(api: Api, standin: StripeStandIn, kind: str, reference: str, event_id: str) -> Any:
    body = standin.event(kind, reference, event_id)
    return api.webhook(body, sign(body))


# --- Stripe ----------------------------------------------------------------------------------


def test_a_card_payment_through_stripe_pays_the_invoice_once(world, api, buyer, invoice, standin):
    r = start(api, buyer, invoice)
    assert r.status_code == 201, r.json()
    answer = r.json()
    reference = answer["reference"]
    assert reference.startswith("pi_")
    assert answer | {"id": 0, "created_at": "", "updated_at": "", "reference": ""} == {
        "id": 0,
        "provider": "stripe",
        "status": "requires_payment",
        "amount": "30.00",
        "currency": "USD",
        "invoice_id": invoice.pk,
        "order_id": None,
        "reference": "",
        "failure_reason": "",
        "payment_id": None,
        "client_secret": standin.intents[reference]["client_secret"],
        "publishable_key": "pk_test_standin",
        "created_at": "",
        "updated_at": "",
    }
    [sent] = standin.posts()
    assert sent.params["amount"] == "3000" and sent.params["currency"] == "usd"
    assert sent.params["metadata"] == {
        "tenant_id": str(world.tenant.pk),
        "company_id": str(world.company.pk),
        "card_payment_id": str(answer["id"]),
        "invoice_id": str(invoice.pk),
        "invoice": invoice.number,
    }
    assert sent.headers["idempotency-key"].startswith("dinghuo-card-")

    # The same request again (a retry): the same answer, nothing new at Stripe.
    again = start(api, buyer, invoice)
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, answer, "true")
    assert len(standin.posts()) == 1

    # The buyer pays with Stripe.js; Stripe reports it.
    standin.succeed(reference)
    r = deliver(api, standin, "payment_intent.succeeded", reference, "evt_paid")
    assert (r.status_code, r.json()) == (200, {"received": True, "outcome": "handled"})
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.reference) == ("card", D("30.00"), reference)
    assert Allocation.objects.get().invoice_id == invoice.pk
    assert open_amount(invoice) == D(0)
    card = CardPayment.objects.get()
    assert (card.status, card.payment_id) == ("succeeded", payment.pk)

    # Stripe delivers at least once: the same event again is answered 200 and changes nothing.
    before = card_rows()
    r = deliver(api, standin, "payment_intent.succeeded", reference, "evt_paid")
    assert (r.status_code, r.json()["outcome"]) == (200, "repeat")
    assert card_rows() == before
    mine = api.get(f"/my/card-payments/{card.pk}", buyer).json()
    assert (mine["status"], mine["payment_id"]) == ("succeeded", payment.pk)
    assert mine["client_secret"] == ""  # nothing left to pay with it
    assert_money_consistent(world.tenant.pk)


@pytest.mark.parametrize("tamper", ["wrong secret", "old timestamp", "no header", "tampered"])
def test_a_webhook_without_a_valid_signature_is_400_and_changes_nothing(
    api, buyer, invoice, standin, tamper
):
    reference = start(api, buyer, invoice).json()["reference"]
    standin.succeed(reference)
    body = standin.event("payment_intent.succeeded", reference, "evt_forged")
    signature = {
        "wrong secret": sign(body, "whsec_guess"),
        "old timestamp": sign(body, timestamp=1_700_000_000),
        "no header": None,
        "tampered": sign(body.replace(b"evt_forged", b"evt_other")),
    }[tamper]
    before = card_rows()
    r = api.webhook(body, signature)
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_signature"
    assert card_rows() == before
    # The genuine delivery still works afterwards.
    assert api.webhook(body, sign(body)).json()["outcome"] == "handled"
    assert open_amount(invoice) == D(0)


def test_a_declined_card_is_noted_and_another_card_can_pay(world, api, buyer, invoice, standin):
    first = start(api, buyer, invoice).json()
    standin.fail(first["reference"], "Your card has insufficient funds.")
    r = deliver(api, standin, "payment_intent.payment_failed", first["reference"], "evt_failed")
    assert r.json()["outcome"] == "handled"
    seen = api.get(f"/my/card-payments/{first['id']}", buyer).json()
    assert (seen["status"], seen["failure_reason"]) == (
        "failed",
        "Your card has insufficient funds.",
    )
    assert Payment.objects.count() == 0
    # Paying again (a new click): the same PaymentIntent, open for another card.
    again = start(api, buyer, invoice, key="pay-2").json()
    assert (again["id"], again["reference"], again["status"]) == (
        first["id"],
        first["reference"],
        "failed",
    )
    assert again["client_secret"] == first["client_secret"]
    assert len(standin.intents) == 1
    standin.succeed(first["reference"])
    deliver(api, standin, "payment_intent.succeeded", first["reference"], "evt_ok")
    assert open_amount(invoice) == D(0)
    # A late failure event never undoes a success.
    deliver(api, standin, "payment_intent.payment_failed", first["reference"], "evt_late")
    assert CardPayment.objects.get().status == "succeeded"
    assert_money_consistent(world.tenant.pk)


def test_an_amount_in_yen_goes_to_stripe_without_decimals(db, api, standin):
    world = build_world("yen", currency="JPY")
    shipped_order(world, ("A-1", 100))  # 100 × ¥8
    [invoice] = invoices_of(world)
    assert invoice.total == D(800)
    _, client = add_buyer(world, "kenji@buyer.test")
    key = client.headers["Authorization"][7:]
    r = start(api, key, invoice)
    assert (r.status_code, r.json()["amount"], r.json()["currency"]) == (201, "800", "JPY")
    [sent] = standin.posts()
    assert (sent.params["amount"], sent.params["currency"]) == ("800", "jpy")
    standin.succeed(r.json()["reference"])
    deliver(api, standin, "payment_intent.succeeded", r.json()["reference"], "evt_yen")
    assert Payment.objects.get().amount == D(800)
    assert open_amount(invoice) == D(0)


def test_a_crash_after_stripe_answered_is_finished_by_the_retry(
    api, world, buyer, invoice, standin
):
    """The process died after Stripe made the PaymentIntent and before it was attached: the
    retry finds the pending card payment and gets the same PaymentIntent back."""
    card = cards.claim_card_payment(
        tenant_id=world.tenant.pk, company_id=world.company.pk, invoice_id=invoice.pk
    )
    assert cards.is_pending(card)
    lost = gateways.gateway("stripe").create_payment(cards._charge(card))
    r = start(api, buyer, invoice)
    assert r.status_code == 201
    assert (r.json()["id"], r.json()["reference"]) == (card.pk, lost.reference)
    assert len(standin.intents) == 1
    assert [s.headers["idempotency-key"] for s in standin.posts()] == [
        f"dinghuo-card-{card.provider_reference.removeprefix(cards.PENDING)}"
    ] * 2


def test_stripe_down_is_503_and_the_retry_with_the_same_key_works(api, buyer, invoice, standin):
    standin.failures.append(500)
    r = start(api, buyer, invoice)
    assert (r.status_code, r.json()["code"], r["Retry-After"]) == (503, "gateway_unavailable", "5")
    assert cards.is_pending(CardPayment.objects.get())
    r = start(api, buyer, invoice)
    assert r.status_code == 201 and r.json()["reference"].startswith("pi_")
    assert CardPayment.objects.count() == 1 and len(standin.intents) == 1


def test_a_missed_webhook_is_caught_up_by_asking_stripe(world, api, buyer, invoice, standin):
    answer = start(api, buyer, invoice).json()
    standin.succeed(answer["reference"])
    r = api.post(f"/card-payments/{answer['id']}/refresh", world.key)
    assert (r.status_code, r.json()["status"]) == (200, "succeeded")
    assert r.json()["payment_id"] == Payment.objects.get().pk
    assert "client_secret" not in r.json()  # staff never see it
    # The webhook arriving late records nothing more.
    deliver(api, standin, "payment_intent.succeeded", answer["reference"], "evt_late")
    assert Payment.objects.count() == 1
    assert_money_consistent(world.tenant.pk)


def test_money_taken_after_the_invoice_was_paid_otherwise_is_unapplied_credit(
    world, api, buyer, invoice, standin
):
    answer = start(api, buyer, invoice).json()
    pay(world, "30.00", reference="TT 1")  # a bank transfer settles the invoice meanwhile
    standin.succeed(answer["reference"])
    deliver(api, standin, "payment_intent.succeeded", answer["reference"], "evt_twice")
    card = Payment.objects.get(method="card")
    assert not Allocation.objects.filter(payment=card).exists()
    assert unapplied(world) == D("30.00")
    assert open_amount(invoice) == D(0)
    assert_money_consistent(world.tenant.pk)


def test_events_billing_does_not_act_on_are_ignored(api, buyer, invoice, standin):
    reference = start(api, buyer, invoice).json()["reference"]
    r = deliver(api, standin, "payment_intent.created", reference, "evt_created")
    assert (r.status_code, r.json()["outcome"]) == (200, "ignored")
    standin.intents["pi_unknown"] = {**standin.intents[reference], "id": "pi_unknown"}
    standin.succeed("pi_unknown")
    r = deliver(api, standin, "payment_intent.succeeded", "pi_unknown", "evt_elsewhere")
    assert (r.status_code, r.json()["outcome"]) == (200, "ignored")
    assert Payment.objects.count() == 0
    assert CardPayment.objects.get().status == "requires_payment"


# --- refusals ----------------------------------------------------------------------------------


def test_a_paid_or_foreign_invoice_cannot_be_paid_by_card(
    world, other_world, api, buyer, stranger, invoice
):
    shipped_order(other_world, ("A-1", 1))
    [their_invoice] = invoices_of(other_world)
    pay(world, "30.00")
    before = card_rows()
    r = start(api, buyer, invoice)
    assert (r.status_code, r.json()["code"]) == (409, "invoice_not_open")
    for key, target in [(stranger, invoice), (buyer, their_invoice)]:
        r = start(api, key, target, key="foreign")
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = api.post(f"/my/invoices/{invoice.pk}/card-payments", buyer)
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_required")
    r = api.post(f"/my/invoices/{invoice.pk}/card-payments", world.key, **{"Idempotency-Key": "s"})
    assert (r.status_code, r.json()["code"]) == (403, "buyer_key_required")
    assert card_rows() == before


def test_a_card_payment_is_its_companys_and_its_tenants_only(
    world, other_world, api, buyer, stranger, invoice
):
    card = cards.start_card_payment(
        tenant_id=world.tenant.pk, company_id=world.company.pk, invoice_id=invoice.pk
    )
    read_only = create_api_key(tenant=world.tenant, name="ro2", scopes={"read"}).secret
    before = card_rows()
    assert api.get(f"/my/card-payments/{card.pk}", stranger).status_code == 404
    assert api.get(f"/card-payments/{card.pk}", other_world.key).status_code == 404
    settle = f"/card-payments/{card.pk}/settle"
    for key, status, code in [
        (other_world.key, 404, "not_found"),
        (buyer, 403, "staff_key_required"),
        (read_only, 403, "insufficient_scope"),
    ]:
        r = api.post(settle, key, {"outcome": "succeeded"})
        assert (r.status_code, r.json()["code"]) == (status, code)
    assert card_rows() == before


def test_an_amount_the_provider_cannot_take_is_refused(db, api, standin):
    world = build_world("kuwait", currency="KWD")
    shipped_order(world, ("C-3", 3))  # 3 × 0.3333 = 1.000 KWD; fine
    shipped_order(world, ("C-3", 5))  # 5 × 0.3333 = 1.667 KWD: Stripe takes tens of fils only
    first, second = invoices_of(world)
    _, client = add_buyer(world, "ali@buyer.test")
    key = client.headers["Authorization"][7:]
    assert start(api, key, first).json()["amount"] == "1.000"
    r = start(api, key, second, key="other")
    assert (r.status_code, r.json()["code"]) == (422, "amount_not_chargeable")


# --- the manual provider ---------------------------------------------------------------------


def test_a_clerk_settles_a_terminal_payment(world, api, buyer, invoice):
    answer = start(api, buyer, invoice).json()
    assert answer["provider"] == "manual" and answer["reference"].startswith("manual_")
    assert answer["client_secret"] == answer["publishable_key"] == ""
    settle = f"/card-payments/{answer['id']}/settle"
    r = api.post(settle, world.key, {"outcome": "failed", "reason": "Card expired"}).json()
    assert (r["status"], r["failure_reason"]) == ("failed", "Card expired")
    r = api.post(settle, world.key, {"outcome": "succeeded"}).json()
    assert (r["status"], r["failure_reason"]) == ("succeeded", "")
    payment = Payment.objects.get()
    assert (payment.method, payment.amount) == ("card", D("30.00"))
    assert payment.reference == answer["reference"]
    assert open_amount(invoice) == D(0)
    # The same outcome again changes nothing; another one is refused.
    before = card_rows()
    assert api.post(settle, world.key, {"outcome": "succeeded"}).status_code == 200
    r = api.post(settle, world.key, {"outcome": "failed"})
    assert (r.status_code, r.json()["code"]) == (409, "card_payment_final")
    assert card_rows() == before
    assert_money_consistent(world.tenant.pk)


def test_a_clerk_settles_a_terminal_payment_left_pending_by_a_crash(world, invoice):
    card = cards.claim_card_payment(
        tenant_id=world.tenant.pk, company_id=world.company.pk, invoice_id=invoice.pk
    )
    assert cards.is_pending(card)
    settled = cards.settle_manually(
        tenant_id=world.tenant.pk, card_payment_id=card.pk, succeeded=True, settled_by="Mei"
    )
    assert settled.provider_reference.startswith("manual_")
    payment = Payment.objects.get()
    assert (payment.reference, payment.recorded_by) == (settled.provider_reference, "Mei")
    assert open_amount(invoice) == D(0)


def test_a_card_payment_through_stripe_is_not_settled_by_hand(world, api, buyer, invoice, standin):
    answer = start(api, buyer, invoice).json()
    r = api.post(f"/card-payments/{answer['id']}/settle", world.key, {"outcome": "succeeded"})
    assert (r.status_code, r.json()["code"]) == (409, "card_payment_not_manual")
    assert Payment.objects.count() == 0


# --- prepaid orders ----------------------------------------------------------------------------


@pytest.fixture
def prepaid(world: World) -> World:
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, terms="prepaid"
    )
    set_policy(world, auto_confirm=True)
    return world


def test_a_prepaid_order_paid_by_card_confirms_itself(prepaid, api, buyer, standin):
    world = prepaid
    order_id = place(world, ("A-1", 3), key="pp")  # 30.00
    pay(world, "10.00")  # money already held pays part of it
    r = api.post(f"/my/orders/{order_id}/card-payments", buyer, **{"Idempotency-Key": "o1"})
    assert r.status_code == 201, r.json()
    answer = r.json()
    assert (answer["amount"], answer["order_id"], answer["invoice_id"]) == ("20.00", order_id, None)
    assert standin.posts()[0].params["metadata"]["order"] == f"SO-{order_id:07d}"
    assert Order.objects.get(pk=order_id).status == "placed"
    standin.succeed(answer["reference"])
    deliver(api, standin, "payment_intent.succeeded", answer["reference"], "evt_order")
    assert Order.objects.get(pk=order_id).status == "confirmed"
    card = Payment.objects.get(method="card")
    assert (card.order_id, card.amount) == (order_id, D("20.00"))
    # Nothing is left to pay.
    r = api.post(f"/my/orders/{order_id}/card-payments", buyer, **{"Idempotency-Key": "o2"})
    assert (r.status_code, r.json()["code"]) == (409, "order_not_awaiting_payment")
    assert_money_consistent(world.tenant.pk)


def test_a_card_pays_only_the_deposit_an_order_waits_for(world, api, buyer, standin):
    customers.update_credit_line(
        tenant_id=world.tenant.pk, company_id=world.company.pk, deposit_percent=30
    )
    set_policy(world, auto_confirm=True)
    order_id = place(world, ("A-1", 3), key="dep")  # 30.00, deposit 9.00
    r = api.post(f"/my/orders/{order_id}/card-payments", buyer, **{"Idempotency-Key": "d1"})
    assert r.status_code == 201, r.json()
    answer = r.json()
    assert answer["amount"] == "9.00"
    standin.succeed(answer["reference"])
    deliver(api, standin, "payment_intent.succeeded", answer["reference"], "evt_deposit")
    assert Order.objects.get(pk=order_id).status == "confirmed"
    assert_money_consistent(world.tenant.pk)


def test_a_card_paying_a_cancelled_order_becomes_credit_to_refund(prepaid, api, buyer):
    world = prepaid
    order_id = place(world, ("A-1", 1), key="pp")  # 10.00
    card = cards.start_card_payment(
        tenant_id=world.tenant.pk, company_id=world.company.pk, order_id=order_id
    )
    assert world.client().post(f"/orders/{order_id}/cancel").status_code == 200
    cards.settle_manually(tenant_id=world.tenant.pk, card_payment_id=card.pk, succeeded=True)
    payment = Payment.objects.get(method="card")
    assert (payment.order_id, unapplied(world)) == (None, D("10.00"))
    assert_money_consistent(world.tenant.pk)


def test_an_order_that_waits_for_no_money_cannot_be_paid_by_card(world, api, buyer):
    order_id = place(world, ("A-1", 1), key="on-account")  # on account, not prepaid
    r = api.post(f"/my/orders/{order_id}/card-payments", buyer, **{"Idempotency-Key": "o"})
    assert (r.status_code, r.json()["code"]) == (409, "order_not_awaiting_payment")
    assert CardPayment.objects.count() == 0


# --- at the same time (PostgreSQL) -------------------------------------------------------------


def _on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only test: run with DATABASE_URL=postgres://… (make test does)")


@pytest.mark.postgres
def test_the_same_event_delivered_eight_times_at_once_is_recorded_once(transactional_db, standin):
    _on_postgres()
    world = build_world("card-race")
    shipped_order(world, ("A-1", 3))
    [invoice] = invoices_of(world)
    card = cards.start_card_payment(
        tenant_id=world.tenant.pk, company_id=world.company.pk, invoice_id=invoice.pk
    )
    standin.succeed(card.provider_reference)
    same = standin.event("payment_intent.succeeded", card.provider_reference, "evt_race")
    others = [
        standin.event("payment_intent.succeeded", card.provider_reference, f"evt_{i}")
        for i in range(4)
    ]
    bodies = [same] * 4 + others

    def deliver_one(i: int) -> str:
        body = bodies[i]
        headers = {"Stripe-Signature": sign(body)}
        return cards.handle_gateway_event(provider="stripe", headers=headers, body=body)

    outcomes = Counter(run_together(8, deliver_one))
    assert outcomes == Counter({"handled": 5, "repeat": 3})
    assert Payment.objects.filter(method="card").count() == 1
    assert open_amount(invoice) == D(0)
    assert_money_consistent(world.tenant.pk)


@pytest.mark.postgres
def test_eight_starts_at_once_make_one_card_payment_and_one_intent(transactional_db, standin):
    _on_postgres()
    world = build_world("card-start-race")
    shipped_order(world, ("A-1", 3))
    [invoice] = invoices_of(world)

    def start_one(i: int) -> int:
        card = cards.start_card_payment(
            tenant_id=world.tenant.pk, company_id=world.company.pk, invoice_id=invoice.pk
        )
        return card.pk

    assert len(set(run_together(8, start_one))) == 1
    card = CardPayment.objects.get()
    assert not cards.is_pending(card)
    assert list(standin.intents) == [card.provider_reference]
