"""Returns (RMA): the seller's return policy, a company's return requests and their lines,
and the counter that numbers approved returns without gaps.

Invariants of one row: a line returns at least one unit and never receives more than it
asked for; an RMA number is unique per seller. What a line may ask for (delivered minus
already returned) needs the other requests and is checked by `services.requesting` under
the order's row lock.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog.models import Category, Sku
from dinghuo.core.models import Seller, TenantScoped
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.inventory.models import Warehouse
from dinghuo.orders.models import Order, OrderLine
from dinghuo.returns import policy


def default_fee_reasons() -> list[str]:
    """The reasons a restocking fee is kept for unless the seller chooses others."""
    return sorted(policy.DEFAULT_FEE_REASONS)


class ReturnPolicy(TenantScoped):
    """A seller's rules for returns; a seller without a row has `policy.DEFAULTS`."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="return_policy")
    window_days = models.PositiveIntegerField(default=30)
    restocking_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    non_returnable_categories = models.ManyToManyField(Category, blank=True, related_name="+")
    # Requests worth up to this (gross, in the seller's base currency) are approved by
    # themselves when nothing else needs a person; empty: a clerk approves every request.
    auto_approve_limit = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # Where goods judged unsellable wait: an inactive warehouse, so orders never draw on it.
    quarantine_warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An exchange's replacement order is confirmed (so it may ship) when the return is
    # approved, instead of when the goods come back.
    ship_exchange_at_once = models.BooleanField(default=False)
    # The reasons (`ReturnReason` codes, sorted) whose lines bear the restocking fee; lines
    # returned for any other reason are credited in full.
    fee_reasons = models.JSONField(default=default_fee_reasons, blank=True)

    class Meta:
        verbose_name_plural = "return policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_days__lte=3650), name="return_window_in_range"
            ),
            models.CheckConstraint(
                condition=models.Q(restocking_fee_percent__gte=0, restocking_fee_percent__lte=100),
                name="restocking_fee_in_range",
            ),
        ]

    def clean(self) -> None:
        """The fee's reasons are a list of known reason codes."""
        reasons = self.fee_reasons
        known = isinstance(reasons, list) and all(
            isinstance(reason, str) and reason in ReturnReason.values for reason in reasons
        )
        if not known:
            raise ValidationError({"fee_reasons": _("Choose one of the reasons.")})


class ReturnCounter(TenantScoped):
    """The next RMA number of a seller, raised in the approving transaction (no gaps)."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="+")
    next_number = models.PositiveIntegerField(default=1)


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Arrived damaged")
    DEFECTIVE = "defective", _("Does not work")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    NOT_NEEDED = "not_needed", _("No longer needed")
    OTHER = "other", _("Another reason")


class Outcome(models.TextChoices):
    CREDIT = "credit", _("A credit note")
    EXCHANGE = "exchange", _("An exchange for replacement goods")


class Fate(models.TextChoices):
    RESTOCK = "restock", _("Back to stock")
    QUARANTINE = "quarantine", _("To quarantine")
    SCRAP = "scrap", _("Scrapped")
    TO_SUPPLIER = "to_supplier", _("Back to the supplier")


class ReturnRequest(TenantScoped):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(
        max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    # Given when approved: RMA-000001, one series per seller.
    number = models.CharField(max_length=20, blank=True, default="")
    requested_by = models.ForeignKey(
        CompanyUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    # What the buyer asked for besides the credit note: an exchange gets a replacement order
    # (`exchange_order`), placed when the return is approved.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.CREDIT)
    exchange_order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why a person must decide (codes), empty when it was approved by itself.
    review_reasons = models.JSONField(default=list, blank=True)
    approved_automatically = models.BooleanField(default=False)
    decision_comment = models.CharField(max_length=500, blank=True, default="")
    # Frozen when requested: the policy's fee then is the one the buyer was told.
    restocking_fee_percent = models.DecimalField(max_digits=5, decimal_places=2)
    # Frozen with it: the reasons whose lines bear that fee.
    fee_reasons = models.JSONField(default=default_fee_reasons)
    currency = models.CharField(max_length=3)
    # The outcome: what was credited (gross, after the fee), the fee, and the documents.
    credited_amount = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    fee_amount = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    credit_notes = models.ManyToManyField("billing.CreditNote", blank=True, related_name="+")
    refund = models.ForeignKey(
        "billing.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "company", "-id"], name="return_company_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "number"],
                condition=~models.Q(number=""),
                name="rma_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"return {self.pk}"


class ReturnLine(TenantScoped):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=ReturnReason.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    # What the warehouse found: units that arrived and what became of them.
    received_quantity = models.PositiveIntegerField(null=True, blank=True)
    fate = models.CharField(max_length=12, choices=Fate.choices, blank=True, default="")
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "line_number"], name="return_line_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="return_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(received_quantity__lte=models.F("quantity")),
                name="return_received_within_requested",
            ),
        ]


class ReturnPhoto(TenantScoped):
    """A picture the buyer attached to a request (what arrived damaged, the wrong item), kept
    with Django's storage (MEDIA_ROOT) with a small copy for the pages, made once when it
    was attached. Checked with Pillow, not by its name: JPEG, PNG or WebP only."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    number = models.PositiveSmallIntegerField()
    image = models.FileField(max_length=200)
    thumbnail = models.FileField(max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()  # bytes
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        CompanyUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "number"], name="return_photo_number_unique"
            ),
        ]


class ReplacementLine(TenantScoped):
    """Goods an exchange asks for instead of the returned ones (by default the same SKUs and
    quantities): ordered when the return is approved."""

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="replacements"
    )
    line_number = models.PositiveIntegerField()
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "line_number"], name="replacement_line_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="replacement_quantity_positive"
            ),
        ]
