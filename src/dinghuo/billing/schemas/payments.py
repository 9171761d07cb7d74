"""Answers about payments, refunds, a company's balance and the seller's billing policy, and
how billing's rows are shaped into them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from dinghuo.billing.exchange import rate_text
from dinghuo.billing.models import Allocation, BillingPolicy, Payment
from dinghuo.billing.queries import Balance
from dinghuo.billing.schemas.invoices import base_amounts
from dinghuo.billing.schemas.requests import Method
from dinghuo.core.money import format_amount


class PaymentSummaryOut(Schema):
    id: int
    kind: Literal["received", "refund"]
    company_id: int
    method: Method
    amount: str
    currency: str
    exchange_rate: str = Field(
        description="One unit of `currency` in the seller's base currency on `received_on`"
    )
    base_currency: str = Field(description="The seller's base currency")
    base_amount: str = Field(description="`amount` in base currency, at `exchange_rate`")
    received_on: date = Field(description="The day received, or paid back for a refund")
    reference: str
    order_id: int | None
    recorded_by: str
    created_at: datetime


class PaymentPageOut(Schema):
    items: list[PaymentSummaryOut]
    next_cursor: str | None


class PaymentUseOut(Schema):
    """Where some of a payment's money went: an invoice, or a refund."""

    invoice_id: int | None
    invoice_number: str | None
    refund_id: int | None
    amount: str
    use_rate: str = Field(description="The invoice's or refund's exchange rate")
    source_base: str = Field(description="`amount` in base currency at the payment's rate")
    use_base: str = Field(description="`amount` in base currency at `use_rate`")
    exchange_difference: str = Field(
        description="`source_base` less `use_base`, in base currency: a gain when positive"
    )


class RefundSourceOut(Schema):
    """Whose unapplied money a refund paid back."""

    payment_id: int | None
    credit_note_id: int | None
    amount: str
    source_base: str = Field(description="`amount` in base currency at the source's rate")
    use_base: str = Field(description="`amount` in base currency at the refund's rate")
    exchange_difference: str = Field(
        description="`source_base` less `use_base`, in base currency: a gain when positive"
    )


class PaymentOut(PaymentSummaryOut):
    allocations: list[PaymentUseOut] = Field(description="Where the money went")
    unapplied: str = Field(description="Not yet applied: the company's credit (0 for a refund)")
    exchange_difference: str = Field(
        description="The exchange differences of where its money went (or, for a refund, of "
        "the money it paid back), summed in base currency: a gain when positive"
    )
    refunded_from: list[RefundSourceOut] = Field(description="A refund's sources; [] otherwise")


class BalanceOut(Schema):
    company_id: int
    currency: str
    open_total: str = Field(description="What the company's invoices still owe")
    overdue_total: str = Field(description="Of which past due")
    unapplied: str = Field(description="Money held for the company, not yet applied")
    refundable: str = Field(description="Unapplied, less what confirmed prepaid orders need")
    oldest_due_on: date | None = Field(description="Due date of its oldest open invoice")


class BillingPolicyOut(Schema):
    seller: str
    invoicing: Literal["per_shipment", "weekly", "monthly"]
    legal_name: str
    address: str
    tax_number: str
    payment_instructions: str
    receivables_source: Literal["invoices", "sync"]


def payment_summary_out(payment: Payment) -> dict[str, Any]:
    """A payment or refund in a list (its seller loaded)."""
    cur, base = payment.currency, payment.seller.base_currency
    return {
        "id": payment.pk,
        "kind": payment.kind,
        "company_id": payment.company_id,
        "method": payment.method,
        "amount": format_amount(payment.amount, cur),
        "currency": cur,
        "exchange_rate": rate_text(payment.fx_rate),
        "base_currency": base,
        "base_amount": format_amount(payment.base_amount, base),
        "received_on": payment.received_on.isoformat(),
        "reference": payment.reference,
        "order_id": payment.order_id,
        "recorded_by": payment.recorded_by,
        "created_at": payment.created_at.isoformat(),
    }


def _use_rate(allocation: Allocation) -> str:
    use = allocation.invoice if allocation.invoice is not None else allocation.refund
    return rate_text(use.fx_rate) if use is not None else "1"


def payment_out(payment: Payment) -> dict[str, Any]:
    """A payment with where its money went, from what `queries.payment_detail` loads."""
    cur, base = payment.currency, payment.seller.base_currency
    uses = list(payment.allocations.all())
    sources = sorted(payment.refunded_from.all(), key=lambda a: a.pk)
    given = sum((a.amount for a in uses), Decimal(0))
    received = payment.kind == Payment.Kind.RECEIVED
    difference = sum((a.exchange_difference for a in uses + sources), Decimal(0))
    return {
        **payment_summary_out(payment),
        "allocations": [
            {
                "invoice_id": a.invoice_id,
                "invoice_number": a.invoice.number if a.invoice else None,
                "refund_id": a.refund_id,
                "amount": format_amount(a.amount, cur),
                "use_rate": _use_rate(a),
                **base_amounts(a, base),
            }
            for a in uses
        ],
        "unapplied": format_amount(payment.amount - given if received else Decimal(0), cur),
        "exchange_difference": format_amount(difference, base),
        "refunded_from": [
            {
                "payment_id": a.payment_id,
                "credit_note_id": a.credit_note_id,
                "amount": format_amount(a.amount, cur),
                **base_amounts(a, base),
            }
            for a in sources
        ],
    }


def balance_out(company_id: int, balance: Balance) -> dict[str, Any]:
    """Where a company stands: open, overdue, unapplied and refundable money."""
    cur, due = balance.currency, balance.oldest_due_on
    return {
        "company_id": company_id,
        "currency": cur,
        "open_total": format_amount(balance.open_total, cur),
        "overdue_total": format_amount(balance.overdue_total, cur),
        "unapplied": format_amount(balance.unapplied, cur),
        "refundable": format_amount(balance.refundable, cur),
        "oldest_due_on": due.isoformat() if due else None,
    }


def billing_policy_out(seller_slug: str, policy: BillingPolicy, source: str) -> dict[str, Any]:
    """The seller's billing policy and where its receivables come from."""
    return {
        "seller": seller_slug,
        "invoicing": policy.invoicing,
        "legal_name": policy.legal_name,
        "address": policy.address,
        "tax_number": policy.tax_number,
        "payment_instructions": policy.payment_instructions,
        "receivables_source": source,
    }
