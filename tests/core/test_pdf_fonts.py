"""English documents are written in the built-in Latin font, dashes, quotes, "€" and Babel's
thin spaces included: only Chinese text loads the Chinese font (parsing it takes a second,
so an English statement with "1–30 days" on it used to take that second too)."""

import io

import pypdf
import pytest

from dinghuo.core import pdf

ENGLISH = "1–30 days overdue — “paid” … €5 at 10:36\u202fPM"


def _text(document: pdf.Document) -> str:
    return pypdf.PdfReader(io.BytesIO(bytes(document.output()))).pages[0].extract_text()


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("1–30 days", True),
        ("“quoted” … €", True),
        ("10:36\u202fPM", True),
        ("¥500", True),
        ("逾期", False),
        ("→", False),
        ("Ω", False),
    ],
)
def test_what_the_latin_font_can_write(text: str, latin: bool) -> None:
    assert pdf.is_latin(text) is latin


def test_english_with_dashes_and_quotes_stays_in_the_latin_font() -> None:
    font = pdf.cjk_font()
    if font is None:
        pytest.skip("no Chinese font on this machine (fonts-wqy-microhei)")
    document = pdf.Document(font)
    document.add_page()
    document.write_row([pdf.Cell(ENGLISH, 180)])
    assert "cjk" not in document.fonts
    assert "1–30 days overdue — “paid” … €5 at 10:36 PM" in _text(document)


def test_chinese_text_uses_the_chinese_font() -> None:
    font = pdf.cjk_font()
    if font is None:
        pytest.skip("no Chinese font on this machine (fonts-wqy-microhei)")
    document = pdf.Document(font)
    document.add_page()
    document.write_row([pdf.Cell("逾期 1–30 日", 180)])
    assert "cjk" in document.fonts
    assert "逾期" in _text(document)
