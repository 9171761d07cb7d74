"""Purchasing pages: suppliers (list, a form for a new one), purchase orders (list, one PO
with its actions), the receive form (quantities only, for the warehouse, usable on a phone)
and the replenishment suggestions (tick lines → one draft PO per supplier and warehouse).

Thin pages over `purchasing.services` and `purchasing.queries`, the API's reads and writes;
a refusal is the service's, shown next to its field or above the form. Creates (a supplier,
a receipt, drafts from suggestions) claim a one-time form token (`pages.submits`). The
tenant always comes from the signed-in staff member (another tenant's id: 404)."""

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.refusals import messages as refusal_messages
from dinghuo.inventory import queries as inventory
from dinghuo.pages.skus import sku_names
from dinghuo.pages.submits import submit_once
from dinghuo.purchasing import documents, queries, services, suggestions
from dinghuo.purchasing.models import PurchaseOrder
from dinghuo.purchasing.po_states import OPEN_STATUSES, PoStatus


class SupplierForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, initial="USD")
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=200, required=False)
    contact_email = forms.CharField(label=gettext_lazy("Email"), max_length=150, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


def _once(request: StaffRequest, token: str, body: Any, create: Any) -> Any:
    staff = request.staff
    return submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=token,
        body=body,
        create=create,
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="purchasing.view", post="purchasing.edit")
def suppliers(request: StaffRequest) -> HttpResponseBase:
    """The tenant's suppliers; POST creates one (`create_supplier`)."""
    tenant_id = request.staff.tenant_id
    form = SupplierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        token = data.pop("token")
        data["currency"] = data["currency"].strip().upper()

        def create() -> tuple[int, Any]:
            made = services.create_supplier(tenant_id=tenant_id, **data)
            return 201, {"id": made.pk}

        try:
            changes.run(lambda: _once(request, token, data, create))
        except DomainError as error:
            changes.show_refusal(form, error, changes.field_of)
        else:
            messages.success(request, gettext("The supplier is saved."))
            return redirect("backoffice:purchasing-suppliers")
    rows = list(queries.suppliers(tenant_id).order_by("code"))
    return render(request, "backoffice/purchasing_suppliers.html", {"rows": rows, "form": form})


@require_GET
@staff_required(get="purchasing.view")
def purchase_orders(request: StaffRequest) -> HttpResponseBase:
    """The tenant's POs, newest first (the last 200), by status."""
    wanted = request.GET.get("status") or None
    status = wanted if wanted in PoStatus.values else None
    rows = list(
        queries.purchase_orders(request.staff.tenant_id, status=status).order_by("-id")[:200]
    )
    return render(
        request,
        "backoffice/purchase_orders.html",
        {"rows": rows, "statuses": PoStatus.choices, "status": status},
    )


def _po(request: StaffRequest, po_id: int) -> PurchaseOrder:
    try:
        return queries.purchase_order(request.staff.tenant_id, po_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="purchasing.view")
def purchase_order(request: StaffRequest, po_id: int) -> HttpResponseBase:
    """One PO: its lines (ordered, confirmed, received, cancelled, still open), receipts and
    the actions its status allows."""
    po = _po(request, po_id)
    context = {
        "po": po,
        "lines": list(po.lines.all()),
        "receipts": list(po.receipts.all()),
        "is_open": po.status in OPEN_STATUSES,
        "can_receive": po.status in {"sent", "confirmed", "partially_received"},
    }
    return render(request, "backoffice/purchase_order.html", context)


_ACTIONS: dict[str, Callable[..., PurchaseOrder]] = {
    "submit": services.submit_purchase_order,
    "send": services.send_purchase_order,
    "close": services.close_purchase_order,
    "cancel": services.cancel_purchase_order,
    "approve": services.approve_purchase_order,
}


def _act(request: StaffRequest, po_id: int, action: str) -> HttpResponseBase:
    tenant_id = request.staff.tenant_id
    _po(request, po_id)
    try:
        changes.run(lambda: _ACTIONS[action](tenant_id=tenant_id, po_id=po_id))
    except DomainError as error:
        messages.error(request, " ".join(str(m) for m in refusal_messages(error)))
    else:
        messages.success(request, gettext("The purchase order is saved."))
    return redirect("backoffice:purchase-order", po_id)


@require_POST
@staff_required(post="purchasing.edit")
def po_action(request: StaffRequest, po_id: int, action: str) -> HttpResponseBase:
    """Submit, send, close or cancel (the buttons of the PO page)."""
    return _act(request, po_id, action)


@require_POST
@staff_required(post="purchasing.approve")
def po_approve(request: StaffRequest, po_id: int) -> HttpResponseBase:
    """An approver approves a PO waiting for approval."""
    return _act(request, po_id, "approve")


def _receive_form(po: PurchaseOrder, data: Any = None) -> forms.Form:
    form = forms.Form(data)
    form.fields["token"] = forms.CharField(
        widget=forms.HiddenInput, max_length=64, initial=uuid.uuid4().hex
    )
    form.fields["reference"] = forms.CharField(
        label=gettext_lazy("Delivery note"), max_length=64, required=False
    )
    for line in po.lines.all():
        form.fields[f"line_{line.line_number}"] = forms.IntegerField(
            label=line.sku.code, min_value=0, max_value=1_000_000_000, required=False
        )
    return form


