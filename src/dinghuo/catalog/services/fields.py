"""Setting the fields of a catalogue row, and the checks every catalogue write makes on them.

Partial updates take UNSET for "leave as it is", because None can be a value (no category).
"""

from typing import Any

from django.db.models import Model

from dinghuo.catalog.models import Sku
from dinghuo.catalog.texts import Texts, column
from dinghuo.core.errors import FieldError
from dinghuo.core.writes import UNSET

MAX_ORDER_UNITS = 1_000_000_000


def assign(obj: Model, attr: str, value: Any) -> bool:
    """Set `attr` unless `value` is UNSET; whether the stored value changes."""
    if value is UNSET or getattr(obj, attr) == value:
        return False
    setattr(obj, attr, value)
    return True


def assign_texts(obj: Model, field_name: str, texts: Texts) -> bool:
    """Set the translations given (only those); whether any stored value changes."""
    # English stays "" rather than NULL: it is the column the untranslated field mirrors.
    # A missing translation may be stored as "" (rows made outside the services): it is
    # the same as None, so writing None over it is no change (a re-imported file).
    changed = False
    for lang, text in texts.items():
        value = text or ("" if lang == "en" else None)
        if value is None and not getattr(obj, column(field_name, lang)):
            continue
        changed |= assign(obj, column(field_name, lang), value)
    return changed


def name_errors(obj: Model, at: str = "") -> list[FieldError]:
    """An English name is required; `at` prefixes the field (`items[0].`)."""
    if getattr(obj, column("name", "en")):
        return []
    return [FieldError(f"{at}name.en", "name_required", "An English name is required")]


def quantity_errors(sku: Sku, at: str) -> list[FieldError]:
    """Minimum order quantity and pack size must be at least 1 (and not absurdly large)."""
    return [
        FieldError(f"{at}{attr}", "must_be_positive", f"{attr} must be at least 1")
        for attr in ("min_order_quantity", "pack_size")
        if not 1 <= getattr(sku, attr) <= MAX_ORDER_UNITS
    ]
