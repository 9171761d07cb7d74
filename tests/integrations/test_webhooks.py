"""Webhooks: subscriptions over the API, deliveries signed and in order per object, retries
with backoff until given up (then paused, and the owner told), replays, and the address
guard. The worker's jobs run in the test's process, against a real HTTP receiver."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dinghuo.core import clock
from dinghuo.integrations import delivery, events, retry_rules
from dinghuo.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.builders import World
from tests.integrations.receiver import Received, free_port, receiving, verified


@pytest.fixture(autouse=True)
def _private_receivers(settings: Any) -> None:
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = True
    settings.DINGHUO_WEBHOOK_TIMEOUT_SECONDS = 5


def subscribe(world: World, url: str, **body: Any) -> dict[str, Any]:
    r = world.client().post("/webhooks", {"url": url, **body}, key=f"sub-{url}-{body}")
    assert r.status_code == 201, r.json()
    return r.json()


def happen(world: World, kind: str, obj: int, **data: Any) -> None:
    events.record(events.new(world.tenant.pk, kind, kind.split(".")[0], obj, data))


def work() -> int:
    """One worker round: new events become deliveries, due deliveries are sent."""
    return delivery.make_deliveries() + delivery.send_due_deliveries()


def test_an_event_reaches_the_subscriber_signed_with_its_secret(world):
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.*"])
        assert made["secret"].startswith("whsec_") and len(made["secret"]) == 54
        happen(world, "order.placed", 7, number="SO-7")
        happen(world, "sku.updated", 3)  # not asked for
        work()
    (got,) = receiver.received
    assert verified(made["secret"], got)
    assert not verified("whsec_" + "0" * 48, got)
    assert got.event["type"] == "order.placed" and got.event["data"] == {"number": "SO-7"}
    assert got.headers["Dinghuo-Event-Id"] == str(got.event["id"])
    assert got.headers["Dinghuo-Event-Type"] == "order.placed"
    assert got.headers["Dinghuo-Delivery-Attempt"] == "1"
    assert got.headers["Content-Type"] == "application/json"
    # The same event as the feed gives it, cursor included.
    fed = world.client().get("/events", type="order.placed").json()["items"]
    assert got.event["cursor"] == fed[0]["cursor"] and got.event["id"] == fed[0]["id"]
    read = world.client().get(f"/webhooks/{made['id']}").json()
    assert "secret" not in read and read["waiting"] == 0


def test_only_events_written_after_subscribing_are_sent(world):
    happen(world, "order.placed", 1)
    with receiving() as receiver:
        made = subscribe(world, receiver.url)
        happen(world, "order.placed", 2)
        work()
    # Its own creation is an event too (`webhook.created`), written after it subscribed.
    sent = [(e["type"], e["aggregate_id"]) for e in receiver.events()]
    assert sorted(sent) == [("order.placed", 2), ("webhook.created", made["id"])]


def test_a_placed_order_is_delivered(world):
    with receiving() as receiver:
        subscribe(world, receiver.url, event_types=["order.placed"])
        placed = world.client().place(world.order_body(("A-1", 2)))
        assert placed.status_code == 201
        work()
    (event,) = receiver.events()
    assert event["aggregate_type"] == "order" and event["aggregate_id"] == placed.json()["id"]


def test_an_objects_events_wait_for_its_earlier_one_while_others_go(world):
    failing = {"first": True}

    def answer(got: Received) -> tuple[int, bytes]:
        if got.event["data"].get("step") == 1 and got.event["aggregate_id"] == 1 and failing["first"]:
            failing["first"] = False
            return 500, b"database down"
        return 200, b"ok"

    with receiving(answer=answer) as receiver:
        made = subscribe(world, receiver.url, event_types=["order.*"])
        for step in (1, 2, 3):
            happen(world, "order.changed", 1, step=step)
            happen(world, "order.changed", 2, step=step)
        work()
        # Object 2 went out in full; object 1 stopped at its failed first event.
        first_round = [(e["aggregate_id"], e["data"]["step"]) for e in receiver.events()]
        assert [s for o, s in first_round if o == 1] == [1]
        for _ in range(3):
            work()
        assert [s for o, s in first_round if o == 2] == [1]  # one per round: the object's head
        later = timezone.now() + timedelta(minutes=5)
        with clock.as_of(later):
            for _ in range(4):
                work()
    delivered = [(e["aggregate_id"], e["data"]["step"]) for e in receiver.events()]
    assert [s for o, s in delivered if o == 1] == [1, 1, 2, 3]  # failed once, then in order
    assert [s for o, s in delivered if o == 2] == [1, 2, 3]
    failed_try = WebhookAttempt.objects.get(status_code=500)
    assert failed_try.response_excerpt == "database down" and failed_try.number == 1
    log = world.client().get(f"/webhooks/{made['id']}/deliveries", state="delivered").json()
    assert len(log["items"]) == 6
