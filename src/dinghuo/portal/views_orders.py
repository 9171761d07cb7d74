"""The buyer portal's order pages: the company's orders by status, one order with its
lines, approvals, shipments and timeline, and ordering its lines again.

Reads through `orders.queries` (the order detail and timeline the API answers with), scoped
to the signed-in buyer's company, so another company's order is not found (404); a reorder
goes through `buying.services.reorder`.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from dinghuo.buying import services as buying
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.integrations.models import Event
from dinghuo.orders import queries as order_queries
from dinghuo.orders import routing_notice
from dinghuo.pages import amendments
from dinghuo.pages.labels import (
    APPROVAL_STATUS_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    filled_sentence,
)
from dinghuo.pages.skus import sku_names
from dinghuo.pages.taxes import tax_rows
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import BuyerRequest, buyer_required
from dinghuo.portal.params import positive_int
from dinghuo.portal.views_lists import keep_repricing
from dinghuo.portal.views_returns import may_return

ORDERS_PAGE_SIZE = 25
APPROVER_LABELS = routing_notice.APPROVERS[refusals.BUYER]


@require_GET
@buyer_required
def orders(request: BuyerRequest) -> HttpResponse:
    """The company's orders, newest first, by status, a page at a time."""
    buyer = request.buyer
    status = request.GET.get("status") or ""
    if status not in STATUS_LABELS:
        status = ""
    before = positive_int(request.GET.get("before"))
    found = page.company_orders(buyer, status=status, before=before, limit=ORDERS_PAGE_SIZE)
    rows = [(order, STATUS_LABELS.get(order.status, order.status)) for order in found.orders]
    return render(
        request,
        "portal/orders.html",
        {
            "rows": rows,
            "next_before": found.next_before,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
        },
    )


@require_GET
@buyer_required
def order(request: BuyerRequest, order_id: int) -> HttpResponse:
    """One of the company's orders: lines, totals, status, approvals, shipments with carrier
    and tracking number, and its timeline. Another company's order is not found."""
    buyer = request.buyer
    try:
        found, shipments = order_queries.order_detail(
            buyer.tenant_id, order_id, company_id=buyer.company_id
        )
        events = order_queries.timeline(buyer.tenant_id, order_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    lines = list(found.lines.all())
    names = sku_names(buyer.tenant_id, [line.sku_id for line in lines])
    return render(
        request,
        "portal/order.html",
        {
            "order": found,
            "can_return": may_return(found),
            # The seller's window and the warehouse decide whether the buyer may change it.
            "can_amend": not amendments.refusal(
                found,
                by_buyer=True,
                window_hours=amendments.buyer_window_hours(found.seller_id),
            ),
            "status_label": STATUS_LABELS.get(found.status, found.status),
            "lines": [(line, names.get(line.sku_id, line.description)) for line in lines],
            "tax_rows": tax_rows(lines),
            "approvals": [
                (
                    step,
                    APPROVER_LABELS.get(step.approver, step.approver),
                    APPROVAL_STATUS_LABELS.get(step.status, step.status),
                )
                for step in found.approvals.all()
            ],
            "shipments": shipments,
            "events": [
                (event, EVENT_LABELS.get(event.type, event.type), *_notes(event))
                for event in events
            ],
        },
    )


def _notes(event: Event) -> tuple[str, str]:
    """What the timeline says of an event besides its name: what happened in words (an
    amendment: what changed, `pages.amendments`), and a person's own words (a comment, the
    note given with an amendment)."""
    if event.type == "order.amended":
        return (
            amendments.timeline_note(event.payload, refusals.BUYER),
            str(event.payload.get("note") or ""),
        )
    if event.type == "order.backorder_filled":
        return filled_sentence(event.payload), ""
    if event.type == "order.short_closed":  # the seller's reason is the buyer's to read
        return "", str(event.payload.get("reason") or "")
    return "", str(event.payload.get("comment") or "")


@require_POST
@buyer_required
def reorder(request: BuyerRequest, order_id: int) -> HttpResponseBase:
    """Copy an order's lines into the buyer's cart at today's prices; the cart then shows
    which lines were added, which price changed and which could not be added, and why."""
    buyer = request.buyer
    try:
        repricing = buying.reorder(
            tenant_id=buyer.tenant_id,
            order_id=order_id,
            company_id=buyer.company_id,
            cart_owner_id=buyer.company_user_id,
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error)))
        return redirect("portal:order", order_id=order_id)
    keep_repricing(request, buyer, repricing)
    added = sum(1 for line in repricing.lines if line.added)
    messages.success(
        request,
        gettext("%(added)d of %(total)d lines were added to your cart at today's prices.")
        % {"added": added, "total": len(repricing.lines)},
    )
    return redirect("portal:cart")
