"""Quotes (RFQ): the buyer asks the seller for prices, reads the answer, and accepts it (an
order at the quoted prices), declines it, or withdraws a request not yet answered.

Reads through `buying.queries.quotes` / `quote` and writes through `buying.services` as the
API's `/my/quotes` does. What a quote may ask for, when it has expired and which move is
allowed in which state are the services' and `buying.quote_states`' rules; the page offers the
buttons `quote_states.allowed_actions` names and shows the services' refusals.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.buying.models import Quote
from dinghuo.buying.quote_states import (
    BUYER_ACTIONS,
    QuoteAction,
    QuoteStatus,
    allowed_actions,
    effective_status,
)
from dinghuo.core import clock, refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.pages.quotes import round_rows
from dinghuo.pages.rows import Row, read_pasted, typed_rows
from dinghuo.pages.skus import sku_names
from dinghuo.portal import forms
from dinghuo.portal import queries as page
from dinghuo.portal.access import Buyer, BuyerRequest, buyer_required
from dinghuo.portal.params import positive_int
from dinghuo.portal.views_lists import line_index

QUOTES_PAGE_SIZE = 25
NEW_QUOTE_ROWS = 6
CHANNEL = "portal"

QUOTE_STATUS_LABELS: dict[str, Any] = {
    QuoteStatus.REQUESTED: _("Waiting for the seller"),
    QuoteStatus.COUNTERED: _("Your counter-offer: waiting for the seller"),
    QuoteStatus.ANSWERED: _("Answered"),
    QuoteStatus.ACCEPTED: _("Accepted"),
    QuoteStatus.DECLINED: _("Declined by you"),
    QuoteStatus.REJECTED: _("Rejected by the seller"),
    QuoteStatus.WITHDRAWN: _("Withdrawn"),
    QuoteStatus.EXPIRED: _("Expired"),
}
# The quote pages' own words: a refused move is the quote's, and a quote is asked for.
QUOTE_WORDS: dict[str, Any] = {
    "invalid_transition": _("This quote cannot do that in its current state."),
    "no_lines": _("Ask for at least one line."),
}


def _status_label(status: str) -> str:
    return str(QUOTE_STATUS_LABELS.get(status, status))


# --- the quotes ---------------------------------------------------------------------------


@require_GET
@buyer_required
def quotes(request: BuyerRequest) -> HttpResponse:
    """The company's quotes, newest first, by (effective) status, a page at a time."""
    buyer = request.buyer
    status = request.GET.get("status") or ""
    if status not in QUOTE_STATUS_LABELS:
        status = ""
    before = positive_int(request.GET.get("before"))
    now = clock.now()
    qs = buying_queries.quotes(
        buyer.tenant_id, company_id=buyer.company_id, status=status or None, now=now
    )
    if before:
        qs = qs.filter(id__lt=before)
    found = list(qs.order_by("-id")[: QUOTES_PAGE_SIZE + 1])
    next_before = found[QUOTES_PAGE_SIZE - 1].pk if len(found) > QUOTES_PAGE_SIZE else None
    rows = []
    for quote in found[:QUOTES_PAGE_SIZE]:
        shown = effective_status(quote.status, quote.expires_at, now)
        rows.append((quote, shown, _status_label(shown)))
    return render(
        request,
        "portal/quotes.html",
        {
            "rows": rows,
            "next_before": next_before,
            "status": status,
            "statuses": list(QUOTE_STATUS_LABELS.items()),
        },
    )


# --- asking for a quote -------------------------------------------------------------------


@dataclass
class AskRow:
    """A typed row of a quote request, with the problems found in it."""

    index: int
    sku: str
    quantity_text: str
    errors: list[str] = field(default_factory=list)


