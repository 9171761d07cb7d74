"""Request bodies of billing: the period's run, credit notes, payments, refunds and the
billing policy. Amounts are decimal strings, checked against the currency by the services."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from dinghuo.api.schemas import Code, Id, InSchema, PatchIn, Quantity, iso_day

MAX_LINES = 1000
MAX_ALLOCATIONS = 1000


Date = Annotated[
    date,
    BeforeValidator(iso_day),
    Field(strict=False, description="ISO 8601 date (YYYY-MM-DD)"),
]
# A sign is let through so that a negative amount gets the service's own code
# (`amount_not_positive`); more decimals than the currency has get `too_many_decimals`.
# Below 10^11 with 4 decimals is 15 significant digits: exact even where decimals are doubles.
Money = Annotated[
    str,
    StringConstraints(pattern=r"^-?\d{1,11}(\.\d{1,4})?$", max_length=17),
    Field(description="Decimal string in the company's currency, e.g. 125.50"),
]

Currency = Annotated[
    str, StringConstraints(min_length=3, max_length=3), Field(description="ISO 4217, e.g. HKD")
]
Method = Literal["bank_transfer", "cheque", "cash", "card"]
Reference = Annotated[
    str,
    StringConstraints(max_length=140),
    Field(description="The payer's or the bank's reference, as printed on the statement"),
]
InvoiceState = Literal["open", "overdue", "paid"]
Language = Literal["en", "zh-hant", "zh-hans"]


def money(value: str) -> Decimal:
    """A `Money` of a request as a Decimal; "-0" becomes 0 (which would show as "-0.00")."""
    return Decimal(value) + 0


class PeriodRunIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    through: Date | None = Field(
        None,
        description="Bill shipments up to this day (today or earlier); default: the end of the "
        "last period that ended (last Sunday for weekly invoicing, else the last month's end)",
    )


class CreditUnitsIn(InSchema):
    line_number: Annotated[int, Field(ge=1, le=1_000_000)]
    quantity: Quantity = Field(description="Units of the invoice line to credit")


class CreditNoteIn(InSchema):
    """Exactly one of `whole`, `lines` or `amount`, and why."""

    whole: bool = Field(False, description="Credit every unit not yet credited")
    lines: list[CreditUnitsIn] | None = Field(None, max_length=MAX_LINES)
    amount: Money | None = Field(None, description="An amount with tax, shared across the rates")
    reason: Annotated[str, StringConstraints(max_length=300)]


class AllocationIn(InSchema):
    invoice_id: Id
    amount: Money


class PaymentIn(InSchema):
    company_id: Id
    amount: Money
    currency: Currency
    method: Method
    received_on: Date
    reference: Reference = ""
    order_id: Id | None = Field(
        None, description="The prepaid order this pays: it confirms itself once covered"
    )
    allocations: list[AllocationIn] | None = Field(
        None,
        max_length=MAX_ALLOCATIONS,
        description="Which invoices it pays and how much each; omitted: oldest due first",
    )


class RefundIn(InSchema):
    amount: Money
    method: Method
    refunded_on: Date
    reference: Reference = ""


class BillingPolicyIn(PatchIn):
    """Fields left out keep their value."""

    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    invoicing: Literal["per_shipment", "weekly", "monthly"] | None = None
    legal_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    address: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        None, description="As printed, one line per row"
    )
    tax_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    payment_instructions: Annotated[str, StringConstraints(max_length=2000)] | None = None
    receivables_source: Literal["invoices", "sync"] | None = Field(
        None,
        description="invoices: this platform's invoices and payments set what companies owe; "
        "sync: the seller's accounting system does (PUT /companies/{id}/receivables)",
    )
