"""Printed documents (packing slips, invoices, credit notes) as PDF with fpdf2: pure Python,
no system libraries.

Chinese needs a font that can write it: settings `PDF_CJK_FONT`, else the first of the usual
Debian paths found (`cjk_font`). Each piece of text is written in a built-in Latin font when
it can be (codes, numbers and amounts stay plain, searchable text), else in the Chinese font;
without one, characters Windows-1252 cannot hold print as "?", so callers that find no font
write their documents in English. The Latin font is used in its Windows-1252 encoding, which
has the dashes, quotes, "…" and "€" of English text: with plain Latin-1 an en dash in
"1–30 days" sent every English document to the Chinese font, whose parsing takes a second.

Text that is too long for its cell wraps onto further lines (at
spaces, or between Chinese characters); tables repeat their column headings on every page,
and every page carries its number ("2 / 3") in the footer.
"""

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from fpdf import FPDF
from fpdf.enums import TextMode

from dinghuo.core.branding import Brand

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
LATIN = "helvetica"
CJK = "cjk"
# An A4 page with 15 mm margins: 180 mm of width for the content.
MARGIN = 15.0
WIDTH = 180.0
PADDING = 1.0  # mm of space between a cell's edge and its text
LINE = 1.35  # line height as a multiple of the font size
GREY = (150, 150, 150)
BAND = 4.0  # mm: the brand colour's band at the top of each page
LOGO_HEIGHT = 14.0  # mm

# A run of text with no place to break inside it: a Chinese (or Japanese, Korean) character,
# or a word with the spaces after it.
_TOKENS = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+"
)


