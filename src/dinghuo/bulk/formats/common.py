"""What every kind's format shares: the import at work (`Importing`), grouping rows by their
natural key, and turning a service's refusal into problems at rows and columns."""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from dinghuo.bulk.layout import CellProblem, Layout, Matched
from dinghuo.core.errors import DomainError, FieldError
from dinghuo.core.refusals import problems_of

Row = tuple[int, dict[str, Any]]  # (row number in the file, values by column key)


@dataclass
class Importing:
    """One import at work: the tenant, the file's rows read, and the problems found."""

    tenant_id: int
    layout: Layout
    matched: Matched
    rows: list[Row]
    file_name: str
    applying: bool = True  # False in a dry run: a service that can check without writing may
    problems: list[CellProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Rows with a cell that could not be read, with the cells that could: still checked for
    # a repeated key, so that fixing one cell does not reveal a new problem.
    rejected: list[Row] = field(default_factory=list)

    def has(self, key: str) -> bool:
        """Whether the file has this column (a column left out leaves its values alone)."""
        return self.matched.has(key)

    def report(self, row: int, key: str, code: str, **extra: Any) -> None:
        """A problem at a row and a column (by key; "" for the whole row)."""
        heading = self.matched.headings.get(key, "") if key else ""
        if key and not heading:
            heading = next((str(c.heading) for c in self.layout.columns if c.key == key), "")
        self.problems.append(CellProblem(row, heading, code, extra))

    def count(self, name: str, n: int = 1) -> None:
        """Add to one of the run's counts (`skus_created`…), shown as its summary."""
        self.counts[name] = self.counts.get(name, 0) + n

    @contextmanager
    def refusals(self, place: Callable[[FieldError], tuple[int, str]]) -> Iterator[None]:
        """Run one service call in a savepoint; a refusal becomes problems, each placed at
        (row, column key) by `place`, and the import goes on to find the others."""
        try:
            with transaction.atomic():
                yield
        except DomainError as error:
            for found in problems_of(error):
                row, key = place(found)
                self.report(row, key, found.code, **_plain(found.extra))


def _plain(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if isinstance(v, str | int | float | bool)}


_INDEX = re.compile(r"\[(\d+)\]")


def indexes(field_path: str) -> list[int]:
    """The list positions a problem's field names: `items[3].skus[1].code` → [3, 1]."""
    return [int(i) for i in _INDEX.findall(field_path)]


def tail(field_path: str) -> str:
    """The field after the last position: `items[3].skus[1].name.en` → `name.en`."""
    return _INDEX.split(field_path)[-1].lstrip(".")


def first_rows(rows: Sequence[Row], key: Callable[[dict[str, Any]], Any]) -> dict[Any, int]:
    """The first row of each natural key."""
    first: dict[Any, int] = {}
    for number, values in rows:
        first.setdefault(key(values), number)
    return first


def duplicates(work: Importing, key: Callable[[dict[str, Any]], Any], column: str) -> list[Row]:
    """The rows whose natural key came before, each a problem; answers the others (of the
    rows read without a problem)."""
    seen: dict[Any, int] = {}
    kept = []
    rejected = {number for number, _values in work.rejected}
    for number, values in sorted([*work.rows, *work.rejected], key=lambda row: row[0]):
        found = _key_of(key, values)
        if found is not None and found in seen:
            work.report(number, column, "duplicate_key", first_row=seen[found])
            continue
        if found is not None:
            seen[found] = number
        if number not in rejected:
            kept.append((number, values))
    return kept


def _key_of(key: Callable[[dict[str, Any]], Any], values: dict[str, Any]) -> Any:
    """A row's natural key; None when a part of it is missing or could not be read."""
    try:
        found = key(values)
    except (KeyError, AttributeError, TypeError):
        return None
    parts = found if isinstance(found, tuple) else (found,)
    return None if any(part is None for part in parts) else found


def shared_value(work: Importing, rows: Sequence[Row], key: str, default: Any = None) -> Any:
    """The value the rows of one object (a product's SKU rows) give for one of its columns:
    empty cells say nothing; two different values are a problem at the second."""
    value, first = default, 0
    for number, values in rows:
        given = values.get(key)
        if given is None:
            continue
        if first and given != value:
            work.report(number, key, "values_differ", first_row=first)
            continue
        if not first:
            value, first = given, number
    return value


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`items` in slices of at most `size` (a service's limit per call)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
