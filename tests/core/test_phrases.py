"""Sentences built in code say themselves in English to the API and in the reader's language
on a page, also after a round trip through a JSON column."""

import json
from decimal import Decimal

from django.utils import translation

from dinghuo.core.phrases import Amount, english, from_json, phrase, translated

# A msgid the catalogs translate, so the test sees a real translation.
KNOWN = "Order at least %(minimum)s."


def test_a_phrase_says_itself_in_english_whatever_the_language() -> None:
    said = phrase("{amount} is over the limit of {limit}", amount="12.00", limit="10.00")
    with translation.override("zh-hant"):
        assert str(said) == "12.00 is over the limit of 10.00"


def test_a_nested_phrase_is_translated_part_by_part() -> None:
    inner = phrase("Saved")
    outer = phrase("{state}: {name}", state=inner, name="ACME")
    with translation.override("zh-hant"):
        text = outer.translated()
    assert text.endswith(": ACME")
    assert "Saved" not in text


def test_json_round_trip_keeps_english_and_translation() -> None:
    said = phrase("{state}: {name}", state=phrase("Saved"), name="ACME")
    stored = said.as_json()
    assert stored["text"] == "Saved: ACME"
    assert english(stored) == "Saved: ACME"
    again = from_json(stored)
    with translation.override("zh-hans"):
        assert translated(again) == said.translated()
        assert "Saved" not in translated(again)


def test_plain_text_stays_as_it_is() -> None:
    assert from_json("Big orders rule") == "Big orders rule"
    assert english("Big orders rule") == "Big orders rule"
    with translation.override("zh-hant"):
        assert translated(from_json("Big orders rule")) == "Big orders rule"


def test_money_in_a_phrase_is_written_as_the_reader_writes_money() -> None:
    said = phrase(
        "{amount} is over the buyer's spending limit of {limit}",
        amount=Amount(Decimal("16356.891"), "USD"),
        limit=Amount(Decimal(500), "JPY"),
    )
    assert str(said) == "16356.89 USD is over the buyer's spending limit of 500 JPY"
    stored = from_json(json.loads(json.dumps(said.as_json())))
    assert english(stored) == "16356.89 USD is over the buyer's spending limit of 500 JPY"
    with translation.override("en"):
        assert translated(stored) == "$16,356.89 is over the buyer's spending limit of ¥500"
    with translation.override("zh-hant"):
        assert translated(stored) == "US$16,356.89 超過下單人的消費限額 ¥500"


def test_a_damaged_stored_amount_falls_back_to_its_text() -> None:
    stored = {
        "template": "{amount}",
        "values": {"amount": {"text": "1 USD", "amount": "x", "currency": "USD"}},
    }
    assert translated(from_json(stored)) == "1 USD"
