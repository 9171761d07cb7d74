"""Cells: any text survives being made safe for a spreadsheet and read back; formula
starts are always neutralised; numbers are never touched."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dinghuo.bulk import cells


@given(st.text())
def test_any_text_comes_back_as_it_was_exported(text):
    assert cells.restored(cells.neutralised(text)) == text


@given(st.text(), st.sampled_from(cells.FORMULA_STARTS))
def test_text_a_spreadsheet_would_run_never_starts_a_cell(text, start):
    assert cells.neutralised(start + text).startswith("'")


def test_numbers_and_yes_no_are_written_as_values():
    assert cells.written(Decimal("-5.50")) == Decimal("-5.50")
    assert cells.written(-3) == -3
    assert (cells.written(True), cells.written(None)) == ("yes", "")
    assert cells.written("-3") == "'-3"


def test_cells_as_spreadsheets_give_them_are_read():
    assert cells.read_int(12.0) == 12 and cells.read_int(" 1,200 ") == 1200
    assert cells.read_decimal(12.5) == Decimal("12.5")
    assert cells.read_decimal("0.1") + cells.read_decimal(0.2) == Decimal("0.3")
    assert cells.read_text(1001.0) == "1001"
    assert cells.read_bool("是") is True and cells.read_bool("No") is False
