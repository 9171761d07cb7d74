"""The back office's order pages: dashboard, order desk (with bulk confirm), one order and
what staff may do to it (confirm, cancel, release a credit hold, approve or reject the
seller's step).

Thin pages over the services and queries the API uses: every change is an
`orders.services` call in one transaction (`atomic_with_retry`), its refusals shown next to
the field they are about. The tenant always comes from the signed-in staff member
(`request.staff`), so another tenant's order id finds nothing (404).
"""

from functools import partial
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms
from dinghuo.backoffice import queries as page
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.core import phrases, refusals
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.orders import approval_rules, routing_notice
from dinghuo.orders import queries as order_queries
from dinghuo.orders import services as order_services
from dinghuo.orders.models import Order, OrderApproval
from dinghuo.orders.states import Action, allowed_actions
from dinghuo.pages import amendments
from dinghuo.pages.labels import (
    APPROVAL_STATUS_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    filled_sentence,
)
from dinghuo.pages.responses import is_htmx
from dinghuo.pages.skus import sku_names
from dinghuo.pages.taxes import tax_rows

DESK_PAGE_SIZE = 50
MAX_BULK = 200  # orders one bulk confirm may name

DESK_FILTERS: dict[str, Any] = {
    page.FILTER_TO_SHIP: _("To ship"),
    page.FILTER_AWAITING_SELLER: _("Waiting for the seller's approval"),
}
APPROVERS = routing_notice.APPROVERS[refusals.STAFF]


# --- the dashboard ------------------------------------------------------------------------


@require_GET
@staff_required(get="account.own")
def dashboard(request: StaffRequest) -> HttpResponse:
    """Today's work in numbers, each linking to the desk filtered to it, and a chart of the
    orders of the last two weeks."""
    found = page.dashboard(request.staff.tenant_id)
    busiest = found.busiest_day
    bars = []
    for i, day in enumerate(found.per_day):
        # Bars 30 units wide in 40-unit slots, up to 90 units tall above a baseline at 105.
        height = round(90 * day.orders / busiest)
        bars.append(
            {
                "day": day.day,
                "orders": day.orders,
                "x": i * 40 + 5,
                "y": 105 - height,
                "height": height,
                "label_x": i * 40 + 20,
                "label_y": 101 - height,
            }
        )
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "board": found,
            "bars": bars,
            "chart_width": len(bars) * 40,
            "low_stock_threshold": page.LOW_STOCK_THRESHOLD,
        },
    )


# --- the order desk -----------------------------------------------------------------------


def _statuses() -> list[tuple[str, Any]]:
    return [*STATUS_LABELS.items(), *DESK_FILTERS.items()]


@require_GET
@staff_required(get="orders.view")
def desk(request: StaffRequest) -> HttpResponse:
    """Every order of the tenant, newest first: by status, company, order number or PO
    number, a page at a time; tick orders to confirm them together."""
    tenant_id = request.staff.tenant_id
    status = request.GET.get("status") or ""
    if status not in STATUS_LABELS and status not in DESK_FILTERS:
        status = ""
    # A company by id (links) or by code or name typed into the filter: a select of every
    # company would be 10,000 options at scale.
    company = (request.GET.get("company") or "").strip()[:100]
    company_id = int_param(company) if company.isdigit() else None
    found = page.desk_orders(
        tenant_id,
        status=status,
        company_id=company_id,
        company_text="" if company_id else company,
        q=(q := (request.GET.get("q") or "").strip()[:64]),
        before=int_param(request.GET.get("before")),
        limit=DESK_PAGE_SIZE,
    )
    context: dict[str, Any] = {
        "rows": [(order, STATUS_LABELS.get(order.status, order.status)) for order in found.orders],
        "next_before": found.next_cursor,
        "status": status,
        "company": company,
        "q": q,
        "statuses": _statuses(),
    }
    if is_htmx(request):
        return render(request, "backoffice/_desk_rows.html", context)
    return render(request, "backoffice/desk.html", context)


