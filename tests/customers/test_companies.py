import json

import pytest

from dinghuo.customers.models import Company
from tests.customers.state import customer_state, events_since, last_event_id


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


def company_body(world, **extra):
    return {"code": "C002", "name": "Buyer Two", "price_list_id": world.price_list.pk, **extra}


def test_create_company_answers_it_and_records_the_event(world):
    api = world.client()
    mark = last_event_id()

    r = api.post("/companies", company_body(world))

    assert r.status_code == 201, r.content
    body = r.json()
    company = Company.objects.get(tenant=world.tenant, code="C002")
    assert body == {
        "id": company.pk,
        "code": "C002",
        "name": "Buyer Two",
        "price_list_id": world.price_list.pk,
        "price_list": "std",
        "currency": "USD",
        "parent_id": None,
        "group_ids": [],
        "tax_exemption": None,
        "is_active": True,
        "created_at": company.created_at.isoformat(),
        "locations": [],
        "users": [],
    }
    [event] = events_since(mark)
    assert (event.type, event.aggregate_type, event.aggregate_id) == (
        "company.created",
        "company",
        company.pk,
    )
    assert event.payload == {
        "company": "C002",
        "name": "Buyer Two",
        "price_list": "std",
        "is_active": True,
        "parent": None,
        "groups": [],
    }
    assert api.get(f"/companies/{company.pk}").json() == body


def test_create_strips_surrounding_spaces(world):
    r = world.client().post("/companies", company_body(world, code="  C009 ", name=" Nine  "))

    assert r.status_code == 201, r.content
    assert (r.json()["code"], r.json()["name"]) == ("C009", "Nine")


def test_unknown_price_list_is_refused_and_changes_nothing(world):
    before = customer_state()

    r = world.client().post("/companies", company_body(world, price_list_id=999_999))

    assert r.status_code == 422
    assert r.json()["code"] == "unknown_price_list"
    assert r.json()["errors"] == [
        {"field": "price_list_id", "code": "unknown_price_list", "message": "No price list 999999"}
    ]
    assert customer_state() == before


def test_price_list_of_another_tenant_is_unknown(world, other_world):
    before = customer_state()

    r = world.client().post(
        "/companies", company_body(world, price_list_id=other_world.price_list.pk)
    )

    assert r.status_code == 422
    assert r.json()["code"] == "unknown_price_list"
    assert customer_state() == before


def test_duplicate_code_is_a_conflict_and_changes_nothing(world):
    before = customer_state()

    r = world.client().post("/companies", company_body(world, code="C001"))

    assert r.status_code == 409
    assert r.json()["code"] == "company_code_taken"
    assert r.json()["errors"][0]["field"] == "code"
    assert customer_state() == before


def test_the_same_code_may_be_used_by_another_tenant(world, other_world):
    r = world.client().post("/companies", company_body(world, code="C777"))
    r2 = other_world.client().post("/companies", company_body(other_world, code="C777"))

    assert (r.status_code, r2.status_code) == (201, 201)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "   "}, "code"),
        ({"code": "X" * 65}, "code"),
        ({"name": "N" * 301}, "name"),
        ({"price_list_id": "1"}, "price_list_id"),
        ({"price_list_id": 0}, "price_list_id"),
        ({"price_list_id": 2**63}, "price_list_id"),
        ({"price_list_id": None}, "price_list_id"),
        ({"is_active": False}, "is_active"),
        ({"code": 12}, "code"),
    ],
)
def test_malformed_company_is_refused_and_changes_nothing(world, change, field):
    before = customer_state()

    r = world.client().post("/companies", company_body(world, **change))

    assert r.status_code == 422
    assert r.json()["code"] == "invalid_request"
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert customer_state() == before


def test_missing_fields_are_each_named(world):
    before = customer_state()

    r = world.client().post("/companies", {})

    assert r.status_code == 422
    assert sorted(e["field"] for e in r.json()["errors"]) == ["code", "name", "price_list_id"]
    assert customer_state() == before


def test_create_with_idempotency_key_replays_the_same_answer(world):
    api = world.client()
    first = api.post("/companies", company_body(world), key="co-1")
    again = api.post("/companies", company_body(world), key="co-1")
    other = api.post("/companies", company_body(world, name="Else"), key="co-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Company.objects.filter(tenant=world.tenant, code="C002").count() == 1


def test_list_filters_by_activity_and_text(world):
    api = world.client()
    for code, name in [
        ("C002", "Harbour Traders"),
        ("C003", "Hill Supplies"),
        ("X100", "harbourside"),
    ]:
        assert api.post("/companies", company_body(world, code=code, name=name)).status_code == 201
    c003 = Company.objects.get(code="C003")
    assert api.post(f"/companies/{c003.pk}/deactivate").status_code == 200

    def codes(**params):
        r = api.get("/companies", **params)
        assert r.status_code == 200, r.content
        return [c["code"] for c in r.json()["items"]]

    assert codes() == ["C001", "C002", "C003", "X100"]
    assert codes(is_active="false") == ["C003"]
    assert codes(is_active="true") == ["C001", "C002", "X100"]
    assert codes(q="HARBOUR") == ["C002", "X100"]
    assert codes(q="c00") == ["C001", "C002", "C003"]
    assert codes(q="harbour", is_active="true") == ["C002", "X100"]


def test_list_pages_with_a_cursor(world):
    api = world.client()
    for n in range(2, 5):
        api.post("/companies", company_body(world, code=f"C00{n}"))

    first = api.get("/companies", limit=3).json()
    second = api.get("/companies", limit=3, after=first["next_cursor"]).json()

    assert [c["code"] for c in first["items"]] == ["C001", "C002", "C003"]
    assert [c["code"] for c in second["items"]] == ["C004"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"after": "abc"}, {"is_active": "maybe"}, {"q": "q" * 101}],
)
def test_bad_list_parameters_are_refused(world, params):
    r = world.client().get("/companies", **params)

    assert r.status_code == 422
    assert r.json()["code"] in {"invalid_request", "invalid_cursor"}


