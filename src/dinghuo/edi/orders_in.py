"""An EANCOM D.96A ORDERS message read into plain values (pure, no database).

Segments read: BGM (220, the buyer's order number, function 9 = original), DTM 137 (the
order's date) and 2 (delivery requested), NAD BY / DP / SU (GLNs, agency 9), and per line
LIN (line number, GTIN typed EN or SRV), PIA (SA = the seller's article number, IN = the
buyer's), QTY 21 (ordered units) and PRI AAA/AAB (the price the buyer expects); UNS, CNT 2
(the number of lines, checked when given). Everything else is read past, as EANCOM allows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydifact.segments import Segment

from dinghuo.edi.syntax import Message, Problem, element

SUPPORTED_VERSION = ("D", "96A", "UN")
MAX_UNITS = 1_000_000_000


@dataclass(frozen=True)
class OrderLineIn:
    number: str
    gtin: str = ""
    seller_article: str = ""
    buyer_article: str = ""
    quantity: int | None = None
    quantity_text: str = ""
    price: Decimal | None = None

    def article(self) -> str:
        """How the buyer named the article, for the answer's words."""
        if self.gtin:
            return f"GTIN {self.gtin}"
        if self.seller_article:
            return f"our article {self.seller_article}"
        return f"their article {self.buyer_article}" if self.buyer_article else "no article"


@dataclass
class OrdersDocument:
    message_ref: str
    po_number: str = ""
    function: str = ""
    document_date: date | None = None
    delivery_date: date | None = None
    parties: dict[str, str] = field(default_factory=dict)
    lines: list[OrderLineIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, text: str, line: str = "") -> None:
        self.problems.append(Problem(code, text, message_ref=self.message_ref, line=line))


def read_orders(message: Message) -> OrdersDocument:
    """The order of one ORDERS message, with every problem found in it."""
    doc = OrdersDocument(message_ref=message.ref)
    if message.type != "ORDERS" or tuple(message.version[:3]) != SUPPORTED_VERSION:
        doc.problem(
            "edi_unsupported_message",
            f"Message {message.ref} is {':'.join([message.type, *message.version])}; "
            "only ORDERS:D:96A:UN (EANCOM) is read.",
        )
        return doc
    current: list[Segment] | None = None
    groups: list[list[Segment]] = []
    counted: str | None = None
    for seg in message.segments:
        if seg.tag == "LIN":
            current = [seg]
            groups.append(current)
        elif seg.tag == "UNS":
            current = None
        elif seg.tag == "CNT" and element(seg, 0) == "2":
            counted = element(seg, 0, 1)
        elif current is not None:
            current.append(seg)
        else:
            _read_heading(doc, seg)
    doc.lines = [_read_line(doc, group) for group in groups]
    _check_heading(doc, counted)
    return doc


def _read_heading(doc: OrdersDocument, seg: Segment) -> None:
    if seg.tag == "BGM":
        doc.po_number = element(seg, 1)
        doc.function = element(seg, 2) or "9"
        if element(seg, 0) not in ("220", "") or doc.function != "9":
            doc.problem(
                "edi_unsupported_function",
                f"BGM {element(seg, 0)} function {doc.function}: only original orders "
                "(220, function 9) are accepted; send changes and cancellations otherwise.",
            )
    elif seg.tag == "DTM":
        qualifier = element(seg, 0)
        if qualifier in ("137", "2"):
            day = _day(element(seg, 0, 1), element(seg, 0, 2))
            if day is None:
                doc.problem("edi_bad_date", f"DTM {qualifier} holds no date we can read.")
            elif qualifier == "137":
                doc.document_date = day
            else:
                doc.delivery_date = day
    elif seg.tag == "NAD":
        doc.parties[element(seg, 0)] = element(seg, 1)


def _check_heading(doc: OrdersDocument, counted: str | None) -> None:
    if not doc.po_number:
        doc.problem("edi_missing_order_number", "BGM gives no order number.")
    for qualifier, role in (("BY", "buyer"), ("DP", "delivery point")):
        if not doc.parties.get(qualifier):
            doc.problem("edi_missing_party", f"NAD+{qualifier} (the {role}'s GLN) is missing.")
    if not doc.lines:
        doc.problem("edi_no_lines", "The order has no LIN lines.")
    if counted is not None and counted != str(len(doc.lines)):
        doc.problem(
            "edi_line_count", f"CNT+2 counts {counted} lines; the order has {len(doc.lines)}."
        )


def _read_line(doc: OrdersDocument, group: list[Segment]) -> OrderLineIn:
    lin = group[0]
    number = element(lin, 0)
    gtin = element(lin, 2) if element(lin, 2, 1) in ("EN", "SRV") else ""
    seller_article = buyer_article = ""
    quantity_text = ""
    price: Decimal | None = None
    for seg in group[1:]:
        if seg.tag == "PIA":
            for index in range(1, len(seg.elements)):
                kind = element(seg, index, 1)
                if kind == "SA":
                    seller_article = seller_article or element(seg, index)
                elif kind == "IN":
                    buyer_article = buyer_article or element(seg, index)
        elif seg.tag == "QTY" and element(seg, 0) == "21":
            quantity_text = element(seg, 0, 1)
        elif seg.tag == "PRI" and element(seg, 0) in ("AAA", "AAB") and price is None:
            price = _decimal(element(seg, 0, 1))
    quantity = _units(quantity_text)
    if quantity is None:
        doc.problem(
            "edi_bad_quantity",
            f"Line {number}: QTY+21 must be a whole number of units from 1 "
            f"(given: {quantity_text or 'none'}).",
            line=number,
        )
    return OrderLineIn(number, gtin, seller_article, buyer_article, quantity, quantity_text, price)


def _units(text: str) -> int | None:
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_UNITS else None


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _day(text: str, format_code: str) -> date | None:
    formats = {"102": ("%Y%m%d", 8), "203": ("%Y%m%d%H%M", 12), "204": ("%Y%m%d%H%M%S", 14)}
    pattern, length = formats.get(format_code or "102", ("", 0))
    if not pattern or len(text) != length:
        return None
    try:
        return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day)
    except ValueError:
        return None
