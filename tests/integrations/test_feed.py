"""The event feed's cursors: each event's own, old integer ones, and strings it never gave."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dinghuo.integrations import events
from dinghuo.integrations.cursors import LEGACY_BASE
from dinghuo.integrations.models import Event


def test_each_event_cursor_resumes_right_after_it(world):
    api = world.client()
    for n in range(3):
        events.record(events.new(world.tenant.pk, "test.step", "test", n, {"n": n}))
    steps = api.get("/events", type="test.step").json()["items"]
    assert [e["data"] for e in steps] == [{"n": 0}, {"n": 1}, {"n": 2}]
    rest = api.get("/events", type="test.step", after=steps[0]["cursor"]).json()
    assert rest["items"] == steps[1:]
    assert rest["next_cursor"] == steps[2]["cursor"]


def legacy(world, position: int, name: str) -> None:
    """An event written before transaction ids, as migration 0002 left it."""
    Event.objects.create(
        tenant=world.tenant,
        txid=LEGACY_BASE + position,
        type="test.old",
        aggregate_type="test",
        aggregate_id=position,
        payload={"name": name},
        occurred_at=timezone.now(),
    )


def test_an_old_integer_cursor_goes_on_after_its_position(world):
    api = world.client()
    # Written in id order c, a, b but committed (numbered) a, b, c.
    legacy(world, 3, "c")
    legacy(world, 1, "a")
    legacy(world, 2, "b")
    events.record(events.new(world.tenant.pk, "test.old", "test", 9, {"name": "new"}))
    names = [e["data"]["name"] for e in api.get("/events", type="test.old").json()["items"]]
    assert names == ["a", "b", "c", "new"]
    after_a = api.get("/events", type="test.old", after="1").json()["items"]
    assert [e["data"]["name"] for e in after_a] == ["b", "c", "new"]


@pytest.mark.parametrize("cursor", ["-5", "abc", "1.2.3", "1.", "9" * 19, "1.-2", "1." + "9" * 19])
def test_a_cursor_the_feed_never_gave_is_refused(world, cursor):
    r = world.client().get("/events", after=cursor)
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"


def test_a_place_beyond_the_column_range_is_its_end(world):
    api = world.client()
    events.record(events.new(world.tenant.pk, "test.step", "test", 1, {}))
    assert (
        len(api.get("/events", type="test.step", after="-" + "9" * 19 + ".0").json()["items"]) == 1
    )
    assert api.get("/events", type="test.step", after="9" * 19 + ".0").json()["items"] == []


def test_nothing_new_keeps_the_cursor(world):
    api = world.client()
    assert api.get("/events", type="test.none").json() == {"items": [], "next_cursor": "0"}
    assert api.get("/events", type="test.none", after="5").json()["next_cursor"] == "5"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_order_and_the_old_cursors():
    executor = MigrationExecutor(connection)
    before = [("integrations", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    tenant = old.get_model("core", "Tenant").objects.create(slug="old", name="Old")
    old_event = old.get_model("integrations", "Event")
    for position, name in [(2, "b"), (None, "pending"), (1, "a")]:
        old_event.objects.create(
            tenant=tenant,
            position=position,
            type="x",
            aggregate_type="x",
            aggregate_id=1,
            payload={"name": name},
            occurred_at=timezone.now(),
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = Event.objects.filter(tenant_id=tenant.pk).order_by("txid", "id")
    assert [(e.payload["name"], e.txid) for e in rows] == [
        ("a", LEGACY_BASE + 1),
        ("b", LEGACY_BASE + 2),
        ("pending", -1),
    ]
