"""Buyer companies, their locations (bill-to, ship-to) and their users."""

from django.conf import settings
from django.db import models

from dinghuo.core.models import TenantScoped
from dinghuo.pricing.models import PriceList


class Company(TenantScoped):
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="+")
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
        SHIP_TO = "ship_to", "Ship-to"
        BILL_TO = "bill_to", "Bill-to"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="locations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class CompanyUser(TenantScoped):
    """A person who buys for a company; the sign-in is Django's user."""

    class Role(models.TextChoices):
        BUYER = "buyer", "Buyer"
        APPROVER = "approver", "Approver"
        ADMIN = "admin", "Company admin"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="users")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.BUYER)

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"