def test_detail_has_locations_and_users(world):
    api = world.client()
    cid = world.company.pk
    bill = api.post(
        f"/companies/{cid}/locations",
        {
            "kind": "bill_to",
            "name": "HQ",
            "line1": "2 Queen's Rd",
            "city": "Hong Kong",
            "country": "HK",
        },
    ).json()
    user = api.post(
        f"/companies/{cid}/users", {"email": "mei@buyer.test", "name": "Mei", "role": "approver"}
    ).json()

    r = api.get(f"/companies/{cid}")

    assert r.status_code == 200
    body = r.json()
    assert [loc["id"] for loc in body["locations"]] == [world.ship_to.pk, bill["id"]]
    assert body["locations"][0] == {
        "id": world.ship_to.pk,
        "company_id": cid,
        "kind": "ship_to",
        "name": "Dock 1",
        "line1": "1 Harbour Rd",
        "line2": "",
        "city": "Hong Kong",
        "postal_code": "",
        "country": "HK",
        "region": "",
        "is_active": True,
    }
    assert body["users"] == [user]


def test_unknown_company_is_not_found(world):
    r = world.client().get("/companies/999999")

    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_patch_changes_only_what_is_given(world):
    api = world.client()
    mark = last_event_id()

    r = patch(api, f"/companies/{world.company.pk}", {"name": "Buyer One Ltd"})

    assert r.status_code == 200, r.content
    assert (r.json()["code"], r.json()["name"]) == ("C001", "Buyer One Ltd")
    world.company.refresh_from_db()
    assert world.company.name == "Buyer One Ltd"
    [event] = events_since(mark)
    assert event.type == "company.updated"
    assert event.payload["changed"] == ["name"]
    assert event.payload["name"] == "Buyer One Ltd"


def test_patch_moves_the_company_to_another_price_list(world):
    from dinghuo.pricing.models import PriceList

    eur = PriceList.objects.create(
        tenant=world.tenant, seller=world.seller, code="eur", name="Euro", currency="EUR"
    )

    r = patch(world.client(), f"/companies/{world.company.pk}", {"price_list_id": eur.pk})

    assert r.status_code == 200
    assert (r.json()["price_list_id"], r.json()["price_list"], r.json()["currency"]) == (
        eur.pk,
        "eur",
        "EUR",
    )


def test_patch_with_no_change_records_nothing(world):
    mark = last_event_id()

    r = patch(world.client(), f"/companies/{world.company.pk}", {"name": "Buyer One"})

    assert r.status_code == 200
    assert events_since(mark) == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": None}, 422, "invalid_request"),
        ({"code": ""}, 422, "invalid_request"),
        ({"is_active": False}, 422, "invalid_request"),
        ({"price_list_id": 999_999}, 422, "unknown_price_list"),
        ({"code": "C002"}, 409, "company_code_taken"),
        ({"name": "Fine", "code": "C002"}, 409, "company_code_taken"),
    ],
)
def test_bad_patch_is_refused_and_changes_nothing(world, body, status, code):
    api = world.client()
    assert api.post("/companies", company_body(world)).status_code == 201
    before = customer_state()

    r = patch(api, f"/companies/{world.company.pk}", body)

    assert r.status_code == status
    assert r.json()["code"] == code
    assert customer_state() == before


def test_price_list_of_another_tenant_cannot_be_patched_in(world, other_world):
    before = customer_state()

    r = patch(
        world.client(),
        f"/companies/{world.company.pk}",
        {"price_list_id": other_world.price_list.pk},
    )

    assert r.status_code == 422
    assert r.json()["code"] == "unknown_price_list"
    assert customer_state() == before


def test_deactivated_company_cannot_order_until_activated(world):
    api = world.client()
    cid = world.company.pk
    mark = last_event_id()

    off = api.post(f"/companies/{cid}/deactivate")
    off_again = api.post(f"/companies/{cid}/deactivate")
    refused = api.place(world.order_body(("A-1", 1)), key="o-1")
    on = api.post(f"/companies/{cid}/activate")
    placed = api.place(world.order_body(("A-1", 1)), key="o-2")

    assert (off.status_code, off.json()["is_active"]) == (200, False)
    assert (off_again.status_code, off_again.json()["is_active"]) == (200, False)
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json()["errors"]] == ["unknown_company"]
    assert (on.status_code, on.json()["is_active"]) == (200, True)
    assert placed.status_code == 201
    assert [e.type for e in events_since(mark) if e.aggregate_type == "company"] == [
        "company.deactivated",
        "company.activated",
    ]


def test_read_only_key_cannot_write_companies(world):
    api = world.client(world.read_key)
    cid = world.company.pk
    before = customer_state()

    answers = [
        api.post("/companies", company_body(world)),
        api.send("PATCH", f"/companies/{cid}", json.dumps({"name": "X"})),
        api.post(f"/companies/{cid}/deactivate"),
        api.post(f"/companies/{cid}/activate"),
    ]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "insufficient_scope")] * 4
    assert customer_state() == before
    assert api.get(f"/companies/{cid}").status_code == 200
