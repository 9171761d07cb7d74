"""Despatch advices (DESADV) and invoices (INVOIC) in EANCOM D.96A, as segments (pure).

DESADV, one per shipment: BGM 351, the despatch date (DTM 11), the buyer's order number
(RFF ON) and ours (RFF VN), the carrier's reference (RFF CN), the parties, the carrier (TDT),
then the shipment as one consignment (CPS 1) and its lines: LIN with the GTIN, PIA with our
and their article numbers, QTY 12 (units despatched), RFF ON with the buyer's line number.
Packages with an SSCC (PAC, PCI, GIN BJ) need a package record the platform does not keep
yet; the shipment is then described by its lines only, as EANCOM allows.

INVOIC, one per invoice: BGM 380, DTM 137 (issued), the orders (RFF ON, RFF VN) and the
shipment (RFF AAK), the parties, CUX, PAT (due date), the lines (QTY 47, MOA 203 the line's
net, PRI AAA the unit price, TAX 7 VAT with its percent) and the totals: MOA 79 (lines), 125
(taxable), 176 (tax), 77 (the invoice's amount).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from pydifact.segments import Segment

from dinghuo.edi.syntax import segment

DESADV = ["DESADV", "D", "96A", "UN", "EAN007"]
INVOIC = ["INVOIC", "D", "96A", "UN", "EAN008"]


def day(value: date | datetime) -> list[str]:
    """A DTM value as CCYYMMDD (format 102)."""
    return [value.strftime("%Y%m%d"), "102"]


def amount(value: Decimal) -> str:
    """An amount as EDIFACT writes it: '.' as the mark, no exponent."""
    return format(value, "f")


@dataclass(frozen=True)
class Parties:
    buyer: str
    supplier: str
    delivery: str = ""

    def segments(self) -> list[Segment]:
        roles = [("BY", self.buyer), ("SU", self.supplier), ("DP", self.delivery)]
        return [segment("NAD", role, [gln, "", "9"]) for role, gln in roles if gln]


@dataclass(frozen=True)
class Item:
    """A line of a document: the article as both sides name it, units, the buyer's line."""

    gtin: str
    sku: str
    buyer_article: str
    quantity: int
    buyer_line: str = ""
    unit_price: Decimal | None = None
    net: Decimal | None = None
    tax_percent: Decimal | None = None

    def article_segments(self, number: int) -> list[Segment]:
        out = [segment("LIN", str(number), "", [self.gtin, "EN"] if self.gtin else "")]
        ids = [[self.sku, "SA"]] + ([[self.buyer_article, "IN"]] if self.buyer_article else [])
        out.append(segment("PIA", "5", *ids))
        return out


@dataclass(frozen=True)
class Despatch:
    number: str
    shipped_at: datetime
    po_number: str
    order_number: str
    carrier: str
    tracking_number: str
    parties: Parties
    items: list[Item] = field(default_factory=list)


def despatch_advice(despatch: Despatch, now: datetime) -> list[Segment]:
    """The DESADV body (between UNH and UNT) of one shipment."""
    body = [
        segment("BGM", "351", despatch.number, "9"),
        segment("DTM", ["137", *day(now)]),
        segment("DTM", ["11", *day(despatch.shipped_at)]),
    ]
    if despatch.po_number:
        body.append(segment("RFF", ["ON", despatch.po_number]))
    body.append(segment("RFF", ["VN", despatch.order_number]))
    if despatch.tracking_number:
        body.append(segment("RFF", ["CN", despatch.tracking_number]))
    body += despatch.parties.segments()
    body.append(segment("TDT", "20", "", "30", "", ["", "", "", despatch.carrier]))
    body.append(segment("CPS", "1"))
    for number, item in enumerate(despatch.items, start=1):
        body += item.article_segments(number)
        body.append(segment("QTY", ["12", str(item.quantity)]))
        if despatch.po_number and item.buyer_line:
            body.append(segment("RFF", ["ON", despatch.po_number, item.buyer_line]))
    body.append(segment("CNT", ["2", str(len(despatch.items))]))
    return body


@dataclass(frozen=True)
class Billing:
    number: str
    issued_on: date
    due_on: date
    currency: str
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    po_numbers: list[str]
    order_numbers: list[str]
    despatch_number: str
    parties: Parties
    items: list[Item] = field(default_factory=list)


def invoice(billing: Billing, now: datetime) -> list[Segment]:
    """The INVOIC body (between UNH and UNT) of one invoice."""
    body = [
        segment("BGM", "380", billing.number, "9"),
        segment("DTM", ["137", *day(billing.issued_on)]),
    ]
    body += [segment("RFF", ["ON", po]) for po in billing.po_numbers if po]
    body += [segment("RFF", ["VN", number]) for number in billing.order_numbers]
    if billing.despatch_number:
        body.append(segment("RFF", ["AAK", billing.despatch_number]))
    body += billing.parties.segments()
    body.append(segment("CUX", ["2", billing.currency, "4"]))
    body.append(segment("PAT", "1"))
    body.append(segment("DTM", ["13", *day(billing.due_on)]))
    for number, item in enumerate(billing.items, start=1):
        body += item.article_segments(number)
        body.append(segment("QTY", ["47", str(item.quantity)]))
        if item.net is not None:
            body.append(segment("MOA", ["203", amount(item.net)]))
        if item.unit_price is not None:
            body.append(segment("PRI", ["AAA", amount(item.unit_price)]))
        if item.tax_percent is not None:
            body.append(
                segment("TAX", "7", "VAT", "", "", ["", "", "", amount(item.tax_percent)], "S")
            )
    body += [
        segment("UNS", "S"),
        segment("CNT", ["2", str(len(billing.items))]),
        segment("MOA", ["79", amount(billing.net_total)]),
        segment("MOA", ["125", amount(billing.net_total)]),
        segment("MOA", ["176", amount(billing.tax_total)]),
        segment("MOA", ["77", amount(billing.total)]),
    ]
    return body
