"""Shipments: what left which warehouse for an order, with carrier and tracking number."""

from django.db import models

from dinghuo.core.models import TenantScoped
from dinghuo.inventory.models import Warehouse
from dinghuo.orders.models import Order, OrderLine


class Shipment(TenantScoped):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey(Warehouse, null=True, on_delete=models.PROTECT, related_name="+")
    carrier = models.CharField(max_length=64)
    tracking_number = models.CharField(max_length=128)
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)


class ShipmentLine(TenantScoped):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="shipment_line_positive"
            ),
        ]
