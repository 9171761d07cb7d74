"""Invoices and credit notes as PDF, in the buyer's language (`core.pdf`: fpdf2).

What a document prints was frozen on it when it was issued (the seller's legal details, the
bill-to, the lines with their prices and tax); labels, dates, money, payment terms and the
names of taxes are written in the reader's language, amounts with the currency's minor units.
Without a font that can write Chinese the document is written in English, as the packing
slip is. Each page has the document's number and its page number in the footer; the lines
table repeats its headings on every page it flows onto.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from dinghuo.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Receivable
from dinghuo.core import pdf
from dinghuo.core.branding import brand_for
from dinghuo.core.pdf import WIDTH, Cell, Column, Document
from dinghuo.core.templatetags.dinghuo import babel_locale, date_, money, number, unit_price
from dinghuo.customers import terms
from dinghuo.orders.models import Order, order_number
from dinghuo.pricing.models import TaxRate

LANGUAGES = ("en", "zh-hant", "zh-hans")
# The header's two columns (mm): the seller on the left, the document's facts on the right.
LEFT, RIGHT = 100.0, 80.0
FACT_LABEL = 35.0
INSTRUCTIONS = 85.0  # the width of the payment instructions beside the totals


@dataclass(frozen=True)
class TaxRow:
    """A document's lines of one tax rate, summed."""

    name: str
    percent: Decimal
    net: Decimal
    tax: Decimal


def invoice_pdf(invoice: Invoice, language: str) -> bytes:
    """The invoice as a PDF in `language` (en, zh-hant or zh-hans), its lines loaded or not
    (`queries.invoice_detail` loads them with what is paid and still open)."""
    font = pdf.cjk_font()
    with translation.override(_language(language, font)):
        doc = _document(font, invoice.number, gettext("Invoice"), invoice.tenant_id)
        lines = list(invoice.lines.all())
        _write_header(
            doc, invoice.seller_details, gettext("Invoice"), invoice.number, _invoice_facts(invoice)
        )
        _write_parties(doc, invoice.bill_to, _what_it_bills(invoice, lines))
        _write_invoice_lines(doc, invoice, lines)
        names = _rate_names(line.tax_rate_id for line in lines)
        _write_tax_summary(doc, _tax_rows(lines, names), invoice.currency)
        instructions = invoice.seller_details.get("payment_instructions", "")
        _write_totals(doc, _invoice_totals(invoice), invoice.currency, instructions)
        return bytes(doc.output())


def credit_note_pdf(note: CreditNote, language: str) -> bytes:
    """The credit note as a PDF in `language` (en, zh-hant or zh-hans), with the invoice it
    corrects (`queries.credit_note_detail` loads both and the lines)."""
    font = pdf.cjk_font()
    with translation.override(_language(language, font)):
        doc = _document(font, note.number, gettext("Credit note"), note.tenant_id)
        lines = list(note.lines.all())
        invoice = note.invoice
        facts = [
            (gettext("Issued on"), date_(note.issued_on)),
            (gettext("Invoice"), invoice.number),
            (gettext("Invoice date"), date_(invoice.issued_on)),
        ]
        _write_header(doc, note.seller_details, gettext("Credit note"), note.number, facts)
        _write_parties(doc, note.bill_to, [(gettext("Reason"), note.reason)])
        sources = _credited_lines(lines)
        names = _note_rate_names(invoice, lines)
        _write_note_lines(doc, note, lines, sources, names)
        _write_tax_summary(doc, _tax_rows(lines, names), note.currency)
        totals = [
            (gettext("Subtotal before tax"), note.net_total, False),
            (gettext("Tax"), note.tax_total, False),
            (gettext("Total credited"), note.total, True),
        ]
        _write_totals(doc, totals, note.currency)
        return bytes(doc.output())


def _language(language: str, font: Path | None) -> str:
    """The language to write in: English without a Chinese font, or for an unknown one."""
    if font is None or language not in LANGUAGES:
        return "en"
    return language


