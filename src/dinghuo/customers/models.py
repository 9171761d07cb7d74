"""Buyer companies, their groups, locations (bill-to, ship-to), users and credit lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.core.models import TenantScoped


class CustomerGroup(TenantScoped):
    """A segment of companies (dealers, key accounts, region…) that prices and rules address."""

    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="customer_group_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Company(TenantScoped):
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    # The base price list: it fixes the currency and the seller the company buys from;
    # assigned lists and contracts (pricing app) may price a SKU before it.
    # A string reference: pricing is above customers, which only points at its table.
    price_list = models.ForeignKey("pricing.PriceList", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The group (集團) or distributor this company belongs to.",
    )
    groups = models.ManyToManyField(CustomerGroup, blank=True, related_name="companies")
    # Exempt from tax while the certificate is valid (on the order's date; no expiry = always).
    tax_exemption_certificate = models.CharField(
        max_length=64, blank=True, default="", db_default="", help_text="Empty = not exempt."
    )
    tax_exemption_expires_on = models.DateField(
        null=True, blank=True, help_text="Last day the certificate is valid; empty = no expiry."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="company_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Location(TenantScoped):
    class Kind(models.TextChoices):
        SHIP_TO = "ship_to", _("Ship-to")
        BILL_TO = "bill_to", _("Bill-to")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="locations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    # Where a country's tax differs by region (a province, a state): ISO 3166-2's code after
    # the country's, e.g. "GD" for Guangdong.
    region = models.CharField(
        max_length=3, blank=True, default="", db_default="", help_text="ISO 3166-2 subdivision"
    )
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class CompanyUser(TenantScoped):
    """A person's membership of a buying company: one per tenant (seller) they buy from.

    The sign-in is Django's user, shared by every membership of the same email: a person
    who buys from several sellers has one password and chooses the seller after signing in.
    """

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        APPROVER = "approver", _("Approver")
        ADMIN = "admin", _("Company admin")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="users")
    # The reverse name stays "buyer" (`User.objects.filter(buyer__tenant=…)`); it is a
    # person's memberships.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.BUYER)
    spending_limit = models.DecimalField(
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Orders above this amount need a company approver; empty = no limit.",
    )
    # Switched off here only: the person keeps their sign-in and their other sellers. The
    # account's own `user.is_active` is the platform's (erasure, the Django admin).
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spending_limit__gte=0) | models.Q(spending_limit__isnull=True),
                name="spending_limit_not_negative",
            ),
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"

    @property
    def may_sign_in(self) -> bool:
        """Whether the person may work as this buyer: the membership is on, and so is their
        account (the user must be loaded)."""
        return self.is_active and self.user.is_active


# The filter of memberships a person may work as (their account is on too).
ACTIVE_MEMBERSHIP = models.Q(is_active=True, user__is_active=True)


class CreditLine(TenantScoped):
    """What a company may owe and on which terms; the row every credit check locks.

    Exposure is kept as two counters so that a check is one locked row, never a sum over
    orders: `order_exposure` (open orders not yet invoiced, changed by order services) and
    `invoice_exposure` (unpaid invoices, set by billing or by a receivables sync).
    """

    class Terms(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid")
        NET = "net", _("Net N days")
        END_OF_MONTH = "eom", _("End of month + N days")

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="credit_line")
    credit_limit = models.DecimalField(
        max_digits=18, decimal_places=4, null=True, blank=True, help_text="Empty = no limit."
    )
    terms = models.CharField(max_length=8, choices=Terms.choices, default=Terms.NET)
    terms_days = models.PositiveSmallIntegerField(default=30)
    # A share of each order paid before it is confirmed (0 = none), the rest on the terms;
    # prepaid terms pay all of it and take none.
    deposit_percent = models.PositiveSmallIntegerField(default=0, db_default=0)
    order_exposure = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    invoice_exposure = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    oldest_unpaid_due_on = models.DateField(
        null=True, blank=True, help_text="Due date of the oldest unpaid invoice."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0) | models.Q(credit_limit__isnull=True),
                name="credit_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(order_exposure__gte=0), name="order_exposure_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(invoice_exposure__gte=0), name="invoice_exposure_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(terms_days__lte=365), name="terms_days_at_most_a_year"
            ),
            models.CheckConstraint(
                condition=models.Q(deposit_percent__lte=100), name="deposit_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"credit of {self.company_id}"

    @property
    def exposure(self) -> Decimal:
        return self.order_exposure + self.invoice_exposure


class CreditPolicy(TenantScoped):
    """How a seller treats late payers: the days an invoice may be overdue before the
    company's orders are blocked. Credit control is customers'; the ordering policy's API
    sets it through `customers.services.set_overdue_grace_days`."""

    class ReceivablesSource(models.TextChoices):
        INVOICES = "invoices", _("This platform's invoices and payments")
        SYNC = "sync", _("Synced from the seller's accounting system")

    seller = models.OneToOneField("core.Seller", on_delete=models.CASCADE, related_name="+")
    overdue_grace_days = models.PositiveSmallIntegerField(default=0)
    # Where a company's invoice exposure comes from: billing keeps it as invoices are issued
    # and paid, or the seller's own ledger sets it (PUT /receivables). One, never both.
    receivables_source = models.CharField(
        max_length=8,
        choices=ReceivablesSource.choices,
        default=ReceivablesSource.INVOICES,
        db_default=ReceivablesSource.INVOICES,
    )

    class Meta:
        verbose_name_plural = "credit policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overdue_grace_days__lte=365),
                name="credit_grace_days_at_most_a_year",
            ),
        ]
