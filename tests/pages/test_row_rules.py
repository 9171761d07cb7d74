"""Reading rows as people paste them (pages/row_rules.py): any case is kept for the catalogue
to match, spaces, a product card's label and full-width characters are not in the way."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.pages import row_rules
from dinghuo.pages.row_rules import MAX_ROWS, ReadRow, Refusal, UnreadLine


@pytest.mark.parametrize(
    "cell",
    [
        "RIC-00003-5K",
        "  RIC-00003-5K\u00a0",
        "SKU RIC-00003-5K",  # copied from an English product card
        "sku: RIC-00003-5K",
        "SKU #RIC-00003-5K",
        "貨號 RIC-00003-5K",  # the Traditional Chinese card
        "貨號：RIC-00003-5K",
        "货号 RIC-00003-5K",  # the Simplified Chinese card
        "ＲＩＣ－０００３－５Ｋ".replace("０００３", "００００３"),  # typed full-width
        "\u200bRIC-00003-5K\ufeff",  # invisible characters of a web page
    ],
)
def test_a_code_reads_as_it_is_shown(cell: str) -> None:
    assert row_rules.sku_code(cell) == "RIC-00003-5K"


def test_the_case_is_kept_and_the_key_ignores_it() -> None:
    assert row_rules.sku_code("ric-00003-5k") == "ric-00003-5k"
    assert row_rules.code_key("ric-00003-5k") == row_rules.code_key("SKU RIC-00003-5K")
    assert row_rules.code_key("ＲＩＣ－１") == "RIC-1"
    assert row_rules.code_key("RIC-1") != row_rules.code_key("RIC-10")


def test_a_label_alone_or_glued_to_a_code_is_not_taken_off() -> None:
    assert row_rules.sku_code("SKU") == "SKU"  # a header cell
    assert row_rules.sku_code("SKU-1") == "SKU-1"  # a code that starts with the letters
    assert row_rules.sku_code("SKUA-1") == "SKUA-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("+12", 12),
        ("12.0", 12),
        ("12.", 12),
        ("１２", 12),
        ("0", 0),  # read; whether 0 may be ordered is the order's rule
        ("-3", -3),
        ("12.5", None),
        ("1e3", None),
        ("twelve", None),
        ("", None),
        ("1 000", 1000),  # a space between thousands
        ("1\u00a0000", 1000),
    ],
)
def test_quantities(text: str, expected: int | None) -> None:
    assert row_rules.quantity(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        "A-1\t10",
        "A-1;10",
        "A-1,10",
        "A-1 10",
        "A-1　１０",  # ideographic space, full-width digits
        "Ａ－１，１０",  # full-width comma
        "SKU A-1 10",  # the card's label copied with the code
        "SKU: A-1 10",
        "貨號：A-1\t10",
        "SKU A-1\t10",
    ],
)
def test_a_pasted_line_in_any_of_the_ways_people_write_it(line: str) -> None:
    assert row_rules.read_lines(line) == ([ReadRow(1, "A-1", 10)], [])


def test_a_header_of_label_words_is_skipped_not_reported() -> None:
    for header in ("SKU\tQuantity", "SKU Quantity", "SKU Qty Note", "貨號，數量"):
        assert row_rules.read_lines(f"{header}\nA-1 10") == ([ReadRow(2, "A-1", 10)], [])


def test_unreadable_lines_keep_their_number_and_text() -> None:
    rows, unread = row_rules.read_lines("A-1 1\nB-2 ten\n\n\t5\nC-3 2")
    assert rows == [ReadRow(1, "A-1", 1), ReadRow(5, "C-3", 2)]
    assert unread == [
        UnreadLine(2, "B-2 | ten", Refusal.NO_QUANTITY),
        UnreadLine(4, "5", Refusal.NO_SKU),
    ]


def test_at_most_max_rows_are_read_and_the_next_is_reported() -> None:
    exactly = "\n".join(f"S-{i} 1" for i in range(MAX_ROWS))
    rows, unread = row_rules.read_lines(exactly)
    assert len(rows) == MAX_ROWS and unread == []
    rows, unread = row_rules.read_lines(exactly + "\nS-x 1\nS-y 1")
    assert len(rows) == MAX_ROWS
    assert unread == [UnreadLine(MAX_ROWS + 1, "S-x | 1", Refusal.TOO_MANY)]


# The property: rows written in any of the ways people paste them read back as the rows
# written. The reference is the rows themselves, rendered by a writer that knows nothing of
# the reader.
_CODE = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZabcdefxyz0123456789-_./", min_size=1, max_size=10)
_CODE = _CODE.filter(lambda c: c.upper() not in {"SKU"})
_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@st.composite
def pasted(draw: st.DrawFn) -> tuple[str, list[tuple[str, int]]]:
    rows = draw(st.lists(st.tuples(_CODE, st.integers(0, 10**9)), min_size=1, max_size=10))
    separator = draw(st.sampled_from(["\t", ";", ",", " ", "  ", "\u3000"]))
    lines = []
    for code, amount in rows:
        label = draw(st.sampled_from(["", "SKU ", "sku: ", "SKU #", "貨號 ", "貨號：", "货号 "]))
        shown = label + code
        if draw(st.booleans()):
            shown = "".join(_FULL_WIDTH.get(ch, ch) for ch in shown)
        pad = draw(st.sampled_from(["", " ", "\u00a0"]))
        lines.append(f"{pad}{shown}{pad}{separator}{amount}{pad}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))  # blank lines
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines), rows


@given(pasted())
def test_pasted_rows_read_back_as_written(case: tuple[str, list[tuple[str, int]]]) -> None:
    text, written = case
    rows, unread = row_rules.read_lines(text)
    assert unread == []
    assert [(row.sku, row.quantity) for row in rows] == written
