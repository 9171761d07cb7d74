"""How a row of SKU and quantity is read from what people type, paste or upload: pure rules,
no database and no Django, so that they can be tested on any text.

People paste what they see: a code in lower case, with spaces around it, copied from a
product card with its label ("SKU RIC-00003-5K", "貨號 RIC-00003-5K"), or typed with a
Chinese input method in full-width characters ("ＲＩＣ－００００３", "１２"). Each of these
reads as the code and the quantity it shows. Whether the code names one of the seller's SKUs,
whatever its case, is for the page to ask the catalogue (`code_key` is the case-blind key).
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# An order has at most 1,000 lines (the API's limit); a paste or file is read up to that.
MAX_ROWS = 1000
# Spreadsheets copy cells with tabs; people type commas, semicolons or spaces.
SEPARATORS = ("\t", ";", ",")
# The labels a product card writes before the code, in the pages' three languages.
CODE_LABELS = ("SKU", "貨號", "货号")
# Characters a copy from a web page or a word processor brings along and nobody means.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
_LABEL = "|".join(CODE_LABELS)
# "SKU: A-1", "SKU:A-1", "SKU #A-1", "SKU A-1" in one cell: the label and what follows it.
_LABELLED = re.compile(rf"(?:{_LABEL})\s*[:#]\s*(\S.*)|(?:{_LABEL}) +(\S+)", re.IGNORECASE)
_LEADING_LABEL = re.compile(rf"\s*(?:{_LABEL})(?:\s*[:#]\s*|\s+)", re.IGNORECASE)


class Refusal(StrEnum):
    """Why a line gives no row (the page words each)."""

    NO_QUANTITY = "no_quantity"
    NO_SKU = "no_sku"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class ReadRow:
    """A line read: its number (from 1), the code as written and the quantity."""

    number: int
    sku: str
    quantity: int


@dataclass(frozen=True)
class UnreadLine:
    """A line that gives no row, by its number (from 1), what it said and why."""

    number: int
    text: str
    refusal: Refusal


def plain(text: str) -> str:
    """The text as its characters mean it: full-width letters, digits and punctuation as
    their ASCII selves, the ideographic and no-break spaces as spaces (Unicode NFKC),
    invisible characters dropped, spaces around it removed."""
    return _characters(text).strip()


def _characters(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def sku_code(text: str) -> str:
    """The code in a cell as people give it: plain (see `plain`), and without the label a
    product card writes before it ("SKU RIC-00003-5K" → "RIC-00003-5K"). A cell that is the
    label alone stays as it is (a header)."""
    cell = plain(text)
    labelled = _LABELLED.fullmatch(cell)
    if labelled:
        return (labelled.group(1) or labelled.group(2)).strip()
    return cell


def code_key(code: str) -> str:
    """The case-blind key of a code: two codes with the same key are the same to a person."""
    return sku_code(code).upper()


def quantity(text: str) -> int | None:
    """A whole number as spreadsheets write it ("12", "12.0", "+12", "１２"); None otherwise."""
    cell = plain(text).replace(" ", "")
    if not _WHOLE_NUMBER.fullmatch(cell):
        return None
    return int(cell.split(".")[0])


def split_line(line: str) -> list[str]:
    """A pasted line's fields: cut at tabs, else semicolons, else commas, else spaces. A
    card's label copied before the code, spaces and all ("SKU RIC-1 12"), is dropped."""
    line = _characters(line)  # not stripped: a leading tab is an empty first cell
    for separator in SEPARATORS:
        if separator in line:
            return [field.strip() for field in line.split(separator)]
    label = _LEADING_LABEL.match(line)
    if label:
        rest = line[label.end() :].split()
        if len(rest) > 1:  # else the label is a header's first word ("SKU Quantity")
            return rest
    return line.split()


def read_fields(numbered: list[tuple[int, list[str]]]) -> tuple[list[ReadRow], list[UnreadLine]]:
    """Rows from lines already split into fields: the SKU code is the first field, the
    quantity the first later field that is a whole number. A first line of several fields
    without a quantity is a header and is skipped; blank lines are skipped; anything else
    is reported. After `MAX_ROWS` rows the next line with a row is reported and reading
    stops."""
    rows: list[ReadRow] = []
    unread: list[UnreadLine] = []
    seen_content = False
    for number, raw in numbered:
        fields = [plain(f) for f in raw]
        if not any(fields):
            continue
        first_content, seen_content = not seen_content, True
        text = " | ".join(f for f in fields if f)[:120]
        code = sku_code(fields[0])
        amount = next((q for q in map(quantity, fields[1:]) if q is not None), None)
        if amount is None:
            if first_content and len([f for f in fields if f]) > 1:
                continue  # a header line such as "SKU, Quantity"
            unread.append(UnreadLine(number, text, Refusal.NO_QUANTITY if code else Refusal.NO_SKU))
        elif not code:
            unread.append(UnreadLine(number, text, Refusal.NO_SKU))
        elif len(rows) >= MAX_ROWS:
            unread.append(UnreadLine(number, text, Refusal.TOO_MANY))
            break
        else:
            rows.append(ReadRow(number, code, amount))
    return rows, unread


def read_lines(text: str) -> tuple[list[ReadRow], list[UnreadLine]]:
    """Rows pasted from a spreadsheet or typed, one per line (see `split_line`)."""
    return read_fields([(i, split_line(line)) for i, line in enumerate(text.splitlines(), 1)])
