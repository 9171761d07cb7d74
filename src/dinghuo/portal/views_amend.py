"""The buyer changes one of the company's orders: quantities, lines removed and added, the
delivery address, the requested delivery date, the reference, within the seller's window
after placing and before the warehouse starts on it.

A thin page over `orders.services.amend_order` (what `/my/orders/{id}/amendments` calls),
sent once per form token (`pages.amend_form.send`); another company's order is not
found (404). An order the buyer can no longer change shows why instead of the form.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dinghuo.core import refusals
from dinghuo.core.errors import NotFound
from dinghuo.orders import approval_rules, services
from dinghuo.orders import queries as order_queries
from dinghuo.orders.models import Order
from dinghuo.pages import amendments
from dinghuo.pages.amend_form import AmendForm, send
from dinghuo.pages.skus import sku_names
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required
from dinghuo.portal.forms_amend import BuyerAmendForm


def _actor(buyer: Buyer) -> services.Actor:
    """The buyer as the amendment names them (their role and limit count if it is judged)."""
    return services.Actor(
        approval_rules.COMPANY, buyer.name, buyer.company_user_id, buyer.company_id, buyer.role
    )


def _page(
    request: BuyerRequest, order: Order, form: AmendForm, closed: str, window: int
) -> HttpResponse:
    names = sku_names(order.tenant_id, [line.sku_id for line in form.lines])
    return render(
        request,
        "portal/order_amend.html",
        {
            "order": order,
            "form": form,
            "rows": [
                (line, names.get(line.sku_id, line.description), field)
                for line, field in form.line_rows()
            ],
            "closed": closed,
            "until": amendments.buyer_deadline(order, window),
        },
    )


@require_http_methods(["GET", "POST"])
@buyer_required
def amend(request: BuyerRequest, order_id: int) -> HttpResponseBase:
    """The order as it is, every box filled in: change it and send; the order's page then
    says what happened (its new version, whether it waits for approval again)."""
    buyer = request.buyer
    try:
        order, _ = order_queries.order_detail(
            buyer.tenant_id, order_id, company_id=buyer.company_id
        )
    except NotFound as error:
        raise Http404 from error
    window = amendments.buyer_window_hours(order.seller_id)
    closed = amendments.closed_reason(
        order, by_buyer=True, window_hours=window, audience=refusals.BUYER
    )
    posted = request.method == "POST" and not closed
    form: AmendForm = BuyerAmendForm(
        request.POST if posted else None,
        order=order,
        ship_tos=amendments.ship_to_choices(order),
    )
    if posted:
        scope = f"portal-{buyer.company_user_id}:"
        try:
            sent = send(request, form, by=_actor(buyer), scope=scope)
        except NotFound as error:
            raise Http404 from error
        if sent.answer is not None:
            messages.success(request, amendments.done_message(sent.answer, refusals.BUYER))
            return redirect("portal:order", order_id=order.pk)
        form, closed = sent.form, sent.closed
    return _page(request, order, form, closed, window)
