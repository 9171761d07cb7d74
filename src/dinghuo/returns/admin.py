"""Return requests, their lines and the sellers' return policies in the Django admin, to look at.

All of them are read-only, as the other apps' requests and policies are: a request changes
only through the return services (which lock the order, number the RMA, move stock, issue
the credit note and record the events the timeline reads), and a policy through
`set_return_policy` (the API's `PUT /return-policy`), which checks it and records
`return_policy.changed`; the admin would skip all of that.
"""

from django.contrib import admin
from unfold.admin import TabularInline

from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.returns.models import ReturnLine, ReturnPolicy, ReturnRequest


class ReturnLineInline(TabularInline):
    model = ReturnLine
    fields = ("line_number", "order_line", "quantity", "reason", "note", "received_quantity",
              "fate", "warehouse")  # fmt: skip
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "order", "company", "status", "approved_automatically",
                    "credited_amount", "currency", "requested_at", "tenant")  # fmt: skip
    list_filter = ("status", "approved_automatically", "tenant")
    search_fields = ("number", "company__code", "order__purchase_order_number")
    list_select_related = ("order", "company", "tenant")
    inlines = (ReturnLineInline,)
    date_hierarchy = "requested_at"


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(ReadOnlyAdmin):
    list_display = ("seller", "window_days", "restocking_fee_percent", "auto_approve_limit",
                    "quarantine_warehouse", "tenant")  # fmt: skip
    list_select_related = ("seller", "quarantine_warehouse", "tenant")