def _document(font: Path | None, number_: str, title: str, tenant_id: int) -> Document:
    doc = Document(font, footer_text=number_, brand=brand_for(tenant_id))
    doc.set_title(f"{title} {number_}")
    doc.set_creator("Dinghuo")
    doc.add_page()
    return doc


def _invoice_facts(invoice: Invoice) -> list[tuple[str, str]]:
    return [
        (gettext("Issued on"), date_(invoice.issued_on)),
        (gettext("Due date"), date_(invoice.due_on)),
        (gettext("Payment terms"), payment_terms(invoice.terms, invoice.terms_days)),
    ]


def payment_terms(kind: str, days: int) -> str:
    """Payment terms in the active language ("Net 30 days", "30 天付款"), in the words the
    pages use for a company's terms (`customers.terms.describe` says them in English)."""
    if kind == terms.PREPAID:
        return gettext("Prepaid")
    if kind == terms.END_OF_MONTH:
        if not days:
            return gettext("End of month")
        return gettext("End of month + %(days)d days") % {"days": days}
    return gettext("Net %(days)d days") % {"days": days}


def _write_header(
    doc: Document, seller: dict[str, Any], title: str, number_: str, facts: list[tuple[str, str]]
) -> None:
    """The seller's legal details on the left; the title, number and facts on the right."""
    top = doc.get_y()
    doc.write_row([Cell(seller.get("legal_name", ""), LEFT, bold=True, size=12)])
    address = seller.get("address", "")
    if address:
        doc.write_row([Cell(address, LEFT, size=9)])
    if seller.get("tax_number"):
        line = gettext("Tax number: %(number)s") % {"number": seller["tax_number"]}
        doc.write_row([Cell(line, LEFT, size=9)])
    bottom = doc.get_y()
    doc.set_xy(doc.l_margin + LEFT, top)
    doc.write_row([Cell(title, RIGHT, align="R", bold=True, size=18)])
    doc.write_row([Cell(number_, RIGHT, align="R", bold=True, size=12)])
    doc.ln(1)
    doc.set_x(doc.l_margin + LEFT)
    for label, value in facts:
        doc.write_row(
            [Cell(label, FACT_LABEL, bold=True), Cell(value, RIGHT - FACT_LABEL, align="R")]
        )
    doc.set_xy(doc.l_margin, max(bottom, doc.get_y()) + 6)


def _write_parties(doc: Document, bill_to: dict[str, Any], facts: list[tuple[str, str]]) -> None:
    """Who the document is for (bill-to) on the left; what it is about on the right."""
    top = doc.get_y()
    doc.write_row([Cell(gettext("Bill to"), LEFT, bold=True)])
    doc.write_row([Cell(bill_to.get("company", ""), LEFT, bold=True, size=10)])
    lines = address_lines(bill_to.get("address") or {})
    if lines:
        doc.write_row([Cell("\n".join(lines), LEFT)])
    bottom = doc.get_y()
    doc.set_xy(doc.l_margin + LEFT, top)
    for label, value in facts:
        doc.write_row([Cell(label, RIGHT, bold=True)])
        doc.write_row([Cell(value, RIGHT)])
    doc.set_xy(doc.l_margin, max(bottom, doc.get_y()) + 6)


def address_lines(address: dict[str, str]) -> list[str]:
    """A frozen address as printed: its lines, the city with its postal code, and the
    country's name in the active language."""
    country = address.get("country", "")
    city = " ".join(p for p in (address.get("postal_code", ""), address.get("city", "")) if p)
    parts = [
        address.get("name", ""),
        address.get("line1", ""),
        address.get("line2", ""),
        city,
        str(babel_locale().territories.get(country, country)) if country else "",
    ]
    return [part.strip() for part in parts if part and part.strip()]


