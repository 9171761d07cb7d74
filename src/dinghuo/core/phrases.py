"""Sentences built in code, kept as an English template and its values.

The API and stored records say a phrase in English (`str(phrase)`), so their answers do not
depend on who asked; a page says it in the reader's language (`phrase.translated()`), looking
the template up in the message catalogs. `dinghuo extract_translations` finds the templates
of `phrase(...)` calls like those of `gettext(...)`. Values may be phrases themselves, so a
sentence can be assembled from parts that are each translated.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from dinghuo.core.money import format_amount


@dataclass(frozen=True, slots=True)
class Phrase:
    template: str  # English, with {name} fields; also the msgid
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.template.format(**{name: str(value) for name, value in self.values})

    def translated(self) -> str:
        """The phrase in the active language (English when the catalog lacks it)."""
        if not self.template:  # gettext("") is the catalog's header, not a translation
            return ""
        return gettext(self.template).format(
            **{name: translated(value) for name, value in self.values}
        )

    def as_json(self) -> dict[str, Any]:
        """For a JSON column: the English text, and what a page needs to translate it."""
        return {
            "text": str(self),
            "template": self.template,
            "values": {name: _value_json(value) for name, value in self.values},
        }


@dataclass(frozen=True, slots=True)
class Amount:
    """Money inside a phrase: "16356.89 USD" in the English of the API and stored records,
    "US$16,356.89" on a Chinese page and "$16,356.89" on an English one (the reader's locale)."""

    value: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{format_amount(self.value, self.currency)} {self.currency}"

    def translated(self) -> str:
        # Imported here: the template filters import this module to translate phrases.
        from dinghuo.core.templatetags.dinghuo import money

        return money(self.value, self.currency) or str(self)

    def as_json(self) -> dict[str, str]:
        return {
            "text": str(self),
            "amount": format_amount(self.value, self.currency),
            "currency": self.currency,
        }


def phrase(template: str, **values: Any) -> Phrase:
    """A phrase from its English template (a msgid with {name} fields) and its values."""
    return Phrase(template, tuple(values.items()))


def translated(value: Any) -> str:
    """A phrase in the active language; anything else as it is (names, codes, amounts)."""
    return value.translated() if isinstance(value, Phrase | Amount) else str(value)


def from_json(data: Any) -> Phrase | str:
    """What `Phrase.as_json` stored, as a phrase again (a phrase stays itself); plain text
    stays text (records written before phrases existed, or a person's words)."""
    if isinstance(data, Phrase):
        return data
    if isinstance(data, dict) and isinstance(data.get("template"), str):
        values = data.get("values") or {}
        return Phrase(data["template"], tuple((k, _value(v)) for k, v in values.items()))
    if isinstance(data, dict):
        return str(data.get("text", ""))
    return str(data)


def stored(value: Phrase | str) -> Any:
    """What a JSON column keeps of a phrase (its English text and its parts) or of text."""
    return value.as_json() if isinstance(value, Phrase) else value


def english(data: Any) -> str:
    """The English text of a stored phrase or of plain text."""
    return str(from_json(data))


def _value_json(value: Any) -> Any:
    return value.as_json() if isinstance(value, Phrase | Amount) else str(value)


def _value(data: Any) -> Any:
    """A phrase's stored value: an amount of money, a phrase, or text."""
    if isinstance(data, dict) and {"amount", "currency"} <= data.keys():
        try:
            return Amount(Decimal(str(data["amount"])), str(data["currency"]))
        except ArithmeticError:
            return str(data.get("text", ""))
    return from_json(data)
