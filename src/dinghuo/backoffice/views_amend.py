"""Staff change an order: quantities, lines removed and added, the delivery address, the
requested delivery date, the PO number, and optionally today's prices for the lines nothing
has shipped of; any open order, until everything has shipped.

A thin page over `orders.services.amend_order` (what `POST /orders/{id}/amendments` calls),
sent once per form token (`pages.amend_form.send`); another tenant's order is not found
(404). An order that can no longer change shows why instead of the form.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_amend import StaffAmendForm
from dinghuo.core import refusals
from dinghuo.core.errors import NotFound
from dinghuo.orders import approval_rules, services
from dinghuo.orders import queries as order_queries
from dinghuo.orders.models import Order
from dinghuo.pages import amendments
from dinghuo.pages.amend_form import AmendForm, send
from dinghuo.pages.skus import sku_names


def _page(request: StaffRequest, order: Order, form: AmendForm, closed: str) -> HttpResponse:
    names = sku_names(order.tenant_id, [line.sku_id for line in form.lines])
    return render(
        request,
        "backoffice/order_amend.html",
        {
            "order": order,
            "company": order.company,
            "form": form,
            "rows": [
                (line, names.get(line.sku_id, line.description), field)
                for line, field in form.line_rows()
            ],
            "closed": closed,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required(get="orders.enter", post="orders.enter")
def amend(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """The order as it is, every box filled in: change it and save; the order's page then
    says what happened (its new version, whether it waits for approval again)."""
    staff = request.staff
    try:
        order, _ = order_queries.order_detail(staff.tenant_id, order_id)
    except NotFound as error:
        raise Http404 from error
    closed = amendments.closed_reason(
        order, by_buyer=False, window_hours=0, audience=refusals.STAFF
    )
    posted = request.method == "POST" and not closed
    form: AmendForm = StaffAmendForm(
        request.POST if posted else None, order=order, ship_tos=amendments.ship_to_choices(order)
    )
    if posted:
        # Staff by name: the amendment's row says whether a buyer or staff made it.
        by = services.Actor(approval_rules.SELLER, staff.name)
        try:
            sent = send(request, form, by=by, scope=f"staff-{staff.user_id}:", reprice_field=True)
        except NotFound as error:
            raise Http404 from error
        if sent.answer is not None:
            messages.success(request, amendments.done_message(sent.answer, refusals.STAFF))
            return redirect("backoffice:order", order_id=order.pk)
        form, closed = sent.form, sent.closed
    return _page(request, order, form, closed)