def _what_it_bills(invoice: Invoice, lines: list[InvoiceLine]) -> list[tuple[str, str]]:
    """The orders the invoice bills, and its shipment (when, by whom) or its period."""
    order_ids = sorted({line.order_id for line in lines})
    facts = [(gettext("Orders"), ", ".join(order_number(order_id) for order_id in order_ids))]
    if invoice.period_start and invoice.period_end:
        period = f"{date_(invoice.period_start)} – {date_(invoice.period_end)}"
        facts.append((gettext("Period"), period))
    elif invoice.shipment_id and order_ids:
        shipment = _shipment(order_ids[0], invoice.shipment_id)
        if shipment is not None:
            facts.append((gettext("Shipped on"), shipment))
    return facts


def _shipment(order_id: int, shipment_id: int) -> str | None:
    """When and how the shipment went ("Mar 4, 2025 · SF Express SF123"), read through the
    order (fulfilment's table, which billing does not import)."""
    found = (
        Order.objects.filter(pk=order_id, shipments__id=shipment_id)
        .values_list("shipments__shipped_at", "shipments__carrier", "shipments__tracking_number")
        .first()
    )
    if found is None:
        return None
    shipped_at, carrier, tracking = found
    return " · ".join(p for p in (date_(shipped_at), f"{carrier} {tracking}".strip()) if p)


