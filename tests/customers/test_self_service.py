"""A company's own users on /api/v1/my/…: everyone reads their company and its addresses; a
company admin manages its users and addresses with the same rules as staff."""

import json
from decimal import Decimal

import pytest

from dinghuo.customers.models import Company, CompanyUser, CustomerGroup, Location
from dinghuo.customers.services import create_company
from tests.customers.buyers import buyer_client
from tests.customers.state import customer_state, events_since, last_event_id

DOCK = {"kind": "ship_to", "name": "Dock 2", "line1": "2 Pier", "city": "Kowloon", "country": "HK"}


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


@pytest.fixture
def admin(world):
    return buyer_client(world.company, "boss@buyer.test", "admin")


@pytest.fixture
def clerk(world):
    return buyer_client(world.company, "clerk@buyer.test", "buyer", spending_limit=Decimal(500))


@pytest.fixture
def neighbour(world):
    """Another company of the same tenant, with a user and a location."""
    company = create_company(
        tenant_id=world.tenant.pk, code="C-N", name="Neighbour", price_list_id=world.price_list.pk
    )
    location = Location.objects.create(
        tenant=world.tenant,
        company=company,
        kind="ship_to",
        name="Their dock",
        line1="9 Far Rd",
        city="Macau",
        country="MO",
    )
    member, client = buyer_client(company, "them@other.test", "admin")
    return company, location, member, client


def test_my_company_shows_my_company_and_me(world, clerk):
    parent = create_company(
        tenant_id=world.tenant.pk, code="GRP", name="Group HQ", price_list_id=world.price_list.pk
    )
    group = CustomerGroup.objects.create(tenant=world.tenant, code="dealers", name="Dealers")
    Company.objects.filter(pk=world.company.pk).update(parent=parent)
    world.company.groups.add(group)
    member, api = clerk
    api_staff = world.client()
    api_staff.send(
        "PATCH",
        f"/companies/{world.company.pk}/credit",
        json.dumps({"credit_limit": "2000", "terms": "eom", "terms_days": 10}),
    )

    r = api.get("/my/company")

    assert r.status_code == 200, r.content
    assert r.json() == {
        "id": world.company.pk,
        "code": "C001",
        "name": "Buyer One",
        "currency": "USD",
        "is_active": True,
        "parent": {"id": parent.pk, "code": "GRP", "name": "Group HQ"},
        "groups": [{"id": group.pk, "code": "dealers", "name": "Dealers"}],
        "locations": [
            {
                "id": world.ship_to.pk,
                "company_id": world.company.pk,
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
        ],
        "me": {
            "id": member.pk,
            "person_id": member.user_id,
            "company_id": world.company.pk,
            "email": "clerk@buyer.test",
            "name": "Clerk",
            "role": "buyer",
            "spending_limit": "500.00",
            "currency": "USD",
            "is_active": True,
            "has_password": False,
            "invitation": {"sent_at": None, "expires_at": None},  # its mail not made yet
        },
        "credit": {
            "currency": "USD",
            "credit_limit": "2000.00",
            "terms": "eom",
            "terms_days": 10,
            "deposit_percent": 0,
            "terms_text": "End of month + 10",
            "exposure": "0.00",
            "available": "2000.00",
            "status": "ok",
        },
    }


def test_my_company_costs_a_fixed_number_of_queries(world, clerk, django_assert_num_queries):
    _, api = clerk
    # key, company (+parent), groups, locations, me, credit line, seller's policy
    with django_assert_num_queries(7):
        assert api.get("/my/company").status_code == 200


def test_every_role_reads_the_locations_of_its_own_company_only(world, clerk, neighbour):
    _, api = clerk

    r = api.get("/my/locations")

    assert r.status_code == 200
    assert [loc["id"] for loc in r.json()["items"]] == [world.ship_to.pk]
    assert api.get("/my/locations", kind="bill_to").json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/my/users", None),
        ("POST", "/my/users", {"email": "x@buyer.test", "name": "X"}),
        ("PATCH", "/my/users/{me}", {"name": "Me"}),
        ("POST", "/my/locations", DOCK),
        ("PATCH", "/my/locations/{ship_to}", {"name": "Mine"}),
    ],
)
@pytest.mark.parametrize("role", ["buyer", "approver"])
def test_only_a_company_admin_manages_users_and_addresses(world, method, path, body, role):
    member, api = buyer_client(world.company, f"{role}@buyer.test", role)
    url = path.format(me=member.pk, ship_to=world.ship_to.pk)
    before = customer_state()

    r = api.send(method, url, json.dumps(body) if body else None)

    assert r.status_code == 403, r.content
    assert r.json()["code"] == "company_admin_required"
    assert customer_state() == before


