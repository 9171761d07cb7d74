"""Reading rows of SKU and quantity: pasted in many formats, CSV and Excel files, and the
lines that cannot be read, reported by number."""

import pytest

from dinghuo.pages import rows


@pytest.mark.parametrize(
    "text",
    [
        "A-1\t10\nB-2\t12",  # copied from a spreadsheet
        "A-1,10\nB-2,12",
        "A-1;10\r\nB-2;12\r\n",
        "A-1 10\nB-2    12",
        "SKU\tQuantity\nA-1\t10\n\n\nB-2\t12\n",  # a header line and blank lines
        "sku,description,qty\nA-1,Wrench,10\nB-2,Gloves,12.0",  # more columns, "12.0"
    ],
)
def test_pasted_rows_in_many_formats(text: str) -> None:
    read = rows.read_pasted(text)
    assert read.bad_lines == []
    assert [(row.sku, row.quantity) for row in read.rows] == [("A-1", 10), ("B-2", 12)]


def test_unreadable_lines_are_reported_by_number() -> None:
    read = rows.read_pasted("A-1\t10\nB-2\tten\n\n\tC\nC-3 4")
    assert [(row.sku, row.quantity) for row in read.rows] == [("A-1", 10), ("C-3", 4)]
    assert [(bad.number, bad.reason) for bad in read.bad_lines] == [
        (2, "no quantity"),
        (4, "no SKU code"),
    ]


def test_a_single_code_on_the_first_line_is_not_taken_for_a_header() -> None:
    read = rows.read_pasted("A-1\nB-2 3")
    assert [bad.number for bad in read.bad_lines] == [1]


def test_csv_files_are_read_with_their_header_and_separator() -> None:
    data = "\ufeffSKU;Qty\r\nA-1;10\r\nB-2;12\r\n".encode()
    read = rows.read_csv(data)
    assert [(row.sku, row.quantity) for row in read.rows] == [("A-1", 10), ("B-2", 12)]
    assert (
        rows.read_csv("A-1,1".encode("utf-16")).bad_lines[0].reason == "the file is not UTF-8 text"
    )


def test_xlsx_uploads_read_the_first_sheet() -> None:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["SKU", "Qty"])
    book.active.append(["A-1", 10])
    data = io.BytesIO()
    book.save(data)
    read = rows.read_upload("rows.xlsx", data.getvalue())
    assert [(row.sku, row.quantity) for row in read.rows] == [("A-1", 10)]


def test_a_file_that_is_not_a_workbook_is_reported() -> None:
    read = rows.read_upload("rows.xlsx", b"not a zip file")
    assert read.rows == []
    assert [line.reason for line in read.bad_lines] == ["the file is not an Excel workbook"]
