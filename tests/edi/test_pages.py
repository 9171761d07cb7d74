"""The EDI back-office pages: partners set up and changed, messages listed and read, an
upload by hand; another tenant's staff finds nothing."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.edi.services import inbound
from tests.backoffice.staffing import make_staff
from tests.builders import build_world
from tests.edi.support import BUYER_GLN, DOCK_GLN, OUR_GLN, add_partner, fixture


def staff_client(world, name: str = "sam") -> Client:
    member = make_staff(world, f"{name}@{world.tenant.slug}.test")
    client = Client()
    client.force_login(member.user)
    return client


def test_a_partner_is_set_up_then_its_delivery_point_mapped(world):
    client = staff_client(world)
    page = client.get("/staff/edi/partners/new/")
    assert page.status_code == 200
    form = {
        "token": uuid.uuid4().hex,
        "name": "Harbour Hardware",
        "gln": BUYER_GLN,
        "company": world.company.pk,
        "our_gln": OUR_GLN,
        "is_active": "on",
    }
    bad = client.post("/staff/edi/partners/new/", {**form, "gln": "5412345000014"})
    assert bad.status_code == 200
    assert "check digit" in bad.content.decode()
    assert not TradingPartner.objects.exists()
    r = client.post("/staff/edi/partners/new/", form)
    partner = TradingPartner.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/edi/partners/{partner.pk}/")
    assert client.post("/staff/edi/partners/new/", form).status_code == 302  # same token
    assert TradingPartner.objects.count() == 1

    edit = {**form, f"address_{world.ship_to.pk}": DOCK_GLN, "test_mode": "on"}
    del edit["company"]
    r = client.post(f"/staff/edi/partners/{partner.pk}/", edit)
    assert r.status_code == 302, r.content.decode()[:2000]
    partner.refresh_from_db()
    assert partner.test_mode
    assert list(partner.ship_tos.values_list("gln", "location_id")) == [
        (DOCK_GLN, world.ship_to.pk)
    ]


def test_messages_are_listed_and_read(world):
    add_partner(world)
    received = inbound.receive_interchange(
        tenant_id=world.tenant.pk, text=fixture("orders_unknown_article.edi"), source="api"
    ).message
    client = staff_client(world)
    overview = client.get("/staff/edi/").content.decode()
    assert "Harbour Hardware" in overview and f"edi-message-{received.pk}" in overview
    refused = client.get("/staff/edi/?status=rejected").content.decode()
    assert f"edi-message-{received.answer_id}" not in refused
    page = client.get(f"/staff/edi/messages/{received.pk}/").content.decode()
    assert "An article is unknown." in page and "line 2" in page
    assert "LIN+2++9300000000019:EN&#x27;" in page
    answer = client.get(f"/staff/edi/messages/{received.answer_id}/").content.decode()
    assert "BGM+231+PO-4715+27" in answer


def test_an_interchange_is_uploaded_by_hand_once(world):
    add_partner(world)
    client = staff_client(world)
    token = uuid.uuid4().hex
    for _ in range(2):
        upload = SimpleUploadedFile("po.edi", fixture("orders_basic.edi").encode())
        r = client.post("/staff/edi/upload/", {"token": token, "file": upload})
        assert r.status_code == 302
    message = EdiMessage.objects.get(direction="in")
    assert message.status == "accepted"
    assert r["Location"].endswith(f"/edi/messages/{message.pk}/")


def test_another_tenants_staff_finds_nothing(world):
    partner = add_partner(world)
    received = inbound.receive_interchange(
        tenant_id=world.tenant.pk, text=fixture("orders_basic.edi"), source="api"
    ).message
    other = build_world("other")
    client = staff_client(other, "eve")
    assert client.get(f"/staff/edi/partners/{partner.pk}/").status_code == 404
    assert client.post(f"/staff/edi/partners/{partner.pk}/", {"name": "x"}).status_code == 404
    assert client.get(f"/staff/edi/messages/{received.pk}/").status_code == 404
    assert "Harbour Hardware" not in client.get("/staff/edi/").content.decode()