class QuoteRequestForm(django_forms.Form):
    ship_to = django_forms.TypedChoiceField(
        label=_("Ship to"), coerce=int, required=False, empty_value=None
    )
    rows_text = django_forms.CharField(
        label=_("Or paste rows"),
        required=False,
        max_length=100_000,
        widget=django_forms.Textarea(attrs={"rows": 3, "placeholder": "A-100\t12"}),
        help_text=_("One row per line: SKU code, then quantity."),
    )
    note = django_forms.CharField(
        label=_("Note to the seller"),
        required=False,
        max_length=2000,
        widget=django_forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, ship_tos: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ship_to = self.fields["ship_to"]
        assert isinstance(ship_to, django_forms.TypedChoiceField)
        ship_to.choices = [("", gettext("Decide later")), *ship_tos]


def _ship_to_choices(buyer: Buyer) -> list[tuple[Any, str]]:
    return [(a.pk, f"{a.name} — {a.line1}, {a.city}") for a in page.ship_tos(buyer)]


def _ask(
    buyer: Buyer, form: QuoteRequestForm, rows: list[AskRow], typed: list[Row]
) -> Quote | None:
    """Ask for the quote; None with every problem put next to its row or field."""
    data = form.cleaned_data
    lines: list[buying.QuoteLineRequest] = []
    targets: list[AskRow | str] = []
    by_position = {row.index: row for row in rows}
    for row in typed:
        shown = by_position[row.position or 0]
        if row.quantity is None or not row.sku:
            code = "not_a_number" if row.sku else "no_sku"
            shown.errors.append(forms.code_message(code))
            continue
        lines.append(buying.QuoteLineRequest(row.sku, row.quantity))
        targets.append(shown)
    if data["rows_text"].strip():
        read = read_pasted(data["rows_text"])
        for bad in read.bad_lines:
            form.add_error(
                "rows_text",
                gettext("Line %(number)d (%(text)s): %(reason)s")
                % {"number": bad.number, "text": bad.text, "reason": bad.reason},
            )
        for number, pasted in enumerate(read.rows, 1):
            lines.append(buying.QuoteLineRequest(pasted.sku, pasted.quantity or 0))
            targets.append(
                gettext("Row %(number)d (%(sku)s)") % {"number": number, "sku": pasted.sku}
            )
    if form.errors or any(row.errors for row in rows):
        return None
    try:
        return buying.request_quote(
            tenant_id=buyer.tenant_id,
            company_id=buyer.company_id,
            lines=lines,
            requested_by_id=buyer.company_user_id,
            ship_to_id=data["ship_to"],
            note=data["note"].strip(),
        )
    except DomainError as error:
        for problem in refusals.problems_of(error):
            text = forms.problem_message(problem, QUOTE_WORDS)
            at = line_index(problem)
            target = targets[at] if at is not None and at < len(targets) else None
            if isinstance(target, AskRow):
                target.errors.append(text)
            elif isinstance(target, str):
                form.add_error("rows_text", f"{target}: {text}")
            elif problem.field == "ship_to_id":
                form.add_error("ship_to", text)
            else:
                form.add_error(None, text)
        return None


@require_http_methods(["GET", "POST"])
@buyer_required
def new_quote(request: BuyerRequest) -> HttpResponseBase:
    """Ask the seller for prices: SKU and quantity rows (typed or pasted), a note, and where
    the goods would go. A SKU without a price for the company may be asked for."""
    buyer = request.buyer
    choices = _ship_to_choices(buyer)
    if request.method == "POST":
        form = QuoteRequestForm(request.POST, ship_tos=choices)
        typed = typed_rows(request.POST.getlist("sku"), request.POST.getlist("quantity"))
        rows = [AskRow(row.position or 0, row.sku, row.quantity_text) for row in typed]
        if form.is_valid():
            quote = _ask(buyer, form, rows, typed)
            if quote is not None:
                messages.success(
                    request,
                    gettext("Quote %(number)s is requested; the seller will answer it.")
                    % {"number": quote.number},
                )
                return redirect("portal:quote", quote_id=quote.pk)
        # Numbered afresh from the top, with blank rows to type more in.
        for index, row in enumerate(rows):
            row.index = index
    else:
        form = QuoteRequestForm(ship_tos=choices, initial={"ship_to": ""})
        rows = []
    blanks = max(NEW_QUOTE_ROWS - len(rows), 2)
    rows += [AskRow(len(rows) + i, "", "") for i in range(blanks)]
    return render(request, "portal/quote_new.html", {"form": form, "rows": rows})


# --- one quote ----------------------------------------------------------------------------


class AcceptForm(django_forms.Form):
    ship_to = django_forms.TypedChoiceField(label=_("Ship to"), coerce=int)
    purchase_order_number = django_forms.CharField(
        label=_("Purchase order number"), max_length=64, required=False
    )

    def __init__(self, *args: Any, ship_tos: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ship_to = self.fields["ship_to"]
        assert isinstance(ship_to, django_forms.TypedChoiceField)
        ship_to.choices = ship_tos


class CounterForm(django_forms.Form):
    """The buyer's terms for each line: a quantity and, if they like, a price; and a note."""

    note = django_forms.CharField(
        label=_("Note to the seller"),
        required=False,
        max_length=2000,
        widget=django_forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = self.initial
        self.line_numbers = [line.line_number for line in lines]
        for line in lines:
            n = line.line_number
            initial.setdefault(f"quantity_{n}", line.quantity)
            self.fields[f"quantity_{n}"] = django_forms.IntegerField(
                label=_("Quantity"),
                min_value=1,
                max_value=2_147_483_647,
                widget=django_forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "quantity"}
                ),
            )
            self.fields[f"price_{n}"] = django_forms.DecimalField(
                label=_("Your price"),
                required=False,
                min_value=Decimal(0),
                max_digits=15,
                decimal_places=4,
                widget=django_forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "class": "quantity"}
                ),
            )

    def offers(self) -> list[buying.CounterLine]:
        data = self.cleaned_data
        return [
            buying.CounterLine(n, data[f"quantity_{n}"], data[f"price_{n}"])
            for n in self.line_numbers
        ]


