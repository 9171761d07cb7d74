"""Card payments through a gateway (`billing.gateways`): started for an open invoice or a
prepaid order waiting for its money, created with the provider, and recorded as a payment
(`record_payment`, method card) once the provider says it succeeded: by a webhook, by a read
of its status, or by a clerk for the manual gateway.

**The provider is called outside every database transaction** (a slow or absent provider
must not hold row locks), so starting a card payment is three steps, each safe to crash
after:

1. *claim* (one transaction): lock what is paid for (the invoice's receivable, or the order
   row), check it, and either take the card payment already open for it (same provider,
   amount and currency) or insert a new one whose reference is `pending:<random token>`.
   The token is stored before anything goes out.
2. *create* (no transaction): ask the provider for a payment with the idempotency key
   `dinghuo-card-<token>`. The same key gives the same PaymentIntent (Stripe keeps keys at
   least 24 hours), so asking again never makes a second charge.
3. *attach* (one transaction): a guarded UPDATE swaps `pending:<token>` for the provider's
   reference and stores the client secret; when two requests raced, one attaches and both
   answer the same row.

A crash after 1 or 2 leaves a pending row: the next start for the same invoice or order (a
retry with the same Idempotency-Key, or a new click) finds it in step 1 and finishes it with
the same token, so the provider returns the payment it already made (after Stripe forgot the
key, 24 hours on, it makes a new one). A payment made in 2 and never attached (its pending
row retried too late, or left behind because the amount owed changed meanwhile) cannot be
paid by anyone: its client secret never left this process; it is abandoned at the provider.
The buyer gets the client secret only after 3 commits, so no webhook can report on a
payment this database does not know by reference.

**Recording** (one transaction each: `handle_gateway_event`, `settle_manually`,
`refresh_card_payment`): the card payment row is locked first, before `record_payment`'s
own locks (waiting orders, credit line, account, receivables), and nothing locks it after
those (claiming only reads and inserts card payments; attaching locks nothing else), so
these never deadlock with other billing writes. A succeeded payment is recorded
once: the row keeps the `Payment` it became, and a succeeded or cancelled row never changes
again. Webhook deliveries are remembered by event id (`GatewayEvent`) in the same
transaction, so a repeat does nothing and a delivery that failed is handled on the
provider's retry. Money received beyond what the invoice still owes (it was settled by other
means meanwhile) becomes the company's unapplied credit, as any overpayment does.
"""

import logging
import secrets
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dinghuo.billing import gateways
from dinghuo.billing.models import CardPayment, GatewayEvent, Invoice, Payment, Receivable
from dinghuo.billing.services import balances
from dinghuo.billing.services.payments import Allocate, committed_to_orders, record_payment
from dinghuo.core import clock
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from dinghuo.core.money import format_amount
from dinghuo.core.queries import tenant_row
from dinghuo.orders import straight_through
from dinghuo.orders.models import Order, order_number
from dinghuo.orders.states import OrderStatus

log = logging.getLogger(__name__)
T = TypeVar("T")

PENDING = "pending:"
OPEN = (CardPayment.Status.REQUIRES_PAYMENT, CardPayment.Status.FAILED)
FINAL = (CardPayment.Status.SUCCEEDED, CardPayment.Status.CANCELED)
DECLINED = "The card was declined."
MAX_REASON = 300


class GatewayUnavailableError(DomainError):
    """The payment provider could not be reached: the same request will work later."""

    status = 503
    code = "gateway_unavailable"
    title = "Payment provider unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": "5"}


class GatewayRefusedError(DomainError):
    """The payment provider refused the request, or none is configured."""

    status = 502
    code = "gateway_refused"
    title = "Payment provider refused"


class InvalidSignature(DomainError):
    """A webhook that is not verifiably the provider's."""

    status = 400
    code = "invalid_signature"
    title = "Invalid webhook signature"


def _gateway(name: str) -> gateways.Gateway:
    try:
        return gateways.gateway(name)
    except gateways.UnknownGateway as exc:
        raise GatewayRefusedError(f"No card payment provider {name!r} is configured.") from exc


def _provider_call(call: Callable[[], T]) -> T:
    """A provider call with its failures as refusals the API and pages can show (what the
    provider said goes to the log, not to the buyer)."""
    try:
        return call()
    except gateways.GatewayUnavailable as exc:
        log.warning("Card payment provider unavailable: %s", exc)
        raise GatewayUnavailableError(
            "The card payment provider cannot be reached just now; retry shortly."
        ) from exc
    except gateways.GatewayError as exc:
        log.error("Card payment provider refused: %s", exc)
        raise GatewayRefusedError("The card payment provider refused the request.") from exc


def is_pending(card: CardPayment) -> bool:
    """Whether the provider's payment is not attached yet (step 2 or 3 still to do)."""
    return card.provider_reference.startswith(PENDING)


