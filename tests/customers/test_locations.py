import json

import pytest

from dinghuo.customers.models import Company, Location
from tests.customers.state import customer_state, events_since, last_event_id


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


def location_body(**extra):
    return {
        "kind": "ship_to",
        "name": "Warehouse Dock",
        "line1": "8 Kwai Chung Rd",
        "line2": "Unit 5",
        "city": "Kwai Chung",
        "postal_code": "",
        "country": "HK",
        **extra,
    }


def test_add_a_ship_to_and_order_to_it(world):
    api = world.client()
    cid = world.company.pk
    mark = last_event_id()

    r = api.post(f"/companies/{cid}/locations", location_body())

    assert r.status_code == 201, r.content
    location = Location.objects.get(company=world.company, name="Warehouse Dock")
    assert r.json() == {
        "id": location.pk,
        "company_id": cid,
        "kind": "ship_to",
        "name": "Warehouse Dock",
        "line1": "8 Kwai Chung Rd",
        "line2": "Unit 5",
        "city": "Kwai Chung",
        "postal_code": "",
        "country": "HK",
        "region": "",
        "is_active": True,
    }
    [event] = events_since(mark)
    assert (event.type, event.aggregate_type, event.aggregate_id) == (
        "location.created",
        "company",
        cid,
    )
    assert event.payload["location_id"] == location.pk
    assert event.payload["country"] == "HK"
    order = api.place(world.order_body(("A-1", 1), ship_to_id=location.pk))
    assert order.status_code == 201, order.content


def test_a_bill_to_is_not_a_ship_to(world):
    api = world.client()
    bill = api.post(
        f"/companies/{world.company.pk}/locations", location_body(kind="bill_to")
    ).json()

    r = api.place(world.order_body(("A-1", 1), ship_to_id=bill["id"]))

    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == ["unknown_ship_to"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"country": "hk"}, "invalid_country", "country"),
        ({"country": "XX"}, "invalid_country", "country"),
        ({"country": "EU"}, "invalid_country", "country"),
        ({"country": "HKG"}, "invalid_request", "country"),
        ({"country": ""}, "invalid_request", "country"),
        ({"kind": "home"}, "invalid_request", "kind"),
        ({"name": ""}, "invalid_request", "name"),
        ({"line1": "L" * 201}, "invalid_request", "line1"),
        ({"city": "C" * 101}, "invalid_request", "city"),
        ({"postal_code": "P" * 21}, "invalid_request", "postal_code"),
        ({"company_id": 1}, "invalid_request", "company_id"),
        ({"is_active": "yes"}, "invalid_request", "is_active"),
    ],
)
def test_bad_location_is_refused_and_changes_nothing(world, change, code, field):
    before = customer_state()

    r = world.client().post(f"/companies/{world.company.pk}/locations", location_body(**change))

    assert r.status_code == 422
    assert r.json()["code"] == code
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert customer_state() == before


def test_list_locations_of_a_company_by_kind(world):
    api = world.client()
    cid = world.company.pk
    bill = api.post(f"/companies/{cid}/locations", location_body(kind="bill_to")).json()

    def ids(**params):
        r = api.get(f"/companies/{cid}/locations", **params)
        assert r.status_code == 200, r.content
        return [loc["id"] for loc in r.json()["items"]]

    assert ids() == [world.ship_to.pk, bill["id"]]
    assert ids(kind="bill_to") == [bill["id"]]
    assert ids(kind="ship_to", is_active="true") == [world.ship_to.pk]
    assert ids(limit=1) == [world.ship_to.pk]
    assert api.get(f"/companies/{cid}/locations", kind="home").status_code == 422


def test_patch_a_location(world):
    api = world.client()
    mark = last_event_id()

    r = patch(
        api,
        f"/companies/{world.company.pk}/locations/{world.ship_to.pk}",
        {"line2": "Gate B", "postal_code": "999077"},
    )

    assert r.status_code == 200, r.content
    assert (r.json()["line1"], r.json()["line2"], r.json()["postal_code"]) == (
        "1 Harbour Rd",
        "Gate B",
        "999077",
    )
    [event] = events_since(mark)
    assert event.type == "location.updated"
    assert event.payload["changed"] == ["line2", "postal_code"]


def test_an_inactive_ship_to_takes_no_new_orders(world):
    api = world.client()

    r = patch(
        api, f"/companies/{world.company.pk}/locations/{world.ship_to.pk}", {"is_active": False}
    )
    refused = api.place(world.order_body(("A-1", 1)))

    assert (r.status_code, r.json()["is_active"]) == (200, False)
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json()["errors"]] == ["unknown_ship_to"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"country": "uk"}, "invalid_country"),
        ({"country": None}, "invalid_request"),
        ({"is_active": None}, "invalid_request"),
        ({"kind": "office"}, "invalid_request"),
        ({"company_id": 5}, "invalid_request"),
        ({"city": ""}, "invalid_request"),
    ],
)
def test_bad_location_patch_changes_nothing(world, body, code):
    before = customer_state()

    r = patch(world.client(), f"/companies/{world.company.pk}/locations/{world.ship_to.pk}", body)

    assert r.status_code == 422
    assert r.json()["code"] == code
    assert customer_state() == before


def test_location_of_another_company_is_not_found(world):
    api = world.client()
    other = Company.objects.create(
        tenant=world.tenant, code="C050", name="Other", price_list=world.price_list
    )
    before = customer_state()

    r = patch(api, f"/companies/{other.pk}/locations/{world.ship_to.pk}", {"name": "Mine now"})

    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert customer_state() == before
    assert api.get(f"/companies/{other.pk}/locations").json()["items"] == []


def test_locations_of_an_unknown_company_are_not_found(world):
    api = world.client()
    before = customer_state()

    assert api.get("/companies/999999/locations").status_code == 404
    assert api.post("/companies/999999/locations", location_body()).status_code == 404
    assert customer_state() == before


def test_read_only_key_cannot_write_locations(world):
    api = world.client(world.read_key)
    cid = world.company.pk
    before = customer_state()

    answers = [
        api.post(f"/companies/{cid}/locations", location_body()),
        api.send(
            "PATCH", f"/companies/{cid}/locations/{world.ship_to.pk}", json.dumps({"name": "X"})
        ),
    ]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "insufficient_scope")] * 2
    assert customer_state() == before
    assert api.get(f"/companies/{cid}/locations").status_code == 200


def test_countries_are_exactly_the_assigned_iso_codes():
    from dinghuo.customers.services import COUNTRIES

    assert len(COUNTRIES) == 249
    assert {"HK", "MO", "TW", "CN", "SS", "GB", "AQ"} <= COUNTRIES
    assert not {"EU", "UN", "XK", "ZZ", "UK", "AC", "IC"} & COUNTRIES
