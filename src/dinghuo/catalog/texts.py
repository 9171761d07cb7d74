"""Translated texts of the catalogue: the languages, their columns, and reading them.

Names and descriptions are translated with django-modeltranslation: one column per language
(`name_en`, `name_zh_hant`, `name_zh_hans`). Pure: no database.
"""

from collections.abc import Mapping
from typing import Final

from django.db.models import Model

LANGUAGES: Final = ("en", "zh-hant", "zh-hans")

Texts = Mapping[str, str | None]
"""Translated text as a write takes it: `{language code: text}`."""


def column(field_name: str, language: str) -> str:
    """The database column of one translation: `name`, `zh-hant` → `name_zh_hant`."""
    return f"{field_name}_{language.replace('-', '_')}"


def localized(obj: Model, field_name: str) -> dict[str, str | None]:
    """All translations of a field; a missing one is None."""
    return {lang: getattr(obj, column(field_name, lang)) or None for lang in LANGUAGES}
