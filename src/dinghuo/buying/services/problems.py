"""What buying says about lines: which problems stop a line, where a problem is reported,
and the refusal of one field. Shared by carts, lists, repricing and quotes."""

import re
from collections.abc import Iterable
from typing import Any

from dinghuo.core.errors import FieldError, ValidationFailed

# Problems that do not stop a line from being ordered: placing it decides (backorder or 409).
WARNINGS = frozenset({"insufficient_stock"})
_LINE_PREFIX = re.compile(r"^lines\[\d+\]\.?")


def refusal(field: str, code: str, message: str, **extra: Any) -> ValidationFailed:
    """A 422 about one field, with `code` as the problem's code and the field error's."""
    return ValidationFailed(message, code=code, errors=[FieldError(field, code, message, extra)])


def blocking(problems: Iterable[FieldError]) -> list[FieldError]:
    """The problems that stop a line from being ordered (all but the warnings)."""
    return [p for p in problems if p.code not in WARNINGS]


def moved(problem: FieldError, at: str) -> FieldError:
    """The problem `check_lines` found at `lines[i]…`, reported at `at…` instead."""
    rest = _LINE_PREFIX.sub("", problem.field)
    field = f"{at}.{rest}" if at and rest else (at or rest or "lines")
    return FieldError(field, problem.code, problem.message, problem.extra)
