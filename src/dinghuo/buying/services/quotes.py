"""Quote (RFQ) writes: a company asks for prices, the seller answers or rejects, the buyer
accepts (the quote becomes an order at the quoted prices), declines or withdraws; answers past
their expiry are marked expired. Every move follows `quote_states` and records its event on
the quote (aggregate "quote").
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from dinghuo.buying.models import Quote, QuoteLine, QuoteRound
from dinghuo.buying.queries import Buyer
from dinghuo.buying.quote_states import QuoteAction, QuoteStatus, effective_status, target
from dinghuo.buying.services.problems import WARNINGS, refusal
from dinghuo.buying.services.quote_rounds import record_round, round_line
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, InvalidTransition
from dinghuo.core.money import format_unit_price
from dinghuo.core.queries import tenant_row
from dinghuo.core.writes import refuse
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.integrations import events
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order
from dinghuo.orders.queries import check_lines
from dinghuo.orders.services import LineRequest, QuotedPrices, place_order

# A quote is asked exactly where the list price is missing or does not fit, so these do not
# stop a request; everything else (unknown, inactive, quantity rules) would stop the order.
_QUOTE_TOLERATES = WARNINGS | {"no_price", "amount_too_large"}
_MAX_AMOUNT = Decimal(10) ** 14  # amounts are stored with 18 digits, 4 of them decimals


@dataclass(frozen=True)
class QuoteLineRequest:
    """A line a company asks a price for: a SKU by code, how many, and a note."""

    sku: str
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class QuotedLine:
    """The seller's price for one line of a quote, with an optional word on it."""

    line_number: int
    unit_price: Decimal
    note: str = ""


def _quote_event(quote: Quote, type: str, payload: dict[str, Any] | None = None) -> Event:
    return events.new(
        quote.tenant_id,
        type,
        "quote",
        quote.pk,
        {
            "quote": quote.number,
            "status": quote.status,
            "company_id": quote.company_id,
            **(payload or {}),
        },
    )


def _quote_buyer(tenant_id: int, company_id: int) -> Buyer:
    row = (
        Company.objects.filter(tenant_id=tenant_id, pk=company_id, is_active=True)
        .values_list("price_list__seller_id", "price_list__currency")
        .first()
    )
    if row is None:
        raise refusal("company_id", "unknown_company", "No active company with this id")
    return Buyer(company_id, row[0], row[1])


def _ship_to_errors(tenant_id: int, company_id: int, ship_to_id: int | None) -> list[FieldError]:
    if (
        ship_to_id is None
        or Location.objects.filter(
            tenant_id=tenant_id,
            pk=ship_to_id,
            company_id=company_id,
            kind=Location.Kind.SHIP_TO,
            is_active=True,
        ).exists()
    ):
        return []
    return [FieldError("ship_to_id", "unknown_ship_to", "Not an active ship-to of this company")]


@transaction.atomic
def request_quote(
    *,
    tenant_id: int,
    company_id: int,
    lines: list[QuoteLineRequest],
    requested_by_id: int | None = None,
    ship_to_id: int | None = None,
    note: str = "",
) -> Quote:
    """A company asks the seller for prices (RFQ) on some lines, as one of its users or
    (`requested_by_id` None) through seller staff.

    Every line must name a SKU the company may buy, once, in a quantity it could order; a SKU
    without a list price may be asked for. All problems are reported at once (422)."""
    buyer = _quote_buyer(tenant_id, company_id)
    if not lines:
        raise refusal("lines", "no_lines", "Ask for at least one line")
    errors = _ship_to_errors(tenant_id, company_id, ship_to_id)
    check = check_lines(tenant_id, company_id, [LineRequest(ln.sku, ln.quantity) for ln in lines])
    errors += [p for line in check.lines for p in line.problems if p.code not in _QUOTE_TOLERATES]
    refuse(errors, "The quote cannot be requested; see errors.")
    quote = Quote.objects.create(
        tenant_id=tenant_id,
        seller_id=buyer.seller_id,
        company_id=company_id,
        requested_by_id=requested_by_id,
        currency=check.currency,
        ship_to_id=ship_to_id,
        buyer_note=note,
        requested_at=clock.now(),
    )
    sku_ids = [checked.sku_id for checked in check.lines]
    created = QuoteLine.objects.bulk_create(
        QuoteLine(
            tenant_id=tenant_id,
            quote=quote,
            line_number=i,
            sku_id=sku_id,
            quantity=line.quantity,
            note=line.note,
            list_unit_price=checked.unit_price,
        )
        for i, (line, sku_id, checked) in enumerate(
            zip(lines, sku_ids, check.lines, strict=True), 1
        )
        if sku_id is not None  # always: unknown SKUs were refused
    )
    by_id = (
        CompanyUser.objects.filter(pk=requested_by_id).values_list("user_id", flat=True).first()
        if requested_by_id is not None
        else None
    )
    record_round(
        quote,
        QuoteRound.Kind.REQUEST,
        at=quote.requested_at,
        lines=[_asked_line(line, code.sku) for line, code in zip(created, lines, strict=True)],
        by_id=by_id,
        note=note,
    )
    payload = {"lines": [{"sku": ln.sku, "quantity": ln.quantity} for ln in lines]}
    events.record(_quote_event(quote, "quote.requested", payload))
    return quote


