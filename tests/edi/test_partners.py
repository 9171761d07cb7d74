"""Trading partners through the API: GLNs checked, one partner per GLN and per company,
delivery points among the company's addresses, article numbers; the references we give
never repeat, also under concurrency (PostgreSQL)."""

import pytest

from dinghuo.customers.models import Company, Location
from dinghuo.edi.models import TradingPartner
from dinghuo.edi.services import partners
from dinghuo.integrations.models import Event
from tests.edi.support import BUYER_GLN, DOCK_GLN, OUR_GLN, add_partner


def body(world, **extra):
    return {
        "name": "Harbour Hardware",
        "gln": BUYER_GLN,
        "company_id": world.company.pk,
        "our_gln": OUR_GLN,
        "ship_tos": [{"gln": DOCK_GLN, "location_id": world.ship_to.pk}],
        **extra,
    }


def test_a_partner_is_set_up_read_and_changed(world):
    api = world.client()
    r = api.post("/edi/partners", body(world, accept_partial_orders=True), key="p1")
    assert r.status_code == 201, r.json()
    made = r.json()
    assert {k: made[k] for k in ("gln", "company", "our_gln", "test_mode", "is_active")} == {
        "gln": BUYER_GLN, "company": "C001", "our_gln": OUR_GLN, "test_mode": False, "is_active": True,
    }  # fmt: skip
    assert made["ship_tos"] == [{"gln": DOCK_GLN, "location_id": world.ship_to.pk}]
    assert (made["accept_partial_orders"], made["next_interchange_ref"]) == (True, 1)
    assert (
        api.post("/edi/partners", body(world, accept_partial_orders=True), key="p1").json() == made
    )
    assert api.get(f"/edi/partners/{made['id']}").json() == made

    changed = api.send(
        "PATCH", f"/edi/partners/{made['id']}", '{"test_mode": true, "ship_tos": []}'
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["test_mode"], changed.json()["ship_tos"]) == (True, [])
    [event] = Event.objects.filter(type="edi_partner.updated")
    assert event.payload["changed"] == ["test_mode", "ship_tos"]

    r = api.send(
        "PUT", f"/edi/partners/{made['id']}/articles",
        '{"articles": [{"buyer_article": "RX-77", "sku": "D-4"}]}',
    )  # fmt: skip
    assert r.json()["articles"] == [{"buyer_article": "RX-77", "sku": "D-4"}]
    assert api.get("/edi/partners").json()["items"][0]["id"] == made["id"]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"gln": "5412345000014"}, 422, "validation_failed", "gln"),
        ({"our_gln": "4012345000008"}, 422, "validation_failed", "our_gln"),
        ({"gln": "541234500001"}, 422, "invalid_request", "gln"),
        ({"company_id": 999999}, 422, "validation_failed", "company_id"),
        (
            {"ship_tos": [{"gln": DOCK_GLN, "location_id": 999999}]},
            422,
            "validation_failed",
            "ship_tos[0].location_id",
        ),
        ({"ship_tos": [{"gln": DOCK_GLN, "location_id": 0}] * 2}, 422, "invalid_request", None),
    ],
)
def test_bad_setups_are_refused_and_change_nothing(world, change, status, code, field):
    r = world.client().post("/edi/partners", body(world, **change), key="bad")
    assert (r.status_code, r.json()["code"]) == (status, code), r.json()
    if field:
        assert field in [e["field"] for e in r.json()["errors"]]
    assert not TradingPartner.objects.exists()


def test_one_partner_per_gln_and_per_company(world):
    api = world.client()
    assert api.post("/edi/partners", body(world), key="a").status_code == 201
    other = Company.objects.create(
        tenant=world.tenant, code="C2", name="Two", price_list=world.price_list
    )
    r = api.post("/edi/partners", body(world, company_id=other.pk, ship_tos=[]), key="b")
    assert (r.status_code, r.json()["code"]) == (409, "gln_taken")
    r = api.post("/edi/partners", body(world, gln="5412345000037"), key="c")
    assert (r.status_code, r.json()["code"]) == (409, "company_has_partner")


def test_a_delivery_point_must_be_an_address_of_the_partners_company(world):
    other = Company.objects.create(
        tenant=world.tenant, code="C2", name="Two", price_list=world.price_list
    )
    theirs = Location.objects.create(
        tenant=world.tenant,
        company=other,
        kind="ship_to",
        name="X",
        line1="1",
        city="HK",
        country="HK",
    )
    r = world.client().post(
        "/edi/partners",
        body(world, ship_tos=[{"gln": DOCK_GLN, "location_id": theirs.pk}]),
        key="x",
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "unknown_location"


def test_references_follow_each_other(world):
    partner = add_partner(world)
    assert partners.take_references(partner.pk, 3) == (1, 1)
    assert partners.take_references(partner.pk, 1) == (2, 4)
    partner.refresh_from_db()
    assert (partner.next_interchange_ref, partner.next_message_ref) == (3, 5)
