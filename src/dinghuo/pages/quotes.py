"""A quote's rounds (request, answers, counter-offers) as the portal and the back office show
them: who said what, when, line by line, in the reader's language."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.buying.models import Quote, QuoteRound

KIND_LABELS: dict[str, Any] = {
    QuoteRound.Kind.REQUEST: _("Request"),
    QuoteRound.Kind.ANSWER: _("Answer"),
    QuoteRound.Kind.COUNTER: _("Counter-offer"),
}


@dataclass(frozen=True)
class RoundLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal | None
    note: str


@dataclass(frozen=True)
class RoundRow:
    number: int
    kind: str
    kind_label: str
    party: str  # "buyer" or "seller"
    who: str
    at: datetime
    note: str
    expires_at: datetime | None
    lines: list[RoundLine]


def _person(found: QuoteRound) -> str:
    user = found.by
    if user is None:
        return ""
    return str(user.get_full_name() or user.email or "")


def _who(found: QuoteRound, party: str, quote: Quote, for_buyer: bool) -> str:
    person = _person(found)
    if party == "seller":
        if for_buyer:
            return gettext("The seller")
        return person or gettext("Staff")
    if for_buyer:
        return person or gettext("Your company")
    company = quote.company.name
    return f"{person} ({company})" if person else company


def round_rows(quote: Quote, names: dict[str, str], *, for_buyer: bool) -> list[RoundRow]:
    """The quote's rounds, oldest first (rounds with `by` loaded); `names` by SKU code."""
    rows = []
    for found in quote.rounds.all():
        party = "seller" if found.kind == QuoteRound.Kind.ANSWER else "buyer"
        lines = [
            RoundLine(
                sku=line["sku"],
                name=names.get(line["sku"], line["sku"]),
                quantity=line["quantity"],
                unit_price=None if line["unit_price"] is None else Decimal(line["unit_price"]),
                note=line.get("note", ""),
            )
            for line in found.lines
        ]
        rows.append(
            RoundRow(
                number=found.number,
                kind=found.kind,
                kind_label=str(KIND_LABELS.get(found.kind, found.kind)),
                party=party,
                who=_who(found, party, quote, for_buyer),
                at=found.at,
                note=found.note,
                expires_at=found.expires_at,
                lines=lines,
            )
        )
    return rows
