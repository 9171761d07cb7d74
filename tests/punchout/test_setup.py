"""PunchOutSetupRequest over HTTP: who may open a session, what the start page does, and
that every refusal is a cXML Status with a sentence, never a page or a trace."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client

from dinghuo.buying import queries as buying
from dinghuo.buying import services as buying_services
from dinghuo.punchout import services as punchout
from dinghuo.punchout.models import Session
from tests.builders import World, add_buyer
from tests.punchout.documents import FORM_POST, connect, item_out, post, setup_request, status

SETUP = "/punchout/cxml/setup"


def start_page(response) -> str:
    code, _ = status(response)
    assert code == 200
    url = fromstring(response.content).find("Response/PunchOutSetupResponse/StartPage/URL")
    assert url is not None and url.text
    return url.text


def test_a_setup_request_opens_a_session_through_a_one_time_start_page(world: World) -> None:
    suite = connect(world)
    url = start_page(post(Client(), SETUP, setup_request(suite)))
    assert url.startswith("http://testserver/punchout/start/")
    session = Session.objects.get()
    assert session.buyer_cookie == "34234234ADFSDF234234"
    assert session.form_post_url == FORM_POST
    assert session.operation == "create"
    assert session.company_user == suite.buyer
    assert urlsplit(url).path.split("/")[-2] not in session.token_hash  # only its hash is kept

    browser = Client()
    opened = browser.get(urlsplit(url).path)
    assert opened.status_code == 302 and opened["Location"] == "/catalogue/"
    cart = browser.get("/cart/").content.decode()
    assert "Transfer cart to your purchasing system" not in cart  # empty: return without items
    assert "Return to your purchasing system without items" in cart
    assert browser.get("/checkout/")["Location"] == "/cart/"  # no checkout in a punchout

    again = Client().get(urlsplit(url).path)
    assert again.status_code == 410
    assert "used already" in again.content.decode()


def test_the_start_page_expires(world: World, settings) -> None:
    suite = connect(world)
    url = start_page(post(Client(), SETUP, setup_request(suite)))
    Session.objects.update(expires_at=Session.objects.get().expires_at - timedelta(minutes=6))
    late = Client().get(urlsplit(url).path)
    assert late.status_code == 410
    assert "expired" in late.content.decode()
    assert Session.objects.get().opened_at is None
    assert Client().get("/punchout/start/not-a-token/").status_code == 410


def test_a_named_person_of_the_company_is_signed_in_instead(world: World) -> None:
    suite = connect(world)
    named, _ = add_buyer(world, "lee@buyer.example")
    start_page(post(Client(), SETUP, setup_request(suite, email="LEE@buyer.example")))
    assert Session.objects.get().company_user == named
    # Not a user of the company: the connection's own user.
    Session.objects.all().delete()
    start_page(post(Client(), SETUP, setup_request(suite, email="stranger@else.example")))
    assert Session.objects.get().company_user == suite.buyer


def test_edit_reloads_the_cart_from_the_item_out_lines(world: World) -> None:
    suite = connect(world)
    buying_services.add_to_cart(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        owner_id=suite.buyer.pk,
        sku="C-3",
        quantity=9,
    )
    items = item_out("A-1", 3, aux="PO1-1") + item_out("B-2", 12, "2.50", 2) + item_out("ZZ", 1)
    url = start_page(post(Client(), SETUP, setup_request(suite, operation="edit", items=items)))
    browser = Client()
    opened = browser.get(urlsplit(url).path)
    assert opened["Location"] == "/cart/"
    lines = buying.cart_lines(
        world.tenant.pk, buying.buyer_company(world.tenant.pk, world.company.pk), suite.buyer.pk
    )
    assert [(code, quantity) for _, code, quantity, _ in lines] == [("A-1", 3), ("B-2", 12)]
    page = browser.get("/cart/").content.decode()
    assert "These items could not be put in the cart: ZZ" in page
    assert "Transfer cart to your purchasing system" in page


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret": "wrong-secret"}, 401),
        ({"secret": ""}, 401),
    ],
)
def test_wrong_credentials_are_refused(world: World, change, code) -> None:
    suite = connect(world)
    answer = post(Client(), SETUP, setup_request(suite, **change))
    assert status(answer)[0] == code
    assert not Session.objects.exists()


def test_identities_must_match_the_secret(world: World) -> None:
    suite = connect(world)
    suite_other_identity = connect(world, buyer_identity="AN-OTHER", email="o@buyer.example")
    # The right secret with another connection's From identity: refused.
    suite_other_identity.secret = suite.secret
    code, text = status(post(Client(), SETUP, setup_request(suite_other_identity)))
    assert code == 401 and "SharedSecret" in text
    assert not Session.objects.exists()


def test_another_tenants_connection_never_matches(world: World, other_world: World) -> None:
    ours = connect(world)
    # The very same identities in another tenant: the secret decides, never the first match.
    theirs = connect(other_world, email="pat@other.example")
    start_page(post(Client(), SETUP, setup_request(theirs)))
    start_page(post(Client(), SETUP, setup_request(ours)))
    sessions = {s.connection_id: s.tenant_id for s in Session.objects.all()}
    assert sessions == {
        ours.connection.pk: world.tenant.pk,
        theirs.connection.pk: other_world.tenant.pk,
    }


def test_a_switched_off_connection_answers_403(world: World) -> None:
    suite = connect(world)
    punchout.update_connection(
        tenant_id=world.tenant.pk, connection_id=suite.connection.pk, is_active=False
    )
    code, text = status(post(Client(), SETUP, setup_request(suite)))
    assert (code, text) == (403, "This procurement connection is switched off by the supplier.")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<cXML payloadID="x"><Header>&lol3;</Header></cXML>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<cXML payloadID="x"><Request><PunchOutSetupRequest><BuyerCookie>&secret;</BuyerCookie>
</PunchOutSetupRequest></Request></cXML>"""


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<cXML><Header>", "not well-formed"),
        (b"", "no cXML document"),
        (b"\xff\xfe garbage", "not well-formed"),
        (b"<order/>", "root element must be cXML"),
        (BILLION_LAUGHS, "declares entities"),
        (XXE, "declares entities"),
        (b"<cXML payloadID='1'><Header><From/><To/><Sender/></Header></cXML>", "SharedSecret"),
    ],
)
def test_broken_and_hostile_documents_are_refused_in_cxml(world: World, body, words) -> None:
    connect(world)
    answer = post(Client(), SETUP, body)
    code, text = status(answer)
    assert code in (400, 401)
    assert words in text
    assert b"Traceback" not in answer.content and b"<html" not in answer.content
    assert not Session.objects.exists()


