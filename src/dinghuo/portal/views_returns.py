"""The buyer's returns: ask to return goods of a delivered order, the company's returns, and
one return with its status, RMA number, lines and what became of them; its slip to print.

Thin pages over `returns.services.request_return` and `returns.queries` (what the /my API
uses), scoped to the signed-in buyer's company: another company's order or return is not
found (404). Whether units may go back is the service's to say; its refusals are shown next
to the quantity or reason they are about.
"""

from datetime import date
from functools import partial

from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from dinghuo.core import clock
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.orders import queries as order_queries
from dinghuo.orders.models import Order
from dinghuo.orders.states import OrderStatus
from dinghuo.pages.labels import STATUS_LABELS as ORDER_STATUS_LABELS
from dinghuo.pages.returns import (
    STATUS_LABELS,
    photo_response,
    replacement_rows,
    return_lines,
    slip_response,
)
from dinghuo.pages.skus import sku_names
from dinghuo.portal import forms
from dinghuo.portal.access import BuyerRequest, buyer_required
from dinghuo.portal.forms_returns import ReturnRequestForm
from dinghuo.portal.params import positive_int
from dinghuo.returns import policy, queries, services

RETURNS_PAGE_SIZE = 25


def returnable_until(order: Order) -> date | None:
    """The last day goods of a delivered order may be asked back (the seller's window from
    the last delivery, as the service counts it); None when the order is not delivered."""
    if order.status != OrderStatus.DELIVERED:
        return None
    moment = order.shipments.aggregate(last=Max("delivered_at"))["last"]
    row = queries.return_policy(order.tenant_id, order.seller_id)
    rules = policy.Rules(window_days=row.window_days) if row else policy.DEFAULTS
    return policy.last_day(timezone.localdate(moment or order.updated_at), rules)


def may_return(order: Order) -> bool:
    """Whether the order's page offers "Return goods": delivered and within the window."""
    until = returnable_until(order)
    return until is not None and timezone.localdate(clock.now()) <= until


def _order_of(request: BuyerRequest, order_id: int) -> Order:
    buyer = request.buyer
    try:
        found, _ = order_queries.order_detail(
            buyer.tenant_id, order_id, company_id=buyer.company_id
        )
    except NotFound as error:
        raise Http404 from error
    return found


def _request_page(request: BuyerRequest, order: Order, form: ReturnRequestForm) -> HttpResponse:
    lines = list(order.lines.all())
    returned = services.returned_units(order)
    names = sku_names(order.tenant_id, [line.sku_id for line in lines])
    fields = form.line_rows()
    rows = [
        {
            "line": line,
            "name": names.get(line.sku_id, line.description),
            "left": max(line.shipped_quantity - returned.get(line.pk, 0), 0),
            "quantity": fields[line.line_number][0],
            "reason": fields[line.line_number][1],
        }
        for line in lines
    ]
    until = returnable_until(order)
    closed = ""
    if until is None:
        closed = forms.code_message("order_not_delivered")
    elif timezone.localdate(clock.now()) > until:
        closed = forms.code_message("return_window_closed")
    context = {"order": order, "form": form, "rows": rows, "until": until, "closed": closed}
    return render(request, "portal/return_new.html", context)


@require_http_methods(["GET", "POST"])
@buyer_required
def new_return(request: BuyerRequest, order_id: int) -> HttpResponseBase:
    """Ask to return units of a delivered order: per line how many can still go back, a
    quantity and a reason; a note. Sent, it opens the return's page."""
    buyer = request.buyer
    order = _order_of(request, order_id)
    numbers = [line.line_number for line in order.lines.all()]
    if request.method == "GET":
        return _request_page(request, order, ReturnRequestForm(line_numbers=numbers))
    form = ReturnRequestForm(request.POST, request.FILES, line_numbers=numbers)
    if not form.is_valid():
        return _request_page(request, order, form)
    asked, sent = form.asked(), form.sent_photos()
    try:
        made = atomic_with_retry(
            partial(
                services.request_return,
                tenant_id=buyer.tenant_id,
                order_id=order.pk,
                lines=asked,
                note=form.cleaned_data["note"],
                company_id=buyer.company_id,
                requested_by_id=buyer.company_user_id,
                photos=sent,
                outcome=form.cleaned_data["outcome"],
                replacements=form.cleaned_data["replacements"],
            )
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        form.place_refusal(error, asked)
        return _request_page(request, order, form)
    messages.success(request, gettext("Your return request is sent."))
    return redirect("portal:return", return_id=made.pk)


@require_GET
@buyer_required
def returns(request: BuyerRequest) -> HttpResponse:
    """The company's returns, newest first, by status, a page at a time."""
    buyer = request.buyer
    status = request.GET.get("status") or ""
    if status not in STATUS_LABELS:
        status = ""
    found = queries.returns(buyer.tenant_id, company_id=buyer.company_id, status=status or None)
    before = positive_int(request.GET.get("before"))
    if before is not None:
        found = found.filter(pk__lt=before)
    rows = list(found.order_by("-id")[: RETURNS_PAGE_SIZE + 1])
    more = len(rows) > RETURNS_PAGE_SIZE
    rows = rows[:RETURNS_PAGE_SIZE]
    return render(
        request,
        "portal/returns.html",
        {
            "rows": [(item, STATUS_LABELS.get(item.status, item.status)) for item in rows],
            "next_before": rows[-1].pk if more else None,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
        },
    )


@require_GET
@buyer_required
def return_page(request: BuyerRequest, return_id: int) -> HttpResponse:
    """One of the company's returns: status in words, RMA number once approved, the lines
    and what arrived, the credit note and refund; another company's is not found."""
    buyer = request.buyer
    try:
        found = queries.return_detail(buyer.tenant_id, return_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    return render(
        request,
        "portal/return.html",
        {
            "item": found,
            "status_label": STATUS_LABELS.get(found.status, found.status),
            "lines": return_lines(found),
            "credit_notes": list(found.credit_notes.all()),
            "photos": list(found.photos.all()),
            "replacements": replacement_rows(found),
            "exchange_status": ORDER_STATUS_LABELS.get(found.exchange_order.status, "")
            if found.exchange_order
            else "",
        },
    )


@require_GET
@buyer_required
def return_slip(request: BuyerRequest, return_id: int) -> HttpResponseBase:
    """The approved return's slip (PDF) in the buyer's language, to put in the parcel; before
    approval the return's page again, saying why there is none."""
    buyer = request.buyer
    try:
        return slip_response(buyer.tenant_id, return_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        for sentence in forms.refusal_messages(error):
            messages.error(request, sentence)
        return redirect("portal:return", return_id=return_id)


@require_GET
@buyer_required
def return_photo(request: BuyerRequest, return_id: int, photo_id: int) -> HttpResponseBase:
    """A photo of the return, as attached."""
    try:
        return photo_response(
            request.buyer.tenant_id, return_id, photo_id, company_id=request.buyer.company_id
        )
    except NotFound as error:
        raise Http404 from error


@require_GET
@buyer_required
def return_photo_thumbnail(
    request: BuyerRequest, return_id: int, photo_id: int
) -> HttpResponseBase:
    """The small copy of a photo the return's page shows."""
    try:
        return photo_response(
            request.buyer.tenant_id,
            return_id,
            photo_id,
            thumbnail=True,
            company_id=request.buyer.company_id,
        )
    except NotFound as error:
        raise Http404 from error
