"""Realistic cXML 1.2 documents as a procurement suite (Ariba, Coupa, Jaggaer) sends them,
and the fixtures of a tenant with a procurement connection."""

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from defusedxml.ElementTree import fromstring
from django.test import Client

from dinghuo.customers.models import CompanyUser
from dinghuo.punchout import services as punchout
from dinghuo.punchout.models import Connection
from tests.builders import World, add_buyer

DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">'
FORM_POST = "https://procurement.example/punchout/return?session=77"


@dataclass
class Suite:
    """A buyer's procurement system as set up with us: its identities and shared secret."""

    connection: Connection
    secret: str
    buyer: CompanyUser
    buyer_identity: str = "AN01000000001"
    supplier_identity: str = "SUP-ACME"


def connect(
    world: World, *, buyer_identity: str = "AN01000000001", email: str = "pat@buyer.example"
) -> Suite:
    """A procurement connection of the world's company, signing in as a new buyer."""
    member, _ = add_buyer(world, email)
    issued = punchout.create_connection(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        name="Ariba of Buyer One",
        identities=punchout.Identities("NetworkID", buyer_identity, "DUNS", "SUP-ACME"),
        company_user_id=member.pk,
    )
    return Suite(issued.connection, issued.secret, member, buyer_identity)


def header(suite: Suite, *, secret: str | None = None, to: str | None = None) -> str:
    return f"""<Header>
    <From><Credential domain="NetworkID"><Identity>{escape(suite.buyer_identity)}</Identity></Credential>
          <Credential domain="DUNS"><Identity>123456789</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>{escape(to or suite.supplier_identity)}</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01000000001</Identity>
      <SharedSecret>{escape(suite.secret if secret is None else secret)}</SharedSecret></Credential>
      <UserAgent>Procurement Suite 9</UserAgent></Sender>
  </Header>"""


def item_out(sku: str, quantity: Any, price: str = "10.00", line: int = 1, aux: str = "") -> str:
    return f"""<ItemOut quantity="{quantity}" lineNumber="{line}">
      <ItemID><SupplierPartID>{escape(sku)}</SupplierPartID>
        <SupplierPartAuxiliaryID>{escape(aux)}</SupplierPartAuxiliaryID></ItemID>
      <ItemDetail><UnitPrice><Money currency="USD">{price}</Money></UnitPrice>
        <Description xml:lang="en">Item {escape(sku)}</Description>
        <UnitOfMeasure>EA</UnitOfMeasure>
        <Classification domain="UNSPSC">27112700</Classification></ItemDetail>
    </ItemOut>"""


def setup_request(
    suite: Suite,
    *,
    operation: str = "create",
    items: str = "",
    lang: str = "en-US",
    email: str = "",
    secret: str | None = None,
    payload_id: str = "1733480000.123@procurement.example",
    form_post: str = FORM_POST,
) -> bytes:
    contact = (
        f'<Contact role="endUser"><Name xml:lang="en">Pat</Name><Email>{escape(email)}</Email>'
        "</Contact>"
        if email
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{DOCTYPE}
<cXML payloadID={quoteattr(payload_id)} timestamp="2026-12-06T12:00:00+08:00" xml:lang="{lang}">
  {header(suite, secret=secret)}
  <Request deploymentMode="production">
    <PunchOutSetupRequest operation="{operation}">
      <BuyerCookie>34234234ADFSDF234234</BuyerCookie>
      <Extrinsic name="CostCenter">610</Extrinsic>
      <BrowserFormPost><URL>{escape(form_post)}</URL></BrowserFormPost>
      {contact}
      <SupplierSetup><URL>https://supplier.example/punchout</URL></SupplierSetup>
      {items}
    </PunchOutSetupRequest>
  </Request>
</cXML>""".encode()


def order_request(
    suite: Suite,
    *items: str,
    order_id: str = "PO-4711",
    payload_id: str = "1733490000.555@procurement.example",
    address_id: str = "",
    street: str = "1 Harbour Rd",
    order_type: str = "new",
    secret: str | None = None,
    currency: str = "USD",
    mode: str = "production",
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{DOCTYPE}
<cXML payloadID={quoteattr(payload_id)} timestamp="2026-12-06T14:00:00+08:00" xml:lang="en-US">
  {header(suite, secret=secret)}
  <Request deploymentMode="{mode}">
    <OrderRequest>
      <OrderRequestHeader orderID={quoteattr(order_id)} orderDate="2026-12-06" type="{order_type}">
        <Total><Money currency="{currency}">100.00</Money></Total>
        <ShipTo><Address addressID={quoteattr(address_id)}><Name xml:lang="en">Dock 1</Name>
          <PostalAddress name="default"><DeliverTo>Pat</DeliverTo><Street>{escape(street)}</Street>
            <City>Hong Kong</City><Country isoCountryCode="HK">Hong Kong</Country></PostalAddress>
        </Address></ShipTo>
        <BillTo><Address addressID="B1"><Name xml:lang="en">Buyer One</Name></Address></BillTo>
        <Comments xml:lang="en">Deliver to the back door.</Comments>
      </OrderRequestHeader>
      {"".join(items)}
    </OrderRequest>
  </Request>
</cXML>""".encode()


def post(client: Client, path: str, body: bytes) -> Any:
    return client.post(path, body, content_type="text/xml")


def status(response: Any) -> tuple[int, str]:
    """The cXML Status of an answer: its code and its text (asserting it is cXML)."""
    assert response.status_code in (200, 405), response.content[:300]
    assert response["Content-Type"] == "text/xml; charset=UTF-8"
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM')
    root = fromstring(body)
    found = root.find("Response/Status")
    assert found is not None
    return int(found.get("code")), (found.text or "")