def test_a_setup_without_its_parts_says_which_is_missing(world: World) -> None:
    suite = connect(world)
    body = setup_request(suite).replace(b"<BuyerCookie>34234234ADFSDF234234</BuyerCookie>", b"")
    assert status(post(Client(), SETUP, body)) == (
        400,
        "The document has no BuyerCookie (BuyerCookie).",
    )
    body = setup_request(suite, operation="destroy")
    assert status(post(Client(), SETUP, body)) == (
        406,
        "The operation 'destroy' is not supported.",
    )


def test_only_post_is_answered(world: World) -> None:
    answer = Client().get(SETUP)
    assert answer.status_code == 405
    assert status(answer)[0] == 405


def test_the_named_person_may_come_as_an_extrinsic_and_only_from_the_company(
    world: World,
) -> None:
    from tests.portal.ordering import second_company

    suite = connect(world)
    named, _ = add_buyer(world, "lee@buyer.example")
    neighbour, _ = add_buyer(world, "nat@neighbour.example", company=second_company(world))

    def opened_as(email: str) -> int:
        Session.objects.all().delete()
        body = setup_request(suite).replace(
            b'<Extrinsic name="CostCenter">610</Extrinsic>',
            f'<Extrinsic name="UserEmail">{email}</Extrinsic>'.encode(),
        )
        start_page(post(Client(), SETUP, body))
        return Session.objects.get().company_user_id

    assert opened_as("lee@buyer.example") == named.pk
    assert opened_as("nat@neighbour.example") == suite.buyer.pk  # another company's person
    punchout.update_connection(
        tenant_id=world.tenant.pk, connection_id=suite.connection.pk, named_user_allowed=False
    )
    assert opened_as("lee@buyer.example") == suite.buyer.pk
    assert neighbour.pk != suite.buyer.pk