def test_an_admin_adds_and_changes_users(world, admin, clerk):
    _, api = admin
    member, _ = clerk
    mark = last_event_id()

    created = api.post(
        "/my/users",
        {"email": "new@buyer.test", "name": "New", "role": "approver", "spending_limit": "99.5"},
    )
    assert created.status_code == 201, created.content
    assert (created.json()["role"], created.json()["spending_limit"]) == ("approver", "99.50")
    assert created.json()["company_id"] == world.company.pk

    changed = patch(api, f"/my/users/{member.pk}", {"spending_limit": None, "role": "approver"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["spending_limit"], changed.json()["role"]) == (None, "approver")
    member.refresh_from_db()
    assert (member.spending_limit, member.role) == (None, "approver")

    listed = api.get("/my/users").json()["items"]
    assert [u["email"] for u in listed] == ["boss@buyer.test", "clerk@buyer.test", "new@buyer.test"]
    assert [e.type for e in events_since(mark)] == ["company_user.created", "company_user.updated"]


def test_an_admin_adds_and_changes_locations(world, admin):
    _, api = admin

    created = api.post("/my/locations", DOCK)
    assert created.status_code == 201, created.content
    location = Location.objects.get(pk=created.json()["id"])
    assert (location.company_id, location.tenant_id) == (world.company.pk, world.tenant.pk)

    changed = patch(api, f"/my/locations/{location.pk}", {"is_active": False})
    assert changed.json()["is_active"] is False
    assert api.get("/my/locations", is_active=False).json()["items"] == [changed.json()]


def test_the_same_rules_as_for_staff(world, admin):
    _, api = admin
    before = customer_state()

    bad_country = api.post("/my/locations", {**DOCK, "country": "XX"})
    negative = api.post("/my/users", {"email": "n@buyer.test", "name": "N", "spending_limit": "-1"})

    assert (bad_country.status_code, bad_country.json()["code"]) == (422, "invalid_country")
    assert (negative.status_code, negative.json()["code"]) == (422, "spending_limit_negative")
    assert customer_state() == before


def test_another_companys_user_or_location_is_not_found(world, admin, neighbour):
    _, api = admin
    _, location, member, _ = neighbour
    before = customer_state()

    assert patch(api, f"/my/users/{member.pk}", {"name": "Mine"}).status_code == 404
    assert patch(api, f"/my/locations/{location.pk}", {"name": "Mine"}).status_code == 404
    assert customer_state() == before


def test_the_last_active_admin_stays_one(world, admin):
    me, api = admin
    before = customer_state()

    for change in ({"role": "buyer"}, {"is_active": False}):
        r = patch(api, f"/my/users/{me.pk}", change)
        assert r.status_code == 409, change
        assert r.json()["code"] == "last_company_admin"
    assert customer_state() == before

    other, _ = buyer_client(world.company, "second@buyer.test", "admin")
    assert patch(api, f"/my/users/{me.pk}", {"role": "approver"}).status_code == 200
    # Staff are held to the same rule.
    r = patch(world.client(), f"/companies/{world.company.pk}/users/{other.pk}", {"role": "buyer"})
    assert (r.status_code, r.json()["code"]) == (409, "last_company_admin")


def test_a_company_without_an_admin_is_not_blocked_by_the_rule(world, clerk):
    member, _ = clerk

    r = patch(
        world.client(), f"/companies/{world.company.pk}/users/{member.pk}", {"is_active": False}
    )

    assert r.status_code == 200


def test_a_read_only_buyer_key_cannot_write(world):
    _, api = buyer_client(world.company, "ro@buyer.test", "admin", scopes=frozenset({"read"}))

    assert api.get("/my/users").status_code == 200
    r = api.post("/my/locations", DOCK)
    assert (r.status_code, r.json()["code"]) == (403, "insufficient_scope")


def test_buyer_idempotency_keys_do_not_collide_with_other_buyers(world, admin, neighbour):
    _, api = admin
    _, _, _, their_api = neighbour

    mine = api.post("/my/locations", DOCK, key="same-key")
    theirs = their_api.post("/my/locations", DOCK, key="same-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["company_id"] != theirs.json()["company_id"]
    assert api.post("/my/locations", DOCK, key="same-key")["Idempotent-Replayed"] == "true"


def test_spending_limits_through_the_staff_api(world):
    api = world.client()
    cid = world.company.pk
    r = api.post(f"/companies/{cid}/users", {"email": "s@b.test", "name": "S", "role": "buyer"})
    uid = r.json()["id"]
    path = f"/companies/{cid}/users/{uid}"

    assert patch(api, path, {"spending_limit": "1500"}).json()["spending_limit"] == "1500.00"
    assert CompanyUser.objects.get(pk=uid).spending_limit == Decimal(1500)
    before = customer_state()
    for bad, code in [("-5", "spending_limit_negative"), ("1.234", "too_many_decimals")]:
        refused = patch(api, path, {"spending_limit": bad})
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    assert patch(api, path, {"spending_limit": 12}).status_code == 422
    assert customer_state() == before
