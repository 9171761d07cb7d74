"""Catalogue master data in the Django admin, with a tab per language for translated text.

Changes made here skip the services and so record no events; integrators see them only
through the API's reads. Prefer the API or the bulk upsert for changes others must hear of.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from unfold.admin import ModelAdmin, TabularInline

from dinghuo.audit.admin import AuditedAdmin
from dinghuo.catalog.models import Category, Product, Sku, TaxCategory


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, ModelAdmin, TranslationAdmin[Category]):
    list_display = ("code", "name", "parent", "tenant")
    list_filter = ("tenant",)
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans")
    raw_id_fields = ("parent",)
    list_select_related = ("parent", "tenant")


@admin.register(TaxCategory)
class TaxCategoryAdmin(AuditedAdmin, ModelAdmin, TranslationAdmin[TaxCategory]):
    list_display = ("code", "name", "tenant")
    list_filter = ("tenant",)
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans")
    list_select_related = ("tenant",)


class SkuInline(TabularInline, TranslationTabularInline[Sku, Product]):
    model = Sku
    fields = ("code", "name", "unit", "min_order_quantity", "pack_size", "is_active")
    extra = 0
    can_delete = False  # SKUs with stock or orders are protected; deactivate them instead
    show_change_link = True


@admin.register(Product)
class ProductAdmin(AuditedAdmin, ModelAdmin, TranslationAdmin[Product]):
    list_display = (
        "code",
        "name",
        "seller",
        "category",
        "is_active",
        "allow_backorder",
        "updated_at",
    )
    list_filter = ("is_active", "allow_backorder", "tenant", "seller")
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans")
    raw_id_fields = ("category", "tax_category", "seller")
    list_select_related = ("seller", "category")
    readonly_fields = ("updated_at",)
    inlines = [SkuInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # A SKU added in the inline belongs to the product's tenant and seller.
        for sku in formset.save(commit=False):
            sku.tenant_id = form.instance.tenant_id
            sku.seller_id = form.instance.seller_id
            sku.save()
        formset.save_m2m()


@admin.register(Sku)
class SkuAdmin(AuditedAdmin, ModelAdmin, TranslationAdmin[Sku]):
    list_display = (
        "code",
        "name",
        "product",
        "unit",
        "min_order_quantity",
        "pack_size",
        "is_active",
    )
    list_filter = ("is_active", "tenant", "seller")
    search_fields = ("code", "name_en", "name_zh_hant", "name_zh_hans", "product__code")
    raw_id_fields = ("product", "seller")
    list_select_related = ("product",)
    readonly_fields = ("updated_at",)
