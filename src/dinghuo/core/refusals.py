"""Every refusal a page can show, said in the reader's language: one message per error code.

Services, queries and the pages' form readers refuse with stable codes (`core.errors`:
a `DomainError`'s `code`, each `FieldError`'s `code` and `extra`). The API answers with their
English `detail` and `message`; a page asks this module, which knows every code raised in
`src/dinghuo` (a test walks the code to make sure) and says it with `gettext`, so that a
Chinese page never shows the service's English.

A message may name values the problem carries in `extra` (`%(minimum)s`, `%(available)s`…),
and a currency's name in the reader's language (`%(currency_name)s` for `currency`,
`%(base_currency_name)s` for `base_currency`):
a code can have several texts, tried in order, each used only when the problem has the values
it names (or concerns the field it names); the last text of a code needs nothing. Two
audiences: the buyer's pages speak to a person of the company ("your company"), the back
office (and anyone else) about "the company". A page that needs other words for a code (an
`invalid_transition` on the approvals page is an order that no longer waits) passes them as
`overrides`, which win when they can be said.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from dinghuo.core.errors import DomainError, FieldError
from dinghuo.core.refusal_words import BUYER, CATALOG, STAFF, Audience, Text
from dinghuo.core.templatetags.dinghuo import currency_name

__all__ = [
    "BUYER",
    "CATALOG",
    "STAFF",
    "WARNING_CODES",
    "Audience",
    "Overrides",
    "Text",
    "code_message",
    "is_warning",
    "message",
    "messages",
    "problems_of",
    "split",
    "unique",
]

Overrides = Mapping[str, Text]

# Problems that do not stop a line from being ordered (`orders.queries.check_lines`: a stock
# shortage is a warning, placing decides on backorder); pages show them as warnings.
WARNING_CODES = frozenset({"insufficient_stock"})

# Codes whose `extra` names the precise reason, itself a code (`invalid_tiers` of the price
# routes: `reason` is the tier's problem).
_PRECISE = {"invalid_tiers": "reason"}


# A code no text is known for (the test of this module sees that none is raised).
_UNKNOWN = _("This cannot be done (%(code)s).")


def message(
    problem: FieldError, *, audience: Audience = STAFF, overrides: Overrides | None = None
) -> str:
    """The problem said in the active language, to `audience`; `overrides` (code → text,
    which may name values of `extra`) are the page's own words and win where they can be
    said."""
    problem = replace(problem, extra=_with_names(problem.extra))
    code = problem.code
    precise = problem.extra.get(_PRECISE.get(code, ""))
    if isinstance(precise, str) and precise in CATALOG:
        code = precise
    if overrides and code in overrides:
        said = _fill(overrides[code], problem.extra)
        if said is not None:
            return said
    for way in CATALOG.get(code, ()):
        if way.applies(problem):
            said = _fill(way.text(audience), problem.extra)
            if said is not None:
                return said
    return str(_UNKNOWN) % {"code": code}


def messages(
    error: DomainError, *, audience: Audience = STAFF, overrides: Overrides | None = None
) -> list[str]:
    """A refusal as sentences: each of its problems (or its own code), each said once."""
    return unique(message(p, audience=audience, overrides=overrides) for p in problems_of(error))


def code_message(
    code: str, *, audience: Audience = STAFF, overrides: Overrides | None = None, **extra: Any
) -> str:
    """The message of a code a page finds itself (an empty row, a credit reason)."""
    return message(FieldError("", code, "", extra), audience=audience, overrides=overrides)


def split(
    problems: Iterable[FieldError],
    *,
    audience: Audience = STAFF,
    overrides: Overrides | None = None,
) -> tuple[list[str], list[str]]:
    """A line's problems as (blocking, warnings), each said once."""
    blocking: list[str] = []
    warnings: list[str] = []
    for problem in problems:
        said = message(problem, audience=audience, overrides=overrides)
        (warnings if is_warning(problem) else blocking).append(said)
    return unique(blocking), unique(warnings)


def is_warning(problem: FieldError) -> bool:
    """Whether the problem leaves the line orderable (it is shown as a warning)."""
    return problem.code in WARNING_CODES


def problems_of(error: DomainError) -> list[FieldError]:
    """The problems of a refusal: its field errors, or the refusal itself as one problem."""
    return error.errors or [FieldError("", error.code, error.detail)]


def unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _fill(text: Text, extra: Mapping[str, Any]) -> str | None:
    """The text with the values it names from `extra`; None when one of them is missing. A
    text without placeholders is left as it is (a translation may say "100%")."""
    said = str(text)
    if "%(" not in said:
        return said
    try:
        return said % {name: value for name, value in extra.items() if value is not None}
    except KeyError:
        return None


def _with_names(extra: Mapping[str, Any]) -> dict[str, Any]:
    """`extra` with the names, in the active language, of the currencies it gives by code."""
    named = dict(extra)
    for key in ("currency", "base_currency"):
        code = extra.get(key)
        if isinstance(code, str) and f"{key}_name" not in extra:
            named[f"{key}_name"] = currency_name(code)
    return named