@require_http_methods(["GET", "POST"])
@staff_required(get="purchasing.receive", post="purchasing.receive")
def po_receive(request: StaffRequest, po_id: int) -> HttpResponseBase:
    """What arrived of a PO, per line (quantities only: no costs); POST records the
    delivery (`receive_purchase_order`), once per form token."""
    tenant_id = request.staff.tenant_id
    po = _po(request, po_id)
    form = _receive_form(po, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arrived = [
            services.Arrived(line.line_number, data[f"line_{line.line_number}"])
            for line in po.lines.all()
            if data.get(f"line_{line.line_number}")
        ]
        body = {"lines": [[a.line_number, a.quantity] for a in arrived], "ref": data["reference"]}

        def create() -> tuple[int, Any]:
            receipt = services.receive_purchase_order(
                tenant_id=tenant_id,
                po_id=po.pk,
                lines=arrived,
                reference=data["reference"],
                user_id=request.user.pk,
            )
            return 201, {"receipt": receipt.number}

        try:
            changes.run(lambda: _once(request, data["token"], body, create))
        except DomainError as error:
            changes.show_refusal(form, error, lambda p: _receive_field(p, arrived))
        else:
            messages.success(request, gettext("The delivery is received."))
            return redirect("backoffice:po-receive", po.pk)
    lines = list(po.lines.all())
    names = sku_names(request.staff.tenant_id, (line.sku_id for line in lines))
    rows = [(line, form[f"line_{line.line_number}"], names.get(line.sku_id, "")) for line in lines]
    return render(
        request,
        "backoffice/po_receive.html",
        {"po": po, "form": form, "rows": rows, "is_open": po.status in OPEN_STATUSES},
    )


def _receive_field(problem: Any, arrived: list[services.Arrived]) -> str | None:
    """`lines[i].quantity` is the i-th line received."""
    if problem.field.startswith("lines[") and "]" in problem.field:
        index = int(problem.field[6 : problem.field.index("]")])
        if index < len(arrived):
            return f"line_{arrived[index].line_number}"
    return None


@require_http_methods(["GET", "POST"])
@staff_required(get="purchasing.view", post="purchasing.edit")
def replenishment(request: StaffRequest) -> HttpResponseBase:
    """What to buy; POST drafts one PO per supplier and warehouse from the ticked lines."""
    tenant_id = request.staff.tenant_id
    found = suggestions.suggestions(tenant_id)
    if request.method == "POST":
        ticked = set(request.POST.getlist("pick"))
        chosen = [s for s in found if f"{s.sku_id}-{s.warehouse_id}" in ticked and s.supplier_id]
        if not chosen:
            messages.error(request, gettext("Tick at least one line with a supplier."))
            return redirect("backoffice:replenishment")
        made = _draft_from(request, chosen, request.POST.get("token", ""))
        if made is not None:
            messages.success(
                request, gettext("Draft purchase orders: %(count)s.") % {"count": made}
            )
            return redirect("backoffice:purchase-orders")
    names = dict(queries.suppliers(tenant_id).values_list("id", "name"))
    currency = dict(queries.suppliers(tenant_id).values_list("id", "currency"))
    houses = {w.pk: w.name for w in inventory.warehouses(tenant_id)}
    rows = [
        (
            s,
            names.get(s.supplier_id or 0, ""),
            currency.get(s.supplier_id or 0, ""),
            houses.get(s.warehouse_id, ""),
        )
        for s in found
    ]
    return render(
        request, "backoffice/replenishment.html", {"rows": rows, "token": uuid.uuid4().hex}
    )


def _draft_from(
    request: StaffRequest, chosen: list[suggestions.Suggestion], token: str
) -> int | None:
    tenant_id = request.staff.tenant_id
    groups: dict[tuple[int, int], list[services.LineWanted]] = defaultdict(list)
    for s in chosen:
        assert s.supplier_id is not None
        groups[(s.supplier_id, s.warehouse_id)].append(services.LineWanted(s.sku_id, s.quantity))

    def create() -> tuple[int, Any]:
        for (supplier_id, warehouse_id), lines in sorted(groups.items()):
            services.create_purchase_order(
                tenant_id=tenant_id,
                supplier_id=supplier_id,
                warehouse_id=warehouse_id,
                lines=lines,
                user_id=request.user.pk,
            )
        return 201, {"made": len(groups)}

    body = sorted(f"{s.sku_id}-{s.warehouse_id}-{s.quantity}" for s in chosen)
    try:
        answer = changes.run(lambda: _once(request, token or uuid.uuid4().hex, body, create))
    except DomainError as error:
        messages.error(request, " ".join(str(m) for m in refusal_messages(error)))
        return None
    return int(answer["made"])


@require_GET
@staff_required(get="purchasing.view")
def po_pdf(request: StaffRequest, po_id: int) -> HttpResponseBase:
    """The PO as a PDF, in the reader's language."""
    try:
        content, name = documents.po_pdf(
            request.staff.tenant_id, po_id, (request.LANGUAGE_CODE or "en").lower()
        )
    except NotFound as error:
        raise Http404 from error
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_GET
@staff_required(get="purchasing.receive")
def to_receive(request: StaffRequest) -> HttpResponseBase:
    """The POs goods are expected for (sent, confirmed, partly received), oldest first,
    each with a link to its receive form: the warehouse's list, without costs."""
    rows = list(
        queries.purchase_orders(request.staff.tenant_id)
        .filter(status__in=["sent", "confirmed", "partially_received"])
        .order_by("id")[:200]
    )
    return render(request, "backoffice/po_to_receive.html", {"rows": rows})
