"""Reading cXML 1.2 requests: pure, no database.

Parsed only with defusedxml: a document declaring entities (billion laughs), or referring to
external ones (XXE), is refused before anything in it is read. The DOCTYPE every cXML document
carries is allowed (its DTD is never fetched). Every problem is a `CxmlRefusal` with the cXML
Status code the answer carries and a sentence saying what to fix.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_DOCUMENT_BYTES = 1024 * 1024  # a cart of thousands of lines is far below this
MAX_QUANTITY = 1_000_000
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class CxmlRefusal(Exception):
    """A request we answer with a cXML Status other than 200: `code` and a clear `text`."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


def malformed(text: str) -> CxmlRefusal:
    """400 Bad Request: the document is not the cXML it should be."""
    return CxmlRefusal(400, text)


@dataclass(frozen=True)
class Credential:
    domain: str  # lower case: cXML credential domains compare case-insensitively
    identity: str


@dataclass(frozen=True)
class Header:
    """Who sends (From), to whom (To), through whom with what secret (Sender)."""

    sent_from: list[Credential]
    sent_to: list[Credential]
    shared_secret: str


@dataclass(frozen=True)
class Item:
    """An ItemOut line: the SKU (SupplierPartID), our line reference, quantity and price."""

    line_number: int
    sku: str
    auxiliary_id: str
    quantity: int
    unit_price: Decimal | None
    currency: str


@dataclass(frozen=True)
class SetupRequest:
    payload_id: str
    language: str
    header: Header
    operation: str
    buyer_cookie: str
    form_post_url: str
    contact_email: str
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class ShipTo:
    address_id: str
    name: str
    street: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class OrderRequest:
    payload_id: str
    header: Header
    order_id: str
    order_type: str
    currency: str
    total: Decimal | None
    ship_to: ShipTo
    contact_email: str
    comments: str
    items: list[Item]
    test: bool = False  # deploymentMode="test": checked as a real order, nothing placed


def parse(body: bytes) -> Element:
    """The document's root `cXML` element; 400 for anything else, entities and all."""
    if len(body) > MAX_DOCUMENT_BYTES:
        raise malformed("The document is larger than 1 MB.")
    if not body.strip():
        raise malformed("The request has no cXML document in its body.")
    try:
        root: Element = fromstring(body)
    except DefusedXmlException:
        raise malformed(
            "The document declares entities or refers to external ones, which are refused."
        ) from None
    except (ParseError, ValueError) as exc:
        raise malformed(f"The document is not well-formed XML ({exc}).") from None
    if root.tag != "cXML":
        raise malformed("The document's root element must be cXML.")
    return root


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _required(parent: Element, path: str, what: str) -> Element:
    found = parent.find(path)
    if found is None:
        raise malformed(f"The document has no {what} ({path}).")
    return found


def _required_text(parent: Element, path: str, what: str, limit: int) -> str:
    value = _text(_required(parent, path, what))
    if not value:
        raise malformed(f"The document's {what} ({path}) is empty.")
    if len(value) > limit:
        raise malformed(f"The document's {what} ({path}) is longer than {limit} characters.")
    return value


def _credentials(parent: Element) -> list[Credential]:
    return [
        Credential(c.get("domain", "").strip().lower(), _text(c.find("Identity")))
        for c in parent.findall("Credential")
    ]


def read_header(root: Element) -> Header:
    """From, To and the Sender's SharedSecret (401 when the secret is missing)."""
    header = _required(root, "Header", "Header")
    sender = _required(header, "Sender", "Sender")
    secret = _text(sender.find("Credential/SharedSecret"))
    if not secret:
        raise CxmlRefusal(401, "The Sender credential carries no SharedSecret.")
    return Header(
        _credentials(_required(header, "From", "From")),
        _credentials(_required(header, "To", "To")),
        secret,
    )


def _payload_id(root: Element) -> str:
    payload_id = root.get("payloadID", "").strip()
    if not payload_id or len(payload_id) > 250:
        raise malformed("The cXML element needs a payloadID of 1 to 250 characters.")
    return payload_id


def _quantity(item: Element, line: int) -> int:
    raw = item.get("quantity", "")
    try:
        quantity = Decimal(raw)
    except InvalidOperation:
        raise malformed(f"Line {line}: the quantity '{raw[:20]}' is not a number.") from None
    if not quantity.is_finite() or quantity != quantity.to_integral_value():
        raise CxmlRefusal(406, f"Line {line}: we sell whole units; {raw[:20]} is not one.")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CxmlRefusal(406, f"Line {line}: the quantity must be 1 to {MAX_QUANTITY}.")
    return int(quantity)