def cjk_font() -> Path | None:
    """The first font found that can write Chinese, or None."""
    configured = getattr(settings, "PDF_CJK_FONT", "")
    for candidate in (configured, *CJK_FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


LATIN_ENCODING = "windows-1252"
# Spaces Babel puts in English dates and numbers that Windows-1252 lacks: a plain space.
_SPACES = str.maketrans({"\u202f": " ", "\u2009": " ", "\u2007": " "})


def is_latin(text: str) -> bool:
    """Whether the built-in Latin font can write `text` (Windows-1252 holds every character,
    once the thin spaces are plain ones)."""
    try:
        text.translate(_SPACES).encode(LATIN_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Cell:
    """A piece of text in a box `width` mm wide, wrapped onto as many lines as it needs."""

    text: str
    width: float
    align: str = "L"
    bold: bool = False
    size: float = 9


@dataclass(frozen=True)
class Column:
    """A table column: its heading, width (mm) and alignment (L, R or C)."""

    heading: str
    width: float
    align: str = "L"


class Document(FPDF):
    """An A4 document in mm with 15 mm margins, a Latin and (when found) a Chinese font, and
    a footer with `footer_text` on the left and the page number on the right."""

    def __init__(
        self, font: Path | None, *, footer_text: str = "", brand: Brand | None = None
    ) -> None:
        super().__init__(format="A4", unit="mm")
        self.core_fonts_encoding = LATIN_ENCODING
        self.has_cjk = font is not None
        # Read when the first Chinese text needs it: parsing the font takes most of a second.
        self._cjk_font = font
        self.footer_text = footer_text
        self.brand = brand
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 5)

    def header(self) -> None:
        """The tenant's colour as a band along the top of every page, and its logo above
        the first page's content."""
        if self.brand is None:
            return
        self.set_fill_color(*_rgb(self.brand.primary))
        self.rect(0, 0, self.w, BAND, style="F")
        self.set_fill_color(255, 255, 255)
        if self.page_no() == 1 and self.brand.logo and default_storage.exists(self.brand.logo):
            with default_storage.open(self.brand.logo) as logo:
                self.image(io.BytesIO(logo.read()), x=MARGIN, y=MARGIN, h=LOGO_HEIGHT)
            self.set_y(MARGIN + LOGO_HEIGHT + 3)

    def footer(self) -> None:
        """The document's name and the page's number out of all ("1 / 2")."""
        self.set_y(-MARGIN)
        self.set_text_color(*GREY)
        self.write_cell(WIDTH / 2, self.footer_text, size=8)
        self.write_cell(
            WIDTH / 2, f"{self.page_no()} / {self.str_alias_nb_pages}", size=8, align="R"
        )
        self.set_text_color(0, 0, 0)

    def use_font(self, text: str, *, size: float, bold: bool = False) -> str:
        """Set the font that can write `text` (Latin when it can) and answer the text as it
        will be written. Chinese has no bold face: its strokes are drawn thicker instead."""
        if is_latin(text) or not self.has_cjk:
            self.set_font(LATIN, "B" if bold else "", size)
            latin = text.translate(_SPACES)
            return latin.encode(LATIN_ENCODING, "replace").decode(LATIN_ENCODING)
        if self._cjk_font is not None:
            self.add_font(CJK, "", str(self._cjk_font))
            self._cjk_font = None
        self.set_font(CJK, "", size)
        return text

    def _draw(self, width: float, height: float, text: str, *, bold: bool, **options: Any) -> None:
        """`cell` in the font `use_font` set; bold Chinese is drawn filled and outlined, in a
        graphics state of its own so that the outline stops with it."""
        if bold and self.font_family == CJK:
            with self.local_context(
                text_mode=TextMode.FILL_STROKE, line_width=self.font_size_pt / 60
            ):
                self.cell(width, height, text, **options)
        else:
            self.cell(width, height, text, **options)

    def wrap(self, text: str, width: float, *, size: float, bold: bool = False) -> list[str]:
        """`text` cut into lines that fit `width` mm (less the padding), at spaces or between
        Chinese characters; a word longer than a line is cut where it must be. Line breaks
        in the text are kept."""
        text = self.use_font(text, size=size, bold=bold)
        room = width - 2 * PADDING
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines.extend(self._wrap_paragraph(paragraph, room))
        return lines

    def _wrap_paragraph(self, paragraph: str, room: float) -> list[str]:
        lines: list[str] = []
        line = ""
        for token in _TOKENS.findall(paragraph):
            if self.get_string_width((line + token).rstrip()) <= room:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = token.lstrip()
            # A word wider than a whole line: cut it between characters.
            while len(line) > 1 and self.get_string_width(line.rstrip()) > room:
                cut = len(line) - 1
                while cut > 1 and self.get_string_width(line[:cut]) > room:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
        return lines

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
        """One line of text (a title, a number), cut to fit its width; see `write_row` for
        text that wraps."""
        text = self.use_font(text, size=size, bold=bold)
        while width and text and self.get_string_width(text) > width - 2 * PADDING:
            text = text[:-1]
        self._draw(
            width,
            _line_mm(size) + 2,  # with a little air
            text,
            bold=bold,
            border=border or 0,
            align=align,
            new_x="LMARGIN" if new_line else "RIGHT",
            new_y="NEXT" if new_line else "TOP",
        )

    def row_height(self, cells: Sequence[Cell]) -> float:
        """How tall `write_row` would make a row of these cells (mm)."""
        return (
            max(
                len(self.wrap(c.text, c.width, size=c.size, bold=c.bold)) * _line_mm(c.size)
                for c in cells
            )
            + 2 * PADDING
        )

    def write_row(self, cells: Sequence[Cell], *, border: str = "") -> None:
        """A row of cells side by side from the current position, each wrapped within its
        width; the next row starts below the tallest. `border` "B" rules a line under it."""
        top, left = self.get_y(), self.get_x()
        height = self.row_height(cells)
        x = left
        for cell in cells:
            lines = self.wrap(cell.text, cell.width, size=cell.size, bold=cell.bold)
            for i, line in enumerate(lines):
                self.set_xy(x, top + PADDING + i * _line_mm(cell.size))
                self._draw(cell.width, _line_mm(cell.size), line, bold=cell.bold, align=cell.align)
            x += cell.width
        if border == "B":
            self.set_draw_color(*GREY)
            self.set_line_width(0.2)
            self.line(left, top + height, x, top + height)
            self.set_draw_color(0, 0, 0)
        self.set_xy(left, top + height)

    def make_room(self, height: float) -> bool:
        """Start a new page unless `height` mm still fit on this one; whether it did."""
        if self.will_page_break(height):
            self.add_page()
            return True
        return False

    def write_table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[str]], *, size: float = 9
    ) -> None:
        """A table with its headings, which are repeated at the top of every further page
        its rows flow onto."""
        headings = [Cell(c.heading, c.width, c.align, bold=True, size=size) for c in columns]
        self.make_room(self.row_height(headings) + 3 * _line_mm(size))
        self.write_row(headings, border="B")
        for texts in rows:
            cells = [
                Cell(text, c.width, c.align, size=size)
                for c, text in zip(columns, texts, strict=True)
            ]
            if self.make_room(self.row_height(cells)):
                self.write_row(headings, border="B")
            self.write_row(cells, border="B")


def _line_mm(size: float) -> float:
    """The height of a line of text of `size` points, in mm."""
    return size * LINE * 0.3528


def _rgb(colour: str) -> tuple[int, int, int]:
    """`#1f4e79` → (31, 78, 121)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