@require_POST
@staff_required(post="orders.approve")
def bulk_confirm(request: StaffRequest) -> HttpResponseBase:
    """Confirm every ticked order, each in its own transaction through the same service as
    one confirm; one message says how many were confirmed and why the others were not."""
    tenant_id = request.staff.tenant_id
    ids = list(dict.fromkeys(i for i in map(int_param, request.POST.getlist("order")) if i))
    if not ids:
        messages.warning(request, gettext("Tick the orders to confirm first."))
        return redirect(_back_to_desk(request))
    confirmed: list[str] = []
    failed: list[str] = []
    for order_id in ids[:MAX_BULK]:
        number = Order(pk=order_id).number
        try:
            atomic_with_retry(
                partial(order_services.confirm_order, tenant_id=tenant_id, order_id=order_id)
            )
        except DomainError as error:
            failed.append(f"{number}: {' '.join(forms.error_messages(error))}")
        else:
            confirmed.append(number)
    if confirmed:
        messages.success(
            request,
            ngettext("Confirmed %(count)d order.", "Confirmed %(count)d orders.", len(confirmed))
            % {"count": len(confirmed)},
        )
    if failed:
        messages.error(
            request, gettext("Not confirmed: %(orders)s") % {"orders": "; ".join(failed)}
        )
    return redirect(_back_to_desk(request))


def _back_to_desk(request: StaffRequest) -> str:
    # Back to the same filter and page; only our own query string is kept.
    query = request.POST.get("query", "")
    safe = query.startswith("?") and "//" not in query and "\n" not in query
    return "/staff/orders/" + (query if safe else "")


# --- one order ----------------------------------------------------------------------------


def _seller_step_pending(order: Order) -> bool:
    return any(
        step.approver == approval_rules.SELLER and step.status == OrderApproval.Status.PENDING
        for step in order.approvals.all()
    )


def _order_page(
    request: StaffRequest, order_id: int, bound: dict[str, django_forms.Form] | None = None
) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    try:
        order, shipments = order_queries.order_detail(tenant_id, order_id)
        events = order_queries.timeline(tenant_id, order_id)
    except NotFound as error:
        raise Http404 from error
    lines = list(order.lines.all())
    names = sku_names(tenant_id, [line.sku_id for line in lines])
    holds = [e.payload for e in events if e.type == "order.credit_hold"]
    actions = set(allowed_actions(order.status))
    seller_step = _seller_step_pending(order)
    action_forms: dict[str, django_forms.Form] = {
        "cancel": forms.CancelForm(),
        "release": forms.CommentForm(),
        "approve": forms.ApproveForm(),
        "reject": forms.CommentForm(),
        **(bound or {}),
    }
    return render(
        request,
        "backoffice/order.html",
        {
            "order": order,
            "company": order.company,
            # The hold's reason in the page's language when its event kept the phrase.
            "hold_reason": (holds[-1].get("reason_phrase") if holds else None) or order.hold_reason,
            "status_label": STATUS_LABELS.get(order.status, order.status),
            "channel_label": CHANNEL_LABELS.get(order.channel, ""),
            "lines": [(line, names.get(line.sku_id, line.description)) for line in lines],
            "tax_rows": tax_rows(lines),
            "approvals": [
                (
                    step,
                    APPROVERS.get(step.approver, step.approver),
                    APPROVAL_STATUS_LABELS.get(step.status, step.status),
                )
                for step in order.approvals.all()
            ],
            "shipments": shipments,
            "events": [
                (
                    event,
                    EVENT_LABELS.get(event.type, event.type),
                    *_event_note(event.type, event.payload),
                )
                for event in events
            ],
            "can_confirm": Action.CONFIRM in actions,
            "can_cancel": Action.CANCEL in actions,
            "can_release": Action.RELEASE_HOLD in actions,
            "can_decide": Action.APPROVE in actions and seller_step,
            "can_ship": Action.SHIP in actions,
            "can_amend": not amendments.refusal(order, by_buyer=False),
            "forms": action_forms,
        },
    )


# What the timeline shows of an event besides its name: a person's comment, the reason for a
# hold or a cancellation, who acted.
NOTE_KEYS = ("comment", "reason", "by")


def _event_note(event_type: str, payload: dict[str, Any]) -> tuple[str, str]:
    """(what happened in words, the note): an amendment says what changed in a sentence
    (`pages.amendments`) and its author's note; any other event its note."""
    if event_type == "order.amended":
        return amendments.timeline_note(payload, refusals.STAFF), str(payload.get("note") or "")
    if event_type == "order.backorder_filled":
        return filled_sentence(payload), ""
    said = {**payload, "reason": payload.get("reason_phrase") or payload.get("reason")}
    parts = [phrases.translated(phrases.from_json(said[key])) for key in NOTE_KEYS if said.get(key)]
    if payload.get("tracking_number"):
        parts.append(f"{payload.get('carrier', '')} {payload['tracking_number']}".strip())
    return "", " · ".join(parts)


