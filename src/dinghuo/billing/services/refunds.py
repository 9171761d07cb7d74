"""Refunds: paying back money the company has with the seller and that nothing needs."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from dinghuo.billing import exchange
from dinghuo.billing.models import Allocation, Payment
from dinghuo.billing.services import balances, rates
from dinghuo.billing.services.payments import committed_to_orders, paying_company, payment_errors
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.money import format_amount
from dinghuo.integrations import events


def _refused(free: Decimal, currency: str) -> Conflict:
    refundable = format_amount(max(free, Decimal(0)), currency)
    return Conflict(
        f"Only {refundable} {currency} can be refunded.",
        code="refund_exceeds_credit",
        errors=[
            FieldError(
                "amount",
                "refund_exceeds_credit",
                "More than the credit free to refund",
                {"refundable": refundable},
            )
        ],
    )


def _allocations(
    refund: Payment, taken: list[tuple[balances.Source, Decimal]], base_currency: str
) -> list[Allocation]:
    """The refund's money taken from the company's payments and credit notes, each part
    valued in base currency at its source's rate and at the refund's."""
    return [
        Allocation(
            tenant_id=refund.tenant_id,
            payment_id=source.payment_id,
            credit_note_id=source.credit_note_id,
            refund=refund,
            amount=part,
            source_base=bases.source,
            use_base=bases.use,
            created_at=refund.created_at,
        )
        for source, part, bases in balances.drawn(
            taken, exchange.Side(refund.fx_rate), base_currency
        )
    ]


@transaction.atomic
def refund(
    *,
    tenant_id: int,
    company_id: int,
    amount: Decimal,
    method: str,
    refunded_on: date,
    reference: str = "",
    recorded_by: str = "",
) -> Payment:
    """Pay back some of the company's unapplied credit (what prepaid orders confirmed on it
    still need is kept), at the rate of `refunded_on` (before the seller's first rate, that of
    the oldest money it pays back): 409 `refund_exceeds_credit` for more, 422 for bad input;
    nothing changes then. Records `payment.refunded`."""
    company = paying_company(tenant_id, company_id)
    currency = company.price_list.currency
    errors = payment_errors(company, amount, currency, method, reference.strip())
    if errors:
        raise ValidationFailed("The refund cannot be recorded; see errors.", errors=errors)
    balances.lock_credit(tenant_id, company_id)
    account = balances.lock_account(tenant_id, company_id, currency)
    free = account.unapplied - committed_to_orders(tenant_id, company_id)
    if amount > free:
        raise _refused(free, currency)
    seller = company.price_list.seller
    taken = balances.draw(balances.unapplied_sources(tenant_id, company_id), amount)
    # A day before the seller's first rate: the rate the money came in at.
    rate = rates.rate_or(seller, currency, refunded_on, taken[0][0].rate)
    paid_back = Payment.objects.create(
        tenant_id=tenant_id,
        seller=seller,
        company_id=company_id,
        kind=Payment.Kind.REFUND,
        method=method,
        amount=amount,
        currency=currency,
        fx_rate=rate,
        base_amount=exchange.base_amount(amount, rate, seller.base_currency),
        received_on=refunded_on,
        reference=reference.strip(),
        recorded_by=recorded_by,
        created_at=clock.now(),
    )
    Allocation.objects.bulk_create(_allocations(paid_back, taken, seller.base_currency))
    balances.change_unapplied(account, -amount)
    payload = {
        "company_id": company_id,
        "company": company.code,
        "method": method,
        "currency": currency,
        "amount": format_amount(amount, currency),
        "exchange_rate": exchange.rate_text(rate),
        "base_amount": format_amount(paid_back.base_amount, seller.base_currency),
        "refunded_on": refunded_on.isoformat(),
        "reference": paid_back.reference,
    }
    events.record(events.new(tenant_id, "payment.refunded", "payment", paid_back.pk, payload))
    return paid_back
