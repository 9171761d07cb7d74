"""Price lists and tiers in the Django admin.

Tiers are edited in their own list, not inline: a price list can hold tens of thousands.
Changes made here skip the services and so record no `prices.changed` event.
"""

from django.contrib import admin
from unfold.admin import ModelAdmin

from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.pricing.models import (
    Assortment,
    ContractPrice,
    PriceList,
    PriceListAssignment,
    PriceTier,
    Promotion,
)


@admin.register(PriceList)
class PriceListAdmin(ModelAdmin):
    list_display = ("code", "name", "currency", "seller", "is_active", "tenant")
    list_filter = ("is_active", "currency", "tenant")
    search_fields = ("code", "name")
    raw_id_fields = ("seller",)
    list_select_related = ("seller", "tenant")


@admin.register(PriceTier)
class PriceTierAdmin(ModelAdmin):
    list_display = ("price_list", "sku", "min_quantity", "unit_price")
    list_filter = ("price_list",)
    search_fields = ("sku__code", "price_list__code")
    raw_id_fields = ("price_list", "sku")
    list_select_related = ("price_list", "sku")
    ordering = ("price_list", "sku", "min_quantity")


# Customer-specific prices: to look at; they change through the API's services, which check
# overlaps and ladders and record the events.


@admin.register(ContractPrice)
class ContractPriceAdmin(ReadOnlyAdmin):
    list_display = ("company", "sku", "valid_from", "valid_until", "reference", "tenant")
    list_filter = ("tenant",)
    search_fields = ("company__code", "sku__code", "reference")
    list_select_related = ("company", "sku", "tenant")


@admin.register(Promotion)
class PromotionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "value", "currency", "starts_at", "ends_at",
                    "is_active", "tenant")  # fmt: skip
    list_filter = ("is_active", "kind", "tenant")
    search_fields = ("code", "name")


@admin.register(PriceListAssignment)
class PriceListAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("price_list", "company", "customer_group", "priority", "tenant")
    list_select_related = ("price_list", "company", "customer_group", "tenant")


@admin.register(Assortment)
class AssortmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "tenant")
    search_fields = ("code", "name")