@require_GET
@staff_required(get="orders.view")
def order(request: StaffRequest, order_id: int) -> HttpResponse:
    """One order: company, lines, approvals, shipments, timeline, and the actions its status
    allows."""
    return _order_page(request, order_id)


def _run(request: StaffRequest, order_id: int, change: Any) -> DomainError | None:
    """Run a service call in one transaction; a missing order is 404, a refusal returned."""
    try:
        atomic_with_retry(change)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        return error
    return None


def _refusal(
    request: StaffRequest,
    order_id: int,
    name: str,
    form: django_forms.Form,
    field: str,
    error: DomainError,
) -> HttpResponseBase:
    """A refused action: a problem with the form's field is shown next to it on the order
    page; any other (the order moved on meanwhile, say) is said above the refreshed page."""
    on_field = [problem for problem in error.errors if problem.field == field]
    if not on_field:
        messages.error(request, " ".join(forms.error_messages(error)))
        return redirect("backoffice:order", order_id=order_id)
    for problem in on_field:
        form.add_error(field, forms.problem_message(problem))
    return _order_page(request, order_id, {name: form})


@require_POST
@staff_required(post="orders.approve")
def confirm(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """Confirm one order: the seller accepts it and it may be shipped."""
    tenant_id = request.staff.tenant_id
    error = _run(
        request,
        order_id,
        lambda: order_services.confirm_order(tenant_id=tenant_id, order_id=order_id),
    )
    if error is not None:
        messages.error(request, " ".join(forms.error_messages(error)))
    else:
        messages.success(request, gettext("The order is confirmed."))
    return redirect("backoffice:order", order_id=order_id)


@require_POST
@staff_required(post="orders.cancel")
def cancel(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """Cancel an order that has not shipped; its stock and credit are released."""
    tenant_id = request.staff.tenant_id
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order_id, {"cancel": form})
    reason = form.cleaned_data["reason"]
    error = _run(
        request,
        order_id,
        lambda: order_services.cancel_order(tenant_id=tenant_id, order_id=order_id, reason=reason),
    )
    if error is not None:
        return _refusal(request, order_id, "cancel", form, "reason", error)
    messages.success(request, gettext("The order is cancelled; its stock is released."))
    return redirect("backoffice:order", order_id=order_id)


@require_POST
@staff_required(post="credit.change")
def release_hold(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """Let an order on credit hold go on account anyway; the comment says why."""
    staff = request.staff
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order_id, {"release": form})
    comment = form.cleaned_data["comment"]
    error = _run(
        request,
        order_id,
        lambda: order_services.release_credit_hold(
            tenant_id=staff.tenant_id, order_id=order_id, comment=comment, released_by=staff.name
        ),
    )
    if error is not None:
        return _refusal(request, order_id, "release", form, "comment", error)
    messages.success(request, gettext("The credit hold is released."))
    return redirect("backoffice:order", order_id=order_id)


@require_POST
@staff_required(post="orders.approve")
def approve(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """Approve the seller's step at the order's current approval level."""
    staff = request.staff
    form = forms.ApproveForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order_id, {"approve": form})
    comment = form.cleaned_data["comment"]
    error = _run(
        request,
        order_id,
        lambda: order_services.approve_order(
            tenant_id=staff.tenant_id, order_id=order_id, actor=staff.actor(), comment=comment
        ),
    )
    if error is not None:
        return _refusal(request, order_id, "approve", form, "comment", error)
    messages.success(request, gettext("Approved."))
    return redirect("backoffice:order", order_id=order_id)


@require_POST
@staff_required(post="orders.approve")
def reject(request: StaffRequest, order_id: int) -> HttpResponseBase:
    """Reject the order at the seller's step: it is cancelled, its stock and credit
    released; the comment tells the buyer why."""
    staff = request.staff
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order_id, {"reject": form})
    comment = form.cleaned_data["comment"]
    error = _run(
        request,
        order_id,
        lambda: order_services.reject_order(
            tenant_id=staff.tenant_id, order_id=order_id, actor=staff.actor(), comment=comment
        ),
    )
    if error is not None:
        return _refusal(request, order_id, "reject", form, "comment", error)
    messages.success(request, gettext("Rejected: the order is cancelled."))
    return redirect("backoffice:order", order_id=order_id)
