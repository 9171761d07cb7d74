"""Units of measure in people's words: the one table that names a SKU's unit ("ctn", "bag",
"pc", free text on the SKU) in the reader's language, as `docs/glossary.md` lists them.

The table sits in core beside money and currencies because every page, mail and document
names units through the `unit_name` template filter (`core.templatetags.dinghuo`), and core
is what they all may use. The API and files keep the unit as the seller wrote it.
"""

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


def _unit(name: str) -> Promise:
    return pgettext_lazy("unit of measure", name)


_PIECE, _CARTON, _LITRE = _unit("piece"), _unit("carton"), _unit("litre")
# The seller's spelling (lower case) → the unit's name. Written out, not derived, so that
# makemessages finds every name.
UNIT_NAMES: dict[str, Promise] = {
    "pc": _PIECE,
    "pcs": _PIECE,
    "piece": _PIECE,
    "ea": _PIECE,
    "each": _PIECE,
    "unit": _PIECE,
    "bag": pgettext_lazy("unit of measure", "bag"),
    "ctn": _CARTON,
    "carton": _CARTON,
    "case": pgettext_lazy("unit of measure", "case"),
    "box": pgettext_lazy("unit of measure", "box"),
    "bottle": pgettext_lazy("unit of measure", "bottle"),
    "can": pgettext_lazy("unit of measure", "can"),
    "tin": pgettext_lazy("unit of measure", "tin"),
    "jar": pgettext_lazy("unit of measure", "jar"),
    "pack": pgettext_lazy("unit of measure", "pack"),
    "pk": pgettext_lazy("unit of measure", "pack"),
    "roll": pgettext_lazy("unit of measure", "roll"),
    "sack": pgettext_lazy("unit of measure", "sack"),
    "drum": pgettext_lazy("unit of measure", "drum"),
    "tray": pgettext_lazy("unit of measure", "tray"),
    "doz": pgettext_lazy("unit of measure", "dozen"),
    "dozen": pgettext_lazy("unit of measure", "dozen"),
    "set": pgettext_lazy("unit of measure", "set"),
    "pair": pgettext_lazy("unit of measure", "pair"),
    "sheet": pgettext_lazy("unit of measure", "sheet"),
    "kg": pgettext_lazy("unit of measure", "kg"),
    "g": pgettext_lazy("unit of measure", "g"),
    "l": _LITRE,
    "litre": _LITRE,
    "ml": pgettext_lazy("unit of measure", "ml"),
    "m": pgettext_lazy("unit of measure", "m"),
}


def unit_name(unit: str) -> str:
    """A unit's name in the active language ("ctn" → "carton", "箱"); a unit the table does
    not know is shown as the seller wrote it."""
    cleaned = (unit or "").strip()
    name = UNIT_NAMES.get(cleaned.lower())
    return str(name) if name is not None else cleaned
