"""A kind's column layout: its columns, their headings in people's words, how a heading row
of a file is matched to them and how each cell is read. Export and import share it.

Headings are written in the reader's language; a file's headings are recognised in any of
the three languages, and by the column's key (`sku_code`), whatever the case and spaces.
A column absent from a file leaves that value as it is; a column present but empty sets it
empty (as an export writes an empty value). Pure: no database.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from dinghuo.bulk import cells
from dinghuo.core.errors import FieldError

TEXT, INT, DECIMAL, BOOL, DATE = "text", "int", "decimal", "bool", "date"
LANGUAGES = ("en", "zh-hant", "zh-hans")

_READERS: dict[str, Callable[[object], Any]] = {
    TEXT: cells.read_text,
    INT: cells.read_int,
    DECIMAL: cells.read_decimal,
    BOOL: cells.read_bool,
    DATE: cells.read_date,
}


@dataclass(frozen=True)
class Column:
    """One column: its key, its heading (translated), the kind of value it holds.

    `required`: every row needs a value (a natural key); `read_only`: exported for people
    (a reserved quantity) and ignored when imported."""

    key: str
    heading: Promise
    kind: str = TEXT
    required: bool = False
    read_only: bool = False
    max_length: int = 300

    def read(self, raw: object) -> Any:
        """The cell's value (None when empty); `cells.Unreadable` when it cannot be read."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, cells.FormulaCell):
            raise cells.Unreadable("formula_cell")
        value = _READERS[self.kind](raw)
        if self.kind == TEXT:
            if not value:
                return None
            if len(value) > self.max_length:
                raise cells.Unreadable("text_too_long")
        return value


@dataclass(frozen=True)
class CellProblem:
    """Something wrong in a file: its row (1 = the heading row; 0: the file as a whole), its
    column's heading as the file writes it ("" for a whole row), a code and its values.
    Said to people by `core.refusals` in their language."""

    row: int
    column: str
    code: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The problem as an import run stores it."""
        return {"row": self.row, "column": self.column, "code": self.code, "extra": self.extra}

    def as_field_error(self) -> FieldError:
        """The problem as `core.refusals` says it (column as field, no English message)."""
        return FieldError(self.column, self.code, "", self.extra)


@dataclass(frozen=True)
class Matched:
    """Which column of the file holds which column of the layout (by position)."""

    positions: dict[str, int]
    headings: dict[str, str]  # key → the heading as the file writes it

    def has(self, key: str) -> bool:
        """Whether the file has the column."""
        return key in self.positions


@dataclass(frozen=True)
class Layout:
    """The columns of one kind, in the order an export writes them."""

    kind: str
    columns: tuple[Column, ...]

    def headings(self) -> list[str]:
        """The headings in the active language."""
        return [str(c.heading) for c in self.columns]

    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for language in LANGUAGES:
            with translation.override(language):
                for c in self.columns:
                    names.setdefault(_normal(str(c.heading)), c.key)
        for c in self.columns:
            names.setdefault(_normal(c.key), c.key)
        return names

    def match(self, header: Sequence[object]) -> tuple[Matched, list[CellProblem]]:
        """The file's heading row matched to the columns; unknown, repeated and missing
        required columns are problems of row 1."""
        names, positions, headings = self._names(), {}, {}
        problems = []
        for position, raw in enumerate(header):
            heading = cells.as_text(raw) if raw is not None else ""
            if not heading:
                continue
            key = names.get(_normal(heading))
            if key is None:
                problems.append(CellProblem(1, heading, "unknown_column", {"heading": heading}))
            elif key in positions:
                problems.append(CellProblem(1, heading, "repeated_column", {"heading": heading}))
            else:
                positions[key], headings[key] = position, heading
        for c in self.columns:
            if c.required and c.key not in positions:
                heading = str(c.heading)
                problems.append(
                    CellProblem(1, heading, "required_column_missing", {"heading": heading})
                )
        return Matched(positions, headings), problems

    def read_row(
        self, number: int, raw: Sequence[object], matched: Matched
    ) -> tuple[dict[str, Any], list[CellProblem]]:
        """One row's values by key (only the columns the file has, read-only ones left out)
        and its problems, each at its column."""
        values: dict[str, Any] = {}
        problems = []
        for c in self.columns:
            position = matched.positions.get(c.key)
            if position is None or c.read_only:
                continue
            heading = matched.headings[c.key]
            try:
                value = c.read(raw[position] if position < len(raw) else None)
            except cells.Unreadable as error:
                extra = {"max": c.max_length} if error.code == "text_too_long" else {}
                problems.append(CellProblem(number, heading, error.code, extra))
                continue
            if value is None and c.required:
                problems.append(CellProblem(number, heading, "value_required"))
            values[c.key] = value
        return values, problems


def _normal(heading: str) -> str:
    return " ".join(heading.casefold().replace("_", " ").split())