def _asked_line(line: QuoteLine, code: str) -> dict[str, Any]:
    return {
        "line_number": line.line_number,
        "sku": code,
        "quantity": line.quantity,
        "unit_price": None,
        "note": line.note,
    }


def _locked_quote(tenant_id: int, quote_id: int, company_id: int | None = None) -> Quote:
    quotes = Quote.objects.select_for_update(of=("self",))
    if company_id is not None:
        quotes = quotes.filter(company_id=company_id)
    return tenant_row(quotes, tenant_id, quote_id, f"No quote {quote_id}.")


def _move(quote: Quote, action: str, now: datetime) -> None:
    """Set the status `action` leads to, or refuse: 409 `quote_expired` once the answer has
    expired, else 409 `invalid_transition` where the table allows no such move."""
    status = effective_status(quote.status, quote.expires_at, now)
    if status == QuoteStatus.EXPIRED and action != QuoteAction.EXPIRE:
        raise Conflict(f"Quote {quote.number} has expired.", code="quote_expired")
    moved = target(status, action)
    if moved is None:
        raise InvalidTransition(f"Cannot {action} a quote that is {status}.")
    quote.status = moved


def _quote_lines(quote: Quote) -> list[QuoteLine]:
    return list(QuoteLine.objects.filter(quote=quote).select_related("sku").order_by("line_number"))


def _answer_errors(quote_lines: list[QuoteLine], answers: list[QuotedLine]) -> list[FieldError]:
    errors = []
    by_number = {line.line_number: line for line in quote_lines}
    seen = Counter(a.line_number for a in answers)
    for i, answer in enumerate(answers):
        at = f"lines[{i}]"
        line = by_number.get(answer.line_number)
        if line is None:
            errors.append(
                FieldError(f"{at}.line_number", "unknown_line", "The quote has no such line")
            )
        elif seen[answer.line_number] > 1:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Price each line once"))
        if answer.unit_price < 0:
            errors.append(
                FieldError(f"{at}.unit_price", "negative_price", "A price cannot be negative")
            )
        elif line is not None and answer.unit_price * line.quantity >= _MAX_AMOUNT:
            errors.append(
                FieldError(f"{at}.unit_price", "amount_too_large", "The line's amount is too large")
            )
    answered = set(seen)
    errors += [
        FieldError(
            "lines",
            "line_not_priced",
            f"Line {line.line_number} ({line.sku.code}) needs a price",
            {"line_number": line.line_number},
        )
        for line in quote_lines
        if line.line_number not in answered
    ]
    return errors


@transaction.atomic
def answer_quote(
    *,
    tenant_id: int,
    quote_id: int,
    lines: list[QuotedLine],
    expires_at: datetime,
    note: str = "",
    by_id: int | None = None,
) -> Quote:
    """The seller prices every line of a requested or countered quote, or answers an answered
    one again, valid until `expires_at` (in the future): a new round of the quote (`by_id`:
    the staff member's account). Each line also keeps the price the company would pay today
    without the quote."""
    quote = _locked_quote(tenant_id, quote_id)
    now = clock.now()
    _move(quote, QuoteAction.ANSWER, now)
    quote_lines = _quote_lines(quote)
    errors = _answer_errors(quote_lines, lines)
    if expires_at <= now:
        errors.append(
            FieldError("expires_at", "expiry_not_in_future", "The quote must expire later")
        )
    refuse(errors, "The answer cannot be given; see errors.")
    listed = check_lines(
        tenant_id,
        quote.company_id,
        [LineRequest(line.sku.code, line.quantity) for line in quote_lines],
    )
    prices = {answer.line_number: answer.unit_price for answer in lines}
    notes = {answer.line_number: answer.note for answer in lines}
    for line, checked in zip(quote_lines, listed.lines, strict=True):
        line.unit_price = prices[line.line_number]
        line.list_unit_price = checked.unit_price
        line.seller_note = notes[line.line_number]
        line.asked_unit_price = None
    QuoteLine.objects.bulk_update(
        quote_lines, ["unit_price", "list_unit_price", "seller_note", "asked_unit_price"]
    )
    quote.answered_at = now
    quote.expires_at = expires_at
    quote.seller_note = note
    quote.save()
    record_round(
        quote,
        QuoteRound.Kind.ANSWER,
        at=now,
        lines=[round_line(ln, ln.unit_price, ln.seller_note) for ln in quote_lines],
        by_id=by_id,
        note=note,
        expires_at=expires_at,
    )
    payload = {
        "expires_at": expires_at.isoformat(),
        "lines": [
            {
                "line_number": ln.line_number,
                "sku": ln.sku.code,
                "unit_price": format_unit_price(prices[ln.line_number], quote.currency),
            }
            for ln in quote_lines
        ],
    }
    events.record(_quote_event(quote, "quote.answered", payload))
    return quote


