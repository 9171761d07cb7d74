"""Price lists in one currency, with quantity tiers (階梯價) per SKU."""

from django.db import models

from dinghuo.catalog.models import Sku
from dinghuo.core.models import Seller, TenantScoped


class PriceList(TenantScoped):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
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
