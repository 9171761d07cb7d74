"""Another tenant's key finds none of this tenant's companies, locations or users."""

import json

import pytest

from tests.customers.state import customer_state


@pytest.fixture
def member(world):
    r = world.client().post(
        f"/companies/{world.company.pk}/users", {"email": "mei@buyer.test", "name": "Mei"}
    )
    assert r.status_code == 201
    return r.json()


def requests_on(world, member):
    cid, lid, uid = world.company.pk, world.ship_to.pk, member["id"]
    location = {"kind": "ship_to", "name": "X", "line1": "X", "city": "X", "country": "HK"}
    return [
        ("GET", f"/companies/{cid}", None),
        ("PATCH", f"/companies/{cid}", {"name": "Taken over"}),
        ("POST", f"/companies/{cid}/deactivate", None),
        ("POST", f"/companies/{cid}/activate", None),
        ("GET", f"/companies/{cid}/locations", None),
        ("POST", f"/companies/{cid}/locations", location),
        ("PATCH", f"/companies/{cid}/locations/{lid}", {"is_active": False}),
        ("GET", f"/companies/{cid}/users", None),
        ("POST", f"/companies/{cid}/users", {"email": "spy@globex.test", "name": "Spy"}),
        ("PATCH", f"/companies/{cid}/users/{uid}", {"role": "admin"}),
    ]


def test_every_request_on_another_tenants_company_is_not_found(world, other_world, member):
    api = other_world.client()
    before = customer_state()

    answers = [
        (method, path, api.send(method, path, json.dumps(body) if body else None))
        for method, path, body in requests_on(world, member)
    ]

    assert [(m, p, r.status_code, r.json()["code"]) for m, p, r in answers] == [
        (m, p, 404, "not_found") for m, p, _ in answers
    ]
    assert customer_state() == before


def test_own_company_with_another_tenants_location_or_user_is_not_found(world, other_world, member):
    api = other_world.client()
    own = other_world.company.pk
    before = customer_state()

    answers = [
        api.send(
            "PATCH", f"/companies/{own}/locations/{world.ship_to.pk}", json.dumps({"name": "X"})
        ),
        api.send("PATCH", f"/companies/{own}/users/{member['id']}", json.dumps({"role": "admin"})),
    ]

    assert [r.status_code for r in answers] == [404, 404]
    assert customer_state() == before


def test_lists_show_only_own_companies(world, other_world):
    r = other_world.client().get("/companies", q="C001")

    assert [c["id"] for c in r.json()["items"]] == [other_world.company.pk]