def card_payment_of(
    tenant_id: int, card_payment_id: int, company_id: int | None = None
) -> CardPayment:
    """The tenant's card payment (only the company's when `company_id` is given), or 404."""
    rows = CardPayment.objects.select_related("invoice", "order")
    if company_id is not None:
        rows = rows.filter(company_id=company_id)
    return tenant_row(rows, tenant_id, card_payment_id, f"No card payment {card_payment_id}.")


def start_card_payment(
    *,
    tenant_id: int,
    company_id: int,
    invoice_id: int | None = None,
    order_id: int | None = None,
) -> CardPayment:
    """Start paying an open invoice or a prepaid order by card with the configured provider:
    claim, create with the provider, attach (see the module's docstring). The answer carries
    what the buyer's browser needs (the client secret)."""
    card = claim_card_payment(
        tenant_id=tenant_id, company_id=company_id, invoice_id=invoice_id, order_id=order_id
    )
    return complete_card_payment(card)


@transaction.atomic
def claim_card_payment(
    *,
    tenant_id: int,
    company_id: int,
    invoice_id: int | None = None,
    order_id: int | None = None,
    provider: str | None = None,
) -> CardPayment:
    """Step 1: the card payment for what is paid for, open or new (pending). 404 for an
    invoice or order that is not the company's; 409 `invoice_not_open` for a paid invoice,
    `order_not_awaiting_payment` for an order that waits for no money,
    `card_payment_processing` while a card payment for it is being processed; 422
    `amount_not_chargeable` for an amount the provider cannot take exactly."""
    if (invoice_id is None) == (order_id is None):
        raise ValueError("Pay an invoice or an order: one of them.")
    name = provider or gateways.configured_name()
    gateway = _gateway(name)
    if invoice_id is not None:
        amount, currency, seller_id = _owed_on_invoice(tenant_id, company_id, invoice_id)
        target = CardPayment.objects.filter(tenant_id=tenant_id, invoice_id=invoice_id)
    else:
        assert order_id is not None
        amount, currency, seller_id = _owed_on_order(tenant_id, company_id, order_id)
        target = CardPayment.objects.filter(tenant_id=tenant_id, order_id=order_id)
    if not gateway.can_charge(amount, currency):
        raise ValidationFailed(
            f"The card payment provider cannot charge {format_amount(amount, currency)} "
            f"{currency}.",
            code="amount_not_chargeable",
            errors=[FieldError("amount", "amount_not_chargeable", "Not chargeable by card")],
        )
    if target.filter(status=CardPayment.Status.PROCESSING).exists():
        raise Conflict(
            "A card payment for this is being processed; wait for its outcome.",
            code="card_payment_processing",
        )
    now = clock.now()
    card = _reusable(target.filter(provider=name, amount=amount, currency=currency))
    if card is not None:
        return card
    return CardPayment.objects.create(
        tenant_id=tenant_id,
        seller_id=seller_id,
        company_id=company_id,
        provider=name,
        provider_reference=PENDING + secrets.token_hex(16),
        amount=amount,
        currency=currency,
        invoice_id=invoice_id,
        order_id=order_id,
        created_at=now,
        updated_at=now,
    )


def _reusable(same: QuerySet[CardPayment]) -> CardPayment | None:
    """The card payment already open for the same thing, provider and amount: asked again, a
    buyer gets it back; after a declined card it stays `failed` (with the reason) and takes
    another card. Only read: claiming never locks a card payment row, which webhooks lock
    before the invoice or order (see the module's docstring)."""
    return same.filter(status__in=OPEN).order_by("-id").first()


def _owed_on_invoice(tenant_id: int, company_id: int, invoice_id: int) -> tuple[Decimal, str, int]:
    """What the company's invoice still owes (its receivable locked), its currency, seller."""
    receivable = (
        Receivable.objects.select_for_update()
        .select_related("invoice")
        .filter(tenant_id=tenant_id, company_id=company_id, invoice_id=invoice_id)
        .first()
    )
    if receivable is None:
        raise NotFound(f"No invoice {invoice_id}.")
    if receivable.open_amount <= 0:
        raise Conflict("This invoice is paid already.", code="invoice_not_open")
    invoice: Invoice = receivable.invoice
    return receivable.open_amount, invoice.currency, invoice.seller_id


