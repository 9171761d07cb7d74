"""The approver's inbox: the company's orders waiting for its approval, decided in place.

Reads through `orders.queries.awaiting_company_approval` (`portal.queries.awaiting_approval`
adds what the inbox shows of each order) and decides through
`orders.services.approve_order` / `reject_order` acting as the signed-in approver, exactly as
the API's `/my/orders/{id}/approve|reject` do: who may decide (not the buyer who placed the
order), that a rejection needs a comment, and whether anything still waits are the services'
rules; the page only shows their answers next to the order they are about.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.core.errors import DomainError, NotFound
from dinghuo.orders import services as order_services
from dinghuo.orders.models import Order
from dinghuo.pages.responses import is_htmx
from dinghuo.pages.skus import sku_names
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import Buyer, BuyerRequest, approver_required
from dinghuo.portal.params import positive_int

INBOX_PAGE_SIZE = 25
# The inbox names the first few lines of each order; the order page has them all.
LINES_SHOWN = 3

# The approvals page's own words: a transition refused here is an order that left the inbox.
APPROVAL_WORDS: dict[str, Any] = {
    "invalid_transition": _("This order no longer waits for approval."),
}


@dataclass
class InboxItem:
    """An order waiting for the company's decision, as the inbox shows it."""

    order: Order
    placed_by: str
    reasons: list[str]
    lines: list[tuple[str, str, int]]  # (SKU code, name, quantity) of the first few lines
    more_lines: int
    comment: str = ""
    comment_errors: list[str] | None = None
    errors: list[str] | None = None

    @property
    def expires_at(self) -> datetime | None:
        return self.order.approval_expires_at

    @property
    def total(self) -> Decimal:
        return self.order.total


def _placed_by(order: Order) -> str:
    member = order.placed_by
    if member is None:
        return gettext("the seller's staff")
    user = member.user
    return f"{user.first_name} {user.last_name}".strip() or user.email


def inbox_items(
    buyer: Buyer, *, after: int | None = None, order_id: int | None = None, limit: int = 25
) -> list[InboxItem]:
    """Orders of the company whose current level waits for it, oldest first (they expire
    first), with who placed them, the reasons of the waiting step and their first lines.
    Four queries whatever the number of orders and lines."""
    found = page.awaiting_approval(buyer, after=after, order_id=order_id, limit=limit)
    shown_lines = {order.pk: list(order.lines.all()) for order in found}
    names = sku_names(
        buyer.tenant_id,
        [line.sku_id for lines in shown_lines.values() for line in lines[:LINES_SHOWN]],
    )
    items = []
    for order in found:
        lines = shown_lines[order.pk]
        items.append(
            InboxItem(
                order=order,
                placed_by=_placed_by(order),
                reasons=[r for step in order.pending_steps for r in step.reasons],  # type: ignore[attr-defined]
                lines=[
                    (line.sku_code, names.get(line.sku_id, line.description), line.quantity)
                    for line in lines[:LINES_SHOWN]
                ],
                more_lines=max(len(lines) - LINES_SHOWN, 0),
            )
        )
    return items


@require_GET
@approver_required
def approvals(request: BuyerRequest) -> HttpResponse:
    """The approver's inbox, a page at a time: each order with its total, who placed it, why
    it waits, its first lines, and approve / reject with a comment."""
    after = positive_int(request.GET.get("after"))
    items = inbox_items(request.buyer, after=after, limit=INBOX_PAGE_SIZE + 1)
    next_after = items[INBOX_PAGE_SIZE - 1].order.pk if len(items) > INBOX_PAGE_SIZE else None
    return render(
        request,
        "portal/approvals.html",
        {"items": items[:INBOX_PAGE_SIZE], "next_after": next_after},
    )


class DecisionForm(django_forms.Form):
    decision = django_forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    comment = django_forms.CharField(required=False, max_length=2000)


@require_POST
@approver_required
def decide(request: BuyerRequest, order_id: int) -> HttpResponseBase:
    """Approve (comment optional) or reject (comment required) an order of the inbox.

    With HTMX the order's item answers in place: a note that it was decided (it has left the
    list), or the item again with the refusal next to the comment. Another company's order
    is not found."""
    buyer = request.buyer
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise Http404  # only a forged request sends no decision or an overlong comment
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"].strip()
    service = order_services.approve_order if decision == "approve" else order_services.reject_order
    comment_errors: list[str] = []
    errors: list[str] = []
    try:
        order = service(
            tenant_id=buyer.tenant_id, order_id=order_id, actor=buyer.actor(), comment=comment
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        said = forms.refusal_messages(error, APPROVAL_WORDS)
        if any(problem.field == "comment" for problem in error.errors):
            comment_errors = said
        else:
            errors = said
    else:
        done = (
            gettext("You approved order %(number)s.")
            if decision == "approve"
            else gettext("You rejected order %(number)s; it is cancelled.")
        ) % {"number": order.number}
        if is_htmx(request):
            return render(
                request,
                "portal/_approval_decided.html",
                {"order": order, "text": done, "ok": True},
            )
        messages.success(request, done)
        return redirect("portal:approvals")
    if not is_htmx(request):
        for message in comment_errors + errors:
            messages.error(request, message)
        return redirect("portal:approvals")
    still = inbox_items(buyer, order_id=order_id, limit=1)
    if not still:  # decided meanwhile, or expired: it has left the inbox
        text = " ".join(errors) or forms.code_message("no_pending_approval")
        return render(
            request,
            "portal/_approval_decided.html",
            {"order": Order(pk=order_id), "text": text, "ok": False},
        )
    item = still[0]
    item.comment, item.comment_errors, item.errors = comment, comment_errors, errors
    return render(request, "portal/_approval_item.html", {"item": item})