@transaction.atomic
def reject_quote(*, tenant_id: int, quote_id: int, reason: str) -> Quote:
    """The seller will not quote (or takes back an answer not yet accepted), saying why."""
    quote = _locked_quote(tenant_id, quote_id)
    _move(quote, QuoteAction.REJECT, clock.now())
    quote.reject_reason = reason
    quote.save()
    events.record(_quote_event(quote, "quote.rejected", {"reason": reason}))
    return quote


@transaction.atomic
def accept_quote(
    *,
    tenant_id: int,
    quote_id: int,
    company_id: int,
    accepted_by_id: int | None = None,
    ship_to_id: int | None = None,
    purchase_order_number: str = "",
    channel: str = "api",
) -> Order:
    """The buyer takes the answered quote: it becomes an order at the quoted prices, in the
    same transaction. After its expiry: 409 `quote_expired`, nothing changed; an order the
    rules refuse (stock, credit…) leaves the quote answered.

    The order goes to `ship_to_id`, else to the ship-to named in the request."""
    quote = _locked_quote(tenant_id, quote_id, company_id)
    _move(quote, QuoteAction.ACCEPT, clock.now())
    ship_to = ship_to_id or quote.ship_to_id
    if ship_to is None:
        raise refusal("ship_to_id", "ship_to_required", "Say where the order goes")
    quote_lines = _quote_lines(quote)
    prices = {line.sku.code: line.unit_price for line in quote_lines}
    order = place_order(
        tenant_id=tenant_id,
        company_id=quote.company_id,
        ship_to_id=ship_to,
        lines=[LineRequest(line.sku.code, line.quantity) for line in quote_lines],
        currency=quote.currency,
        purchase_order_number=purchase_order_number,
        notes=f"Quote {quote.number}",
        channel=channel,
        placed_by_id=accepted_by_id,
        quoted=QuotedPrices(quote.number, {k: v for k, v in prices.items() if v is not None}),
    )
    quote.order = order
    quote.save()
    events.record(_quote_event(quote, "quote.accepted", {"order": order.number}))
    return order


def _buyer_closes(tenant_id: int, quote_id: int, company_id: int, action: str, event: str) -> Quote:
    quote = _locked_quote(tenant_id, quote_id, company_id)
    _move(quote, action, clock.now())
    quote.save()
    events.record(_quote_event(quote, event))
    return quote


@transaction.atomic
def decline_quote(*, tenant_id: int, quote_id: int, company_id: int) -> Quote:
    """The buyer says no to the seller's answer."""
    return _buyer_closes(tenant_id, quote_id, company_id, QuoteAction.DECLINE, "quote.declined")


@transaction.atomic
def withdraw_quote(*, tenant_id: int, quote_id: int, company_id: int) -> Quote:
    """The buyer takes back a request the seller has not answered yet."""
    return _buyer_closes(tenant_id, quote_id, company_id, QuoteAction.WITHDRAW, "quote.withdrawn")


_EXPIRY_BATCH = 500


def expire_quotes(*, now: datetime | None = None) -> int:
    """Mark answered quotes past their expiry as expired, in every tenant; return how many.

    Readers already show them expired (`quote_states.effective_status`); this makes it a
    recorded fact with its `quote.expired` event. Each batch is its own short transaction;
    quotes another transaction holds (being accepted right now) are left for the next run."""
    now = now or clock.now()
    expired = 0
    while True:
        with transaction.atomic():
            due = list(
                Quote.objects.select_for_update(skip_locked=True)
                .filter(status=QuoteStatus.ANSWERED, expires_at__lte=now)
                .order_by("id")[:_EXPIRY_BATCH]
            )
            if not due:
                return expired
            for quote in due:
                quote.status = QuoteStatus.EXPIRED
            Quote.objects.bulk_update(due, ["status"])
            events.record(*(_quote_event(quote, "quote.expired") for quote in due))
            expired += len(due)
        if len(due) < _EXPIRY_BATCH:
            return expired