@dataclass(frozen=True)
class QuotedRow:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal | None
    list_unit_price: Decimal | None
    line_total: Decimal | None
    saving: Decimal | None  # per unit, against the list price when the seller answered
    note: str
    line_number: int = 0
    seller_note: str = ""
    asked_unit_price: Decimal | None = None


def _quote_rows(buyer: Buyer, quote: Quote) -> list[QuotedRow]:
    lines = list(quote.lines.all())
    names = sku_names(buyer.tenant_id, [line.sku_id for line in lines])
    rows = []
    for line in lines:
        price, listed = line.unit_price, line.list_unit_price
        rows.append(
            QuotedRow(
                sku=line.sku.code,
                name=names.get(line.sku_id, line.sku.code),
                quantity=line.quantity,
                unit_price=price,
                list_unit_price=listed,
                line_total=None if price is None else price * line.quantity,
                saving=None if price is None or listed is None else listed - price,
                note=line.note,
                line_number=line.line_number,
                seller_note=line.seller_note,
                asked_unit_price=line.asked_unit_price,
            )
        )
    return rows


def _counter_rows(form: CounterForm | None, rows: list[QuotedRow]) -> list[tuple[Any, ...]]:
    if form is None:
        return []
    return [
        (row, form[f"quantity_{row.line_number}"], form[f"price_{row.line_number}"]) for row in rows
    ]


