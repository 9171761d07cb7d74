"""The order response (EANCOM D.96A ORDRSP) to one ORDERS message, as segments (pure).

BGM 231 with the response's function: 29 accepted as ordered, 4 accepted with changes
(a line's price or quantity differs from what was asked, or some lines were refused), 27 not
accepted (nothing was placed; the reasons in FTX AAO). Each line: LIN with its action code
(5 accepted, 3 changed, 7 not accepted), the article as they named it, QTY 21 ordered (and
QTY 83 backordered), PRI AAA our net price, FTX AAO the reason of a change or refusal.
"""

import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from pydifact.segments import Segment

from dinghuo.edi.syntax import segment

ORDRSP = ["ORDRSP", "D", "96A", "UN", "EAN005"]
ACCEPTED, CHANGED, REFUSED = "accepted", "changed", "refused"
_LINE_ACTION = {ACCEPTED: "5", CHANGED: "3", REFUSED: "7"}
MAX_TEXT = 70  # FTX's free text element (4440) is 70 characters; longer text is split


@dataclass(eq=False)  # each line is itself (a key by identity), however alike two are
class LineAnswer:
    number: str
    gtin: str = ""
    seller_article: str = ""
    buyer_article: str = ""
    quantity_text: str = ""
    action: str = ACCEPTED
    price: Decimal | None = None  # ours, once placed
    asked_price: Decimal | None = None  # theirs (PRI), if they gave one
    backordered: int = 0
    reasons: list[str] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.action = REFUSED
        self.reasons.append(reason)


@dataclass
class OrderAnswer:
    """What became of one ORDERS message."""

    message_ref: str
    po_number: str
    buyer_gln: str
    supplier_gln: str
    delivery_gln: str = ""
    order_number: str = ""
    delivery_date: date | None = None
    currency: str = ""
    lines: list[LineAnswer] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return bool(self.order_number) and not self.reasons

    @property
    def function(self) -> str:
        """BGM's message function: 29 as ordered, 4 with changes, 27 not accepted."""
        if not self.placed:
            return "27"
        return "29" if all(line.action == ACCEPTED for line in self.lines) else "4"


def text_segments(qualifier: str, text: str) -> list[Segment]:
    """FTX segments carrying `text`, split into elements of at most 70 characters (up to
    five per segment, as 4440 repeats)."""
    parts = textwrap.wrap(text, MAX_TEXT) or [""]
    return [segment("FTX", qualifier, "", "", parts[i : i + 5]) for i in range(0, len(parts), 5)]


def order_response(answer: OrderAnswer, now: datetime) -> list[Segment]:
    """The ORDRSP body (between UNH and UNT) for `answer`."""
    number = answer.order_number or answer.po_number or answer.message_ref
    body = [
        segment("BGM", "231", number, answer.function),
        segment("DTM", ["137", now.strftime("%Y%m%d"), "102"]),
    ]
    if answer.delivery_date is not None and answer.placed:
        body.append(segment("DTM", ["2", answer.delivery_date.strftime("%Y%m%d"), "102"]))
    for reason in answer.reasons:
        body += text_segments("AAO", reason)
    body.append(segment("RFF", ["ON", answer.po_number]))
    parties = [("BY", answer.buyer_gln), ("SU", answer.supplier_gln), ("DP", answer.delivery_gln)]
    body += [segment("NAD", role, [gln, "", "9"]) for role, gln in parties if gln]
    if answer.currency:
        body.append(segment("CUX", ["2", answer.currency, "9"]))
    for line in answer.lines:
        body += _line(line, answer.placed)
    body += [segment("UNS", "S"), segment("CNT", ["2", str(len(answer.lines))])]
    return body


def _line(line: LineAnswer, placed: bool) -> list[Segment]:
    action = _LINE_ACTION[line.action] if placed or line.action == REFUSED else "7"
    article = [line.gtin, "EN"] if line.gtin else ""
    out = [segment("LIN", line.number, action, article)]
    ids = [[line.seller_article, "SA"]] if line.seller_article else []
    ids += [[line.buyer_article, "IN"]] if line.buyer_article else []
    if ids:
        out.append(segment("PIA", "5", *ids))
    if line.quantity_text:
        out.append(segment("QTY", ["21", line.quantity_text]))
    if line.backordered:
        out.append(segment("QTY", ["83", str(line.backordered)]))
    for reason in line.reasons:
        out += text_segments("AAO", reason)
    if line.price is not None and action != "7":
        out.append(segment("PRI", ["AAA", decimal_text(line.price)]))
    return out


def decimal_text(value: Decimal) -> str:
    """A decimal as EDIFACT writes it: '.' as the mark, no exponent, no trailing zeros."""
    return format(value.normalize(), "f")
