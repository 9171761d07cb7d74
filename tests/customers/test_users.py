import json

import pytest
from django.contrib.auth import get_user_model

from dinghuo.customers.models import Company, CompanyUser
from tests.customers.state import customer_state, events_since, last_event_id

User = get_user_model()


def patch(api, path, body):
    return api.send("PATCH", path, json.dumps(body))


def add_user(world, **extra):
    body = {"email": "mei@buyer.test", "name": "Chan Mei", "role": "approver", **extra}
    return world.client().post(f"/companies/{world.company.pk}/users", body)


def test_add_a_user_who_has_no_password_yet(world):
    mark = last_event_id()

    r = add_user(world, email="  Mei@Buyer.TEST ")

    assert r.status_code == 201, r.content
    member = CompanyUser.objects.select_related("user").get(company=world.company)
    assert r.json() == {
        "id": member.pk,
        "person_id": member.user_id,
        "company_id": world.company.pk,
        "email": "mei@buyer.test",
        "name": "Chan Mei",
        "role": "approver",
        "spending_limit": None,
        "currency": "USD",
        "is_active": True,
        "has_password": False,
        # Waiting; its mail is made by the worker (sent_at, expires_at then).
        "invitation": {"sent_at": None, "expires_at": None},
    }
    assert member.user.username == "mei@buyer.test"
    assert member.user.has_usable_password() is False
    assert member.tenant_id == world.tenant.pk
    [event] = events_since(mark)
    assert (event.type, event.aggregate_id) == ("company_user.created", world.company.pk)
    assert event.payload["email"] == "mei@buyer.test"
    assert event.payload["role"] == "approver"


def test_role_defaults_to_buyer(world):
    r = world.client().post(
        f"/companies/{world.company.pk}/users", {"email": "b@buyer.test", "name": "B"}
    )

    assert r.status_code == 201
    assert r.json()["role"] == "buyer"


@pytest.mark.parametrize("email", ["mei@buyer.test", "MEI@buyer.test"])
def test_a_user_of_the_company_cannot_be_added_again(world, email):
    assert add_user(world).status_code == 201
    before = customer_state()

    r = add_user(world, email=email, name="Someone else")

    assert r.status_code == 409
    assert r.json()["code"] == "already_a_member"
    assert r.json()["errors"][0]["field"] == "email"
    assert customer_state() == before


def test_an_email_with_an_account_gains_a_membership_and_keeps_its_password(world):
    boss = User.objects.create_user(username="boss", email="boss@acme.test", password="x" * 12)

    r = add_user(world, email="boss@acme.test")

    assert r.status_code == 201
    # The answer is that of a new person: nothing tells that the address had an account.
    assert r.json()["has_password"] is False
    member = CompanyUser.objects.get(company=world.company)
    assert member.user_id == boss.pk
    boss.refresh_from_db()
    assert boss.check_password("x" * 12)
    assert User.objects.filter(email__iexact="boss@acme.test").count() == 1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"email": "not-an-email"}, "invalid_email", "email"),
        ({"email": "a@b"}, "invalid_email", "email"),
        ({"email": "x" * 140 + "@buyer.test"}, "invalid_request", "email"),
        ({"email": ""}, "invalid_request", "email"),
        ({"name": ""}, "invalid_request", "name"),
        ({"name": "N" * 151}, "invalid_request", "name"),
        ({"role": "boss"}, "invalid_request", "role"),
        ({"password": "secret-secret"}, "invalid_request", "password"),
    ],
)
def test_bad_user_is_refused_and_changes_nothing(world, change, code, field):
    before = customer_state()

    r = add_user(world, **change)

    assert r.status_code == 422
    assert r.json()["code"] == code
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert customer_state() == before


def test_list_users_by_role(world):
    api = world.client()
    cid = world.company.pk
    a = add_user(world, email="a@buyer.test", role="buyer").json()
    b = add_user(world, email="b@buyer.test", role="admin").json()

    assert api.get(f"/companies/{cid}/users").json() == {"items": [a, b], "next_cursor": None}
    assert api.get(f"/companies/{cid}/users", role="admin").json()["items"] == [b]
    first = api.get(f"/companies/{cid}/users", limit=1).json()
    assert (first["items"], first["next_cursor"]) == ([a], str(a["id"]))


def test_change_role_and_block_sign_in(world):
    member = add_user(world).json()
    mark = last_event_id()

    r = patch(
        world.client(),
        f"/companies/{world.company.pk}/users/{member['id']}",
        {"role": "admin", "is_active": False},
    )

    assert r.status_code == 200, r.content
    assert (r.json()["role"], r.json()["is_active"]) == ("admin", False)
    # Switched off at this seller only: the person's sign-in stays as it is.
    assert CompanyUser.objects.get(pk=member["id"]).is_active is False
    assert User.objects.get(username="mei@buyer.test").is_active is True
    [event] = events_since(mark)
    assert event.type == "company_user.updated"
    assert event.payload["changed"] == ["role", "is_active"]


@pytest.mark.parametrize(
    "body",
    [{"role": "owner"}, {"role": None}, {"is_active": "false"}, {"email": "new@buyer.test"}],
)
def test_bad_user_patch_changes_nothing(world, body):
    member = add_user(world).json()
    before = customer_state()

    r = patch(world.client(), f"/companies/{world.company.pk}/users/{member['id']}", body)

    assert r.status_code == 422
    assert r.json()["code"] == "invalid_request"
    assert customer_state() == before


def test_user_of_another_company_is_not_found(world):
    member = add_user(world).json()
    other = Company.objects.create(
        tenant=world.tenant, code="C050", name="Other", price_list=world.price_list
    )
    before = customer_state()

    r = patch(world.client(), f"/companies/{other.pk}/users/{member['id']}", {"role": "admin"})

    assert r.status_code == 404
    assert customer_state() == before


def test_read_only_key_cannot_write_users(world):
    member = add_user(world).json()
    api = world.client(world.read_key)
    cid = world.company.pk
    before = customer_state()

    answers = [
        api.post(f"/companies/{cid}/users", {"email": "z@buyer.test", "name": "Z"}),
        api.send("PATCH", f"/companies/{cid}/users/{member['id']}", json.dumps({"role": "admin"})),
    ]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(403, "insufficient_scope")] * 2
    assert customer_state() == before
    assert api.get(f"/companies/{cid}/users").status_code == 200
