"""Our SKU units as UN/CEFACT Recommendation 20 codes, which cXML's UnitOfMeasure carries.

Units are free text on a SKU ("pc", "box", "kg"); the common ones map to their code. A unit
already written as a Rec 20 code (two or three upper-case letters or digits, e.g. "EA",
"KGM") passes through. Anything else is sent as EA (each): every SKU is ordered in whole
units, so "one of this SKU" is always true, if less precise.
"""

import re

EACH = "EA"
_CODES = {
    "pc": "H87",
    "pcs": "H87",
    "piece": "H87",
    "pieces": "H87",
    "each": EACH,
    "ea": EACH,
    "unit": "C62",
    "box": "BX",
    "carton": "CT",
    "case": "CS",
    "pack": "PK",
    "pk": "PK",
    "bag": "BG",
    "bottle": "BO",
    "can": "CA",
    "roll": "RO",
    "pair": "PR",
    "set": "SET",
    "dozen": "DZN",
    "sheet": "ST",
    "pallet": "PF",
    "kg": "KGM",
    "g": "GRM",
    "t": "TNE",
    "l": "LTR",
    "litre": "LTR",
    "liter": "LTR",
    "ml": "MLT",
    "m": "MTR",
    "cm": "CMT",
    "mm": "MMT",
    "m2": "MTK",
    "m3": "MTQ",
    "件": "H87",
    "個": "H87",
    "个": "H87",
    "箱": "BX",
    "盒": "BX",
    "包": "PK",
    "對": "PR",
    "对": "PR",
    "套": "SET",
}
_REC20 = re.compile(r"[A-Z0-9]{2,3}")


def unit_of_measure(unit: str) -> str:
    """The UN/CEFACT Rec 20 code for a SKU's unit (EA when the unit is not known)."""
    cleaned = unit.strip()
    code = _CODES.get(cleaned.lower())
    if code is not None:
        return code
    return cleaned if _REC20.fullmatch(cleaned) else EACH
