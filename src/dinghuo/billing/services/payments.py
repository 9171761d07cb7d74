"""Payments received and refunds paid: recorded once, applied to invoices (as the payer
says, or oldest due first), the rest kept as the company's unapplied credit; a prepaid order
confirms itself once the company's money covers it. A payment freezes the exchange rate of the
day it was received; each part it gives is valued in base currency at its rate and at the
invoice's, the difference being the exchange difference (`billing/exchange.py`)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from dinghuo.billing import exchange, settlement
from dinghuo.billing.models import Account, Allocation, InvoiceLine, Payment, Receivable
from dinghuo.billing.services import balances, rates
from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.money import format_amount, minor_units, round_money
from dinghuo.core.queries import tenant_row
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.orders import services as orders
from dinghuo.orders import straight_through
from dinghuo.orders.models import Order, order_number
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


def _lock_waiting_orders(tenant_id: int, company_id: int) -> list[Order]:
    """The company's placed orders to be paid before they are confirmed (prepaid, or with a
    deposit), locked by id (before its credit line, as the lock order says), those that wait
    only for payment."""
    placed = Order.objects.select_for_update().filter(
        tenant_id=tenant_id, company_id=company_id, status=OrderStatus.PLACED, prepayment_due__gt=0
    )
    return [order for order in placed.order_by("id") if orders.awaits_payment_only(order)]


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


def _open_receivables(tenant_id: int, company_id: int) -> list[Receivable]:
    return list(
        Receivable.objects.select_for_update()
        .filter(tenant_id=tenant_id, company_id=company_id, open_amount__gt=0)
        .select_related("invoice")
        .order_by("due_on", "id")
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
    company = paying_company(tenant_id, company_id)
    errors = payment_errors(company, amount, currency, method, reference.strip())
    errors += _prepaid_order(tenant_id, company_id, order_id)
    if errors:
        raise ValidationFailed("The payment cannot be recorded; see errors.", errors=errors)
    seller = company.price_list.seller
    day_rate = rates.rate_of_day(seller, currency, received_on)
    waiting = _lock_waiting_orders(tenant_id, company_id)
    balances.lock_credit(tenant_id, company_id)
    account = balances.lock_account(tenant_id, company_id, currency)
    receivables = _open_receivables(tenant_id, company_id)
    applied = _applications(receivables, amount, currency, allocations, order_id is not None)
    rate = day_rate if day_rate is not None else _rate_of_invoices(receivables, applied)
    if rate is None:
        rate = rates.required(seller, currency, received_on, "received_on")
    payment = Payment.objects.create(
        tenant_id=tenant_id,
        seller=seller,
        company_id=company_id,
        method=method,
        amount=amount,
        currency=currency,
        fx_rate=rate,
        base_amount=exchange.base_amount(amount, rate, seller.base_currency),
        received_on=received_on,
        reference=reference.strip(),
        order_id=order_id,
        recorded_by=recorded_by,
        created_at=clock.now(),
    )
    recorded = _apply(payment, receivables, applied, seller.base_currency)
    used = sum(applied.values(), Decimal(0))
    balances.change_unapplied(account, amount - used)
    balances.follow_credit(
        tenant_id=tenant_id, seller_id=payment.seller_id, company_id=company_id, change=-used
    )
    events.record(_received_event(payment, receivables, applied, amount - used), *recorded)
    _confirm_covered_orders(waiting, account, order_id)
    return payment


def _rate_of_invoices(receivables: list[Receivable], applied: dict[int, Decimal]) -> Decimal | None:
    """The rate of the first invoice the payment settles (None: it settles none)."""
    by_id = {r.pk: r for r in receivables}
    first = next(iter(applied), None)
    return None if first is None else by_id[first].invoice.fx_rate


def _apply(
    payment: Payment, receivables: list[Receivable], applied: dict[int, Decimal], base: str
) -> list[Event]:
    """The payment's allocations written (each valued in base currency at the payment's rate
    and at its invoice's, by running totals) and the invoices settled; `invoice.settled` for
    those now paid in full."""
    now = clock.now()
    by_id = {r.pk: r for r in receivables}
    given = Decimal(0)
    rows: dict[int, Allocation] = {}
    for rid, part in applied.items():
        invoice = by_id[rid].invoice
        bases = exchange.bases(
            part,
            source=exchange.Side(payment.fx_rate, given),
            use=exchange.Side(invoice.fx_rate, invoice.total - by_id[rid].open_amount),
            base_currency=base,
        )
        given += part
        rows[rid] = Allocation(
            tenant_id=payment.tenant_id,
            payment=payment,
            invoice_id=invoice.pk,
            amount=part,
            source_base=bases.source,
            use_base=bases.use,
            created_at=now,
        )
    Allocation.objects.bulk_create(rows.values())
    settled = []
    for rid, row in rows.items():
        balances.settle(rid, row.amount, row.use_base)
        if row.amount == by_id[rid].open_amount:
            settled.append(balances.settled_event(by_id[rid].invoice))
    return settled


def _received_event(
    payment: Payment,
    receivables: list[Receivable],
    applied: dict[int, Decimal],
    unapplied: Decimal,
) -> Event:
    currency = payment.currency
    by_id = {r.pk: r for r in receivables}
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
            "amount": format_amount(payment.amount, currency),
            "exchange_rate": exchange.rate_text(payment.fx_rate),
            "base_amount": format_amount(payment.base_amount, payment.seller.base_currency),
            "received_on": payment.received_on.isoformat(),
            "reference": payment.reference,
            "order": order_number(payment.order_id) if payment.order_id else None,
            "allocations": [
                {"invoice": by_id[rid].invoice.number, "amount": format_amount(part, currency)}
                for rid, part in applied.items()
            ],
            "unapplied": format_amount(unapplied, currency),
        },
    )


def _confirm_covered_orders(waiting: list[Order], account: Account, order_id: int | None) -> None:
    """Confirm the waiting orders whose payment before confirmation (all of it, or the
    deposit) the company's free credit now covers: the order the payment names first, then
    the others oldest first."""
    if not waiting:
        return
    free = account.unapplied - committed_to_orders(account.tenant_id, account.company_id)
    for order in sorted(waiting, key=lambda o: (o.pk != order_id, o.pk)):
        if order.prepayment_due <= free:
            orders.confirm_paid_order(order)
            free -= order.prepayment_due


@transaction.atomic
def confirm_covered_orders(*, tenant_id: int, company_id: int) -> int:
    """Confirm the prepaid orders of a company that its money already held covers (placed
    after the payment, say): the same rule a payment applies, without a payment. Returns how
    many were confirmed. Locks as a payment does: the waiting orders, the credit line, the
    account."""
    waiting = _lock_waiting_orders(tenant_id, company_id)
    if not waiting:
        return 0
    balances.lock_credit(tenant_id, company_id)
    account = balances.lock_account(tenant_id, company_id, waiting[0].currency)
    _confirm_covered_orders(waiting, account, None)
    return sum(1 for order in waiting if order.status == OrderStatus.CONFIRMED)
