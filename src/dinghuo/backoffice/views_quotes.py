"""The quote desk: the tenant's quotes, those waiting for the seller first (requests and
counter-offers, oldest first, with their age, company and value); one quote with each line
beside the company's price today, the list price and the stock available, where staff answer
line by line (a price, a word) with an expiry and a note, or reject with a reason; the
rounds of the negotiation; the order an accepted quote became.

Thin pages over `buying.services` and `buying.queries` (what the API uses), one service call
in one transaction each; a refusal is shown next to its field. What may be done in which
state is `buying.quote_states`' table. Another tenant's quote is not found (404).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms_quotes as forms
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_returns import place_refusal
from dinghuo.backoffice.params import int_param
from dinghuo.buying import queries, services
from dinghuo.buying.models import Quote
from dinghuo.buying.quote_states import (
    SELLER_ACTIONS,
    WAITING_STATUSES,
    QuoteAction,
    QuoteStatus,
    allowed_actions,
    effective_status,
)
from dinghuo.core import clock
from dinghuo.core.db import atomic_with_retry
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.money import format_unit_price
from dinghuo.pages.quotes import round_rows
from dinghuo.pages.skus import sku_names

DESK_PAGE_SIZE = 50
WAITING = "waiting"
ALL = "all"

STATUS_LABELS: dict[str, Any] = {
    QuoteStatus.REQUESTED: _("New request"),
    QuoteStatus.COUNTERED: _("Countered by the buyer"),
    QuoteStatus.ANSWERED: _("Answered"),
    QuoteStatus.ACCEPTED: _("Accepted"),
    QuoteStatus.DECLINED: _("Declined by the buyer"),
    QuoteStatus.REJECTED: _("Rejected"),
    QuoteStatus.WITHDRAWN: _("Withdrawn by the buyer"),
    QuoteStatus.EXPIRED: _("Expired"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@require_GET
@staff_required(get="quotes.view")
def quotes(request: StaffRequest) -> HttpResponse:
    """The desk opens on the quotes waiting for the seller, oldest first; any other status
    (or all) newest first."""
    status = request.GET.get("status") or WAITING
    if status not in STATUS_LABELS and status != WAITING:
        status = ALL
    now = clock.now()
    waiting = status == WAITING
    found = queries.desk_quotes(
        request.staff.tenant_id,
        statuses=WAITING_STATUSES if waiting else None,
        status=None if status in (WAITING, ALL) else status,
        now=now,
    )
    after = int_param(request.GET.get("after"))
    if after is not None:
        found = found.filter(pk__gt=after) if waiting else found.filter(pk__lt=after)
    rows = list(found.order_by("id" if waiting else "-id")[: DESK_PAGE_SIZE + 1])
    more = len(rows) > DESK_PAGE_SIZE
    rows = rows[:DESK_PAGE_SIZE]
    shown = [(quote, effective_status(quote.status, quote.expires_at, now)) for quote in rows]
    return render(
        request,
        "backoffice/quotes.html",
        {
            "rows": [(quote, shown, status_label(shown)) for quote, shown in shown],
            "next_after": rows[-1].pk if more else None,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
            "now": now,
        },
    )


@require_GET
@staff_required(get="quotes.view")
def waiting_count(request: StaffRequest) -> HttpResponse:
    """The menu's count of quotes waiting for the seller (loaded after the page, so no page
    pays for it): empty when none wait."""
    count = queries.waiting_quote_count(request.staff.tenant_id)
    return render(request, "backoffice/_quote_count.html", {"count": count})


def _found(request: StaffRequest, quote_id: int) -> Quote:
    try:
        return queries.quote(request.staff.tenant_id, quote_id)
    except NotFound as error:
        raise Http404 from error


def _answer_form(quote: Quote, desk: list[queries.DeskLine]) -> forms.AnswerForm:
    """An answer to fill in: the price given before, else the buyer's proposal, else the
    company's price today."""
    initial: dict[str, Any] = {}
    for row in desk:
        line = row.line
        price = line.unit_price
        if price is None:
            price = line.asked_unit_price if line.asked_unit_price is not None else row.price_now
        if price is not None:
            initial[forms.price_field(str(line.line_number))] = format_unit_price(
                price, quote.currency
            )
        initial[forms.note_field(str(line.line_number))] = line.seller_note
    if quote.seller_note:
        initial["note"] = quote.seller_note
    return forms.AnswerForm(
        lines=[row.line for row in desk], today=timezone.localdate(), initial=initial
    )


