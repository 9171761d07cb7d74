"""An approved return's slip as a PDF (`core.pdf`: fpdf2, the fonts, wrapping tables), for the
buyer to put in the parcel: the RMA number, seller and company, the order, the lines (SKU,
description, quantity, reason), where to send the goods and a request to put the slip in the
parcel.

Written in the reader's language (en, zh-hant or zh-hans) when a font that can write Chinese
is found, else in English, as invoices and packing slips are. Item descriptions are those
frozen on the order (as its invoices print them); codes and numbers are written in the
built-in Latin font, so they stay searchable text. A return not approved yet has no RMA
number and no slip: 409 `return_not_approved`.
"""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

from dinghuo.core import pdf
from dinghuo.core.errors import Conflict
from dinghuo.core.pdf import WIDTH, Cell, Column, Document
from dinghuo.core.templatetags.dinghuo import date_, number
from dinghuo.returns import queries
from dinghuo.returns.models import ReturnReason, ReturnRequest, ReturnStatus

LANGUAGES = ("en", "zh-hant", "zh-hans")
# Statuses that have an RMA number, so a slip.
WITH_SLIP = frozenset({ReturnStatus.APPROVED, ReturnStatus.RECEIVED, ReturnStatus.CLOSED})
LABEL = 45.0  # the width (mm) of a fact's label
# Column widths (mm) of the lines table: 180 mm in all.
COLUMNS = (32.0, 88.0, 20.0, 40.0)


def return_slip(
    tenant_id: int, return_id: int, language: str, *, company_id: int | None = None
) -> tuple[bytes, str]:
    """The slip of one of the tenant's returns (with `company_id`: of that company's only,
    else 404) in `language`, and its file name. 409 `return_not_approved` before approval."""
    found = queries.return_detail(tenant_id, return_id, company_id=company_id)
    if found.status not in WITH_SLIP:
        raise Conflict(
            "The return slip is printed once the return is approved.", code="return_not_approved"
        )
    send_to = queries.return_address(tenant_id, found.seller_id)
    return render(found, send_to, language), f"{found.number}.pdf"


def render(found: ReturnRequest, send_to: queries.ReturnAddress, language: str) -> bytes:
    """The slip of an approved return (`queries.return_detail`'s: lines, order, company and
    seller loaded), sent back to `send_to`, in `language`."""
    font = pdf.cjk_font()
    with translation.override(language if font and language in LANGUAGES else "en"):
        return _render(found, send_to, font)


def _render(found: ReturnRequest, send_to: queries.ReturnAddress, font: Path | None) -> bytes:
    slip = Document(font, footer_text=found.number)
    slip.set_title(f"Return slip {found.number}")
    slip.set_creator("Dinghuo")
    slip.add_page()
    slip.write_cell(110, gettext("Return slip"), size=18, bold=True)
    slip.write_cell(70, found.number, size=18, bold=True, align="R", new_line=True)
    slip.write_row([Cell(send_to.name, WIDTH, size=11)])
    slip.ln(3)
    _write_facts(slip, found, send_to)
    slip.ln(4)
    _write_lines(slip, found)
    slip.ln(6)
    please = gettext(
        "Put this slip in the parcel with the goods and write the RMA number %(rma)s on the "
        "outside of the parcel."
    ) % {"rma": found.number}
    slip.write_row([Cell(please, WIDTH, bold=True, size=10)])
    return bytes(slip.output())


def _write_facts(slip: Document, found: ReturnRequest, send_to: queries.ReturnAddress) -> None:
    """The RMA number, the order, the company, the dates and where the goods go."""
    company = found.company
    facts = [
        (gettext("RMA number"), found.number),
        (gettext("Order"), found.order.number),
        (gettext("Company"), f"{company.name} ({company.code})"),
        (gettext("Requested on"), date_(found.requested_at)),
        (gettext("Approved on"), date_(found.decided_at)),
        (gettext("Send the goods to"), "\n".join([send_to.name, *send_to.lines])),
    ]
    for label, value in facts:
        slip.write_row(
            [Cell(label, LABEL, bold=True, size=10), Cell(value, WIDTH - LABEL, size=10)]
        )


def _write_lines(slip: Document, found: ReturnRequest) -> None:
    """What goes back: each line's SKU, description (as ordered), units and reason."""
    headings = (gettext("SKU"), gettext("Item"), gettext("Quantity"), gettext("Reason"))
    aligns = ("L", "L", "R", "L")
    columns = [
        Column(heading, width, align)
        for heading, width, align in zip(headings, COLUMNS, aligns, strict=True)
    ]
    reasons = dict(ReturnReason.choices)
    rows = [
        (
            line.order_line.sku_code,
            line.order_line.description,
            number(line.quantity),
            str(reasons.get(line.reason, line.reason)),
        )
        for line in sorted(found.lines.all(), key=lambda line: line.line_number)
    ]
    slip.write_table(columns, rows)
