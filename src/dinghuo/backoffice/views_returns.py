"""The returns desk: the tenant's returns by status (those waiting for a decision first), one
return with what can be done to it now: approve or reject (with a comment), receive (per
line the units that arrived and their fate), close (the credit note, and a refund if asked).

Thin pages over `returns.services` and `returns.queries` (what the API uses), each change
one service call in one transaction (`atomic_with_retry`); a refusal is shown next to the
field it is about. The tenant comes from the signed-in staff member: another tenant's
return is not found (404).
"""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms_returns as forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms import error_messages
from dinghuo.backoffice.params import int_param
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.pages.labels import STATUS_LABELS as ORDER_STATUS_LABELS
from dinghuo.pages.returns import (
    STATUS_LABELS,
    photo_response,
    replacement_rows,
    return_lines,
    review_reasons,
    slip_response,
)
from dinghuo.returns import queries, services
from dinghuo.returns.models import ReturnReason, ReturnRequest, ReturnStatus

DESK_PAGE_SIZE = 50
ALL = "all"


@require_GET
@staff_required(get="returns.view")
def returns(request: StaffRequest) -> HttpResponse:
    """Returns oldest first, by status; the desk opens on those waiting for a decision."""
    status = request.GET.get("status") or ReturnStatus.REQUESTED
    if status not in STATUS_LABELS:
        status = ALL
    found = queries.returns(
        request.staff.tenant_id, status=None if status == ALL else status
    ).select_related("company")
    after = int_param(request.GET.get("after"))
    if after is not None:
        found = found.filter(pk__gt=after)
    rows = list(found[: DESK_PAGE_SIZE + 1])
    more = len(rows) > DESK_PAGE_SIZE
    rows = rows[:DESK_PAGE_SIZE]
    return render(
        request,
        "backoffice/returns.html",
        {
            "rows": [(item, STATUS_LABELS.get(item.status, item.status)) for item in rows],
            "next_after": rows[-1].pk if more else None,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
        },
    )


def _found(request: StaffRequest, return_id: int) -> ReturnRequest:
    try:
        return queries.return_detail(request.staff.tenant_id, return_id)
    except NotFound as error:
        raise Http404 from error


def _asked(found: ReturnRequest) -> dict[int, int]:
    return {line.line_number: line.quantity for line in sorted(found.lines.all(), key=_number)}


def _number(line: Any) -> int:
    return int(line.line_number)


def _page(
    request: StaffRequest, return_id: int, bound: dict[str, django_forms.Form] | None = None
) -> HttpResponse:
    found = _found(request, return_id)
    action_forms: dict[str, django_forms.Form] = {
        "approve": forms.ApproveReturnForm(),
        "reject": forms.RejectReturnForm(),
        "receive": forms.ReceiveForm(asked=_asked(found)),
        "close": forms.CloseReturnForm(),
        **(bound or {}),
    }
    receive = action_forms["receive"]
    assert isinstance(receive, forms.ReceiveForm)
    lines = return_lines(found)
    for row in lines:
        number = row["line"].line_number
        row["received"] = receive[forms.received_field(number)]
        row["fate_field"] = receive[forms.fate_field(number)]
    return render(
        request,
        "backoffice/return.html",
        {
            "item": found,
            "fee_reasons": [
                label for code, label in ReturnReason.choices if code in (found.fee_reasons or [])
            ],
            "company": found.company,
            "status_label": STATUS_LABELS.get(found.status, found.status),
            "lines": lines,
            "credit_notes": list(found.credit_notes.all()),
            "photos": list(found.photos.all()),
            "replacements": replacement_rows(found),
            "exchange_status": ORDER_STATUS_LABELS.get(found.exchange_order.status, "")
            if found.exchange_order
            else "",
            "review_reasons": review_reasons(found),
            "forms": action_forms,
        },
    )


@require_GET
@staff_required(get="returns.view")
def return_page(request: StaffRequest, return_id: int) -> HttpResponse:
    """One return: company, order, lines, and the action its status allows."""
    return _page(request, return_id)


