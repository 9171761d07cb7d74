"""A company's money held for a run of payments (one payment, or all of a bank statement's
credits from one company): its waiting prepaid orders, its credit line, its account and its
open receivables locked once, in the lock order of `balances`. `payments` applies each
payment to them in memory by its one rule; `write` then stores everything in a constant
number of statements, however many payments there were: one INSERT of the payments, one of
their allocations, one guarded UPDATE of the receivables, one of the account, one of the
credit line, one of the events.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from dinghuo.billing import exchange
from dinghuo.billing.models import Account, Allocation, Payment, Receivable
from dinghuo.billing.services import balances
from dinghuo.core.db import insert_instances, insert_rows
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount as _money
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, order_number
from dinghuo.orders.states import OrderStatus

# What a payment reads of a receivable and its invoice (not the frozen documents' JSON).
_RECEIVABLE_COLUMNS = [
    "tenant_id", "invoice_id", "company_id", "due_on", "open_amount", "open_base",
    "invoice__tenant_id", "invoice__number", "invoice__currency", "invoice__total",
    "invoice__fx_rate",
]  # fmt: skip
_PAYMENT_FIELDS = [
    "tenant_id", "seller_id", "company_id", "kind", "method", "amount", "currency", "fx_rate",
    "base_amount", "received_on", "reference", "order_id", "recorded_by", "created_at",
]  # fmt: skip
_ALLOCATION_FIELDS = [
    "tenant_id", "payment_id", "invoice_id", "amount", "source_base", "use_base", "created_at",
]  # fmt: skip


@dataclass(frozen=True)
class Part:
    """What a payment gives one invoice: the amount, its base at the payment's rate and at
    the invoice's, and whether it pays all that was still open."""

    receivable: Receivable
    amount: Decimal
    bases: exchange.Bases
    settles: bool


@dataclass(frozen=True)
class Taken:
    """One payment applied in memory: the payment (not yet written), its parts in the order
    applied, and what is left of it as unapplied credit."""

    payment: Payment
    parts: list[Part]
    unapplied: Decimal


@dataclass
class Ledger:
    """What one company's payments work on, locked until the transaction ends; receivables'
    open amounts and the unapplied credit follow each payment taken (`unapplied`, the
    account's balance as the next payment finds it)."""

    tenant_id: int
    company: Company
    seller: Seller
    account: Account
    receivables: list[Receivable]
    waiting: list[Order]
    unapplied: Decimal
    committed: Decimal | None = None  # promised to confirmed prepaid orders, read on first use
    # Payments taken and orders they confirm, in the order it happened (for the events).
    steps: list[Taken | Order] = field(default_factory=list)

    def open_receivables(self) -> list[Receivable]:
        """The receivables still open, as a fresh read under the locks would give them (by
        due date, then id)."""
        return [r for r in self.receivables if r.open_amount > 0]


def lock_waiting_orders(tenant_id: int, company_id: int) -> list[Order]:
    """The company's placed orders to be paid before they are confirmed (prepaid, or with a
    deposit), locked by id (before its credit line, as the lock order says), those that wait
    only for payment."""
    placed = Order.objects.select_for_update().filter(
        tenant_id=tenant_id, company_id=company_id, status=OrderStatus.PLACED, prepayment_due__gt=0
    )
    return [order for order in placed.order_by("id") if orders.awaits_payment_only(order)]


def open_ledger(tenant_id: int, company: Company, currency: str) -> Ledger:
    """Lock the company's waiting orders, credit line, account (in `currency`) and open
    receivables, in that order. `company` comes with its price list and seller."""
    waiting = lock_waiting_orders(tenant_id, company.pk)
    balances.lock_credit(tenant_id, company.pk)
    account = balances.lock_account(tenant_id, company.pk, currency)
    receivables = list(
        Receivable.objects.select_for_update()
        .filter(tenant_id=tenant_id, company_id=company.pk, open_amount__gt=0)
        .select_related("invoice")
        .only(*_RECEIVABLE_COLUMNS)
        .order_by("due_on", "id")
    )
    seller = company.price_list.seller
    return Ledger(tenant_id, company, seller, account, receivables, waiting, account.unapplied)


def write(ledger: Ledger) -> None:
    """Store what was taken: payments, allocations, receivables settled, the account's
    unapplied credit, the credit line's invoice exposure; then the events, each payment's
    before the orders it confirmed."""
    taken = [step for step in ledger.steps if isinstance(step, Taken)]
    if not taken:
        return
    insert_instances([t.payment for t in taken], _PAYMENT_FIELDS)
    parts = [(t.payment, part) for t in taken for part in t.parts]
    insert_rows(
        Allocation,
        _ALLOCATION_FIELDS,
        [
            (payment.tenant_id, payment.pk, p.receivable.invoice_id, p.amount, *_sides(p),
             payment.created_at)
            for payment, p in parts
        ],
    )  # fmt: skip
    settled: dict[int, tuple[Decimal, Decimal]] = {}
    for _payment, p in parts:
        amount, base = settled.get(p.receivable.pk, (Decimal(0), Decimal(0)))
        settled[p.receivable.pk] = (amount + p.amount, base + p.bases.use)
    balances.settle_many(settled)
    balances.change_unapplied(ledger.account, ledger.unapplied - ledger.account.unapplied)
    open_dues = [r.due_on for r in ledger.receivables if r.open_amount > 0]
    balances.follow_credit(
        tenant_id=ledger.tenant_id,
        seller_id=ledger.seller.pk,
        company_id=ledger.company.pk,
        change=-sum((amount for amount, _base in settled.values()), Decimal(0)),
        oldest_due_on=min(open_dues, default=None),
    )
    _record_steps(ledger.steps)


def _sides(part: Part) -> tuple[Decimal, Decimal]:
    return part.bases.source, part.bases.use


def _record_steps(steps: list[Taken | Order]) -> None:
    """The payments' events in one INSERT, except that an order a payment confirmed is
    confirmed (with its own event) after the events of the payments before it."""
    pending: list[Event] = []
    for step in steps:
        if isinstance(step, Taken):
            pending.append(_received_event(step))
            settled = [p.receivable.invoice for p in step.parts if p.settles]
            pending += [balances.settled_event(invoice) for invoice in settled]
        else:
            events.record(*pending)
            pending = []
            orders.confirm_paid_order(step)
    events.record(*pending)


def _received_event(taken: Taken) -> Event:
    payment = taken.payment
    currency = payment.currency
    return events.new(
        payment.tenant_id,
        "payment.received",
        "payment",
        payment.pk,
        {
            "company_id": payment.company_id,
            "company": payment.company.code,
            "method": payment.method,
            "currency": currency,
            "amount": _money(payment.amount, currency),
            "exchange_rate": exchange.rate_text(payment.fx_rate),
            "base_amount": _money(payment.base_amount, payment.seller.base_currency),
            "received_on": payment.received_on.isoformat(),
            "reference": payment.reference,
            "order": order_number(payment.order_id) if payment.order_id else None,
            "allocations": [
                {"invoice": p.receivable.invoice.number, "amount": _money(p.amount, currency)}
                for p in taken.parts
            ],
            "unapplied": _money(taken.unapplied, currency),
        },
    )
