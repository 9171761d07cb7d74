"""Invoices, credit notes, payments and refunds (append-only: the database refuses to change
or remove them once written), how payments and credit notes settle invoices (allocations),
and the running balances kept beside them: what is still open on each invoice, and each
company's money not yet applied to an invoice."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.core.models import Seller, TenantScoped
from dinghuo.customers.models import Company
from dinghuo.orders.models import Order, OrderLine


def money(**options: Any) -> "models.DecimalField[Decimal, Decimal]":
    """A money column: 18 digits, 4 after the point (amounts are rounded before stored)."""
    return models.DecimalField(max_digits=18, decimal_places=4, **options)


def rate_column() -> "models.DecimalField[Decimal, Decimal]":
    """The exchange rate frozen on a document: what one unit of its currency was worth in the
    seller's base currency on its day (`pricing/fx.py`); 1 in the base currency."""
    return models.DecimalField(
        max_digits=20, decimal_places=10, default=Decimal(1), db_default=Decimal(1)
    )


class BillingPolicy(TenantScoped):
    """A seller's billing settings and the legal details its documents print."""

    class Invoicing(models.TextChoices):
        PER_SHIPMENT = "per_shipment", _("One invoice per shipment, when it ships")
        WEEKLY = "weekly", _("One invoice per company per week")
        MONTHLY = "monthly", _("One invoice per company per month")

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="+")
    invoicing = models.CharField(
        max_length=12, choices=Invoicing.choices, default=Invoicing.PER_SHIPMENT
    )
    legal_name = models.CharField(max_length=200, blank=True, default="")
    address = models.TextField(blank=True, default="", help_text="As printed, one line per row.")
    tax_number = models.CharField(max_length=64, blank=True, default="")
    # Printed on every invoice: where and how to pay (bank, account, reference to quote).
    payment_instructions = models.TextField(blank=True, default="")
    # The seller's chart of accounts for the accounting export: role → account name, for
    # the roles it names (`billing.journal.ROLES`); the others keep the defaults.
    accounts = models.JSONField(default=dict, blank=True)
    # When payment reminders go out: days from an invoice's due date (negative = before),
    # e.g. [-3, 7, 21]; empty = none. Each step is sent once per unpaid invoice.
    reminder_days = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "billing policies"


class DocumentSeries(TenantScoped):
    """The next number of one of a seller's numbering series (invoices, credit notes).

    Taken by a guarded UPDATE in the issuing transaction, so numbers have no gaps (a failed
    issue rolls its number back) and no duplicates (issuers queue on the row)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    prefix = models.CharField(max_length=16)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "document series"
        constraints = [
            models.UniqueConstraint(fields=["seller", "kind"], name="document_series_unique"),
        ]


class Invoice(TenantScoped):
    """What a company owes for goods shipped: one shipment, or a period's shipments."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=32)
    issued_on = models.DateField()
    due_on = models.DateField()
    currency = models.CharField(max_length=3)
    net_total = money()
    tax_total = money()
    total = money()
    fx_rate = rate_column()
    base_total = money()  # `total` in the seller's base currency at `fx_rate`
    # What it bills: one shipment (its id; fulfilment owns the table) or a period.
    shipment_id = models.BigIntegerField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # Frozen when issued, so that the document reads the same for ever.
    terms = models.CharField(max_length=8)
    terms_days = models.PositiveSmallIntegerField()
    bill_to = models.JSONField(default=dict)
    seller_details = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "number"], name="invoice_number_unique"),
            models.UniqueConstraint(
                fields=["shipment_id"],
                condition=models.Q(shipment_id__isnull=False),
                name="invoice_one_per_shipment",
            ),
            models.CheckConstraint(condition=models.Q(fx_rate__gt=0), name="invoice_fx_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "company", "-id"], name="invoice_company_idx")]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(TenantScoped):
    """Units of one order line billed, at the order's frozen price and tax."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = money()
    tax_rate = models.ForeignKey(
        "pricing.TaxRate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tax_name = models.CharField(max_length=100, blank=True, default="")
    tax_percent = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal(0))
    net_amount = money()
    tax_amount = money()
    gross_amount = money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "line_number"], name="invoice_line_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="invoice_line_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["order_line"], name="invoice_line_order_line_idx")]


class Receivable(TenantScoped):
    """What is still open on an invoice: the one mutable row beside it, lowered by guarded
    updates (never below zero), so that nothing settles an invoice twice."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="receivable")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    open_amount = money()
    # What is open in the seller's base currency: the invoice's base total less the base of
    # what settled it (`Allocation.use_base`), lowered with `open_amount`.
    open_base = money()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_amount__gte=0), name="receivable_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(open_base__gte=0), name="receivable_base_not_negative"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "company", "due_on"],
                condition=models.Q(open_amount__gt=0),
                name="receivable_open_idx",
            ),
        ]


class CreditNote(TenantScoped):
    """A correction of an issued invoice: some or all of its lines, or an amount."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=32)
    issued_on = models.DateField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    net_total = money()
    tax_total = money()
    total = money()
    fx_rate = rate_column()
    base_total = money()  # `total` in the seller's base currency at `fx_rate`
    bill_to = models.JSONField(default=dict)
    seller_details = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "number"], name="credit_note_number_unique"),
            models.CheckConstraint(
                condition=models.Q(fx_rate__gt=0), name="credit_note_fx_positive"
            ),
        ]


class CreditNoteLine(TenantScoped):
    """What one line of a credit note gives back: units of an invoice line, or an amount at
    one of the invoice's tax rates."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    invoice_line = models.ForeignKey(
        InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    tax_name = models.CharField(max_length=100, blank=True, default="")
    tax_percent = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal(0))
    net_amount = money()
    tax_amount = money()
    gross_amount = money()