def _owed_on_order(tenant_id: int, company_id: int, order_id: int) -> tuple[Decimal, str, int]:
    """What an order waiting for payment still needs (the order row locked): what it must be
    paid before it is confirmed (all of it, or its deposit) less the company's money already
    held and not promised to confirmed orders, which pays it first."""
    order = (
        Order.objects.select_for_update()
        .filter(tenant_id=tenant_id, company_id=company_id, pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(f"No order {order_id}.")
    waiting = (
        order.status == OrderStatus.PLACED and straight_through.PREPAID in order.review_reasons
    )
    free = balances.unapplied(tenant_id, company_id, order.currency) - committed_to_orders(
        tenant_id, company_id
    )
    needed = order.prepayment_due - max(free, Decimal(0))
    if not waiting or needed <= 0:
        raise Conflict("This order does not wait for a payment.", code="order_not_awaiting_payment")
    return needed, order.currency, order.seller_id


def _charge(card: CardPayment) -> gateways.Charge:
    metadata = {
        "tenant_id": str(card.tenant_id),
        "company_id": str(card.company_id),
        "card_payment_id": str(card.pk),
    }
    if card.invoice_id is not None:
        number = Invoice.objects.filter(pk=card.invoice_id).values_list("number", flat=True)[0]
        metadata |= {"invoice_id": str(card.invoice_id), "invoice": number}
        description = f"Invoice {number}"
    else:
        assert card.order_id is not None  # a card payment is for an invoice or an order
        number = order_number(card.order_id)
        metadata |= {"order_id": str(card.order_id), "order": number}
        description = f"Order {number}"
    token = card.provider_reference.removeprefix(PENDING)
    return gateways.Charge(
        amount=card.amount,
        currency=card.currency,
        idempotency_key=f"dinghuo-card-{token}",
        metadata=metadata,
        description=description,
    )


def complete_card_payment(card: CardPayment) -> CardPayment:
    """Steps 2 and 3 for a pending card payment (nothing to do for one already attached):
    the provider's payment, created outside any transaction, then attached. 503
    `gateway_unavailable` or 502 `gateway_refused` when the provider fails; the card
    payment stays pending, and the next attempt finishes it with the same idempotency key."""
    if not is_pending(card):
        return card
    gateway = _gateway(card.provider)
    charge = _charge(card)
    made = _provider_call(lambda: gateway.create_payment(charge))
    if made.currency != card.currency or made.amount != card.amount:
        raise GatewayRefusedError(
            f"The provider answered {made.amount} {made.currency} for {card.amount} "
            f"{card.currency}."
        )
    atomic_with_retry(lambda: _attach(card, made))
    return card_payment_of(card.tenant_id, card.pk)


def _attach(card: CardPayment, made: gateways.ProviderPayment) -> None:
    """Step 3: the guarded swap of the pending reference (a racing attach of the same
    payment changes nothing)."""
    CardPayment.objects.filter(pk=card.pk, provider_reference=card.provider_reference).update(
        provider_reference=made.reference,
        client_secret=made.client_secret,
        # Money is recorded only by `_apply` (webhook, status read, clerk), never here.
        status=made.status if made.status != "succeeded" else CardPayment.Status.PROCESSING,
        failure_reason=made.failure_reason[:MAX_REASON],
        updated_at=clock.now(),
    )


def handle_gateway_event(*, provider: str, headers: Mapping[str, str], body: bytes) -> str:
    """A provider's webhook: verified (400 `invalid_signature` if it is not the provider's),
    then handled once per event id: a succeeded payment recorded (`record_payment`, method
    card, applied to its invoice or prepaying its order), a failure noted with its reason.
    Answers `handled`, `repeat` (an event already handled) or `ignored` (a type billing does
    not act on, or a payment it does not know). 404 for a provider that sends none."""
    try:
        gateway = gateways.gateway(provider)
    except gateways.UnknownGateway as exc:
        raise NotFound(f"No payment provider {provider}.") from exc
    if not gateway.sends_webhooks:
        raise NotFound(f"The {provider} provider sends no webhooks.")
    try:
        event = gateway.parse_webhook(headers, body)
    except gateways.InvalidWebhook as exc:
        log.warning("Refused a %s webhook: %s", provider, exc)
        raise InvalidSignature(f"The webhook could not be verified: {exc}") from exc
    return atomic_with_retry(lambda: _handle(provider, event))


def _handle(provider: str, event: gateways.WebhookEvent) -> str:
    if not _remember(provider, event):
        return "repeat"
    if event.payment is None:
        return "ignored"
    card = (
        CardPayment.objects.select_for_update()
        .filter(provider=provider, provider_reference=event.payment.reference)
        .first()
    )
    if card is None:
        log.info("%s event %s is about an unknown payment", provider, event.event_id)
        return "ignored"
    _apply(card, event.payment, recorded_by=f"{provider} webhook")
    return "handled"


def _remember(provider: str, event: gateways.WebhookEvent) -> bool:
    """Remember the event in the current transaction; False if it was handled before (a
    concurrent delivery waits for the first one's transaction, then sees it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {GatewayEvent._meta.db_table} "  # noqa: S608
            "(provider, event_id, type, received_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (provider, event_id) DO NOTHING RETURNING id",
            [provider, event.event_id[:100], event.type[:100], clock.now()],
        )
        return cursor.fetchone() is not None


def _apply(card: CardPayment, news: gateways.ProviderPayment, *, recorded_by: str) -> None:
    """What the provider says, applied to the locked card payment: once succeeded or
    cancelled it never changes again; a success is recorded as a payment."""
    if card.status in FINAL:
        return
    if news.status == "succeeded":
        received = news.amount_received if news.amount_received > 0 else news.amount
        card.payment = _record(card, received, recorded_by)
        card.failure_reason = ""
    elif news.status == "failed":
        card.failure_reason = (news.failure_reason or DECLINED)[:MAX_REASON]
    card.status = news.status
    card.updated_at = clock.now()
    card.save(update_fields=["status", "payment", "failure_reason", "updated_at"])


def _record(card: CardPayment, received: Decimal, recorded_by: str) -> Payment:
    """The money received, recorded once: applied to its invoice (what the invoice still
    owes; any more is unapplied credit) or prepaying its order (if the order was cancelled
    meanwhile, kept as unapplied credit to refund)."""
    for attempt in range(3):
        allocations, order_id = _destination(card, received)
        try:
            return record_payment(
                tenant_id=card.tenant_id,
                company_id=card.company_id,
                amount=received,
                currency=card.currency,
                method=Payment.Method.CARD,
                received_on=timezone.localdate(clock.now()),
                reference=card.provider_reference,
                allocations=allocations,
                order_id=order_id,
                recorded_by=recorded_by,
            )
        except ValidationFailed as refused:
            # The invoice was settled by other means between reading and locking it: read
            # again (record_payment rolled its own savepoint back).
            racing = {e.code for e in refused.errors} & {"exceeds_open_amount", "invoice_not_open"}
            if not racing or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _destination(card: CardPayment, received: Decimal) -> tuple[list[Allocate] | None, int | None]:
    """Where the money goes: (allocations, order prepaid)."""
    if card.invoice_id is not None:
        still_open = Receivable.objects.filter(invoice_id=card.invoice_id).values_list(
            "open_amount", flat=True
        )
        part = min(still_open.first() or Decimal(0), received)
        return ([Allocate(card.invoice_id, part)] if part > 0 else []), None
    assert card.order_id is not None
    status = Order.objects.filter(pk=card.order_id).values_list("status", flat=True).first()
    if status == OrderStatus.CANCELLED:
        return [], None
    return None, card.order_id


@transaction.atomic
def settle_manually(
    *,
    tenant_id: int,
    card_payment_id: int,
    succeeded: bool,
    reason: str = "",
    settled_by: str = "",
) -> CardPayment:
    """A clerk's outcome of a card payment taken at a terminal (manual provider only; 409
    `card_payment_not_manual` otherwise): succeeded records the payment, failed notes the
    reason. The same outcome again changes nothing; a paid or cancelled card payment cannot
    be settled otherwise (409 `card_payment_final`)."""
    card = tenant_row(
        CardPayment.objects.select_for_update(),
        tenant_id,
        card_payment_id,
        f"No card payment {card_payment_id}.",
    )
    gateway = _gateway(card.provider)
    if not gateway.settled_by_hand:
        raise Conflict(
            f"Card payments through {card.provider} are settled by the provider.",
            code="card_payment_not_manual",
        )
    wanted: gateways.Status = "succeeded" if succeeded else "failed"
    if card.status in FINAL:
        if card.status == wanted:
            return card
        raise Conflict("This card payment is settled already.", code="card_payment_final")
    if is_pending(card):
        # Settled by hand, the provider makes no outside call: attach in this transaction.
        made = gateway.create_payment(_charge(card))
        card.provider_reference = made.reference
        card.save(update_fields=["provider_reference"])
    news = gateways.ProviderPayment(
        reference=card.provider_reference,
        status=wanted,
        amount=card.amount,
        currency=card.currency,
        amount_received=card.amount,
        failure_reason=reason.strip()[:MAX_REASON],
    )
    _apply(card, news, recorded_by=settled_by or "clerk")
    return card


def refresh_card_payment(*, tenant_id: int, card_payment_id: int) -> CardPayment:
    """Ask the provider how a card payment stands and apply it, as a webhook would have (for
    a webhook that is late or was lost). The provider is asked outside the transaction."""
    card = card_payment_of(tenant_id, card_payment_id)
    if card.status in FINAL:
        return card
    if is_pending(card):
        card = complete_card_payment(card)
    gateway = _gateway(card.provider)
    news = _provider_call(lambda: gateway.read_payment(card.provider_reference))
    if news is None:
        return card

    def apply() -> None:
        locked = CardPayment.objects.select_for_update().get(pk=card_payment_id)
        _apply(locked, news, recorded_by=f"{card.provider} status")

    atomic_with_retry(apply)
    return card_payment_of(tenant_id, card_payment_id)
