"""Sending the cart back: the page posts a PunchOutOrderMessage to the buyer's system, with
every line priced as the cart shows it, and the session ends."""

import html
import re
from urllib.parse import urlsplit

from defusedxml.ElementTree import fromstring
from django.test import Client

from dinghuo.buying import queries as buying
from dinghuo.punchout.models import Session
from tests.builders import World
from tests.portal.ordering import csrf_post
from tests.punchout.documents import FORM_POST, Suite, connect, post, setup_request

LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def entered(world: World, suite: Suite, **setup) -> Client:
    answer = post(Client(), "/punchout/cxml/setup", setup_request(suite, **setup))
    url = fromstring(answer.content).find("Response/PunchOutSetupResponse/StartPage/URL").text
    browser = Client()
    assert browser.get(urlsplit(url).path).status_code == 302
    return browser


def transferred(page: str) -> tuple[str, bytes]:
    action = re.search(r'<form method="post" action="([^"]+)" id="punchout-transfer-form"', page)
    field = re.search(r'name="cxml-urlencoded" value="([^"]*)"', page)
    assert action and field, page
    return html.unescape(action.group(1)), html.unescape(field.group(1)).encode()


def test_the_cart_goes_back_as_a_punchout_order_message(world: World) -> None:
    suite = connect(world)
    browser = entered(world, suite)
    csrf_post(browser, "/cart/add/", {"sku": "A-1", "quantity": "12"})
    csrf_post(browser, "/cart/add/", {"sku": "C-3", "quantity": "3"})
    cart = browser.get("/cart/").content.decode()
    assert "Transfer cart to your purchasing system" in cart
    assert 'data-testid="checkout"' not in cart

    answer = csrf_post(browser, "/punchout/transfer/")
    assert answer.status_code == 200
    policy = answer["Content-Security-Policy"]
    assert "form-action 'self' https://procurement.example" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "Buyer One" not in answer.content.decode()  # signed out: the header names nobody
    url, document = transferred(answer.content.decode())
    assert url == FORM_POST
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM')

    root = fromstring(document)
    assert root.find("Header/From/Credential/Identity").text == "SUP-ACME"
    assert root.find("Header/To/Credential").get("domain") == "networkid"
    assert root.find("Header/To/Credential/Identity").text == "AN01000000001"
    message = root.find("Message/PunchOutOrderMessage")
    assert message.find("BuyerCookie").text == "34234234ADFSDF234234"
    head = message.find("PunchOutOrderMessageHeader")
    assert head.get("operationAllowed") == "edit"
    # 12 × 9.00 (the tier from 10) + 3 × 0.3333 = 108.9999 → the lines as priced: 109.00.
    assert head.find("Total/Money").text == "109.00"
    assert head.find("Total/Money").get("currency") == "USD"
    items = message.findall("ItemIn")
    assert [i.get("quantity") for i in items] == ["12", "3"]
    first = items[0]
    assert first.find("ItemID/SupplierPartID").text == "A-1"
    session = Session.objects.get()
    assert first.find("ItemID/SupplierPartAuxiliaryID").text == (
        f"PO{session.pk}-{world.skus['A-1'].pk}"
    )
    assert first.find("ItemDetail/UnitPrice/Money").text == "9.00"
    assert items[1].find("ItemDetail/UnitPrice/Money").text == "0.3333"
    assert first.find("ItemDetail/Description").text == "Item A-1"
    assert first.find("ItemDetail/Description").get(LANG) == "en"
    assert first.find("ItemDetail/UnitOfMeasure").text == "H87"  # "pc": piece
    classification = first.find("ItemDetail/Classification")
    assert (classification.get("domain"), classification.text) == ("SupplierCategory", "tools")

    # The session is over: the buyer is signed out, the cart is empty, nothing goes twice.
    assert session.ended_at is not None
    assert browser.get("/cart/").status_code == 302
    owner = buying.buyer_company(world.tenant.pk, world.company.pk)
    assert buying.cart_lines(world.tenant.pk, owner, suite.buyer.pk) == []


def test_descriptions_are_in_the_buyer_s_language(world: World) -> None:
    suite = connect(world)
    browser = entered(world, suite, lang="zh-TW")
    csrf_post(browser, "/cart/add/", {"sku": "A-1", "quantity": "1"})
    page = browser.get("/cart/").content.decode()
    assert "將購物車傳送到您的採購系統" in page
    _, document = transferred(csrf_post(browser, "/punchout/transfer/").content.decode())
    item = fromstring(document).find("Message/PunchOutOrderMessage/ItemIn/ItemDetail")
    assert item.find("Description").text == "產品 A-1"  # the SKU has no Chinese name: its product's
    assert item.find("Description").get(LANG) == "zh-Hant"


def test_inspect_sends_back_the_lines_it_was_given(world: World) -> None:
    from tests.punchout.documents import item_out

    suite = connect(world)
    browser = entered(world, suite, operation="inspect", items=item_out("A-1", 2))
    csrf_post(browser, "/cart/add/", {"sku": "C-3", "quantity": "5"})  # changes are not sent
    _, document = transferred(csrf_post(browser, "/punchout/transfer/").content.decode())
    message = fromstring(document).find("Message/PunchOutOrderMessage")
    assert message.find("PunchOutOrderMessageHeader").get("operationAllowed") == "inspect"
    assert [i.find("ItemID/SupplierPartID").text for i in message.findall("ItemIn")] == ["A-1"]
    assert message.find("PunchOutOrderMessageHeader/Total/Money").text == "20.00"


def test_a_line_that_cannot_be_ordered_keeps_the_session_open(world: World) -> None:
    suite = connect(world)
    browser = entered(world, suite)
    csrf_post(browser, "/cart/add/", {"sku": "A-1", "quantity": "2"})
    sku = world.skus["A-1"]
    sku.is_active = False
    sku.save()
    answer = csrf_post(browser, "/punchout/transfer/")
    assert answer.status_code == 302 and answer["Location"] == "/cart/"
    assert Session.objects.get().ended_at is None
    assert "A-1 cannot be ordered as it is" in browser.get("/cart/").content.decode()


def test_an_ended_session_sends_nothing(world: World) -> None:
    suite = connect(world)
    browser = entered(world, suite)
    Session.objects.update(ended_at="2026-12-06T00:00:00Z")
    answer = csrf_post(browser, "/punchout/transfer/")
    assert answer["Location"] == "/cart/"
    assert "This PunchOut session has ended." in browser.get("/cart/").content.decode()


def test_simplified_chinese_buyers_read_their_own_words(world: World) -> None:
    suite = connect(world)
    browser = entered(world, suite, lang="zh-CN")
    csrf_post(browser, "/cart/add/", {"sku": "A-1", "quantity": "1"})
    page = browser.get("/cart/").content.decode()
    assert "将购物车传送到您的采购系统" in page
    assert "Transfer cart" not in page
    sent = csrf_post(browser, "/punchout/transfer/").content.decode()
    assert "前往您的采购系统" in sent and "Continue to" not in sent
    _, document = transferred(sent)
    item = fromstring(document).find("Message/PunchOutOrderMessage/ItemIn/ItemDetail")
    assert item.find("Description").get(LANG) == "zh-Hans"