def _write_invoice_lines(doc: Document, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    columns = [
        Column(gettext("SKU"), 26),
        Column(gettext("Item"), 62),
        Column(gettext("Quantity"), 16, "R"),
        Column(gettext("Unit price"), 26, "R"),
        Column(gettext("Tax rate"), 16, "R"),
        Column(gettext("Amount before tax"), 34, "R"),
    ]
    currency = invoice.currency
    rows = (
        (
            line.sku_code,
            line.description,
            number(line.quantity),
            unit_price(line.unit_price, currency),
            _percent(line.tax_percent) if line.tax_rate_id else "-",
            money(line.net_amount, currency),
        )
        for line in lines
    )
    doc.write_table(columns, rows)
    doc.ln(4)


def _write_note_lines(
    doc: Document,
    note: CreditNote,
    lines: list[CreditNoteLine],
    sources: dict[int, InvoiceLine],
    names: dict[tuple[str, Decimal], str],
) -> None:
    columns = [
        Column(gettext("SKU"), 24),
        Column(gettext("Item"), 64),
        Column(gettext("Quantity"), 16, "R"),
        Column(gettext("Tax rate"), 16, "R"),
        Column(gettext("Amount before tax"), 34, "R"),
        Column(gettext("Tax"), 26, "R"),
    ]
    currency = note.currency
    rows = []
    for line in lines:
        source = sources.get(line.invoice_line_id) if line.invoice_line_id else None
        taxed = (line.tax_name, line.tax_percent) in names
        rows.append(
            (
                source.sku_code if source else "-",
                line.description,
                number(line.quantity) if line.quantity else "-",
                _percent(line.tax_percent) if taxed else "-",
                money(line.net_amount, currency),
                money(line.tax_amount, currency),
            )
        )
    doc.write_table(columns, rows)
    doc.ln(4)


def _percent(value: Decimal) -> str:
    return f"{number(value)}%"


def _credited_lines(lines: list[CreditNoteLine]) -> dict[int, InvoiceLine]:
    """The invoice lines the credit note's lines give units back of (one query)."""
    ids = [line.invoice_line_id for line in lines if line.invoice_line_id]
    return {line.pk: line for line in InvoiceLine.objects.filter(pk__in=ids)} if ids else {}


def _rate_names(rate_ids: Iterable[int | None]) -> dict[int, str]:
    """The names of these tax rates in the active language (one query)."""
    wanted = {rate_id for rate_id in rate_ids if rate_id}
    if not wanted:
        return {}
    return {rate.pk: str(rate.name) for rate in TaxRate.objects.filter(pk__in=wanted)}


def _note_rate_names(
    invoice: Invoice, lines: list[CreditNoteLine]
) -> dict[tuple[str, Decimal], str]:
    """The name in the active language of each (frozen name, percent) a credit note's lines
    carry, from the rates of the invoice's lines (two queries)."""
    used = {(line.tax_name, line.tax_percent) for line in lines if line.tax_name}
    rates = {
        (name, percent): rate_id
        for name, percent, rate_id in InvoiceLine.objects.filter(
            invoice=invoice, tax_rate__isnull=False
        ).values_list("tax_name", "tax_percent", "tax_rate_id")
        if (name, percent) in used
    }
    names = _rate_names(rates.values())
    return {key: names.get(rate_id, key[0]) for key, rate_id in rates.items()}


def _tax_rows(lines: Iterable[InvoiceLine | CreditNoteLine], names: dict[Any, str]) -> list[TaxRow]:
    """Tax per rate, in order of percent; lines charged no rate are left out. `names` gives
    each rate's name by its id (invoice lines) or by (frozen name, percent) (credit notes)."""
    sums: dict[tuple[Decimal, str], tuple[Decimal, Decimal]] = {}
    for line in lines:
        key = (
            line.tax_rate_id if isinstance(line, InvoiceLine) else (line.tax_name, line.tax_percent)
        )
        if key is None or key not in names:
            continue
        group = (line.tax_percent, names[key])
        net, tax = sums.get(group, (Decimal(0), Decimal(0)))
        sums[group] = (net + line.net_amount, tax + line.tax_amount)
    return [TaxRow(name, percent, *sums[percent, name]) for percent, name in sorted(sums)]


def _write_tax_summary(doc: Document, rows: list[TaxRow], currency: str) -> None:
    """A table of the tax per rate: its name and percent, the net taxed and the tax."""
    if not rows:
        return
    columns = [
        Column(gettext("Tax rate"), 60),
        Column(gettext("Amount before tax"), 35, "R"),
        Column(gettext("Tax"), 35, "R"),
    ]
    doc.write_table(
        columns,
        (
            (
                f"{row.name} {_percent(row.percent)}",
                money(row.net, currency),
                money(row.tax, currency),
            )
            for row in rows
        ),
    )
    doc.ln(4)


def _invoice_totals(invoice: Invoice) -> list[tuple[str, Decimal, bool]]:
    """Net, tax and total; then what payments and credit notes settled and what is still
    due, when the invoice's open amount is known."""
    totals = [
        (gettext("Subtotal before tax"), invoice.net_total, False),
        (gettext("Tax"), invoice.tax_total, False),
        (gettext("Total"), invoice.total, True),
    ]
    try:
        open_amount = invoice.receivable.open_amount
    except Receivable.DoesNotExist:
        return totals
    paid = credited = Decimal(0)
    for allocation in invoice.allocations.all():
        if allocation.payment_id:
            paid += allocation.amount
        else:
            credited += allocation.amount
    if paid:
        totals.append((gettext("Paid"), paid, False))
    if credited:
        totals.append((gettext("Credited"), credited, False))
    totals.append((gettext("Amount due"), open_amount, True))
    return totals


def _write_totals(
    doc: Document,
    totals: list[tuple[str, Decimal, bool]],
    currency: str,
    instructions: str = "",
) -> None:
    """The totals on the right under the lines, and beside them on the left how to pay (as
    the seller wrote it), kept together on one page."""
    label, value = 55.0, 35.0
    rows = [
        [Cell(name, label, bold=bold, size=10), Cell(money(amount, currency), value, "R", bold, 10)]
        for name, amount, bold in totals
    ]
    beside = []
    if instructions.strip():
        beside = [
            Cell(gettext("How to pay"), INSTRUCTIONS, bold=True, size=10),
            Cell(instructions.strip(), INSTRUCTIONS),
        ]
    height = max(sum(doc.row_height(row) for row in rows), sum(doc.row_height([c]) for c in beside))
    doc.make_room(height)
    top = doc.get_y()
    for cell in beside:
        doc.write_row([cell])
    bottom = doc.get_y()
    doc.set_y(top)
    for row in rows:
        doc.set_x(doc.l_margin + WIDTH - label - value)
        doc.write_row(row, border="B" if row[0].bold else "")
    doc.set_xy(doc.l_margin, max(bottom, doc.get_y()) + 6)
