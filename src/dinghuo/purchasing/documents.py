"""A purchase order as a PDF (`core.pdf`: the layout every document shares), for the
supplier: the PO number, the buyer (the seller), the supplier and its contact, where to
deliver, the expected date, and the lines (our SKU, the supplier's code, quantity, unit cost,
amount) with the total in the supplier's currency.

Written in the reader's language (en, zh-hant or zh-hans) when a font that can write Chinese
is found, else in English; codes and numbers stay searchable text."""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

from dinghuo.core import pdf
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount, format_unit_price
from dinghuo.core.pdf import WIDTH, Cell, Column, Document
from dinghuo.core.templatetags.dinghuo import date_, number
from dinghuo.purchasing import queries
from dinghuo.purchasing.models import PurchaseOrder, SupplierItem

LANGUAGES = ("en", "zh-hant", "zh-hans")
LABEL = 45.0
COLUMNS = (34.0, 34.0, 24.0, 40.0, 48.0)  # 180 mm in all


def po_pdf(tenant_id: int, po_id: int, language: str = "en") -> tuple[bytes, str]:
    """One of the tenant's POs as a PDF in `language` (404 for another's), and its name."""
    po = queries.purchase_order(tenant_id, po_id)
    seller = Seller.objects.filter(tenant_id=tenant_id, is_primary=True).first()
    codes = dict(
        SupplierItem.objects.filter(supplier_id=po.supplier_id).values_list(
            "sku_id", "supplier_code"
        )
    )
    font = pdf.cjk_font()
    with translation.override(language if font and language in LANGUAGES else "en"):
        content = _render(po, seller.name if seller else "", codes, font)
    return content, f"{po.number}.pdf"


def _render(po: PurchaseOrder, buyer: str, codes: dict[int, str], font: Path | None) -> bytes:
    doc = Document(font, footer_text=po.number)
    doc.set_title(f"Purchase order {po.number}")
    doc.set_creator("Dinghuo")
    doc.add_page()
    doc.write_cell(110, gettext("Purchase order"), size=18, bold=True)
    doc.write_cell(70, po.number, size=18, bold=True, align="R", new_line=True)
    doc.write_row([Cell(buyer, WIDTH, size=11)])
    doc.ln(3)
    supplier = po.supplier
    contact = ", ".join(
        part
        for part in (supplier.contact_name, supplier.contact_email, supplier.contact_phone)
        if part
    )
    facts = [
        (gettext("Supplier"), f"{supplier.name} ({supplier.code})"),
        (gettext("Contact"), contact),
        (gettext("Deliver to"), "\n".join([po.warehouse.name, po.warehouse.address]).strip()),
        (gettext("Ordered on"), date_(po.approved_at or po.created_at)),
        (gettext("Expected"), date_(po.expected_date) if po.expected_date else ""),
    ]
    for label, value in facts:
        if value:
            doc.write_row(
                [Cell(label, LABEL, bold=True, size=10), Cell(value, WIDTH - LABEL, size=10)]
            )
    doc.ln(4)
    _write_lines(doc, po, codes)
    return bytes(doc.output())


def _write_lines(doc: Document, po: PurchaseOrder, codes: dict[int, str]) -> None:
    headings = (
        gettext("SKU"),
        gettext("Your code"),
        gettext("Quantity"),
        gettext("Unit cost"),
        gettext("Amount"),
    )
    columns = [
        Column(heading, width, align)
        for heading, width, align in zip(headings, COLUMNS, ("L", "L", "R", "R", "R"), strict=True)
    ]
    rows = [
        (
            line.sku.code,
            codes.get(line.sku_id, ""),
            number(line.quantity),
            format_unit_price(line.unit_cost, po.currency),
            format_amount(line.quantity * line.unit_cost, po.currency),
        )
        for line in po.lines.all()
    ]
    total = format_amount(po.total, po.currency)
    rows.append(("", "", "", gettext("Total"), f"{total} {po.currency}"))
    doc.write_table(columns, rows)
