"""Orders and their lines (prices frozen on the line when placed), the seller's ordering
policy, approval rules and the approvals an order waits for."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog.models import Category, Sku
from dinghuo.core.models import Seller, TenantScoped
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.orders.states import OrderStatus
from dinghuo.pricing.models import PriceList


def order_number(order_id: int) -> str:
    """The number people quote for the order `order_id` (`SO-0000123`)."""
    return f"SO-{order_id:07d}"


class Order(TenantScoped):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    currency = models.CharField(max_length=3)
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="+")
    ship_to = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    purchase_order_number = models.CharField(max_length=64, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    requested_delivery_date = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=16, default="api")
    placed_by = models.ForeignKey(
        CompanyUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The seller's staff member who entered the order on the customer's behalf (channel
    # "staff"); empty for orders the customer placed itself or a system sent.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The amount this order holds of the company's credit (0 while on hold, prepaid or done).
    credit_reserved = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    # What the company pays before the order is confirmed, frozen when placed: all of it
    # (prepaid terms), its deposit (a percent of it), or nothing.
    prepayment_due = models.DecimalField(
        max_digits=18, decimal_places=4, default=Decimal(0), db_default=Decimal(0)
    )
    # Why the order waits for a person (codes); empty when it went straight through.
    review_reasons = models.JSONField(default=list, blank=True)
    hold_reason = models.CharField(max_length=300, blank=True, default="")
    confirmed_automatically = models.BooleanField(default=False)
    approval_expires_at = models.DateTimeField(null=True, blank=True)
    # subtotal = the lines' net amounts, tax_total their tax, total = subtotal + tax_total: the
    # gross, what the buyer owes (credit, approval amounts and spending limits use it).
    subtotal = models.DecimalField(max_digits=18, decimal_places=4)
    tax_total = models.DecimalField(
        max_digits=18, decimal_places=4, default=Decimal(0), db_default=Decimal(0)
    )
    total = models.DecimalField(max_digits=18, decimal_places=4)
    # How tax was computed, frozen: the price list's prices include tax, the seller's rounding
    # rule, and the exemption certificate the company held on the order's date.
    prices_include_tax = models.BooleanField(default=False, db_default=False)
    tax_rounding = models.CharField(max_length=8, default="line", db_default="line")
    tax_exemption_certificate = models.CharField(
        max_length=64, blank=True, default="", db_default=""
    )
    # What one unit of `currency` was worth in the seller's base currency on the day the
    # order was placed (`pricing/fx.py`); 1 when the order is in the base currency.
    fx_rate = models.DecimalField(
        max_digits=20, decimal_places=10, default=Decimal(1), db_default=Decimal(1)
    )
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # 1 as placed; each amendment makes the next version (`OrderAmendment`).
    version = models.PositiveIntegerField(default=1, db_default=1)
    # When the warehouse started picking it: from then on only staff may amend it.
    picking_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "company", "-id"], name="order_company_idx"),
            models.Index(fields=["tenant", "status", "-id"], name="order_status_idx"),
            # The integrators' filters: changed since (`updated_since`) and the buyer's PO
            # number, matched whatever its case.
            models.Index(fields=["tenant", "updated_at"], name="order_updated_idx"),
            models.Index("tenant", Upper("purchase_order_number"), name="order_po_number_idx"),
            models.Index(
                fields=["approval_expires_at"],
                condition=models.Q(status="awaiting_approval"),
                name="order_approval_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The order number people quote (derived from the id: no counter to contend on)."""
        return order_number(self.pk)


class OrderLine(TenantScoped):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    # quantity × unit price, rounded: the net amount or, on a list whose prices include tax,
    # the gross one.
    line_total = models.DecimalField(max_digits=18, decimal_places=4)
    # Tax frozen with the line: the rate used (pages name it in the reader's language; a used
    # rate cannot be deleted), its name in English and percent then, and the line's amounts.
    tax_rate = models.ForeignKey(
        "pricing.TaxRate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tax_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    tax_percent = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal(0), db_default=Decimal(0)
    )
    # (The database's default 0 only lets plain-SQL writers that predate tax insert lines.)
    net_amount = models.DecimalField(max_digits=18, decimal_places=4, db_default=Decimal(0))
    tax_amount = models.DecimalField(
        max_digits=18, decimal_places=4, default=Decimal(0), db_default=Decimal(0)
    )
    gross_amount = models.DecimalField(max_digits=18, decimal_places=4, db_default=Decimal(0))
    # How the unit price came about, frozen with it (source, tier, promotion): see
    # `pricing/resolution.py`.
    pricing = models.JSONField(default=dict, blank=True)
    backordered_quantity = models.PositiveIntegerField(default=0)
    shipped_quantity = models.PositiveIntegerField(default=0)
    # Units that will never ship: the remainder cancelled when the order was short-closed.
    cancelled_quantity = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "line_number"], name="order_line_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(shipped_quantity__lte=models.F("quantity")),
                name="line_not_overshipped",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    cancelled_quantity__lte=models.F("quantity") - models.F("shipped_quantity")
                ),
                name="line_cancelled_within_unshipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number}"


