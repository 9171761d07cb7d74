"""A company's statement of account as a PDF, in the reader's language (`core.pdf`: fpdf2).

The seller's legal details and the bill-to head it, as on an invoice; then the balance
brought forward, every document of the period with the balance after it, the closing
balance, what is open at the end by how long past due (the aging), the open invoices, and
how to pay. Without a font that can write Chinese it is written in English, as invoices are.
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext, pgettext

from dinghuo.billing import aging
from dinghuo.billing.aging_export import BUCKET_LABELS
from dinghuo.billing.documents import LANGUAGES, address_lines
from dinghuo.billing.statements import Statement, describe
from dinghuo.core import pdf
from dinghuo.core.pdf import WIDTH, Cell, Column, Document
from dinghuo.core.templatetags.dinghuo import date_, money, number

# The header's two columns (mm), as on invoices: the seller left, the facts right.
LEFT, RIGHT = 100.0, 80.0
FACT_LABEL = 35.0
# The summary's label and amount columns (mm), on the right.
SUMMARY_LABEL, SUMMARY_VALUE = 60.0, 35.0


def statement_pdf(statement: Statement, language: str) -> bytes:
    """The statement as a PDF in `language` (en, zh-hant or zh-hans)."""
    font = pdf.cjk_font()
    if font is None or language not in LANGUAGES:
        language = "en"
    with translation.override(language):
        title = gettext("Statement of account")
        doc = Document(font, footer_text=f"{title} · {statement.party.name}")
        doc.set_title(f"{title} {statement.party.name}")
        doc.set_creator("Dinghuo")
        doc.add_page()
        _write_header(doc, statement, title)
        _write_summary(doc, statement)
        _write_lines(doc, statement)
        _write_aging(doc, statement)
        _write_open_items(doc, statement)
        instructions = statement.party.seller.get("payment_instructions", "").strip()
        if instructions:
            _heading(doc, gettext("Payment instructions"))
            doc.write_row([Cell(instructions, WIDTH)])
        return bytes(doc.output())


def _heading(doc: Document, text: str) -> None:
    doc.make_room(20)
    doc.write_row([Cell(text, WIDTH, bold=True, size=11)])
    doc.ln(1)


def _write_header(doc: Document, statement: Statement, title: str) -> None:
    """The seller on the left, the title and period on the right; the bill-to below."""
    seller = statement.party.seller
    top = doc.get_y()
    doc.write_row([Cell(seller.get("legal_name", ""), LEFT, bold=True, size=12)])
    if seller.get("address"):
        doc.write_row([Cell(seller["address"], LEFT, size=9)])
    if seller.get("tax_number"):
        line = gettext("Tax number: %(number)s") % {"number": seller["tax_number"]}
        doc.write_row([Cell(line, LEFT, size=9)])
    bottom = doc.get_y()
    doc.set_xy(doc.l_margin + LEFT, top)
    doc.write_row([Cell(title, RIGHT, align="R", bold=True, size=16)])
    doc.ln(1)
    facts = [
        (gettext("Period"), f"{date_(statement.start)} – {date_(statement.end)}"),
        (gettext("Currency"), statement.currency),
    ]
    for label, value in facts:
        doc.set_x(doc.l_margin + LEFT)
        doc.write_row(
            [Cell(label, FACT_LABEL, bold=True), Cell(value, RIGHT - FACT_LABEL, align="R")]
        )
    doc.set_xy(doc.l_margin, max(bottom, doc.get_y()) + 6)
    bill_to = statement.party.bill_to
    doc.write_row([Cell(gettext("Bill to"), LEFT, bold=True)])
    doc.write_row([Cell(bill_to.get("company", ""), LEFT, bold=True, size=10)])
    lines = address_lines(bill_to.get("address") or {})
    if lines:
        doc.write_row([Cell("\n".join(lines), LEFT)])
    doc.ln(6)


def _write_summary(doc: Document, statement: Statement) -> None:
    """Opening balance, what raised and lowered it, closing balance (on the right)."""
    currency = statement.currency
    rows: list[tuple[str, Decimal, bool]] = [
        (gettext("Opening balance"), statement.opening, False),
        (gettext("Invoices and refunds"), statement.debits, False),
        (gettext("Payments and credits"), statement.credits, False),
        (gettext("Closing balance"), statement.closing, True),
    ]
    for label, amount, bold in rows:
        doc.set_x(doc.l_margin + WIDTH - SUMMARY_LABEL - SUMMARY_VALUE)
        doc.write_row(
            [
                Cell(label, SUMMARY_LABEL, bold=bold, size=10),
                Cell(money(amount, currency), SUMMARY_VALUE, "R", bold, 10),
            ],
            border="B" if bold else "",
        )
    doc.ln(6)


def _write_lines(doc: Document, statement: Statement) -> None:
    """The balance brought forward, each document of the period with the balance after it,
    and the closing balance."""
    currency = statement.currency
    columns = [
        Column(gettext("Date"), 24),
        Column(gettext("Document"), 30),
        Column(gettext("Description"), 56),
        Column(pgettext("statement", "Debit"), 23, "R"),
        Column(pgettext("statement", "Credit"), 23, "R"),
        Column(gettext("Balance"), 24, "R"),
    ]
    rows = [
        (
            date_(statement.start),
            "",
            gettext("Balance brought forward"),
            "",
            "",
            money(statement.opening, currency),
        )
    ]
    for line in statement.lines:
        movement = line.movement
        rows.append(
            (
                date_(movement.day),
                movement.reference or "-",
                describe(movement),
                money(movement.debit, currency) if movement.debit is not None else "",
                money(movement.credit, currency) if movement.credit is not None else "",
                money(line.balance, currency),
            )
        )
    rows.append(
        (
            date_(statement.end),
            "",
            gettext("Closing balance"),
            "",
            "",
            money(statement.closing, currency),
        )
    )
    doc.write_table(columns, rows)
    doc.ln(6)


def _write_aging(doc: Document, statement: Statement) -> None:
    """What is open at the end, by how long past due, and the unapplied credit."""
    currency = statement.currency
    _heading(doc, gettext("Open on %(day)s") % {"day": date_(statement.end)})
    width = WIDTH / (len(aging.BUCKETS) + 1)
    columns = [Column(str(BUCKET_LABELS[name]), width, "R") for name in aging.BUCKETS]
    columns.append(Column(gettext("Total open"), width, "R"))
    amounts = [*statement.aged.by_bucket().values(), statement.aged.total]
    doc.write_table(columns, [[money(amount, currency) for amount in amounts]])
    if statement.unapplied > 0:
        doc.ln(2)
        line = gettext("Unapplied credit: %(amount)s") % {
            "amount": money(statement.unapplied, currency)
        }
        doc.write_row([Cell(line, WIDTH, size=10)])
    doc.ln(6)


def _write_open_items(doc: Document, statement: Statement) -> None:
    """Each invoice open at the end: its dates, days past due, total and what is open."""
    if not statement.open_items:
        return
    currency = statement.currency
    _heading(doc, gettext("Open invoices"))
    columns = [
        Column(gettext("Invoice"), 32),
        Column(gettext("Issued on"), 28),
        Column(gettext("Due date"), 28),
        Column(gettext("Days overdue"), 22, "R"),
        Column(gettext("Total"), 35, "R"),
        Column(gettext("Amount due"), 35, "R"),
    ]
    rows = (
        (
            item.number,
            date_(item.issued_on),
            date_(item.due_on),
            number(item.days_overdue) if item.days_overdue else "-",
            money(item.total, currency),
            money(item.open_amount, currency),
        )
        for item in statement.open_items
    )
    doc.write_table(columns, rows)
    doc.ln(6)
