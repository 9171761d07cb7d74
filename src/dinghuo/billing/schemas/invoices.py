"""Answers about invoices and credit notes, and how billing's rows are shaped into them:
money as decimal strings with the currency's minor units, dates ISO 8601."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from dinghuo.api.schemas import UnitPriceText
from dinghuo.billing.exchange import rate_text
from dinghuo.billing.models import Allocation, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from dinghuo.billing.schemas.requests import InvoiceState
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.customers import terms as payment_terms
from dinghuo.orders.models import order_number
from dinghuo.pricing.tax import percent_text


class AddressOut(Schema):
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


class BillToOut(Schema):
    company: str
    code: str
    address: AddressOut | None


class SellerDetailsOut(Schema):
    legal_name: str
    address: str
    tax_number: str
    payment_instructions: str


class InvoiceTaxSummaryOut(Schema):
    """The lines of one tax (name and rate), summed."""

    tax_name: str | None
    tax_percent: str
    net_amount: str
    tax_amount: str
    gross_amount: str


class InvoiceSummaryOut(Schema):
    id: int
    number: str
    company_id: int
    company: str = Field(description="The company's name")
    issued_on: date
    due_on: date
    currency: str
    net_total: str
    tax_total: str
    total: str
    open_amount: str = Field(description="What the invoice still owes")
    exchange_rate: str = Field(
        description="One unit of `currency` in the seller's base currency on the day issued"
    )
    base_currency: str = Field(description="The seller's base currency")
    base_total: str = Field(description="`total` in base currency, at `exchange_rate`")
    open_base: str = Field(description="What is still owed in base currency, at `exchange_rate`")
    state: InvoiceState
    shipment_id: int | None = Field(description="The shipment it bills; null for a period's")
    period_start: date | None
    period_end: date | None


class InvoicePageOut(Schema):
    items: list[InvoiceSummaryOut]
    next_cursor: str | None


class InvoiceLineOut(Schema):
    line_number: int
    order_id: int
    order_number: str
    sku: str
    description: str
    quantity: int
    unit_price: UnitPriceText
    tax_name: str | None
    tax_percent: str
    net_amount: str
    tax_amount: str
    gross_amount: str


class InvoiceAllocationOut(Schema):
    """Money applied to the invoice: from a payment or a credit note."""

    source: Literal["payment", "credit_note"]
    payment_id: int | None
    credit_note_id: int | None
    reference: str = Field(description="The payment's reference or the credit note's number")
    amount: str
    source_rate: str = Field(description="The payment's or credit note's exchange rate")
    source_base: str = Field(description="`amount` in base currency at `source_rate`")
    use_base: str = Field(description="`amount` in base currency at the invoice's rate")
    exchange_difference: str = Field(
        description="`source_base` less `use_base`, in base currency: a gain when positive"
    )
    applied_at: datetime


class CreditNoteSummaryOut(Schema):
    id: int
    number: str
    invoice_id: int
    invoice_number: str
    company_id: int
    issued_on: date
    currency: str
    reason: str
    net_total: str
    tax_total: str
    total: str
    exchange_rate: str = Field(
        description="One unit of `currency` in base currency on the day issued"
    )
    base_currency: str = Field(description="The seller's base currency")
    base_total: str = Field(description="`total` in base currency, at `exchange_rate`")


class CreditNotePageOut(Schema):
    items: list[CreditNoteSummaryOut]
    next_cursor: str | None


class InvoiceOut(InvoiceSummaryOut):
    terms: str
    terms_days: int
    terms_text: str
    orders: list[str] = Field(description="Numbers of the orders it bills")
    bill_to: BillToOut
    seller: SellerDetailsOut
    lines: list[InvoiceLineOut]
    tax_summary: list[InvoiceTaxSummaryOut]
    paid_amount: str = Field(description="Applied from payments")
    credited_amount: str = Field(description="Applied from credit notes")
    exchange_difference: str = Field(
        description="The allocations' exchange differences summed, in base currency"
    )
    allocations: list[InvoiceAllocationOut]
    credit_notes: list[CreditNoteSummaryOut]


class PeriodRunOut(Schema):
    seller: str
    through: date
    invoices: list[InvoiceSummaryOut]


class CreditNoteLineOut(Schema):
    line_number: int
    invoice_line_number: int | None = Field(description="null: an amount, not units of a line")
    description: str
    quantity: int | None
    tax_name: str | None
    tax_percent: str
    net_amount: str
    tax_amount: str
    gross_amount: str


class CreditNoteOut(CreditNoteSummaryOut):
    invoice_issued_on: date
    bill_to: BillToOut
    seller: SellerDetailsOut
    lines: list[CreditNoteLineOut]
    tax_summary: list[InvoiceTaxSummaryOut]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _order_number(order_id: int) -> str:
    # The orders app derives its numbers from the id the same way (`Order.number`).
    return order_number(order_id)


def _bill_to(frozen: dict[str, Any]) -> dict[str, Any]:
    address = frozen.get("address") or None
    return {
        "company": frozen.get("company", ""),
        "code": frozen.get("code", ""),
        "address": None
        if address is None
        else {field: address.get(field, "") for field in AddressOut.model_fields},
    }


def _seller(frozen: dict[str, Any]) -> dict[str, str]:
    return {field: frozen.get(field, "") for field in SellerDetailsOut.model_fields}


def tax_summary(lines: list[InvoiceLine] | list[CreditNoteLine], currency: str) -> list[Any]:
    """The lines summed per tax (its name and rate), lowest rate first."""
    sums: dict[tuple[Decimal, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for line in lines:
        total = sums[(line.tax_percent, line.tax_name)]
        total[0] += line.net_amount
        total[1] += line.tax_amount
        total[2] += line.gross_amount
    return [
        {
            "tax_name": name or None,
            "tax_percent": percent_text(percent),
            "net_amount": format_amount(net, currency),
            "tax_amount": format_amount(tax, currency),
            "gross_amount": format_amount(gross, currency),
        }
        for (percent, name), (net, tax, gross) in sorted(sums.items())
    ]


def invoice_summary_out(invoice: Invoice, state: str) -> dict[str, Any]:
    """An invoice in a list (its receivable, company and seller loaded); `state` as of
    today."""
    cur, base = invoice.currency, invoice.seller.base_currency
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "company_id": invoice.company_id,
        "company": invoice.company.name,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "currency": cur,
        "net_total": format_amount(invoice.net_total, cur),
        "tax_total": format_amount(invoice.tax_total, cur),
        "total": format_amount(invoice.total, cur),
        "open_amount": format_amount(invoice.receivable.open_amount, cur),
        "exchange_rate": rate_text(invoice.fx_rate),
        "base_currency": base,
        "base_total": format_amount(invoice.base_total, base),
        "open_base": format_amount(invoice.receivable.open_base, base),
        "state": state,
        "shipment_id": invoice.shipment_id,
        "period_start": _day(invoice.period_start),
        "period_end": _day(invoice.period_end),
    }


def _invoice_line_out(line: InvoiceLine, currency: str) -> dict[str, Any]:
    return {
        "line_number": line.line_number,
        "order_id": line.order_id,
        "order_number": _order_number(line.order_id),
        "sku": line.sku_code,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": format_unit_price(line.unit_price, currency),
        "tax_name": line.tax_name or None,
        "tax_percent": percent_text(line.tax_percent),
        "net_amount": format_amount(line.net_amount, currency),
        "tax_amount": format_amount(line.tax_amount, currency),
        "gross_amount": format_amount(line.gross_amount, currency),
    }


def base_amounts(allocation: Allocation, base: str) -> dict[str, str]:
    """An allocation's amount in base currency at its source's rate and at its use's, and
    their difference."""
    return {
        "source_base": format_amount(allocation.source_base, base),
        "use_base": format_amount(allocation.use_base, base),
        "exchange_difference": format_amount(allocation.exchange_difference, base),
    }


def _allocation_out(allocation: Allocation, currency: str, base: str) -> dict[str, Any]:
    payment, note = allocation.payment, allocation.credit_note
    source = payment if payment is not None else note
    return {
        "source": "payment" if payment is not None else "credit_note",
        "payment_id": allocation.payment_id,
        "credit_note_id": allocation.credit_note_id,
        "reference": payment.reference if payment is not None else note.number if note else "",
        "amount": format_amount(allocation.amount, currency),
        "source_rate": rate_text(source.fx_rate) if source is not None else "1",
        **base_amounts(allocation, base),
        "applied_at": allocation.created_at.isoformat(),
    }


def invoice_out(invoice: Invoice, state: str) -> dict[str, Any]:
    """The whole invoice, from what `queries.invoice_detail` loads."""
    cur, base = invoice.currency, invoice.seller.base_currency
    lines = list(invoice.lines.all())
    allocations = list(invoice.allocations.all())
    paid = sum((a.amount for a in allocations if a.payment_id), Decimal(0))
    credited = sum((a.amount for a in allocations if a.credit_note_id), Decimal(0))
    return {
        **invoice_summary_out(invoice, state),
        "terms": invoice.terms,
        "terms_days": invoice.terms_days,
        "terms_text": payment_terms.describe(invoice.terms, invoice.terms_days),
        "orders": sorted({_order_number(line.order_id) for line in lines}),
        "bill_to": _bill_to(invoice.bill_to),
        "seller": _seller(invoice.seller_details),
        "lines": [_invoice_line_out(line, cur) for line in lines],
        "tax_summary": tax_summary(lines, cur),
        "paid_amount": format_amount(paid, cur),
        "credited_amount": format_amount(credited, cur),
        "exchange_difference": format_amount(
            sum((a.exchange_difference for a in allocations), Decimal(0)), base
        ),
        "allocations": [_allocation_out(a, cur, base) for a in allocations],
        "credit_notes": [
            credit_note_summary_out(note, invoice.number) for note in invoice.credit_notes.all()
        ],
    }


def credit_note_summary_out(note: CreditNote, invoice_number: str | None = None) -> dict[str, Any]:
    """A credit note in a list (its seller loaded, and its invoice unless its number is
    given)."""
    cur, base = note.currency, note.seller.base_currency
    return {
        "id": note.pk,
        "number": note.number,
        "invoice_id": note.invoice_id,
        "invoice_number": invoice_number or note.invoice.number,
        "company_id": note.company_id,
        "issued_on": note.issued_on.isoformat(),
        "currency": cur,
        "reason": note.reason,
        "net_total": format_amount(note.net_total, cur),
        "tax_total": format_amount(note.tax_total, cur),
        "total": format_amount(note.total, cur),
        "exchange_rate": rate_text(note.fx_rate),
        "base_currency": base,
        "base_total": format_amount(note.base_total, base),
    }


def _credit_note_line_out(line: CreditNoteLine, currency: str) -> dict[str, Any]:
    return {
        "line_number": line.line_number,
        "invoice_line_number": line.invoice_line.line_number if line.invoice_line else None,
        "description": line.description,
        "quantity": line.quantity,
        "tax_name": line.tax_name or None,
        "tax_percent": percent_text(line.tax_percent),
        "net_amount": format_amount(line.net_amount, currency),
        "tax_amount": format_amount(line.tax_amount, currency),
        "gross_amount": format_amount(line.gross_amount, currency),
    }


def credit_note_out(note: CreditNote) -> dict[str, Any]:
    """The whole credit note, from what `queries.credit_note_detail` loads."""
    lines = list(note.lines.all())
    return {
        **credit_note_summary_out(note),
        "invoice_issued_on": note.invoice.issued_on.isoformat(),
        "bill_to": _bill_to(note.bill_to),
        "seller": _seller(note.seller_details),
        "lines": [_credit_note_line_out(line, note.currency) for line in lines],
        "tax_summary": tax_summary(lines, note.currency),
    }