class OrderPolicy(TenantScoped):
    """A seller's settings for what happens to an order once it is placed. (The grace days
    for overdue invoices are the seller's credit policy, `customers.CreditPolicy`.)"""

    class CreditAction(models.TextChoices):
        HOLD = "hold", _("Put the order on credit hold")
        REFUSE = "refuse", _("Refuse the order")

    class BackorderFill(models.TextChoices):
        """Who gets arriving stock first among orders waiting for it (`services.backorders`)."""

        OLDEST = "oldest", _("Oldest order first")
        PRIORITY = "priority", _("Priority customers first, then oldest order")
        DELIVERY_DATE = "delivery_date", _("Earliest requested delivery date first")

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="order_policy")
    auto_confirm = models.BooleanField(
        default=False,
        help_text="Confirm at once an order that is in stock, within credit and needs no approval.",
    )
    credit_action = models.CharField(
        max_length=8, choices=CreditAction.choices, default=CreditAction.HOLD
    )
    approval_expiry_hours = models.PositiveIntegerField(default=72)
    backorder_fill = models.CharField(
        max_length=16,
        choices=BackorderFill.choices,
        default=BackorderFill.OLDEST,
        db_default=BackorderFill.OLDEST,
    )
    # How long after placing a buyer may still amend an order (before picking starts); 0:
    # buyers cannot amend, only staff.
    buyer_amend_hours = models.PositiveIntegerField(default=24, db_default=24)
    # The companies of this group are the priority customers of `BackorderFill.PRIORITY`.
    priority_group = models.ForeignKey(
        "customers.CustomerGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "order policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approval_expiry_hours__gte=1, approval_expiry_hours__lte=8760),
                name="approval_expiry_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(buyer_amend_hours__lte=8760), name="buyer_amend_hours_in_range"
            ),
        ]


class Approver(models.TextChoices):
    COMPANY = "company", _("An approver of the buying company")
    SELLER = "seller", _("Seller staff")


class ApprovalRule(TenantScoped):
    """When every given condition holds for an order, it needs an approval at `level`.

    Conditions left empty match every order; see `orders/approval_rules.py`."""

    class CreditState(models.TextChoices):
        NEAR_LIMIT = (
            "near_limit",
            _("The order takes the company to 90 percent of its limit or more"),
        )
        OVERDUE = "overdue", _("The company has overdue payments (within the grace period)")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(default=1)
    approver = models.CharField(max_length=8, choices=Approver.choices)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    min_amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # The currency of `min_amount` (ISO 4217); an order in another is compared at the day's
    # exchange rates (`orders/approval_rules.py`).
    currency = models.CharField(max_length=3)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    buyer_role = models.CharField(
        max_length=8, blank=True, default="", choices=CompanyUser.Role.choices
    )
    credit_state = models.CharField(
        max_length=12, blank=True, default="", choices=CreditState.choices
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=9), name="approval_level_1_to_9"
            ),
            models.CheckConstraint(
                condition=models.Q(min_amount__gte=0) | models.Q(min_amount__isnull=True),
                name="approval_min_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Exact(Length("currency"), 3), name="approval_rule_currency_given"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderApproval(TenantScoped):
    """One approval an order needs: at a level, from a party; decided once, with a comment."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for an earlier level")
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn (order cancelled)")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="approvals")
    level = models.PositiveSmallIntegerField()
    approver = models.CharField(max_length=8, choices=Approver.choices)
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices)
    decided_by = models.CharField(max_length=200, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "level", "approver"], name="order_approval_unique"
            )
        ]


class OrderAmendment(TenantScoped):
    """One numbered change of an order after it was placed (`services.amending`): what changed,
    who changed it, and the amounts before and after. Written once, never changed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="amendments")
    version = models.PositiveIntegerField()  # the order's version this amendment made (2, 3…)
    amended_at = models.DateTimeField()
    # Who: a person's name and side ("buyer"/"staff"), or the API key's prefix.
    amended_by = models.CharField(max_length=200)
    by_buyer = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True, default="")
    # {"lines": [{"line_number", "sku", "before", "after", "unit_price_before",
    # "unit_price_after"}], "fields": {"name": [before, after]}, "repriced": bool}
    changes = models.JSONField(default=dict)
    status_before = models.CharField(max_length=20, choices=OrderStatus.choices)
    status_after = models.CharField(max_length=20, choices=OrderStatus.choices)
    total_before = models.DecimalField(max_digits=18, decimal_places=4)
    total_after = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "version"], name="order_amendment_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=2), name="order_amendment_version_after_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} v{self.version}"