def _price(item: Element, line: int) -> tuple[Decimal | None, str]:
    money = item.find("ItemDetail/UnitPrice/Money")
    if money is None:
        return None, ""
    try:
        price = Decimal(_text(money))
    except InvalidOperation:
        raise malformed(f"Line {line}: the unit price is not a number.") from None
    if not price.is_finite() or price < 0:
        raise malformed(f"Line {line}: the unit price must be a number of at least 0.")
    return price, money.get("currency", "").strip().upper()


def read_items(parent: Element) -> list[Item]:
    """The ItemOut lines, numbered by their lineNumber (else their place)."""
    items = []
    for place, element in enumerate(parent.findall("ItemOut"), start=1):
        number_text = element.get("lineNumber", "")
        line = int(number_text) if number_text.isdigit() and len(number_text) < 9 else place
        sku = _required_text(element, "ItemID/SupplierPartID", f"line {line}'s SupplierPartID", 64)
        auxiliary = _text(element.find("ItemID/SupplierPartAuxiliaryID"))[:250]
        price, currency = _price(element, line)
        items.append(Item(line, sku, auxiliary, _quantity(element, line), price, currency))
    return items


def _contact_email(parent: Element) -> str:
    """The person the buyer's system names: Contact's Email, else a UserEmail extrinsic."""
    email = _text(parent.find("Contact/Email")) or next(
        (_text(e) for e in parent.findall("Extrinsic") if e.get("name") == "UserEmail"), ""
    )
    return email[:254]


def read_setup_request(body: bytes) -> SetupRequest:
    """A PunchOutSetupRequest: operation, BuyerCookie, BrowserFormPost URL, who, and the
    ItemOut lines an edit or inspect starts from."""
    root = parse(body)
    header = read_header(root)
    setup = _required(root, "Request/PunchOutSetupRequest", "PunchOutSetupRequest")
    operation = setup.get("operation", "create")
    if operation not in {"create", "edit", "inspect"}:
        raise CxmlRefusal(406, f"The operation '{operation[:20]}' is not supported.")
    url = _required_text(setup, "BrowserFormPost/URL", "BrowserFormPost URL", 2000)
    if not url.startswith(("https://", "http://")):
        raise malformed("The BrowserFormPost URL must be an http or https address.")
    return SetupRequest(
        payload_id=_payload_id(root),
        language=root.get(LANG, "en")[:20],
        header=header,
        operation=operation,
        buyer_cookie=_required_text(setup, "BuyerCookie", "BuyerCookie", 2000),
        form_post_url=url,
        contact_email=_contact_email(setup),
        items=read_items(setup),
    )


def _ship_to(header: Element) -> ShipTo:
    address = _required(header, "ShipTo/Address", "ShipTo address")
    postal = address.find("PostalAddress")
    streets = [_text(s) for s in postal.findall("Street")] if postal is not None else []
    country = postal.find("Country") if postal is not None else None
    return ShipTo(
        address_id=address.get("addressID", "").strip()[:100],
        name=_text(address.find("Name"))[:200],
        street=" ".join(s for s in streets if s)[:400],
        city=_text(postal.find("City"))[:100] if postal is not None else "",
        postal_code=_text(postal.find("PostalCode"))[:20] if postal is not None else "",
        country=(country.get("isoCountryCode", "") if country is not None else "").upper(),
    )


def _total(header: Element) -> tuple[Decimal | None, str]:
    money = header.find("Total/Money")
    if money is None:
        return None, ""
    try:
        return Decimal(_text(money)), money.get("currency", "").strip().upper()
    except InvalidOperation:
        raise malformed("The order's Total is not a number.") from None


def read_order_request(body: bytes) -> OrderRequest:
    """An OrderRequest: its orderID (the PO number), type, ship-to, contact and lines."""
    root = parse(body)
    header = read_header(root)
    request = _required(root, "Request", "Request")
    order = _required(request, "OrderRequest", "OrderRequest")
    head = _required(order, "OrderRequestHeader", "OrderRequestHeader")
    order_id = head.get("orderID", "").strip()
    if not order_id or len(order_id) > 64:
        raise malformed("The OrderRequestHeader needs an orderID of 1 to 64 characters.")
    items = read_items(order)
    if not items:
        raise malformed("The OrderRequest has no ItemOut lines.")
    total, currency = _total(head)
    return OrderRequest(
        payload_id=_payload_id(root),
        header=header,
        order_id=order_id,
        order_type=head.get("type", "new"),
        currency=currency or items[0].currency,
        total=total,
        ship_to=_ship_to(head),
        contact_email=_contact_email(head),
        comments=_text(head.find("Comments"))[:1000],
        items=items,
        test=request.get("deploymentMode", "production") == "test",
    )


def fingerprint(document: OrderRequest) -> dict[str, Any]:
    """What makes two OrderRequests the same order, for the idempotency record."""
    return {
        "order_id": document.order_id,
        "type": document.order_type,
        "ship_to": document.ship_to.__dict__,
        "lines": [[i.sku, i.quantity, str(i.unit_price), i.currency] for i in document.items],
    }