def _change(
    request: StaffRequest,
    return_id: int,
    name: str,
    form: django_forms.Form,
    change: Callable[[], Any],
    done: str,
    fields: dict[str, str] | None = None,
    prefixes: dict[str, str] | None = None,
) -> HttpResponseBase:
    """Run one service call; refused, the page again with the problem next to its field."""
    try:
        atomic_with_retry(change)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        forms.place_refusal(form, error, fields, prefixes)
        return _page(request, return_id, {name: form})
    messages.success(request, done)
    return redirect("backoffice:return", return_id=return_id)


@require_POST
@staff_required(post="returns.decide")
def approve(request: StaffRequest, return_id: int) -> HttpResponseBase:
    """Approve a requested return: it gets the seller's next RMA number; an exchange's
    replacement order is placed (a refusal, such as too little stock, is shown)."""
    tenant_id = request.staff.tenant_id
    form = forms.ApproveReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, return_id, {"approve": form})
    comment = form.cleaned_data["comment"]
    # An exchange's order may be refused (stock, credit): its problems name the SKU.
    replacements = sorted(_found(request, return_id).replacements.all(), key=_number)
    return _change(
        request,
        return_id,
        "approve",
        form,
        lambda: services.approve_return(tenant_id=tenant_id, return_id=return_id, comment=comment),
        gettext("The return is approved."),
        prefixes={f"replacements[{i}].": line.sku.code for i, line in enumerate(replacements)},
    )


@require_POST
@staff_required(post="returns.decide")
def reject(request: StaffRequest, return_id: int) -> HttpResponseBase:
    """Reject a requested return; the comment tells the company why."""
    tenant_id = request.staff.tenant_id
    form = forms.RejectReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, return_id, {"reject": form})
    comment = form.cleaned_data["comment"]
    return _change(
        request,
        return_id,
        "reject",
        form,
        lambda: services.reject_return(tenant_id=tenant_id, return_id=return_id, comment=comment),
        gettext("The return is rejected."),
    )


@require_POST
@staff_required(post="returns.receive")
def receive(request: StaffRequest, return_id: int) -> HttpResponseBase:
    """Record what arrived of each line and what becomes of it; stock moves accordingly."""
    tenant_id = request.staff.tenant_id
    form = forms.ReceiveForm(request.POST, asked=_asked(_found(request, return_id)))
    if not form.is_valid():
        return _page(request, return_id, {"receive": form})
    lines = form.inspected()
    return _change(
        request,
        return_id,
        "receive",
        form,
        lambda: services.receive_return(tenant_id=tenant_id, return_id=return_id, lines=lines),
        gettext("The returned goods are received."),
        form.refusal_fields(),
    )


@require_POST
@staff_required(post="returns.close")
def close(request: StaffRequest, return_id: int) -> HttpResponseBase:
    """Credit what arrived and close the return; ticked, refund what the credit freed."""
    staff = request.staff
    form = forms.CloseReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, return_id, {"close": form})
    refund = form.refund_asked()
    return _change(
        request,
        return_id,
        "close",
        form,
        lambda: services.close_return(
            tenant_id=staff.tenant_id,
            return_id=return_id,
            refund=refund,
            recorded_by=f"{staff.name} (staff)",
        ),
        gettext("The return is closed and credited."),
    )


@require_GET
@staff_required(get="returns.view")
def return_slip(request: StaffRequest, return_id: int) -> HttpResponseBase:
    """The approved return's slip (PDF) in the reader's language; before approval the
    return's page again, saying why there is none."""
    try:
        return slip_response(request.staff.tenant_id, return_id)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        for sentence in error_messages(error):
            messages.error(request, sentence)
        return redirect("backoffice:return", return_id=return_id)


@require_GET
@staff_required(get="returns.view")
def return_photo(request: StaffRequest, return_id: int, photo_id: int) -> HttpResponseBase:
    """A photo of the return, as attached."""
    try:
        return photo_response(request.staff.tenant_id, return_id, photo_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="returns.view")
def return_photo_thumbnail(
    request: StaffRequest, return_id: int, photo_id: int
) -> HttpResponseBase:
    """The small copy of a photo the return's page shows."""
    try:
        return photo_response(request.staff.tenant_id, return_id, photo_id, thumbnail=True)
    except NotFound as error:
        raise Http404 from error
