"""Quotes in the Django admin, to look at (answers and acceptances go through the services)."""

from django.contrib import admin
from unfold.admin import TabularInline

from dinghuo.buying.models import Quote, QuoteLine
from dinghuo.core.admin import ReadOnlyAdmin


class QuoteLineInline(TabularInline):
    model = QuoteLine
    fields = ("line_number", "sku", "quantity", "unit_price", "list_unit_price", "note")
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "company", "status", "currency", "requested_at", "expires_at",
                    "tenant")  # fmt: skip
    list_filter = ("status", "tenant")
    search_fields = ("company__code",)
    list_select_related = ("company", "tenant")
    inlines = (QuoteLineInline,)
