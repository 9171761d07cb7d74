"""The event feed and API keys."""

from dinghuo.core.services import create_api_key, revoke_api_key
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order


def test_feed_lists_changes_in_commit_order_and_resumes(world):
    api = world.client()
    start = api.get("/events").json()
    assert [e["type"] for e in start["items"]][:1] == ["stock.changed"]  # opening stock
    cursor = start["next_cursor"]
    order_id = api.place(world.order_body(("A-1", 2))).json()["id"]
    api.post(f"/orders/{order_id}/confirm")
    page = api.get("/events", after=cursor).json()
    assert [(e["type"], e["aggregate_id"]) for e in page["items"]] == [
        ("order.placed", order_id),
        ("stock.changed", world.skus["A-1"].pk),
        ("order.confirmed", order_id),
    ]
    assert page["items"][1]["data"]["levels"] == [
        {"sku": "A-1", "warehouse": "main", "on_hand": 100, "reserved": 2, "available": 98}
    ]
    assert page["next_cursor"] == page["items"][-1]["cursor"]
    assert api.get("/events", after=page["next_cursor"]).json() == {
        "items": [],
        "next_cursor": page["next_cursor"],
    }
    only = api.get("/events", after=cursor, type="order.confirmed").json()["items"]
    assert [e["type"] for e in only] == ["order.confirmed"]


def test_feed_is_per_tenant(world, other_world):
    world.client().place(world.order_body(("A-1", 2)))
    theirs = other_world.client().get("/events").json()["items"]
    assert "order.placed" not in {e["type"] for e in theirs}
    own = Event.objects.filter(tenant=other_world.tenant).order_by("id")
    assert [e["id"] for e in theirs] == list(own.values_list("id", flat=True))


def test_refused_order_writes_no_event(world):
    api = world.client()
    cursor = api.get("/events").json()["next_cursor"]
    api.place(world.order_body(("A-1", 1000)))
    assert api.get("/events", after=cursor).json()["items"] == []


def test_missing_wrong_and_revoked_keys_are_401(world):
    from django.test import Client

    anonymous = Client().get("/api/v1/orders")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    wrong = Client().get("/api/v1/orders", headers={"Authorization": "Bearer dh_nope_nope"})
    assert wrong.status_code == 401
    issued = create_api_key(tenant=world.tenant, name="tmp", scopes={"read"})
    ok = Client().get("/api/v1/orders", headers={"X-API-Key": issued.secret})
    assert ok.status_code == 200
    revoke_api_key(prefix=issued.key.prefix)
    assert Client().get("/api/v1/orders", headers={"X-API-Key": issued.secret}).status_code == 401


def test_read_only_key_cannot_write(world):
    r = world.client(world.read_key).place(world.order_body(("A-1", 1)))
    assert (r.status_code, r.json()["code"]) == (403, "insufficient_scope")
    assert Order.objects.count() == 0
    assert world.client(world.read_key).get("/orders").status_code == 200


def test_keys_are_stored_hashed(world):
    from dinghuo.core.models import ApiKey

    assert not ApiKey.objects.filter(secret_hash__contains=world.key[-20:]).exists()
    assert world.key not in str(list(ApiKey.objects.values_list("secret_hash", "prefix")))
