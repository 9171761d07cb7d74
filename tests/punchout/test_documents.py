"""The pure cXML modules: what we write parses back to exactly what was meant, whatever the
buyer typed; units map to UN/CEFACT codes; requests are read with their parts."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import given
from hypothesis import strategies as st

from dinghuo.punchout import cxml, documents
from dinghuo.punchout.units import unit_of_measure

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
# Text XML 1.0 can carry (no control characters but tab, newline; no surrogates).
XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() == t)


def cart(cookie: str, description: str) -> documents.Cart:
    return documents.Cart(
        buyer=documents.Party("networkid", "AN01"),
        supplier=documents.Party("duns", "SUP"),
        buyer_cookie=cookie,
        operation_allowed="edit",
        currency="JPY",
        language="en",
        total=Decimal("1234"),
        tax=None,
        lines=[
            documents.CartLine(
                sku="A-1",
                auxiliary_id="PO1-2",
                quantity=3,
                unit_price=Decimal("411.3333"),
                description=description,
                unit_of_measure="EA",
                classification_domain="UNSPSC",
                classification="27112700",
            )
        ],
    )


@given(cookie=XML_TEXT, description=XML_TEXT)
def test_whatever_the_buyer_typed_comes_back_as_it_was(cookie: str, description: str) -> None:
    root = fromstring(documents.order_message(cart(cookie, description), NOW))
    message = root.find("Message/PunchOutOrderMessage")
    assert message.find("BuyerCookie").text == cookie
    assert message.find("ItemIn/ItemDetail/Description").text == description
    assert len(message.findall("ItemIn")) == 1  # no text could add an element


def test_the_message_states_money_in_the_currency_s_digits() -> None:
    document = documents.order_message(cart("c", "d"), NOW)
    assert document.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM '
        b'"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n<cXML payloadID="'
    )
    root = fromstring(document)
    assert root.get("timestamp") == "2026-12-06T12:00:00+00:00"
    assert (
        root.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money").text
        == "1234"
    )
    unit = root.find("Message/PunchOutOrderMessage/ItemIn/ItemDetail/UnitPrice/Money")
    assert (unit.text, unit.get("currency")) == ("411.3333", "JPY")
    assert root.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Tax") is None


def test_payload_ids_are_unique() -> None:
    assert len({documents.new_payload_id() for _ in range(1000)}) == 1000


def test_a_status_response_says_its_code_and_text() -> None:
    root = fromstring(documents.status_response(406, "No SKU <X> & co.", NOW))
    found = root.find("Response/Status")
    assert (found.get("code"), found.get("text"), found.text) == (
        "406",
        "Not Acceptable",
        "No SKU <X> & co.",
    )


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("pc", "H87"),
        ("PCS", "H87"),
        (" box ", "BX"),
        ("kg", "KGM"),
        ("箱", "BX"),
        ("KGM", "KGM"),
        ("EA", "EA"),
        ("barrel of monkeys", "EA"),
        ("", "EA"),
        ("Kgm", "EA"),  # not a code as written, not a unit we know
    ],
)
def test_units_become_un_cefact_codes(unit: str, code: str) -> None:
    assert unit_of_measure(unit) == code


def test_a_quantity_must_be_a_whole_positive_number() -> None:
    head = b'<cXML payloadID="p"><Header><From/><To/><Sender><Credential domain="x"><Identity>i</Identity><SharedSecret>s</SharedSecret></Credential></Sender></Header><Request><OrderRequest><OrderRequestHeader orderID="PO"><ShipTo><Address/></ShipTo></OrderRequestHeader>'
    for quantity, code in (("0", 406), ("-2", 406), ("abc", 400), ("Infinity", 406), ("2e3", 200)):
        body = (
            head
            + f'<ItemOut quantity="{quantity}"><ItemID><SupplierPartID>A</SupplierPartID></ItemID></ItemOut></OrderRequest></Request></cXML>'.encode()
        )
        if code == 200:
            assert cxml.read_order_request(body).items[0].quantity == 2000
            continue
        with pytest.raises(cxml.CxmlRefusal) as refused:
            cxml.read_order_request(body)
        assert refused.value.code == code, quantity


def test_a_document_over_one_megabyte_is_refused_unread() -> None:
    with pytest.raises(cxml.CxmlRefusal) as refused:
        cxml.parse(b"<cXML>" + b" " * (1024 * 1024) + b"</cXML>")
    assert (refused.value.code, refused.value.text) == (400, "The document is larger than 1 MB.")
