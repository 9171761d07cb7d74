"""Orders and their lines; prices are frozen on the line when the order is placed."""

from django.db import models

from dinghuo.catalog.models import Sku
from dinghuo.core.models import Seller, TenantScoped
from dinghuo.customers.models import Company, Location
from dinghuo.orders.states import OrderStatus
from dinghuo.pricing.models import PriceList


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
    channel = models.CharField(max_length=16, default="api")
    subtotal = models.DecimalField(max_digits=18, decimal_places=4)
    total = models.DecimalField(max_digits=18, decimal_places=4)
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "company", "-id"], name="order_company_idx"),
            models.Index(fields=["tenant", "status", "-id"], name="order_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The order number people quote (derived from the id: no counter to contend on)."""
        return f"SO-{self.pk:07d}"


class OrderLine(TenantScoped):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(max_length=64)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    line_total = models.DecimalField(max_digits=18, decimal_places=4)
    backordered_quantity = models.PositiveIntegerField(default=0)
    shipped_quantity = models.PositiveIntegerField(default=0)

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
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number}"