def _page(
    request: StaffRequest,
    quote_id: int,
    answer: forms.AnswerForm | None = None,
    reject: forms.RejectQuoteForm | None = None,
) -> HttpResponse:
    quote = _found(request, quote_id)
    status = effective_status(quote.status, quote.expires_at, clock.now())
    actions = allowed_actions(status, SELLER_ACTIONS)
    desk = queries.desk_lines(quote)
    names = sku_names(quote.tenant_id, [row.line.sku_id for row in desk])
    answer = answer or _answer_form(quote, desk)
    return render(
        request,
        "backoffice/quote.html",
        {
            "quote": quote,
            "status": status,
            "status_label": status_label(status),
            "rows": [
                (row, names.get(row.line.sku_id, row.line.sku.code), _line_fields(answer, row))
                for row in desk
            ],
            "can_answer": QuoteAction.ANSWER in actions,
            "can_reject": QuoteAction.REJECT in actions,
            "answer_form": answer,
            "reject_form": reject or forms.RejectQuoteForm(),
            "rounds": round_rows(
                quote,
                {row.line.sku.code: names.get(row.line.sku_id, "") for row in desk},
                for_buyer=False,
            ),
        },
    )


def _line_fields(form: forms.AnswerForm, row: queries.DeskLine) -> tuple[Any, Any]:
    number = str(row.line.line_number)
    return form[forms.price_field(number)], form[forms.note_field(number)]


@require_GET
@staff_required(get="quotes.view")
def quote_page(request: StaffRequest, quote_id: int) -> HttpResponse:
    """One quote: the company, the lines with today's prices and stock, the rounds, and what
    staff may do in its state."""
    return _page(request, quote_id)


def _run(request: StaffRequest, quote_id: int, change: Any, done: str) -> HttpResponseBase:
    try:
        atomic_with_retry(change)
    except NotFound as error:
        raise Http404 from error
    messages.success(request, done)
    return redirect("backoffice:quote", quote_id=quote_id)


@require_POST
@staff_required(post="quotes.answer")
def answer(request: StaffRequest, quote_id: int) -> HttpResponseBase:
    """Answer every line with a price (and a word), valid until the end of the chosen day."""
    quote = _found(request, quote_id)
    lines = list(quote.lines.all())
    form = forms.AnswerForm(request.POST, lines=lines, today=timezone.localdate())
    if not form.is_valid():
        return _page(request, quote_id, answer=form)
    tenant_id = request.staff.tenant_id
    by_id = request.user.pk
    quoted = [services.QuotedLine(n, price, note) for n, price, note in form.prices()]
    expires_at = form.expires_at(request.staff.time_zone)
    note = form.cleaned_data["note"].strip()
    fields = {"expires_at": "expires_on"} | {
        f"lines[{i}].unit_price": forms.price_field(str(n))
        for i, (n, _p, _n) in enumerate(form.prices())
    }
    try:
        return _run(
            request,
            quote_id,
            lambda: services.answer_quote(
                tenant_id=tenant_id,
                quote_id=quote_id,
                lines=quoted,
                expires_at=expires_at,
                note=note,
                by_id=by_id,
            ),
            gettext("The answer is sent to the buyer."),
        )
    except DomainError as error:
        place_refusal(form, error, fields)
        return _page(request, quote_id, answer=form)


@require_POST
@staff_required(post="quotes.answer")
def reject(request: StaffRequest, quote_id: int) -> HttpResponseBase:
    """Reject the request (or take back an answer not yet accepted), telling the buyer why."""
    form = forms.RejectQuoteForm(request.POST)
    if not form.is_valid():
        return _page(request, quote_id, reject=form)
    tenant_id = request.staff.tenant_id
    reason = form.cleaned_data["reason"].strip()
    try:
        return _run(
            request,
            quote_id,
            lambda: services.reject_quote(tenant_id=tenant_id, quote_id=quote_id, reason=reason),
            gettext("The quote is rejected; the buyer is told why."),
        )
    except DomainError as error:
        place_refusal(form, error)
        return _page(request, quote_id, reject=form)
