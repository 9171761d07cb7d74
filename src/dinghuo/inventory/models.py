"""Warehouses, stock levels, reservations and the immutable movement ledger.

Invariants: on a stock level 0 ≤ reserved ≤ on_hand (database constraints); the ledger's
deltas sum to the level's on_hand and reserved; open reservations sum to reserved.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.catalog.models import Sku
from dinghuo.core.models import TenantScoped


class Warehouse(TenantScoped):
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=200)
    priority = models.PositiveSmallIntegerField(
        default=100, help_text="Orders reserve from lower numbers first."
    )
    is_active = models.BooleanField(default=True)
    # Where it is, as people write it (lines of an address): shown to staff, no rule reads it.
    address = models.TextField(max_length=500, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="warehouse_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class StockLevel(TenantScoped):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_level_unique"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="on_hand_not_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")),
                name="reserved_within_on_hand",
            ),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(TenantScoped):
    """Stock held in one warehouse for one order line until it ships or is released."""

    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="reservations"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField(help_text="Still held; falls as stock ships or is released.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="reservation_not_negative"
            ),
        ]


class StockMovement(TenantScoped):
    """One change of stock. Rows are never updated or deleted (enforced in the database)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release")
        ISSUE = "issue", _("Issue (shipped)")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True, default="")
    reference = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["sku", "warehouse", "id"], name="movement_sku_idx")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Stock movements are immutable; record a new movement instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]
