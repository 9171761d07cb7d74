"""A shipment's packing slip as a PDF (fpdf2: pure Python, no system libraries).

Labels are in the reader's language and product names in the reader's language with the
catalogue's fallback — when a font that can write Chinese is found on the machine (settings
`PDF_CJK_FONT`, else the usual Debian paths). Without one the slip is written in English
with each line's name as it was frozen on the order (the catalogue's default language), so a
slip can always be printed. Codes and numbers (order number, tracking number, SKU codes) are
written in a built-in Latin font, so they stay searchable text in the file.
"""

from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from fpdf import FPDF

from dinghuo.core.templatetags.dinghuo import date_, number
from dinghuo.fulfilment.models import Shipment
from dinghuo.orders.models import Order

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
LATIN = "helvetica"
CJK = "cjk"
# Column widths (mm) of the lines table on an A4 page with 15 mm margins: 180 mm in all.
COLUMNS = (30, 90, 20, 20, 20)


def cjk_font() -> Path | None:
    """The first font found that can write Chinese, or None."""
    configured = getattr(settings, "PDF_CJK_FONT", "")
    for candidate in (configured, *CJK_FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _latin(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _Slip(FPDF):
    def __init__(self, font: Path | None) -> None:
        super().__init__(format="A4", unit="mm")
        self.has_cjk = font is not None
        if font is not None:
            self.add_font(CJK, "", str(font))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)

    def write_cell(
        self,
        width: float,
        text: str,
        *,
        size: float = 10,
        bold: bool = False,
        align: str = "L",
        border: str = "",
        new_line: bool = False,
    ) -> None:
        """One cell, in the Latin font when the text allows, else the Chinese one; cut to
        fit its width."""
        if _latin(text) or not self.has_cjk:
            self.set_font(LATIN, "B" if bold else "", size)
            text = text.encode("latin-1", "replace").decode("latin-1")
        else:
            self.set_font(CJK, "", size)
        while width and text and self.get_string_width(text) > width - 2:
            text = text[:-1]
        self.cell(
            width,
            7,
            text,
            border=border or 0,
            align=align,
            new_x="LMARGIN" if new_line else "RIGHT",
            new_y="NEXT" if new_line else "TOP",
        )


def render(order: Order, shipment: Shipment, names: dict[int, str]) -> bytes:
    """The packing slip of `shipment` of `order` (whose lines and shipments are loaded),
    `names` the SKU names in the reader's language."""
    font = cjk_font()
    if font is None:
        with translation.override("en"):
            return _render(order, shipment, {}, None)
    return _render(order, shipment, names, font)


def _render(order: Order, shipment: Shipment, names: dict[int, str], font: Path | None) -> bytes:
    pdf = _Slip(font)
    pdf.set_title(f"Packing slip {order.number} / {shipment.pk}")
    pdf.set_creator("Dinghuo")
    pdf.add_page()
    _write_heading(pdf, order, shipment)
    _write_lines(pdf, shipment, names)
    pdf.ln(6)
    total = sum(item.quantity for item in shipment.lines.all())
    pdf.write_cell(
        180, gettext("%(units)s units in this parcel.") % {"units": number(total)}, new_line=True
    )
    return bytes(pdf.output())


def _write_heading(pdf: _Slip, order: Order, shipment: Shipment) -> None:
    """The title, the seller, and who and how the parcel goes to."""
    pdf.write_cell(120, gettext("Packing slip"), size=18, bold=True)
    pdf.write_cell(60, order.number, size=18, bold=True, align="R", new_line=True)
    pdf.write_cell(180, order.seller.name, size=11, new_line=True)
    pdf.ln(3)

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
        pdf.write_cell(40, label, bold=True)
        pdf.write_cell(140, value, new_line=True)
    pdf.ln(4)


def _write_lines(pdf: _Slip, shipment: Shipment, names: dict[int, str]) -> None:
    """The table of what is in the parcel, of each line's ordered and shipped units."""
    headings = (
        gettext("SKU"),
        gettext("Item"),
        gettext("In this parcel"),
        gettext("Ordered"),
        gettext("Shipped"),
    )
    for i, (width, heading) in enumerate(zip(COLUMNS, headings, strict=True)):
        pdf.write_cell(
            width,
            heading,
            size=9,
            bold=True,
            border="B",
            align="L" if i < 2 else "R",
            new_line=i == len(COLUMNS) - 1,
        )
    for item in shipment.lines.all():
        line = item.order_line
        cells = (
            line.sku_code,
            names.get(line.sku_id, line.description),
            number(item.quantity),
            number(line.quantity),
            number(line.shipped_quantity),
        )
        for i, (width, text) in enumerate(zip(COLUMNS, cells, strict=True)):
            pdf.write_cell(
                width, text, size=9, align="L" if i < 2 else "R", new_line=i == len(COLUMNS) - 1
            )
