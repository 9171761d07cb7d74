"""Units of measure in people's words (core/units.py): one table, in English and both
Chinese scripts, on every page that shows a unit."""

import re

import pytest
from django.utils import translation
from tests.builders import World
from tests.portal.ordering import sign_in

from dinghuo.catalog.models import Sku
from dinghuo.core.units import UNIT_NAMES, unit_name


@pytest.mark.parametrize(
    ("unit", "english", "hant", "hans"),
    [
        ("ctn", "carton", "箱", "箱"),
        ("bag", "bag", "袋", "袋"),
        ("pc", "piece", "件", "件"),
        (" CTN ", "carton", "箱", "箱"),  # as a seller may have typed it
        ("tray", "tray", "盤", "盘"),
        ("pallet-of-9", "pallet-of-9", "pallet-of-9", "pallet-of-9"),  # not known: as written
    ],
)
def test_a_unit_is_named_in_the_readers_language(
    unit: str, english: str, hant: str, hans: str
) -> None:
    for language, expected in (("en", english), ("zh-hant", hant), ("zh-hans", hans)):
        with translation.override(language):
            assert unit_name(unit) == expected


def test_every_unit_of_the_table_has_a_chinese_name_in_each_script() -> None:
    for unit in UNIT_NAMES:
        names = {}
        for language in ("en", "zh-hant", "zh-hans"):
            with translation.override(language):
                names[language] = unit_name(unit)
        assert names["zh-hant"] != names["en"] and names["zh-hans"] != names["en"], unit
        assert not any("a" <= ch.lower() <= "z" for ch in names["zh-hant"] + names["zh-hans"])


@pytest.mark.django_db
def test_the_catalogue_says_per_carton_in_each_language(world: World) -> None:
    Sku.objects.filter(tenant=world.tenant, code="A-1").update(unit="ctn")
    buyer = sign_in(world)
    assert "per carton" in buyer.client.get("/catalogue/").content.decode()
    buyer.client.cookies["django_language"] = "zh-hant"
    html = buyer.client.get("/catalogue/").content.decode()
    shown = re.sub(r"<[^>]+>", " ", html)  # what a person reads (a form's hidden values aside)
    assert "每箱" in shown and "ctn" not in shown and "每 " not in shown
