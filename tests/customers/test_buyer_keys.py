"""Staff issue API keys to company users; a buyer's key works on /my/… only."""

import pytest
from django.contrib.auth import get_user_model

from dinghuo.core.models import ApiKey
from tests.builders import ApiClient
from tests.customers.buyers import buyer_client
from tests.customers.state import customer_state, events_since, last_event_id


def add_user(world, email="amy@buyer.test", role="buyer"):
    r = world.client().post(
        f"/companies/{world.company.pk}/users", {"email": email, "name": "Amy", "role": role}
    )
    assert r.status_code == 201, r.content
    return r.json()["id"]


def keys_path(world, user_id):
    return f"/companies/{world.company.pk}/users/{user_id}/api-keys"


def test_issue_a_key_shown_once_that_acts_as_the_user(world):
    user_id = add_user(world)
    mark = last_event_id()

    r = world.client().post(keys_path(world, user_id), {"name": "ERP", "scopes": ["read"]})

    assert r.status_code == 201, r.content
    body = r.json()
    key = ApiKey.objects.get(prefix=body["prefix"])
    assert body == {
        "prefix": key.prefix,
        "name": "ERP",
        "scopes": ["read"],
        "created_at": key.created_at.isoformat(),
        "revoked_at": None,
        "secret": body["secret"],
    }
    assert body["secret"].startswith(f"dh_{key.prefix}_")
    assert body["secret"] not in key.secret_hash
    assert (key.company_user_id, key.tenant_id) == (user_id, world.tenant.pk)
    [event] = events_since(mark)
    assert (event.type, event.aggregate_id) == ("company_user.api_key_issued", world.company.pk)
    assert event.payload == {
        "company": "C001",
        "company_user_id": user_id,
        "prefix": key.prefix,
        "name": "ERP",
        "scopes": ["read"],
    }
    assert body["secret"] not in str(event.payload)

    mine = ApiClient(body["secret"]).get("/my/company")
    assert mine.status_code == 200
    assert mine.json()["me"]["id"] == user_id


def test_the_list_never_shows_a_secret(world):
    user_id = add_user(world)
    api = world.client()
    first = api.post(keys_path(world, user_id), {"name": "a", "scopes": ["read", "write"]}).json()
    second = api.post(keys_path(world, user_id), {"name": "b", "scopes": ["write"]}).json()
    add_user(world, "bob@buyer.test")  # someone else's keys are not listed

    listed = api.get(keys_path(world, user_id)).json()

    without_secret = [{k: v for k, v in key.items() if k != "secret"} for key in (first, second)]
    assert listed == {"items": without_secret, "next_cursor": None}
    assert first["secret"] not in str(listed)


def test_revoke_a_key(world):
    user_id = add_user(world)
    api = world.client()
    issued = api.post(keys_path(world, user_id), {"name": "a", "scopes": ["read"]}).json()
    mark = last_event_id()

    r = api.post(f"{keys_path(world, user_id)}/{issued['prefix']}/revoke")

    assert r.status_code == 200, r.content
    assert r.json()["revoked_at"] is not None
    assert ApiClient(issued["secret"]).get("/my/company").status_code == 401
    [event] = events_since(mark)
    assert event.type == "company_user.api_key_revoked"
    assert api.get(keys_path(world, user_id)).json()["items"][0]["revoked_at"] is not None

    mark = last_event_id()
    again = api.post(f"{keys_path(world, user_id)}/{issued['prefix']}/revoke")
    assert again.json() == r.json()
    assert events_since(mark) == []


def test_keys_of_another_user_company_or_tenant_are_not_found(world, other_world):
    amy = add_user(world)
    bob = add_user(world, "bob@buyer.test")
    issued = world.client().post(keys_path(world, amy), {"name": "a", "scopes": ["read"]}).json()
    staff_prefix = ApiKey.objects.filter(company_user__isnull=True).first().prefix
    before = customer_state()

    api = world.client()
    assert api.post(f"{keys_path(world, bob)}/{issued['prefix']}/revoke").status_code == 404
    assert api.post(f"{keys_path(world, amy)}/{staff_prefix}/revoke").status_code == 404
    other = other_world.client()
    path = f"/companies/{world.company.pk}/users/{amy}/api-keys"
    assert other.get(path).status_code == 404
    assert other.post(path, {"name": "x", "scopes": ["read"]}).status_code == 404
    assert other.post(f"{path}/{issued['prefix']}/revoke").status_code == 404
    # A user id under the wrong company
    wrong = f"/companies/{other_world.company.pk}/users/{amy}/api-keys"
    assert other.get(wrong).status_code == 404
    assert customer_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "", "scopes": ["read"]},
        {"name": "x" * 101, "scopes": ["read"]},
        {"name": "x"},
        {"name": "x", "scopes": ["read"], "company_user_id": 1},
    ],
)
def test_bad_key_request_is_refused_and_changes_nothing(world, body):
    user_id = add_user(world)
    before = customer_state()

    r = world.client().post(keys_path(world, user_id), body)

    assert r.status_code == 422
    assert customer_state() == before


def test_a_switched_off_user_gets_no_key(world):
    user_id = add_user(world)
    get_user_model().objects.filter(buyer__pk=user_id).update(is_active=False)
    before = customer_state()

    r = world.client().post(keys_path(world, user_id), {"name": "x", "scopes": ["read"]})

    assert r.status_code == 409
    assert r.json()["code"] == "company_user_inactive"
    assert customer_state() == before


def test_issuing_replays_with_the_same_idempotency_key(world):
    user_id = add_user(world)
    api = world.client()
    body = {"name": "x", "scopes": ["read"]}

    first = api.post(keys_path(world, user_id), body, key="issue-1")
    second = api.post(keys_path(world, user_id), body, key="issue-1")

    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ApiKey.objects.filter(company_user_id=user_id).count() == 1


def test_a_staff_key_is_refused_on_buyer_routes(world):
    r = world.client().get("/my/company")

    assert r.status_code == 403
    assert r.json()["code"] == "buyer_key_required"


def test_a_buyer_key_is_refused_on_staff_routes(world):
    _, buyer = buyer_client(world.company, "amy@buyer.test", "admin")

    for path in ("/companies", f"/companies/{world.company.pk}/credit", "/customer-groups"):
        r = buyer.get(path)
        assert r.status_code == 403, path
        assert r.json()["code"] == "staff_key_required"


def test_a_switched_off_users_key_stops_working(world):
    member, buyer = buyer_client(world.company, "amy@buyer.test")
    _, admin = buyer_client(world.company, "boss@buyer.test", "admin")
    assert buyer.get("/my/company").status_code == 200

    r = admin.send("PATCH", f"/my/users/{member.pk}", '{"is_active": false}')

    assert r.status_code == 200, r.content
    assert buyer.get("/my/company").status_code == 401
