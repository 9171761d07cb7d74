"""Rows of SKU and quantity as people give them: typed into a table, pasted from a
spreadsheet, or uploaded as a CSV or Excel file (the portal's quick order, quotes and lists,
the back office's order entry). A line that cannot be read is reported with its reason; whether
a SKU may be ordered at that quantity is left to the services and queries.
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

# An order has at most 1,000 lines (the API's limit); a paste or file is read up to that.
MAX_ROWS = 1000
# Spreadsheets copy cells with tabs; people type commas, semicolons or spaces.
_SEPARATORS = ("\t", ";", ",")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


@dataclass(frozen=True)
class Row:
    """One row as typed or read: a SKU code and a quantity (None: not a number)."""

    sku: str
    quantity: int | None
    quantity_text: str = ""
    position: int | None = None  # its place in the typed table, blank rows counted


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


def _quantity(text: str) -> int | None:
    """A whole number as spreadsheets write it ("12", "12.0", "+12"); None otherwise."""
    text = text.strip().replace("\u00a0", "")
    if not _WHOLE_NUMBER.match(text):
        return None
    return int(text.split(".")[0])


def _split(line: str) -> list[str]:
    for separator in _SEPARATORS:
        if separator in line:
            return [field.strip() for field in line.split(separator)]
    return line.split()


def _read_fields(numbered: list[tuple[int, list[str]]]) -> ReadRows:
    """Rows from lines already split into fields: the SKU code is the first field, the
    quantity the first later field that is a whole number. A first line of several fields
    without a quantity is a header and is skipped; blank lines are skipped; anything else
    is reported."""
    rows: list[Row] = []
    bad: list[BadLine] = []
    seen_content = False
    for number, fields in numbered:
        fields = [f.strip() for f in fields]
        if not any(fields):
            continue
        first_content = not seen_content
        seen_content = True
        text = " | ".join(f for f in fields if f)
        code = fields[0]
        quantity = next((q for q in map(_quantity, fields[1:]) if q is not None), None)
        if quantity is None:
            if first_content and len([f for f in fields if f]) > 1:
                continue  # a header line such as "SKU, Quantity"
            reason = gettext("no quantity") if code else gettext("no SKU code")
            bad.append(BadLine(number, text[:120], reason))
            continue
        if not code:
            bad.append(BadLine(number, text[:120], gettext("no SKU code")))
            continue
        if len(rows) >= MAX_ROWS:
            bad.append(
                BadLine(number, text[:120], gettext("more than %(max)d rows") % {"max": MAX_ROWS})
            )
            break
        rows.append(Row(code, quantity, str(quantity)))
    return ReadRows(rows, bad)


def read_pasted(text: str) -> ReadRows:
    """Rows pasted from a spreadsheet or typed: one per line, code and quantity separated by
    a tab, comma, semicolon or spaces."""
    lines = text.splitlines()
    return _read_fields([(i, _split(line)) for i, line in enumerate(lines, start=1)])


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
    return _read_fields([(reader.line_num, fields) for fields in reader])


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
    return _read_fields(numbered)


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
        sku, quantity = sku.strip(), quantity.strip()
        if sku or quantity:
            rows.append(Row(sku, _quantity(quantity), quantity, position))
    return rows[:MAX_ROWS]
