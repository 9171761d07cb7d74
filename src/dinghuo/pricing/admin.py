"""Price lists and tiers in the Django admin.

Tiers are edited in their own list, not inline: a price list can hold tens of thousands.
Changes made here skip the services and so record no `prices.changed` event.
"""

from django.contrib import admin

from dinghuo.pricing.models import PriceList, PriceTier


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin[PriceList]):
    list_display = ("code", "name", "currency", "seller", "is_active", "tenant")
    list_filter = ("is_active", "currency", "tenant")
    search_fields = ("code", "name")
    raw_id_fields = ("seller",)
    list_select_related = ("seller", "tenant")


@admin.register(PriceTier)
class PriceTierAdmin(admin.ModelAdmin[PriceTier]):
    list_display = ("price_list", "sku", "min_quantity", "unit_price")
    list_filter = ("price_list",)
    search_fields = ("sku__code", "price_list__code")
    raw_id_fields = ("price_list", "sku")
    list_select_related = ("price_list", "sku")
    ordering = ("price_list", "sku", "min_quantity")
