"""Files in and out: CSV and Excel (XLSX) tables, written as a stream and read safely.

Written: CSV in UTF-8 with a byte-order mark (so that Excel opens Chinese right), XLSX with
openpyxl's write-only workbook (rows go to a temporary file as they come, so memory stays
constant; the workbook is sent in pieces once it is complete).

Read, refusing with a clear reason before anything else happens:
- a file larger than `MAX_FILE_BYTES` (20 MiB) or with more than `MAX_ROWS` rows;
- a CSV that is not UTF-8 (with or without a byte-order mark) nor UTF-16 with a byte-order
  mark: Excel's "CSV UTF-8" and "Unicode text" both qualify; Big5, GBK and the like are
  refused by name, never guessed;
- an XLSX whose members would unpack to more than `MAX_UNPACKED_BYTES` (300 MiB) in all,
  a member that unpacks more than `MAX_RATIO` (100) times its packed size (a zip bomb),
  more than `MAX_MEMBERS` members, or not a workbook at all; these are checked from the
  zip's directory before openpyxl opens it (Python's zip reader never unpacks more than a
  member's declared size, so the declared sizes are the bound);
- formula cells of a workbook are not read: each is a problem at its row and column
  (copy and paste as values), because the value a formula shows is not in the file for
  sure, and a formula is never what a catalogue holds.
"""

import codecs
import csv
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dinghuo.bulk import cells

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_MEMBERS = 500
MAX_RATIO = 100
_RATIO_FROM = 1024 * 1024  # small members (styles, a tiny sheet) pack far better; harmless

CSV = "csv"
XLSX = "xlsx"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ROWS_PER_PIECE = 500
_PIECE_BYTES = 256 * 1024


class FileRefused(ValueError):
    """A file that cannot be read at all; `code` says why, `extra` the values it names."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


@dataclass(frozen=True)
class Table:
    """A file's rows (the heading row first), each numbered as the spreadsheet shows it."""

    format: str
    rows: Sequence[tuple[int, list[object]]]


# --- writing ------------------------------------------------------------------------------


def csv_stream(headings: list[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """A CSV file in pieces: the byte-order mark and headings, then rows a few hundred at a
    time; text is neutralised, numbers stay numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cells.neutralised(h) for h in headings])
    yield codecs.BOM_UTF8 + out.getvalue().encode()
    out.seek(0)
    out.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(cells.written(v)) for v in row])  # type: ignore[arg-type]
        if count % _ROWS_PER_PIECE == 0:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()


def _csv_cell(value: object) -> object:
    return format(value, "f") if isinstance(value, Decimal) else value


def xlsx_stream(
    title: str, headings: list[str], rows: Iterable[Sequence[object]]
) -> Iterator[bytes]:
    """An Excel workbook in pieces, written row by row to a temporary file first."""
    from openpyxl import Workbook  # imported here: only workbooks need it, and it is slow

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([cells.neutralised(h) for h in headings])
    for row in rows:
        sheet.append([None if v is None else cells.written(v) for v in row])  # type: ignore[arg-type]
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        while piece := spool.read(_PIECE_BYTES):
            yield piece


# --- reading ------------------------------------------------------------------------------


def fingerprint(data: bytes) -> str:
    """The file's SHA-256 (an upload retried with its key is the same file)."""
    return hashlib.sha256(data).hexdigest()


def format_of(name: str, data: bytes) -> str:
    """XLSX when the name says so or the bytes are a zip; else CSV."""
    if name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return XLSX
    return CSV


def read_table(name: str, data: bytes) -> Table:
    """The rows of an uploaded CSV or XLSX (its first sheet); `FileRefused` when it cannot
    be read safely."""
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("file_too_large", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise FileRefused("file_empty")
    if format_of(name, data) == XLSX:
        return Table(XLSX, _xlsx_rows(data))
    return Table(CSV, _csv_rows(_decoded(data)))


def _decoded(data: bytes) -> str:
    """The text of a CSV: UTF-8 (a byte-order mark or none) or UTF-16 with its mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise FileRefused("not_utf8") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused("not_utf8") from error
    if "\x00" in text:  # UTF-16 without its mark, or not text at all
        raise FileRefused("not_utf8")
    return text


def _csv_rows(text: str) -> list[tuple[int, list[object]]]:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[tuple[int, list[object]]] = []
    try:
        for number, fields in enumerate(reader, start=1):
            if len(rows) > MAX_ROWS:
                raise FileRefused("too_many_file_rows", max=MAX_ROWS)
            if any(f.strip() for f in fields):
                rows.append((number, list(fields)))
    except csv.Error as error:
        raise FileRefused("unreadable_csv") from error
    return rows


def check_zip(data: bytes) -> None:
    """Refuse a zip that would unpack too large, or too many times its packed size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise FileRefused("not_a_workbook") from error
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise FileRefused("zip_bomb", max_mb=MAX_UNPACKED_BYTES // (1024 * 1024))
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        too_packed = member.file_size > _RATIO_FROM and member.file_size / packed > MAX_RATIO
        if too_packed or total > MAX_UNPACKED_BYTES:
            raise FileRefused("zip_bomb", max_mb=MAX_UNPACKED_BYTES // (1024 * 1024))
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise FileRefused("not_a_workbook")


def _xlsx_rows(data: bytes) -> list[tuple[int, list[object]]]:
    check_zip(data)
    import openpyxl  # imported here: only workbooks need it, and it is slow

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows: list[tuple[int, list[object]]] = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            values = [_cell_value(cell) for cell in row]
            if any(v is not None and v != "" for v in values):
                if len(rows) > MAX_ROWS:
                    raise FileRefused("too_many_file_rows", max=MAX_ROWS)
                rows.append((number, values))
        book.close()
    except FileRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise FileRefused("not_a_workbook") from error
    return rows


def _cell_value(cell: Any) -> object:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and value.startswith("=") and cell.data_type != "s"
    ):
        return cells.FormulaCell(str(value))
    return value
