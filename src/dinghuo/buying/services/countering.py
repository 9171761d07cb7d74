"""A buyer's counter-offer on an answered quote: other prices and/or quantities per line, with
a note. The quote goes back on the seller's desk (`countered`) until the seller answers again
(a new round) or rejects it; the answer it countered stays readable in the quote's rounds."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from dinghuo.buying.models import Quote, QuoteLine, QuoteRound
from dinghuo.buying.quote_states import QuoteAction
from dinghuo.buying.services.problems import WARNINGS, moved
from dinghuo.buying.services.quote_rounds import record_round, round_line, round_price
from dinghuo.buying.services.quotes import (
    _MAX_AMOUNT,
    _locked_quote,
    _move,
    _quote_event,
    _quote_lines,
)
from dinghuo.core import clock
from dinghuo.core.errors import FieldError
from dinghuo.core.writes import refuse
from dinghuo.integrations import events
from dinghuo.orders.queries import check_lines
from dinghuo.orders.services import LineRequest

# The quantity rules of an order still hold; a missing list price does not matter here.
_COUNTER_TOLERATES = WARNINGS | {"no_price", "amount_too_large"}


@dataclass(frozen=True)
class CounterLine:
    """What the buyer proposes for one line: a quantity, and a unit price or None (the
    seller's price is fine, or the buyer leaves it to the seller)."""

    line_number: int
    quantity: int
    unit_price: Decimal | None = None


def _line_errors(by_number: dict[int, QuoteLine], offers: list[CounterLine]) -> list[FieldError]:
    errors = []
    seen = Counter(offer.line_number for offer in offers)
    for i, offer in enumerate(offers):
        at = f"lines[{i}]"
        line = by_number.get(offer.line_number)
        if line is None:
            errors.append(
                FieldError(f"{at}.line_number", "unknown_line", "The quote has no such line")
            )
        elif seen[offer.line_number] > 1:
            errors.append(FieldError(f"{at}.line_number", "duplicate_line", "Propose once a line"))
        if offer.quantity < 1:
            errors.append(
                FieldError(f"{at}.quantity", "quantity_not_positive", "Ask for at least 1")
            )
        if offer.unit_price is None:
            continue
        if offer.unit_price < 0:
            errors.append(
                FieldError(f"{at}.unit_price", "negative_price", "A price cannot be negative")
            )
        elif offer.unit_price * max(offer.quantity, 1) >= _MAX_AMOUNT:
            errors.append(
                FieldError(f"{at}.unit_price", "amount_too_large", "The line's amount is too large")
            )
    return errors


def _quantity_errors(
    quote: Quote, lines: list[QuoteLine], offers: list[CounterLine]
) -> list[FieldError]:
    """The quantities proposed, judged by the rules an order of them would meet; each line
    takes the company's price for its quantity as its list price."""
    at = {offer.line_number: i for i, offer in enumerate(offers)}
    check = check_lines(
        quote.tenant_id, quote.company_id, [LineRequest(ln.sku.code, ln.quantity) for ln in lines]
    )
    for line, checked in zip(lines, check.lines, strict=True):
        line.list_unit_price = checked.unit_price  # the company's price for the new quantity
    return [
        moved(problem, f"lines[{at.get(line.line_number, 0)}]")
        for line, checked in zip(lines, check.lines, strict=True)
        for problem in checked.problems
        if problem.code not in _COUNTER_TOLERATES
    ]


@transaction.atomic
def counter_quote(
    *,
    tenant_id: int,
    quote_id: int,
    company_id: int,
    lines: list[CounterLine],
    note: str = "",
    by_id: int | None = None,
) -> Quote:
    """The buyer answers the seller's answer with their own terms: each line named takes the
    proposed quantity and (when given) price; lines not named stay as they are. The seller's
    prices are cleared (they answered other terms) and the quote waits for them again.

    Refused (422, nothing changed): an unknown or twice-named line, a quantity below 1 or one
    an order could not have, a negative or too large price, or an offer that changes nothing
    and says nothing (`nothing_proposed`). After the answer's expiry: 409 `quote_expired`."""
    quote = _locked_quote(tenant_id, quote_id, company_id)
    now = clock.now()
    _move(quote, QuoteAction.COUNTER, now)
    quote_lines = _quote_lines(quote)
    by_number = {line.line_number: line for line in quote_lines}
    errors = _line_errors(by_number, lines)
    refuse(errors, "The counter-offer cannot be made; see errors.")
    changed = bool(note.strip())
    for offer in lines:
        line = by_number[offer.line_number]
        changed |= offer.quantity != line.quantity or (
            offer.unit_price is not None and offer.unit_price != line.unit_price
        )
        line.quantity = offer.quantity
        line.asked_unit_price = offer.unit_price
    if not changed:
        errors.append(
            FieldError("lines", "nothing_proposed", "Propose another price or quantity, or say why")
        )
    errors += _quantity_errors(quote, quote_lines, lines)
    refuse(errors, "The counter-offer cannot be made; see errors.")
    for line in quote_lines:
        line.unit_price = None
    QuoteLine.objects.bulk_update(
        quote_lines, ["quantity", "asked_unit_price", "unit_price", "list_unit_price"]
    )
    quote.expires_at = None
    quote.save()
    record_round(
        quote,
        QuoteRound.Kind.COUNTER,
        at=now,
        lines=[round_line(line, line.asked_unit_price) for line in quote_lines],
        by_id=by_id,
        note=note,
    )
    payload = {
        "note": note,
        "lines": [
            {
                "line_number": line.line_number,
                "sku": line.sku.code,
                "quantity": line.quantity,
                "unit_price": round_price(quote.currency, line.asked_unit_price),
            }
            for line in quote_lines
        ],
    }
    events.record(_quote_event(quote, "quote.countered", payload))
    return quote