class Payment(TenantScoped):
    """Money received from a company (or, as a refund, paid back to it)."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Payment received")
        REFUND = "refund", _("Refund")

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RECEIVED)
    method = models.CharField(max_length=16, choices=Method.choices)
    amount = money()
    currency = models.CharField(max_length=3)
    fx_rate = rate_column()
    base_amount = money()  # `amount` in the seller's base currency at `fx_rate`
    received_on = models.DateField()
    reference = models.CharField(max_length=140, blank=True, default="")
    # A prepayment for this order (the order confirms itself once paid in full).
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(condition=models.Q(fx_rate__gt=0), name="payment_fx_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "company", "-id"], name="payment_company_idx")]


class Allocation(TenantScoped):
    """Money moved from a source (a payment received, or a credit note) to a use (an invoice
    it settles, or a refund that pays it back). What a source has not yet given is the
    company's unapplied credit.

    In the seller's base currency the amount is worth `source_base` at the source's rate and
    `use_base` at the use's rate, each the difference of running totals
    (`billing/exchange.py`), so that a document settled or used in any number of parts moves
    exactly its base amount; what the two differ by is the exchange difference."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    refund = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunded_from"
    )
    amount = money()
    source_base = money()
    use_base = money()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
            models.CheckConstraint(
                condition=models.Q(payment__isnull=False, credit_note__isnull=True)
                | models.Q(payment__isnull=True, credit_note__isnull=False),
                name="allocation_from_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(invoice__isnull=False, refund__isnull=True)
                | models.Q(invoice__isnull=True, refund__isnull=False),
                name="allocation_to_one_use",
            ),
        ]

    @property
    def exchange_difference(self) -> Decimal:
        """The gain (positive) or loss (negative) in base currency between the rate the money
        came in at and the rate of what it settled or paid back."""
        return self.source_base - self.use_base


class Account(TenantScoped):
    """A company's money held by the seller and not yet applied to an invoice (overpayments,
    prepayments, credit notes beyond what an invoice still owed): used on later invoices or
    refunded. A running balance beside the append-only rows, changed by guarded updates."""

    company = models.OneToOneField(Company, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    unapplied = money(default=Decimal(0))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unapplied__gte=0), name="account_unapplied_not_negative"
            ),
        ]


class UnbilledShipment(TenantScoped):
    """Shipped units waiting for a consolidated (weekly or monthly) invoice."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    shipment_id = models.BigIntegerField()
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    shipped_on = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "seller", "shipped_on"], name="unbilled_period_idx")
        ]


class BankStatement(TenantScoped):
    """A bank statement imported once (CAMT.053 or MT940): the same file again changes
    nothing (`fingerprint`, the SHA-256 of its content)."""

    class Format(models.TextChoices):
        CAMT_053 = "camt053", _("ISO 20022 CAMT.053")
        MT940 = "mt940", _("SWIFT MT940")

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=8, choices=Format.choices)
    fingerprint = models.CharField(max_length=64)
    statement_id = models.CharField(max_length=64, blank=True, default="")
    account = models.CharField(max_length=64, blank=True, default="")
    currency = models.CharField(max_length=3)
    opening_balance = money(null=True, blank=True)
    closing_balance = money(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True, default="")
    imported_by = models.CharField(max_length=200, blank=True, default="")
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "fingerprint"], name="bank_statement_once"),
        ]


class BankLine(TenantScoped):
    """One booked entry of a statement. Credits are matched to invoices (automatically by
    reference, amount and payer, or by a clerk) and become payments; what no rule matched
    waits in the clerk's queue; debits and what is not a customer's payment are set aside."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("Waiting for a clerk")
        MATCHED = "matched", _("Recorded as a payment")
        IGNORED = "ignored", _("Set aside")

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    booked_on = models.DateField()
    amount = money()  # positive: money in; negative: money out
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=500, blank=True, default="")
    payer_name = models.CharField(max_length=200, blank=True, default="")
    payer_account = models.CharField(max_length=64, blank=True, default="")
    bank_reference = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNMATCHED)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_line"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.CharField(max_length=200, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "line_number"], name="bank_line_number_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "booked_on"],
                condition=models.Q(status="unmatched"),
                name="bank_line_queue_idx",
            ),
        ]


class Reminder(TenantScoped):
    """A payment reminder sent for an invoice at one step of the seller's schedule (days
    from its due date): each step once per invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    days_from_due = models.SmallIntegerField()  # negative: before the due date
    sent_to = models.CharField(max_length=254)
    language = models.CharField(max_length=8)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "days_from_due"], name="reminder_once_per_step"
            ),
        ]


class CardPayment(TenantScoped):
    """A card payment through a payment gateway (a provider behind `billing.gateways`): the
    provider's payment (e.g. a Stripe PaymentIntent) for an invoice or a prepaid order; once
    it succeeds it is recorded as a `Payment` (method card), exactly once."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("Waiting for the card")
        PROCESSING = "processing", _("Processing")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Cancelled")

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=16)
    provider_reference = models.CharField(max_length=100)
    amount = money()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.REQUIRES_PAYMENT
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the buyer's browser needs to confirm the payment with the provider (Stripe's
    # client secret); never shown to anyone else.
    client_secret = models.CharField(max_length=200, blank=True, default="")
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="card_payment"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"], name="card_payment_reference_unique"
            ),
        ]


class GatewayEvent(models.Model):
    """A provider's webhook event, kept so that a delivery repeated by the provider is
    handled once (providers deliver at least once)."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="gateway_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
