"""Writing cXML 1.2 documents: pure, no database.

Every document starts with the XML declaration and cXML's DOCTYPE, carries a unique payloadID
and the time it was written, and is UTF-8. Built with ElementTree, which escapes every text
and attribute, so nothing a buyer typed can change the document's structure.
"""

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

from dinghuo.core import money

DTD = "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd"
PROLOGUE = f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM "{DTD}">\n'
USER_AGENT = "Dinghuo"
STATUS_TEXTS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    406: "Not Acceptable",
    409: "Conflict",
    500: "Internal Server Error",
    560: "Temporary server error",
}
XML_LANG = "xml:lang"


def new_payload_id() -> str:
    """A payloadID unique across time, processes and machines (cXML's suggested shape)."""
    return f"{datetime.now().timestamp():.6f}.{os.getpid()}.{secrets.token_hex(8)}@dinghuo"  # noqa: DTZ005


def _document(now: datetime, language: str = "en") -> Element:
    root = Element("cXML")
    root.set("payloadID", new_payload_id())
    root.set("timestamp", now.isoformat(timespec="seconds"))
    root.set(XML_LANG, language)
    return root


def serialise(root: Element) -> bytes:
    """The document's bytes: declaration, DOCTYPE, then the elements."""
    return PROLOGUE.encode() + tostring(root, encoding="unicode").encode()


def status_response(code: int, text: str, now: datetime) -> bytes:
    """A Response carrying only its Status: `code` with cXML's name for it, and `text`."""
    root = _document(now)
    status = SubElement(SubElement(root, "Response"), "Status")
    status.set("code", str(code))
    status.set("text", STATUS_TEXTS.get(code, "Error"))
    status.text = text
    return serialise(root)


def setup_response(start_page: str, now: datetime) -> bytes:
    """The PunchOutSetupResponse: 200 with the StartPage the buyer's browser opens."""
    root = _document(now)
    response = SubElement(root, "Response")
    status = SubElement(response, "Status")
    status.set("code", "200")
    status.set("text", "OK")
    url = SubElement(SubElement(SubElement(response, "PunchOutSetupResponse"), "StartPage"), "URL")
    url.text = start_page
    return serialise(root)


def order_response(text: str, now: datetime) -> bytes:
    """The answer to an OrderRequest that was accepted: 200, and what became of it."""
    return status_response(200, text, now)


@dataclass(frozen=True)
class Party:
    domain: str
    identity: str


@dataclass(frozen=True)
class CartLine:
    """One ItemIn: the SKU, our reference to the priced line, and how it was priced."""

    sku: str
    auxiliary_id: str
    quantity: int
    unit_price: Decimal
    description: str
    unit_of_measure: str
    classification_domain: str
    classification: str


@dataclass(frozen=True)
class Cart:
    """What a PunchOutOrderMessage carries back to the buyer's procurement system."""

    buyer: Party
    supplier: Party
    buyer_cookie: str
    operation_allowed: str  # "edit" (the buyer may come back to change it) or "inspect"
    currency: str
    language: str  # of the descriptions, as xml:lang writes it
    total: Decimal  # net, the lines' amounts
    tax: Decimal | None
    lines: list[CartLine]


def _credential(parent: Element, party: Party) -> Element:
    credential = SubElement(parent, "Credential")
    credential.set("domain", party.domain)
    SubElement(credential, "Identity").text = party.identity
    return credential


def _money(parent: Element, amount: str, currency: str) -> None:
    element = SubElement(parent, "Money")
    element.set("currency", currency)
    element.text = amount


def _item_in(message: Element, line: CartLine, cart: Cart) -> None:
    item = SubElement(message, "ItemIn")
    item.set("quantity", str(line.quantity))
    item_id = SubElement(item, "ItemID")
    SubElement(item_id, "SupplierPartID").text = line.sku
    SubElement(item_id, "SupplierPartAuxiliaryID").text = line.auxiliary_id
    detail = SubElement(item, "ItemDetail")
    price = SubElement(detail, "UnitPrice")
    _money(price, money.format_unit_price(line.unit_price, cart.currency), cart.currency)
    description = SubElement(detail, "Description")
    description.set(XML_LANG, cart.language)
    description.text = line.description
    SubElement(detail, "UnitOfMeasure").text = line.unit_of_measure
    classification = SubElement(detail, "Classification")
    classification.set("domain", line.classification_domain)
    classification.text = line.classification


def order_message(cart: Cart, now: datetime) -> bytes:
    """The PunchOutOrderMessage: the cart as ItemIn lines, their total (and tax when known),
    from us to the buyer's system, for its BuyerCookie."""
    root = _document(now, cart.language)
    header = SubElement(root, "Header")
    _credential(SubElement(header, "From"), cart.supplier)
    _credential(SubElement(header, "To"), cart.buyer)
    sender = SubElement(header, "Sender")
    _credential(sender, cart.supplier)
    SubElement(sender, "UserAgent").text = USER_AGENT
    message = SubElement(SubElement(root, "Message"), "PunchOutOrderMessage")
    SubElement(message, "BuyerCookie").text = cart.buyer_cookie
    message_header = SubElement(message, "PunchOutOrderMessageHeader")
    message_header.set("operationAllowed", cart.operation_allowed)
    _money(
        SubElement(message_header, "Total"),
        money.format_amount(cart.total, cart.currency),
        cart.currency,
    )
    if cart.tax is not None:
        tax = SubElement(message_header, "Tax")
        _money(tax, money.format_amount(cart.tax, cart.currency), cart.currency)
        tax_description = SubElement(tax, "Description")
        tax_description.set(XML_LANG, cart.language)
        tax_description.text = "Tax"
    for line in cart.lines:
        _item_in(message, line, cart)
    return serialise(root)
