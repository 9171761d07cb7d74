"""Price lists and tiers, tax rates and tax policies in the Django admin.

Tiers are edited in their own list, not inline: a price list can hold tens of thousands.
Changes made here skip the services and so record no `prices.changed` event. Tax rates go
through their services (overlaps checked, events recorded).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin
from unfold.admin import ModelAdmin

from dinghuo.audit.admin import AuditedAdmin
from dinghuo.catalog.texts import LANGUAGES, column
from dinghuo.core import refusals
from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.pricing import services
from dinghuo.pricing.models import (
    Assortment,
    ContractPrice,
    PriceList,
    PriceListAssignment,
    PriceTier,
    Promotion,
    TaxPolicy,
    TaxRate,
)


@admin.register(PriceList)
class PriceListAdmin(AuditedAdmin, ModelAdmin):
    list_display = (
        "code", "name", "currency", "prices_include_tax", "seller", "is_active", "tenant",
    )  # fmt: skip
    list_filter = ("is_active", "currency", "prices_include_tax", "tenant")
    search_fields = ("code", "name")
    raw_id_fields = ("seller",)
    list_select_related = ("seller", "tenant")


@admin.register(PriceTier)
class PriceTierAdmin(AuditedAdmin, ModelAdmin):
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


class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = (
            "seller",
            "category",
            "country",
            "region",
            "name",
            "percent",
            "valid_from",
            "valid_until",
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        rate = self._as_submitted(cleaned)
        if rate is None:
            return cleaned  # the fields' own errors say what is missing
        for error in services.tax_rate_errors(rate.tenant_id, rate):
            field = error.field.split(".")[0]
            self.add_error(field if field in self.fields else None, refusals.message(error))
        if services.overlaps(rate):
            self.add_error(
                "valid_from", "Another rate for this category and destination is valid then."
            )
        return cleaned

    def _as_submitted(self, cleaned: dict[str, Any]) -> TaxRate | None:
        """The rate as it would be saved (fields shown read-only keep the row's values)."""
        old = self.instance
        seller = cleaned.get("seller", getattr(old, "seller", None))
        if seller is None or not cleaned.get("valid_from") or cleaned.get("percent") is None:
            return None
        rate = TaxRate(
            pk=old.pk,
            tenant_id=seller.tenant_id,
            seller=seller,
            category=cleaned.get("category", old.category if old.pk else None),
            country=cleaned.get("country", old.country),
            region=cleaned.get("region", old.region) or "",
            percent=cleaned["percent"],
            valid_from=cleaned["valid_from"],
            valid_until=cleaned.get("valid_until"),
        )
        for lang in LANGUAGES:
            attr = column("name", lang)
            setattr(rate, attr, cleaned.get(attr, getattr(old, attr)))
        return rate


@admin.register(TaxRate)
class TaxRateAdmin(ModelAdmin, TranslationAdmin[TaxRate]):
    """A seller's tax rates; category, destination and seller are fixed once created (end a
    rate and create the next instead)."""

    form = TaxRateForm
    list_display = ("name", "percent", "country", "region", "category", "valid_from",
                    "valid_until", "seller")  # fmt: skip
    list_filter = ("country", "seller")
    search_fields = ("name_en", "name_zh_hant", "name_zh_hans", "country", "region")
    list_select_related = ("seller", "category")
    raw_id_fields = ("seller", "category")
    exclude = ("tenant",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("seller", "category", "country", "region") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Orders name the rates they were charged; a rate is ended, not deleted.
        return False

    def save_model(self, request: HttpRequest, obj: TaxRate, form: Any, change: bool) -> None:
        obj.tenant_id = obj.seller.tenant_id
        names = {lang: getattr(obj, column("name", lang)) for lang in LANGUAGES}
        if change:
            services.update_tax_rate(
                tenant_id=obj.tenant_id,
                tax_rate_id=obj.pk,
                name=names,
                percent=obj.percent,
                valid_from=obj.valid_from,
                valid_until=obj.valid_until,
            )
            return
        created = services.create_tax_rate(
            tenant_id=obj.tenant_id,
            seller_slug=obj.seller.slug,
            category_id=obj.category_id,
            country=obj.country,
            region=obj.region,
            name=names,
            percent=obj.percent,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
        )
        obj.pk = created.pk


@admin.register(TaxPolicy)
class TaxPolicyAdmin(ReadOnlyAdmin):
    """Read-only: the rounding rule is set with the seller's tax policy (API)."""

    list_display = ("seller", "rounding", "tenant")
    list_select_related = ("seller", "tenant")