def _quote_page(
    request: BuyerRequest,
    quote_id: int,
    accept_form: AcceptForm | None = None,
    counter_form: CounterForm | None = None,
) -> HttpResponse:
    buyer = request.buyer
    try:
        quote = buying_queries.quote(buyer.tenant_id, quote_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    status = effective_status(quote.status, quote.expires_at, clock.now())
    actions = allowed_actions(status, BUYER_ACTIONS)
    rows = _quote_rows(buyer, quote)
    priced = [row.line_total for row in rows if row.line_total is not None]
    if QuoteAction.ACCEPT in actions and accept_form is None:
        accept_form = AcceptForm(
            ship_tos=_ship_to_choices(buyer), initial={"ship_to": quote.ship_to_id}
        )
    if QuoteAction.COUNTER in actions and counter_form is None:
        counter_form = CounterForm(lines=list(quote.lines.all()))
    return render(
        request,
        "portal/quote.html",
        {
            "quote": quote,
            "status": status,
            "status_label": _status_label(status),
            "rows": rows,
            "total": sum(priced, Decimal(0)) if len(priced) == len(rows) and rows else None,
            "can_accept": QuoteAction.ACCEPT in actions,
            "can_decline": QuoteAction.DECLINE in actions,
            "can_withdraw": QuoteAction.WITHDRAW in actions,
            "can_counter": QuoteAction.COUNTER in actions,
            "accept_form": accept_form,
            "counter_form": counter_form,
            "counter_rows": [
                (
                    row,
                    counter_form[f"quantity_{row.line_number}"],
                    counter_form[f"price_{row.line_number}"],
                )
                for row in rows
            ]
            if counter_form is not None
            else [],
            "rounds": round_rows(quote, {row.sku: row.name for row in rows}, for_buyer=True),
        },
    )


@require_GET
@buyer_required
def quote(request: BuyerRequest, quote_id: int) -> HttpResponse:
    """One of the company's quotes: its status (an answer past its expiry reads expired), the
    quoted prices beside the list prices, the expiry, and what the buyer may do now."""
    return _quote_page(request, quote_id)


@require_POST
@buyer_required
def accept(request: BuyerRequest, quote_id: int) -> HttpResponseBase:
    """Accept the seller's answer: an order at the quoted prices, then its page. A refusal
    (expired, stock, credit) is shown on the quote, which stays answered."""
    buyer = request.buyer
    form = AcceptForm(request.POST, ship_tos=_ship_to_choices(buyer))
    if not form.is_valid():
        return _quote_page(request, quote_id, form)
    try:
        order = buying.accept_quote(
            tenant_id=buyer.tenant_id,
            quote_id=quote_id,
            company_id=buyer.company_id,
            accepted_by_id=buyer.company_user_id,
            ship_to_id=form.cleaned_data["ship_to"],
            purchase_order_number=form.cleaned_data["purchase_order_number"],
            channel=CHANNEL,
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        problems = refusals.problems_of(error)
        if any(problem.field == "ship_to_id" for problem in problems):
            for problem in problems:
                name = "ship_to" if problem.field == "ship_to_id" else None
                form.add_error(name, forms.problem_message(problem, QUOTE_WORDS))
            return _quote_page(request, quote_id, form)
        # Expired, stock, credit…: the quote as it now stands, with the reason on top.
        messages.error(request, " ".join(forms.refusal_messages(error, QUOTE_WORDS)))
        return redirect("portal:quote", quote_id=quote_id)
    messages.success(
        request,
        gettext("Thank you: quote %(quote)s is now order %(order)s.")
        % {"quote": Quote(pk=quote_id).number, "order": order.number},
    )
    return redirect("portal:order", order_id=order.pk)


def _close(request: BuyerRequest, quote_id: int, action: str) -> HttpResponseBase:
    buyer = request.buyer
    service = buying.decline_quote if action == QuoteAction.DECLINE else buying.withdraw_quote
    try:
        service(tenant_id=buyer.tenant_id, quote_id=quote_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        messages.error(request, " ".join(forms.refusal_messages(error, QUOTE_WORDS)))
    else:
        done = (
            gettext("You declined the quote.")
            if action == QuoteAction.DECLINE
            else gettext("You withdrew the request.")
        )
        messages.success(request, done)
    return redirect("portal:quote", quote_id=quote_id)


@require_POST
@buyer_required
def decline(request: BuyerRequest, quote_id: int) -> HttpResponseBase:
    """Say no to the seller's answer."""
    return _close(request, quote_id, QuoteAction.DECLINE)


@require_POST
@buyer_required
def withdraw(request: BuyerRequest, quote_id: int) -> HttpResponseBase:
    """Take back a request the seller has not answered yet."""
    return _close(request, quote_id, QuoteAction.WITHDRAW)


@require_POST
@buyer_required
def counter(request: BuyerRequest, quote_id: int) -> HttpResponseBase:
    """Answer the seller's answer with other quantities or prices and a note: the quote goes
    back to the seller. A refusal is shown on the quote, next to the line it is about."""
    buyer = request.buyer
    try:
        found = buying_queries.quote(buyer.tenant_id, quote_id, company_id=buyer.company_id)
    except NotFound as error:
        raise Http404 from error
    form = CounterForm(request.POST, lines=list(found.lines.all()))
    if not form.is_valid():
        return _quote_page(request, quote_id, counter_form=form)
    try:
        buying.counter_quote(
            tenant_id=buyer.tenant_id,
            quote_id=quote_id,
            company_id=buyer.company_id,
            lines=form.offers(),
            note=form.cleaned_data["note"].strip(),
            by_id=request.user.pk,
        )
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        for problem in refusals.problems_of(error):
            at = line_index(problem)
            number = (
                form.line_numbers[at] if at is not None and at < len(form.line_numbers) else None
            )
            name = None
            if number is not None:
                name = (
                    f"price_{number}"
                    if problem.field.endswith("unit_price")
                    else f"quantity_{number}"
                )
            form.add_error(name, forms.problem_message(problem, QUOTE_WORDS))
        return _quote_page(request, quote_id, counter_form=form)
    messages.success(request, gettext("Your counter-offer is sent; the seller will answer it."))
    return redirect("portal:quote", quote_id=quote_id)


def _place_counter_problems(form: CounterForm, error: DomainError) -> None:
    """Each problem next to the quantity or price of its line, the others above the form."""
    for problem in refusals.problems_of(error):
        at = line_index(problem)
        name = None
        if at is not None and at < len(form.line_numbers):
            number = form.line_numbers[at]
            kind = "price" if problem.field.endswith("unit_price") else "quantity"
            name = f"{kind}_{number}"
        form.add_error(name, forms.problem_message(problem, QUOTE_WORDS))
