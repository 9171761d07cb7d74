"""Cells of a spreadsheet: text made safe to open, and values read back. Pure: no database.

A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` (and, in some, a tab or a
carriage return) as a formula: "formula injection". Every text cell we write that starts
so is prefixed with `'`, which spreadsheets show as nothing and keep as text; numbers are
written as numbers (a negative adjustment stays -5). Reading undoes exactly one such
prefix, so that an export imported again gives back the text it held. Text that already
starts with `'` before a formula character gets one more, so the round trip stays exact.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")
_WHOLE = re.compile(r"^[+-]?\d+$")
_YES = frozenset({"yes", "y", "true", "1", "是", "x"})
_NO = frozenset({"no", "n", "false", "0", "否"})

Value = str | int | Decimal | bool | date | None


@dataclass(frozen=True)
class FormulaCell:
    """A workbook cell holding a formula: never read as a value."""

    formula: str


class Unreadable(ValueError):
    """A cell whose text is not a value of its column's kind; `code` says which kind."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def neutralised(text: str) -> str:
    """Text a spreadsheet will show as it is, never run."""
    if text.startswith(FORMULA_STARTS) or _QUOTED.match(text):
        return "'" + text
    return text


def restored(text: str) -> str:
    """The text `neutralised` was given."""
    if _QUOTED.match(text):
        return text[1:]
    return text


def as_text(raw: object) -> str:
    """A cell as text: a whole number typed in Excel (a SKU code 1001) without ".0"."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def read_text(raw: object) -> str:
    """A text cell as written before it was exported."""
    return restored(raw if isinstance(raw, str) else as_text(raw)).strip()


def read_int(raw: object) -> int:
    """A whole number ("12", 12, 12.0); `Unreadable("not_whole_number")` otherwise."""
    if isinstance(raw, bool):
        raise Unreadable("not_whole_number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float | Decimal) and raw == int(raw):
        return int(raw)
    text = as_text(raw).replace(",", "").replace("\u00a0", "")
    if not _WHOLE.match(text) or len(text) > 12:
        raise Unreadable("not_whole_number")
    return int(text)


def read_decimal(raw: object) -> Decimal:
    """A decimal number ("12.50", 12.5); floats of a workbook by their shortest text."""
    if isinstance(raw, bool):
        raise Unreadable("not_a_decimal")
    text = repr(raw) if isinstance(raw, float) else as_text(raw).replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise Unreadable("not_a_decimal") from error
    if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
        raise Unreadable("not_a_decimal")
    return value


def read_bool(raw: object) -> bool:
    """yes / no (also true/false, 1/0, 是/否, whatever the case)."""
    if isinstance(raw, bool):
        return raw
    text = as_text(raw).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Unreadable("not_yes_or_no")


def read_date(raw: object) -> date:
    """A day, written 2026-05-31 (or a date cell of a workbook)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(as_text(raw))
    except ValueError as error:
        raise Unreadable("not_a_date") from error


def written(value: Value) -> str | int | Decimal | date:
    """A value as an export writes it: text neutralised, yes/no for booleans, "" for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return neutralised(value)
    return value
