"""Fulfilment pages: the orders to ship, an order's pick list and ship form (any number of
partial shipments), saying the warehouse has started picking (buyers can then no longer
change the order), and a shipment's packing slip as PDF.

Shipping goes through `fulfilment.services.ship_order`, the service the API's
`POST /orders/{id}/shipments` uses; a second submit of the same form (a double click) finds
the first answer and ships nothing more, as the API's Idempotency-Key does.
"""

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import forms, packing_slip
from dinghuo.backoffice import queries as page
from dinghuo.backoffice.access import StaffRequest, StaffUser, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.fulfilment import services as fulfilment
from dinghuo.inventory import queries as inventory
from dinghuo.orders import queries as order_queries
from dinghuo.orders import services as order_services
from dinghuo.orders.models import Order
from dinghuo.orders.states import OrderStatus
from dinghuo.pages.labels import STATUS_LABELS
from dinghuo.pages.skus import sku_names
from dinghuo.pages.submits import submit_once

FULFILMENT_PAGE_SIZE = 50
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]")


@require_GET
@staff_required(get="fulfilment.view")
def to_ship(request: StaffRequest) -> HttpResponse:
    """Confirmed and partially shipped orders, the longest waiting first."""
    found = page.orders_to_ship(
        request.staff.tenant_id,
        after=int_param(request.GET.get("after")),
        limit=FULFILMENT_PAGE_SIZE,
    )
    return render(
        request,
        "backoffice/fulfilment.html",
        {
            "rows": [(o, STATUS_LABELS.get(o.status, o.status)) for o in found.orders],
            "next_after": found.next_cursor,
        },
    )


def _ship(request: HttpRequest, staff: StaffUser, order: Order, form: forms.ShipForm) -> int:
    """Record the shipment once per form token (claimed in the shipment's own transaction);
    answers the shipment's id."""
    data = form.cleaned_data
    lines = [fulfilment.ShipLine(number, units) for number, units in form.shipping()]
    body = {
        "carrier": data["carrier"],
        "tracking_number": data["tracking_number"],
        "warehouse": data["warehouse"] or None,
        "lines": [[line.line_number, line.quantity] for line in lines],
    }

    def create() -> tuple[int, dict[str, Any]]:
        shipment = fulfilment.ship_order(
            tenant_id=staff.tenant_id,
            order_id=order.pk,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            lines=lines,
            warehouse_code=data["warehouse"] or None,
        )
        return 201, {"shipment_id": shipment.pk}

    answer = submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=data["token"],
        body=body,
        create=create,
    )
    return int(answer["shipment_id"])


def _show_refusal(form: forms.ShipForm, lines: list[int], error: DomainError) -> None:
    """Each problem next to its field: `lines[i].quantity` is the i-th line shipped, a
    problem naming a `line_number` is that line's."""
    for problem in error.errors or []:
        target: str | None = None
        if problem.field in {"carrier", "tracking_number", "warehouse"}:
            target = problem.field
        position = _LINE_FIELD.match(problem.field)
        if position and int(position.group(1)) < len(lines):
            target = forms.quantity_field(lines[int(position.group(1))])
        if "line_number" in problem.extra:
            target = forms.quantity_field(int(problem.extra["line_number"]))
        if target is not None and target not in form.fields:
            target = None
        form.add_error(target, forms.problem_message(problem))
    if not error.errors:
        form.add_error(None, " ".join(forms.error_messages(error)))


@require_http_methods(["GET", "POST"])
@staff_required(get="fulfilment.view", post="fulfilment.ship")
def ship(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """An order's pick list (what is left to ship of each line, and the warehouses holding
    it) and the form to ship all or part of it with a carrier and tracking number."""
    staff = request.staff
    try:
        order, shipments = order_queries.order_detail(staff.tenant_id, order_id)
    except NotFound as error:
        raise Http404 from error
    lines = list(order.lines.all())
    pick = page.pick_list(staff.tenant_id, lines)
    warehouses = [
        (w.code, w.name)
        for w in inventory.warehouses(staff.tenant_id, is_active=True).order_by("priority", "id")
    ]
    form = forms.ShipForm(
        request.POST if request.method == "POST" else None, pick=pick, warehouses=warehouses
    )
    if request.method == "POST" and form.is_valid():
        try:
            shipment_id = _ship(request, staff, order, form)
        except NotFound as error:
            raise Http404 from error
        except DomainError as error:
            _show_refusal(form, [number for number, _ in form.shipping()], error)
        else:
            messages.success(
                request,
                gettext("Shipped with %(carrier)s, tracking number %(tracking)s.")
                % {
                    "carrier": form.cleaned_data["carrier"],
                    "tracking": form.cleaned_data["tracking_number"],
                },
            )
            return redirect(f"{reverse('backoffice:ship', args=[order.pk])}#shipment-{shipment_id}")
    names = sku_names(staff.tenant_id, [line.sku_id for line in lines])
    return render(
        request,
        "backoffice/ship.html",
        {
            "order": order,
            "company": order.company,
            "status_label": STATUS_LABELS.get(order.status, order.status),
            "rows": [
                (
                    item,
                    names.get(item.line.sku_id, item.line.description),
                    form.quantity_of(item.line.line_number),
                )
                for item in pick
            ],
            "open": any(item.to_ship for item in pick),
            "can_start_picking": order.status == OrderStatus.CONFIRMED
            and order.picking_started_at is None,
            "shipments": shipments,
            "form": form,
        },
    )


@require_POST
@staff_required(post="fulfilment.ship")
def start_picking(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """The warehouse says it has started on a confirmed order: from now on only staff can
    change it. Said twice, nothing more happens."""
    tenant_id = request.staff.tenant_id
    try:
        atomic_with_retry(
            lambda: order_services.start_picking(tenant_id=tenant_id, order_id=order_id)
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, " ".join(forms.error_messages(error)))
    else:
        messages.success(
            request, gettext("Picking has started: the buyer can no longer change this order.")
        )
    return redirect("backoffice:ship", order_id=order_id)


@require_GET
@staff_required(get="fulfilment.view")
def packing_slip_pdf(request: StaffRequest, order_id: int, shipment_id: int) -> HttpResponse:
    """One shipment's packing slip as a PDF: order, customer, ship-to, carrier, tracking
    number and what is in the parcel."""
    tenant_id = request.staff.tenant_id
    try:
        order, shipments = order_queries.order_detail(tenant_id, order_id)
    except NotFound as error:
        raise Http404 from error
    shipment = next((s for s in shipments if s.pk == shipment_id), None)
    if shipment is None:
        raise Http404
    lines = list(order.lines.all())
    names = sku_names(tenant_id, [line.sku_id for line in lines])
    pdf = packing_slip.render(order, shipment, names)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"packing-slip-{order.number}-{shipment.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
