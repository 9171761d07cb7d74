"""The history of a quote's negotiation: one `QuoteRound` for the request, each answer and each
counter-offer, written in the transaction of the move it records and never changed after."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max

from dinghuo.buying.models import Quote, QuoteLine, QuoteRound
from dinghuo.core.money import format_unit_price


def round_line(line: QuoteLine, unit_price: Decimal | None, note: str = "") -> dict[str, Any]:
    """One line as a round keeps it: its number, SKU code, quantity, price and note."""
    return {
        "line_number": line.line_number,
        "sku": line.sku.code,
        "quantity": line.quantity,
        "unit_price": None if unit_price is None else str(unit_price),
        "note": note,
    }


def round_price(currency: str, price: Decimal | None) -> str | None:
    """A price as an event's payload says it (the unit-price precision), or None."""
    return None if price is None else format_unit_price(price, currency)


def record_round(
    quote: Quote,
    kind: str,
    *,
    at: datetime,
    lines: list[dict[str, Any]],
    by_id: int | None = None,
    note: str = "",
    expires_at: datetime | None = None,
) -> QuoteRound:
    """Write the quote's next round (numbered from 1); the quote is locked by the caller."""
    last = QuoteRound.objects.filter(quote=quote).aggregate(last=Max("number"))["last"]
    return QuoteRound.objects.create(
        tenant_id=quote.tenant_id,
        quote=quote,
        number=(last or 0) + 1,
        kind=kind,
        by_id=by_id,
        at=at,
        note=note,
        expires_at=expires_at,
        lines=lines,
    )
