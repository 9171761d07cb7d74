"""Orders, approvals, approval rules and ordering policies in the Django admin, to look at.

Every change goes through the API's services, which lock, check the rules and record the
events the timeline and integrations read; the admin would skip all of that.
"""

from django.contrib import admin
from unfold.admin import TabularInline

from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.orders.models import ApprovalRule, Order, OrderApproval, OrderLine, OrderPolicy


class OrderLineInline(TabularInline):
    model = OrderLine
    fields = ("line_number", "sku_code", "description", "quantity", "unit_price", "line_total",
              "backordered_quantity", "shipped_quantity", "pricing")  # fmt: skip
    readonly_fields = fields
    can_delete = False
    extra = 0


class OrderApprovalInline(TabularInline):
    model = OrderApproval
    fields = ("level", "approver", "status", "reasons", "decided_by", "decided_at", "comment")
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "company", "status", "currency", "total", "fx_rate", "placed_at",
                    "tenant")  # fmt: skip
    list_filter = ("status", "confirmed_automatically", "channel", "tenant")
    search_fields = ("company__code", "purchase_order_number")
    list_select_related = ("company", "tenant")
    inlines = (OrderLineInline, OrderApprovalInline)
    date_hierarchy = "placed_at"


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "level", "approver", "min_amount", "currency", "category",
                    "buyer_role", "credit_state", "company", "is_active", "tenant")  # fmt: skip
    list_filter = ("is_active", "approver", "level", "tenant")
    list_select_related = ("category", "company", "tenant")


@admin.register(OrderPolicy)
class OrderPolicyAdmin(ReadOnlyAdmin):
    list_display = ("seller", "auto_confirm", "credit_action",
                    "approval_expiry_hours", "tenant")  # fmt: skip
    list_select_related = ("seller", "tenant")
