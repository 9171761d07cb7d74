"""Warehouse pages: the tenant's warehouses with a form for a new one, and one warehouse
changed (code, name, priority, whether it takes new reservations).

Thin pages over `inventory.services.create_warehouse` and `update_warehouse`, the API's
writes (events included); a code already used is the service's refusal, shown next to the
code. The tenant always comes from the signed-in staff member (another tenant's id: 404).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_warehouses import WarehouseForm
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.inventory import queries as inventory
from dinghuo.inventory import services
from dinghuo.inventory.models import Warehouse


@require_http_methods(["GET", "POST"])
@staff_required(get="stock.view", post="catalog.change")
def warehouses(request: StaffRequest) -> HttpResponseBase:
    """The tenant's warehouses in the order orders reserve from them; POST creates one."""
    tenant_id = request.staff.tenant_id
    form = WarehouseForm(request.POST if request.method == "POST" else None, prefix="new")
    del form.fields["is_active"]  # a new warehouse takes orders; untick it once it exists
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = changes.run(
                lambda: services.create_warehouse(
                    tenant_id=tenant_id,
                    code=data["code"],
                    name=data["name"],
                    priority=data["priority"],
                    address=data["address"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(
                request, gettext("Warehouse %(name)s is created.") % {"name": created.name}
            )
            return redirect("backoffice:warehouses")
    rows = list(inventory.warehouses(tenant_id).order_by("priority", "code"))
    return render(request, "backoffice/warehouses.html", {"rows": rows, "form": form})


def _warehouse_form(warehouse: Warehouse, data: Any = None) -> WarehouseForm:
    initial = {
        "code": warehouse.code,
        "name": warehouse.name,
        "priority": warehouse.priority,
        "is_active": warehouse.is_active,
        "address": warehouse.address,
    }
    return WarehouseForm(data, initial=initial)


@require_http_methods(["GET", "POST"])
@staff_required(get="stock.view", post="catalog.change")
def warehouse(request: StaffRequest, warehouse_id: int) -> HttpResponseBase:
    """One warehouse; POST changes it (`update_warehouse`)."""
    tenant_id = request.staff.tenant_id
    try:
        chosen = inventory.warehouse(tenant_id, warehouse_id)
    except NotFound as error:
        raise Http404 from error
    form = _warehouse_form(chosen, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.run(
                lambda: services.update_warehouse(
                    tenant_id=tenant_id,
                    warehouse_id=chosen.pk,
                    code=data["code"],
                    name=data["name"],
                    priority=data["priority"],
                    is_active=data["is_active"],
                    address=data["address"],
                )
            )
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The warehouse is saved."))
            return redirect("backoffice:warehouses")
    return render(request, "backoffice/warehouse.html", {"warehouse": chosen, "form": form})
