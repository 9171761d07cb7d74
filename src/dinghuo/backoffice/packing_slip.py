"""A shipment's packing slip as a PDF (`core.pdf`: fpdf2, the fonts, wrapping tables).

Labels are in the reader's language and product names in the reader's language with the
catalogue's fallback — when a font that can write Chinese is found on the machine (settings
`PDF_CJK_FONT`, else the usual Debian paths). Without one the slip is written in English
with each line's name as it was frozen on the order (the catalogue's default language), so a
slip can always be printed. Codes and numbers (order number, tracking number, SKU codes) are
written in a built-in Latin font, so they stay searchable text in the file.
"""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

from dinghuo.core import pdf
from dinghuo.core.branding import brand_for
from dinghuo.core.pdf import Cell, Column, Document
from dinghuo.core.templatetags.dinghuo import date_, number
from dinghuo.fulfilment.models import Shipment
from dinghuo.orders.models import Order

# Column widths (mm) of the lines table: 180 mm in all.
COLUMNS = (30, 90, 20, 20, 20)


def render(order: Order, shipment: Shipment, names: dict[int, str]) -> bytes:
    """The packing slip of `shipment` of `order` (whose lines and shipments are loaded),
    `names` the SKU names in the reader's language."""
    font = pdf.cjk_font()
    if font is None:
        with translation.override("en"):
            return _render(order, shipment, {}, None)
    return _render(order, shipment, names, font)


def _render(order: Order, shipment: Shipment, names: dict[int, str], font: Path | None) -> bytes:
    slip = Document(font, footer_text=order.number, brand=brand_for(order.tenant_id))
    slip.set_title(f"Packing slip {order.number} / {shipment.pk}")
    slip.set_creator("Dinghuo")
    slip.add_page()
    _write_heading(slip, order, shipment)
    _write_lines(slip, shipment, names)
    slip.ln(6)
    total = sum(item.quantity for item in shipment.lines.all())
    slip.write_row(
        [Cell(gettext("%(units)s units in this parcel.") % {"units": number(total)}, 180, size=10)]
    )
    return bytes(slip.output())


def _write_heading(slip: Document, order: Order, shipment: Shipment) -> None:
    """The title, the seller, and who and how the parcel goes to."""
    slip.write_cell(120, gettext("Packing slip"), size=18, bold=True)
    slip.write_cell(60, order.number, size=18, bold=True, align="R", new_line=True)
    slip.write_cell(180, order.seller.name, size=11, new_line=True)
    slip.ln(3)

    ship_to = order.ship_to
    address = [ship_to.name, ship_to.line1, ship_to.line2, f"{ship_to.city} {ship_to.country}"]
    facts = [
        (gettext("Customer"), f"{order.company.name} ({order.company.code})"),
        (gettext("Ship to"), " · ".join(part for part in address if part and part.strip())),
        (gettext("Purchase order"), order.purchase_order_number or "-"),
        (gettext("Shipped on"), date_(shipment.shipped_at)),
        (gettext("Carrier"), shipment.carrier),
        (gettext("Tracking number"), shipment.tracking_number),
        (gettext("From warehouse"), shipment.warehouse.code if shipment.warehouse else "-"),
    ]
    for label, value in facts:
        slip.write_row([Cell(label, 40, bold=True, size=10), Cell(value, 140, size=10)])
    slip.ln(4)


def _write_lines(slip: Document, shipment: Shipment, names: dict[int, str]) -> None:
    """The table of what is in the parcel, of each line's ordered and shipped units; long
    names wrap, and the headings repeat on every page."""
    headings = (
        gettext("SKU"),
        gettext("Item"),
        gettext("In this parcel"),
        gettext("Ordered"),
        gettext("Shipped"),
    )
    columns = [
        Column(heading, width, "L" if i < 2 else "R")
        for i, (width, heading) in enumerate(zip(COLUMNS, headings, strict=True))
    ]
    rows = []
    for item in shipment.lines.all():
        line = item.order_line
        rows.append(
            (
                line.sku_code,
                names.get(line.sku_id, line.description),
                number(item.quantity),
                number(line.quantity),
                number(line.shipped_quantity),
            )
        )
    slip.write_table(columns, rows)
