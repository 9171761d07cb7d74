"""Purchasing: suppliers and what they supply, reorder rules, the seller's purchasing
policy, purchase orders with their lines, and the receipts recorded against them.

Invariants of one row: a supplier's code is unique in the tenant; a SKU has one supplier
item per supplier and at most one preferred supplier; one reorder rule per SKU and
warehouse; a PO line orders at least one unit and never receives or cancels a negative
number. What a line may still receive (the over-delivery tolerance) needs the policy and is
checked by `services.receiving` under the PO's row lock.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from dinghuo.catalog.models import Sku
from dinghuo.core.models import TenantScoped
from dinghuo.inventory.models import Warehouse
from dinghuo.purchasing.po_states import PoStatus


class PurchasingPolicy(TenantScoped):
    """The seller's purchasing settings; a tenant without a row has the defaults."""

    # POs worth more than this (in the tenant's base currency) wait for an approver with
    # `purchasing.approve`; empty: every PO is approved when submitted.
    approval_limit = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # How much more than ordered a line may receive in all, in percent of the ordered units.
    over_delivery_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(10))
    # The window of the demand forecast: units shipped in the last N days.
    demand_window_days = models.PositiveIntegerField(default=30)

    class Meta:
        verbose_name_plural = "purchasing policies"
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="purchasing_policy_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(over_delivery_percent__gte=0, over_delivery_percent__lte=100),
                name="over_delivery_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(demand_window_days__gte=1, demand_window_days__lte=365),
                name="demand_window_in_range",
            ),
        ]


class Supplier(TenantScoped):
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    currency = models.CharField(max_length=3)
    # The person POs are sent to.
    contact_name = models.CharField(max_length=200, blank=True, default="")
    contact_email = models.EmailField(blank=True, default="")
    contact_phone = models.CharField(max_length=50, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="supplier_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SupplierItem(TenantScoped):
    """What one supplier sells of one SKU, and at what cost (in the supplier's currency)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    supplier_code = models.CharField(max_length=64, blank=True, default="")
    # Quantity tiers: [{"min_quantity": 1, "unit_cost": "9.50"}, ...], first tier at 1.
    cost_tiers = models.JSONField(default=list)
    lead_time_days = models.PositiveIntegerField(default=7)
    minimum_order_quantity = models.PositiveIntegerField(default=1)
    pack_size = models.PositiveIntegerField(default=1)
    is_preferred = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "sku"], name="supplier_item_unique"),
            models.UniqueConstraint(
                fields=["tenant", "sku"],
                condition=models.Q(is_preferred=True),
                name="one_preferred_supplier_per_sku",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_order_quantity__gte=1, pack_size__gte=1),
                name="supplier_item_units_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.supplier.code}"


class ReorderRule(TenantScoped):
    """Reorder point and reorder quantity of a SKU in a warehouse."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    reorder_point = models.PositiveIntegerField()
    reorder_quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="reorder_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(reorder_quantity__gte=1), name="reorder_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.warehouse.name}"


class PurchaseOrder(TenantScoped):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PoStatus.choices, default=PoStatus.DRAFT)
    note = models.CharField(max_length=500, blank=True, default="")
    expected_date = models.DateField(null=True, blank=True)
    total = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "id"], name="po_status_idx"),
            models.Index(fields=["tenant", "supplier", "id"], name="po_supplier_idx"),
        ]

    @property
    def number(self) -> str:
        return f"PO-{self.pk:07d}"

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(TenantScoped):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4)
    # The supplier's answer, recorded by staff.
    confirmed_quantity = models.PositiveIntegerField(null=True, blank=True)
    confirmed_date = models.DateField(null=True, blank=True)
    received_quantity = models.PositiveIntegerField(default=0)
    # What closing the PO gave up of this line.
    cancelled_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="po_line_number_unique"),
            models.UniqueConstraint(fields=["order", "sku"], name="po_line_sku_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="po_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "sku"], name="po_line_sku_idx")]

    @property
    def open_quantity(self) -> int:
        """Units still expected (whatever the PO's status)."""
        return max(self.quantity - self.received_quantity - self.cancelled_quantity, 0)


class PurchaseReceipt(TenantScoped):
    """One delivery received against a PO."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField()  # 1, 2, … within the PO
    reference = models.CharField(max_length=64, blank=True, default="")  # the delivery note
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="po_receipt_number_unique"),
        ]


class PurchaseReceiptLine(TenantScoped):
    receipt = models.ForeignKey(PurchaseReceipt, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipts")
    quantity = models.PositiveIntegerField()
    unit_cost = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="po_receipt_quantity_positive"
            ),
        ]
