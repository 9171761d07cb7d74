"""Payments received and refunds paid: recorded once, applied to invoices (as the payer
says, or oldest due first), the rest kept as the company's unapplied credit; a prepaid order
confirms itself once the company's money covers it. A payment freezes the exchange rate of the
day it was received; each part it gives is valued in base currency at its rate and at the
invoice's, the difference being the exchange difference (`billing/exchange.py`).

The rule is `_take`, applied in memory to the company's locked `ledger`; one payment
(`record_payment`) and a run of one company's payments (`record_payments`, a bank
statement's) both go through it, and the ledger writes the result in a constant number of
statements."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from dinghuo.billing import exchange, settlement
from dinghuo.billing.models import InvoiceLine, Payment, Receivable
from dinghuo.billing.services import balances, ledger, rates
from dinghuo.core import clock
from dinghuo.core.errors import DomainError, FieldError, ValidationFailed
from dinghuo.core.money import minor_units, round_money
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company
from dinghuo.orders import services as orders
from dinghuo.orders import straight_through
from dinghuo.orders.models import Order
from dinghuo.orders.states import OrderStatus

MAX_REFERENCE = 140
# The columns hold 14 digits before the point.
MAX_AMOUNT = Decimal(10) ** 14


@dataclass(frozen=True)
class Allocate:
    """Apply `amount` of a payment to the invoice `invoice_id`."""

    invoice_id: int
    amount: Decimal


def amount_errors(field: str, amount: Decimal, currency: str) -> list[FieldError]:
    """A money amount must be more than zero, in the currency's minor units at most."""
    if not amount.is_finite() or amount <= 0:
        return [FieldError(field, "amount_not_positive", "Give an amount above zero")]
    if amount >= MAX_AMOUNT:
        return [
            FieldError(field, "amount_too_large", "Too large an amount", {"max": str(MAX_AMOUNT)})
        ]
    digits = minor_units(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        return [
            FieldError(
                field,
                "too_many_decimals",
                f"{currency} amounts have {digits} decimals at most",
                {"decimals": digits},
            )
        ]
    return []


def payment_errors(
    company: Company, amount: Decimal, currency: str, method: str, reference: str
) -> list[FieldError]:
    errors = []
    expected = company.price_list.currency
    if currency != expected:
        errors.append(
            FieldError(
                "currency",
                "currency_mismatch",
                f"This company pays in {expected}",
                {"expected": expected},
            )
        )
    errors += amount_errors("amount", amount, expected)
    if method not in Payment.Method.values:
        errors.append(FieldError("method", "invalid_method", "bank_transfer, cheque, cash or card"))
    if len(reference) > MAX_REFERENCE:
        errors.append(FieldError("reference", "too_long", f"At most {MAX_REFERENCE} characters"))
    return errors


def paying_company(tenant_id: int, company_id: int) -> Company:
    """The tenant's company with its price list (its currency) and seller (its base
    currency), or 404."""
    return tenant_row(
        Company.objects.select_related("price_list__seller"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


def _prepaid_order(tenant_id: int, company_id: int, order_id: int | None) -> list[FieldError]:
    if order_id is None:
        return []
    status = (
        Order.objects.filter(tenant_id=tenant_id, company_id=company_id, pk=order_id)
        .values_list("status", flat=True)
        .first()
    )
    if status is None:
        return [FieldError("order", "unknown_order", "No order of this company")]
    if status == OrderStatus.CANCELLED:
        return [FieldError("order", "order_cancelled", "The order is cancelled")]
    return []


def committed_to_orders(tenant_id: int, company_id: int) -> Decimal:
    """Unapplied credit already promised: orders confirmed on their payment (prepaid or a
    deposit) whose invoices have not yet used it (each: what it was paid before confirmation
    less what has been invoiced of it, never below nothing)."""
    confirmed = [
        order
        for order in Order.objects.filter(
            tenant_id=tenant_id,
            company_id=company_id,
            status__in=[OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED],
        ).only("id", "prepayment_due", "review_reasons")
        if straight_through.PREPAID in order.review_reasons
    ]
    if not confirmed:
        return Decimal(0)
    invoiced = dict(
        InvoiceLine.objects.filter(order_id__in=[o.pk for o in confirmed])
        .values("order_id")
        .annotate(gross=Sum("gross_amount"))
        .values_list("order_id", "gross")
    )
    return sum(
        (max(o.prepayment_due - invoiced.get(o.pk, Decimal(0)), Decimal(0)) for o in confirmed),
        Decimal(0),
    )


def _allocation_errors(
    allocations: list[Allocate], receivables: list[Receivable], currency: str
) -> list[FieldError]:
    """Amounts in the currency's minor units, and invoices in the payment's currency."""
    by_invoice = {r.invoice_id: r for r in receivables}
    errors = []
    for i, wanted in enumerate(allocations):
        errors += amount_errors(f"allocations[{i}].amount", wanted.amount, currency)
        open_one = by_invoice.get(wanted.invoice_id)
        if open_one is not None and open_one.invoice.currency != currency:
            errors.append(
                FieldError(
                    f"allocations[{i}].invoice",
                    "currency_mismatch",
                    f"The invoice is in {open_one.invoice.currency}",
                    {"expected": open_one.invoice.currency},
                )
            )
    return errors


def _applications(
    receivables: list[Receivable],
    amount: Decimal,
    currency: str,
    allocations: list[Allocate] | None,
    prepayment: bool,
) -> dict[int, Decimal]:
    """Receivable id → amount to apply (only to invoices in the payment's currency); 422 for
    allocations that cannot be."""
    by_invoice = {r.invoice_id: r for r in receivables}
    if allocations is not None:
        wanted = [(a.invoice_id, a.amount) for a in allocations]
        open_amounts = {
            r.invoice_id: round_money(r.open_amount, currency)
            for r in receivables
            if r.invoice.currency == currency
        }
        errors = _allocation_errors(allocations, receivables, currency)
        errors = errors or settlement.explicit_errors(wanted, open_amounts, amount)
        if errors:
            raise ValidationFailed("The allocations cannot be applied; see errors.", errors=errors)
        return {by_invoice[i].pk: a for i, a in wanted}
    if prepayment:
        return {}
    open_invoices = [
        settlement.OpenInvoice(r.pk, r.due_on, r.open_amount)
        for r in receivables
        if r.invoice.currency == currency
    ]
    return settlement.oldest_first(open_invoices, amount)


@dataclass(frozen=True)
class Received:
    """One payment to record: money from the company, and how it is to be applied (as
    `record_payment`'s arguments say)."""

    amount: Decimal
    currency: str
    method: str
    received_on: date
    reference: str = ""
    allocations: list[Allocate] | None = None
    order_id: int | None = None
    recorded_by: str = ""


def _input_errors(tenant_id: int, company: Company, received: Received) -> list[FieldError]:
    errors = payment_errors(
        company, received.amount, received.currency, received.method, received.reference.strip()
    )
    return errors + _prepaid_order(tenant_id, company.pk, received.order_id)


@transaction.atomic
def record_payment(
    *,
    tenant_id: int,
    company_id: int,
    amount: Decimal,
    currency: str,
    method: str,
    received_on: date,
    reference: str = "",
    allocations: list[Allocate] | None = None,
    order_id: int | None = None,
    recorded_by: str = "",
) -> Payment:
    """Record money received from a company and apply it: to the invoices named in
    `allocations`, else (unless it prepays `order_id`) to its open invoices oldest due first;
    the rest becomes its unapplied credit. It freezes the exchange rate of `received_on` (on a
    day before the seller's first rate, that of the first invoice it settles; none: 422
    `exchange_rate_missing`). Then prepaid orders the money covers confirm themselves. 422
    (every problem at once) for bad input; nothing changes then. Records `payment.received`
    (and `invoice.settled` for each invoice it settles)."""
    received = Received(
        amount, currency, method, received_on, reference, allocations, order_id, recorded_by
    )
    company = paying_company(tenant_id, company_id)
    errors = _input_errors(tenant_id, company, received)
    if errors:
        raise ValidationFailed("The payment cannot be recorded; see errors.", errors=errors)
    day_rate = rates.rate_of_day(company.price_list.seller, currency, received_on)
    held = ledger.open_ledger(tenant_id, company, currency)
    payment = _take(held, received, day_rate)
    ledger.write(held)
    return payment


class _NothingTaken(Exception):
    """Every payment of a run was refused: what taking them did is rolled back."""


def record_payments(
    *, tenant_id: int, company_id: int, received: list[Received], day_rates: rates.DayRates
) -> list[Payment | None]:
    """Record several payments of one company in one pass, in the order given: each as
    `record_payment` would record it after the ones before, with the company's orders,
    credit line, account and receivables locked once and everything written at the end. A
    payment `record_payment` would refuse (422) is left out, None in its place, and changes
    nothing. `day_rates` keeps the rates read across calls (one read per currency and day)."""
    try:
        return _record_all(tenant_id, company_id, received, day_rates)
    except _NothingTaken:
        return [None] * len(received)


@transaction.atomic
def _record_all(
    tenant_id: int, company_id: int, received: list[Received], day_rates: rates.DayRates
) -> list[Payment | None]:
    company = paying_company(tenant_id, company_id)
    valid = [not _input_errors(tenant_id, company, r) for r in received]
    if not any(valid):
        raise _NothingTaken()
    seller = company.price_list.seller
    held = ledger.open_ledger(tenant_id, company, company.price_list.currency)
    recorded: list[Payment | None] = []
    for item, ok in zip(received, valid, strict=True):
        payment = None
        if ok:
            day_rate = day_rates.of(seller, item.currency, item.received_on)
            try:
                payment = _take(held, item, day_rate)
            except DomainError:  # as `record_payment` would refuse it; the ledger unchanged
                payment = None
        recorded.append(payment)
    if not any(recorded):  # nothing to write: the locks and a new account given back
        raise _NothingTaken()
    ledger.write(held)
    return recorded


def _take(held: ledger.Ledger, received: Received, day_rate: Decimal | None) -> Payment:
    """The rule of a payment, applied in memory to the company's locked ledger: its
    applications (as named, else oldest due first, none for a prepayment), its rate (the
    day's, else the first invoice's it settles), each part valued in base at both rates by
    running totals, the rest unapplied credit; then the waiting prepaid orders it covers.
    422 (the ledger unchanged) when the allocations cannot be applied or no rate is known."""
    open_now = held.open_receivables()
    amount, currency = received.amount, received.currency
    prepayment = received.order_id is not None
    applied = _applications(open_now, amount, currency, received.allocations, prepayment)
    rate = day_rate if day_rate is not None else _rate_of_invoices(open_now, applied)
    if rate is None:
        rate = rates.required(held.seller, currency, received.received_on, "received_on")
    payment = Payment(
        tenant_id=held.tenant_id,
        seller=held.seller,
        company=held.company,
        method=received.method,
        amount=amount,
        currency=currency,
        fx_rate=rate,
        base_amount=exchange.base_amount(amount, rate, held.seller.base_currency),
        received_on=received.received_on,
        reference=received.reference.strip(),
        order_id=received.order_id,
        recorded_by=received.recorded_by,
        created_at=clock.now(),
    )
    parts = _parts(payment, open_now, applied, held.seller.base_currency)
    left = amount - sum(applied.values(), Decimal(0))
    held.unapplied += left
    held.steps.append(ledger.Taken(payment, parts, left))
    _confirm_covered(held, received.order_id)
    return payment


def _rate_of_invoices(receivables: list[Receivable], applied: dict[int, Decimal]) -> Decimal | None:
    """The rate of the first invoice the payment settles (None: it settles none)."""
    by_id = {r.pk: r for r in receivables}
    first = next(iter(applied), None)
    return None if first is None else by_id[first].invoice.fx_rate


def _parts(
    payment: Payment, receivables: list[Receivable], applied: dict[int, Decimal], base: str
) -> list[ledger.Part]:
    """The payment's parts (each valued in base currency at the payment's rate and at its
    invoice's, by running totals on both sides), their receivables lowered in memory."""
    by_id = {r.pk: r for r in receivables}
    given = Decimal(0)
    parts = []
    for rid, part in applied.items():
        receivable = by_id[rid]
        invoice = receivable.invoice
        bases = exchange.bases(
            part,
            source=exchange.Side(payment.fx_rate, given),
            use=exchange.Side(invoice.fx_rate, invoice.total - receivable.open_amount),
            base_currency=base,
        )
        given += part
        parts.append(ledger.Part(receivable, part, bases, part == receivable.open_amount))
        receivable.open_amount -= part
        receivable.open_base -= bases.use
    return parts


def _covered(waiting: list[Order], free: Decimal, order_id: int | None) -> list[Order]:
    """The waiting orders whose payment before confirmation (all of it, or the deposit)
    `free` credit covers: the order `order_id` first, then the others oldest first, each
    while what is left covers it."""
    chosen = []
    for order in sorted(waiting, key=lambda o: (o.pk != order_id, o.pk)):
        if order.prepayment_due <= free:
            chosen.append(order)
            free -= order.prepayment_due
    return chosen


def _confirm_covered(held: ledger.Ledger, order_id: int | None) -> None:
    """After a payment, the waiting orders the company's free credit now covers confirm
    (written with the ledger); each then counts as credit promised to an order."""
    if not held.waiting:
        return
    if held.committed is None:
        held.committed = committed_to_orders(held.tenant_id, held.company.pk)
    for order in _covered(held.waiting, held.unapplied - held.committed, order_id):
        held.waiting.remove(order)
        held.steps.append(order)
        held.committed += order.prepayment_due


@transaction.atomic
def confirm_covered_orders(*, tenant_id: int, company_id: int) -> int:
    """Confirm the prepaid orders of a company that its money already held covers (placed
    after the payment, say): the same rule a payment applies, without a payment. Returns how
    many were confirmed. Locks as a payment does: the waiting orders, the credit line, the
    account."""
    waiting = ledger.lock_waiting_orders(tenant_id, company_id)
    if not waiting:
        return 0
    balances.lock_credit(tenant_id, company_id)
    account = balances.lock_account(tenant_id, company_id, waiting[0].currency)
    free = account.unapplied - committed_to_orders(tenant_id, company_id)
    for order in _covered(waiting, free, None):
        orders.confirm_paid_order(order)
    return sum(1 for order in waiting if order.status == OrderStatus.CONFIRMED)
