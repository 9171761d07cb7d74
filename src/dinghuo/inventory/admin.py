"""Warehouses and stock in the Django admin.

Levels, reservations and movements are read-only here: stock changes only through the stock
services, which lock the level, write the ledger row and record the event together.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from dinghuo.audit.admin import AuditedAdmin
from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(AuditedAdmin, ModelAdmin):
    list_display = ("code", "name", "tenant", "priority", "is_active")
    list_filter = ("is_active", "tenant")
    search_fields = ("code", "name")
    list_select_related = ("tenant",)
    ordering = ("tenant", "priority", "id")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Moving a warehouse to another tenant would carry its stock across tenants.
        return ("tenant",) if obj is not None else ()


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("sku", "warehouse", "on_hand", "reserved", "available")
    list_filter = ("warehouse",)
    search_fields = ("sku__code",)
    list_select_related = ("sku", "warehouse")


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ("order_line", "sku", "warehouse", "quantity")
    list_filter = ("warehouse",)
    search_fields = ("sku__code",)
    list_select_related = ("order_line", "sku", "warehouse")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "sku",
        "warehouse",
        "on_hand_delta",
        "reserved_delta",
        "reason",
        "reference",
    )
    list_filter = ("kind", "warehouse")
    search_fields = ("sku__code", "reference")
    list_select_related = ("sku", "warehouse")
    date_hierarchy = "created_at"
