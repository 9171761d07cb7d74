"""Price lists and their tiers (階梯價), assignments, contract prices, promotions, company SKU
terms and assortments: every input of the price a company sees."""

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog.models import Category, Sku, TaxCategory
from dinghuo.core.models import Seller, TenantScoped

if TYPE_CHECKING:
    from dinghuo.customers.models import Company, CustomerGroup


class PriceList(TenantScoped):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField(
        default=False, db_default=False, help_text="The list's prices include tax (gross)."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="price_list_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class PriceTier(TenantScoped):
    """From `min_quantity` units on, each unit of the SKU costs `unit_price` on this list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="tiers")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    min_quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "sku", "min_quantity"], name="price_tier_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1), name="tier_min_qty_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="tier_price_not_negative"
            ),
        ]


class PriceListAssignment(TenantScoped):
    """A price list offered to one company or to every company of a customer group.

    Where several lists price a SKU, the highest `priority` wins (see `pricing/resolution.py`).
    """

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="assignments")
    company = models.ForeignKey(
        "customers.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer_group = models.ForeignKey(
        "customers.CustomerGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    priority = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=True) ^ models.Q(customer_group__isnull=True),
                name="assignment_to_company_or_group",
            ),
            models.UniqueConstraint(
                fields=["price_list", "company"], name="assignment_company_unique"
            ),
            models.UniqueConstraint(
                fields=["price_list", "customer_group"], name="assignment_group_unique"
            ),
        ]


class ContractPrice(TenantScoped):
    """A price agreed with one company for one SKU over a period (valid_until inclusive)."""

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Empty = open-ended.")
    reference = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["company", "sku", "valid_from"], name="contract_company_sku_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="contract_period_ordered",
            )
        ]

    def __str__(self) -> str:
        # The audit page's name for it: the agreement's own reference, else when it starts.
        return self.reference or f"{self.valid_from.isoformat()} –"


class ContractPriceTier(TenantScoped):
    """From `min_quantity` units on, the contract's unit price."""

    contract = models.ForeignKey(ContractPrice, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "min_quantity"], name="contract_tier_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1), name="contract_tier_min_qty_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="contract_tier_price_not_negative"
            ),
        ]


class Promotion(TenantScoped):
    """A percent or fixed amount off a category or SKU set, for a period, for some groups."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        AMOUNT = "amount", _("Amount off each unit")

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3, blank=True, default="", help_text="For amounts.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    applies_to_contract_prices = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    skus: "models.ManyToManyField[Sku, Any]" = models.ManyToManyField(
        Sku, blank=True, related_name="+"
    )
    customer_groups: "models.ManyToManyField[CustomerGroup, Any]" = models.ManyToManyField(
        "customers.CustomerGroup",
        blank=True,
        related_name="+",
        help_text="Empty = every company.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="promotion_code_unique"),
            models.CheckConstraint(
                condition=models.Q(value__gt=0), name="promotion_value_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="promotion_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="promotion_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CompanySkuTerms(TenantScoped):
    """A company's own minimum order quantity or pack multiple for a SKU (empty = the SKU's)."""

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    min_order_quantity = models.PositiveIntegerField(null=True, blank=True)
    pack_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "company SKU terms"
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="company_sku_terms_unique"),
            models.CheckConstraint(
                condition=models.Q(min_order_quantity__gte=1)
                | models.Q(min_order_quantity__isnull=True),
                name="company_moq_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(pack_size__gte=1) | models.Q(pack_size__isnull=True),
                name="company_pack_positive",
            ),
        ]


class Assortment(TenantScoped):
    """The SKUs some companies may see and buy: whole categories (with their subcategories)
    and single SKUs. A company with no assortment sees the whole catalogue."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    skus: "models.ManyToManyField[Sku, Any]" = models.ManyToManyField(
        Sku, blank=True, related_name="+"
    )
    companies: "models.ManyToManyField[Company, Any]" = models.ManyToManyField(
        "customers.Company", blank=True, related_name="assortments"
    )
    customer_groups: "models.ManyToManyField[CustomerGroup, Any]" = models.ManyToManyField(
        "customers.CustomerGroup", blank=True, related_name="assortments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="assortment_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class TaxRate(TenantScoped):
    """A seller's tax rate for goods of a tax category (empty = every product whose category
    has no rate of its own) sent to a country, or to one region of it, over a period
    (`valid_until` inclusive, empty = open-ended). `pricing/tax.py` picks the rate of a line.
    A rate an order used cannot be deleted (end it instead). The name is translated."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        TaxCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    region = models.CharField(
        max_length=3, blank=True, default="", help_text="ISO 3166-2 subdivision; empty = all"
    )
    name = models.CharField(max_length=100, help_text="What the tax is called: GST, VAT…")
    percent = models.DecimalField(max_digits=7, decimal_places=4)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Empty = open-ended.")

    class Meta:
        indexes = [models.Index(fields=["seller", "country"], name="tax_rate_destination_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100),
                name="tax_percent_0_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="tax_rate_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.percent.normalize()}% {self.country}"


class TaxPolicy(TenantScoped):
    """How a seller rounds tax to the currency's minor units: per line or per document (per
    rate, shared among its lines; see `pricing/tax.py`). Without a row: per line."""

    class Rounding(models.TextChoices):
        LINE = "line", _("Per line")
        DOCUMENT = "document", _("Per document")

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="+")
    rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.LINE)

    class Meta:
        verbose_name_plural = "tax policies"


class ExchangeRate(TenantScoped):
    """What one unit of `currency` is worth in the seller's base currency from `day` on,
    until its next rate (`pricing/fx.py`): an order, invoice or payment freezes the rate of
    its day. A day's rate can be corrected; what froze it keeps the old one."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    day = models.DateField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    source = models.CharField(max_length=16, blank=True, default="", help_text="api, csv, page…")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "currency", "day"], name="exchange_rate_one_per_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day} {self.rate}"
