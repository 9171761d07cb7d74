"""Rows of SKU and quantity as people give them: typed into a table, pasted from a
spreadsheet, or uploaded as a CSV or Excel file (the portal's quick order, quotes and lists,
the back office's order entry). A line that cannot be read is reported with its reason; whether
a SKU may be ordered at that quantity is left to the services and queries.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from dinghuo.pages import row_rules

MAX_ROWS = row_rules.MAX_ROWS


@dataclass(frozen=True)
class Row:
    """One row as typed or read: a SKU code and a quantity (None: not a number)."""

    sku: str
    quantity: int | None
    quantity_text: str = ""
    position: int | None = None  # its place in the typed table, blank rows counted
    line: int | None = None  # its line in a paste or file (from 1)


@dataclass(frozen=True)
class BadLine:
    """A pasted or uploaded line that could not be read, by its line number (from 1)."""

    number: int
    text: str
    reason: str


@dataclass(frozen=True)
class ReadRows:
    rows: list[Row]
    bad_lines: list[BadLine]


_REFUSALS = {
    row_rules.Refusal.NO_QUANTITY: lambda: gettext("no quantity"),
    row_rules.Refusal.NO_SKU: lambda: gettext("no SKU code"),
    row_rules.Refusal.TOO_MANY: lambda: gettext("more than %(max)d rows") % {"max": MAX_ROWS},
}


def _read(read: tuple[list[row_rules.ReadRow], list[row_rules.UnreadLine]]) -> ReadRows:
    """The pure reading's rows and unread lines, the reasons worded for the reader."""
    rows, unread = read
    return ReadRows(
        [Row(row.sku, row.quantity, str(row.quantity), line=row.number) for row in rows],
        [BadLine(line.number, line.text, _REFUSALS[line.refusal]()) for line in unread],
    )


def read_pasted(text: str) -> ReadRows:
    """Rows pasted from a spreadsheet or typed: one per line, code and quantity separated by
    a tab, comma, semicolon or spaces."""
    return _read(row_rules.read_lines(text))


def read_csv(data: bytes) -> ReadRows:
    """Rows of a CSV file (UTF-8, as spreadsheets save it; comma, semicolon or tab)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ReadRows([], [BadLine(1, "", gettext("the file is not UTF-8 text"))])
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return _read(row_rules.read_fields([(reader.line_num, fields) for fields in reader]))


def read_xlsx(data: bytes) -> ReadRows:
    """Rows of the first sheet of an Excel workbook."""
    import openpyxl  # imported here: only uploads need it, and it is slow to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        return ReadRows([], [BadLine(1, "", gettext("the file is not an Excel workbook"))])
    sheet = book.worksheets[0]
    numbered = [
        (i, ["" if cell is None else str(cell) for cell in values])
        for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]
    return _read(row_rules.read_fields(numbered))


def read_upload(name: str, data: bytes) -> ReadRows:
    """Rows of an uploaded file, read by its extension (.xlsx, else CSV)."""
    if name.lower().endswith(".xlsx"):
        return read_xlsx(data)
    return read_csv(data)


def typed_rows(skus: list[str], quantities: list[str]) -> list[Row]:
    """The rows of the quick-order table as posted, each knowing its place in the table;
    rows left blank are dropped."""
    rows = []
    for position, (sku, quantity) in enumerate(zip(skus, quantities, strict=False)):
        sku, quantity = row_rules.sku_code(sku), quantity.strip()
        if sku or quantity:
            rows.append(Row(sku, row_rules.quantity(quantity), quantity, position))
    return rows[:MAX_ROWS]
