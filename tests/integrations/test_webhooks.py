"""Webhooks: subscriptions over the API, deliveries signed and in order per object, retries
with backoff until given up (then paused, and the owner told), replays, and the address
guard. The worker's jobs run in the test's process, against a real HTTP receiver."""

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dinghuo.core import clock
from dinghuo.integrations import delivery, events, retry_rules, services
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
        if (
            got.event["data"].get("step") == 1
            and got.event["aggregate_id"] == 1
            and failing["first"]
        ):
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


def test_a_receiver_down_for_two_days_gets_everything_in_order_when_back(world):
    """The fault case on a controlled clock: retries back off, nothing is given up within
    three days, and when the receiver is back every event arrives, in order per object,
    each signature valid."""
    port = free_port()
    start = timezone.now()
    made = subscribe(world, f"http://127.0.0.1:{port}/hooks", event_types=["order.*"])
    for step in range(1, 4):
        for obj in (1, 2, 3):
            happen(world, "order.changed", obj, step=step)
    moment, tries = start, 0
    while moment < start + timedelta(days=2):
        with clock.as_of(moment):
            work()
        moment += timedelta(minutes=20)
    attempts = WebhookAttempt.objects.filter(delivery__aggregate_id=1).order_by("attempted_at")
    tries = attempts.count()
    # Waits of 30 s, 1, 2, 4, … min (each rounded up to the next 20-minute round here),
    # then about 6 h: 17 tries in two days, never paused.
    assert 12 <= tries <= 20, tries
    assert WebhookSubscription.objects.get(pk=made["id"]).paused_at is None
    gaps = [b.attempted_at - a.attempted_at for a, b in itertools.pairwise(attempts)]
    assert max(gaps) <= retry_rules.LONGEST_DELAY * (1 + retry_rules.JITTER) + timedelta(minutes=20)
    assert max(gaps) >= retry_rules.LONGEST_DELAY * (1 - retry_rules.JITTER)
    with receiving(port=port) as receiver:
        while moment < start + timedelta(days=2, hours=8):
            with clock.as_of(moment):
                work()
            moment += timedelta(minutes=20)
    got = receiver.received
    assert all(verified(made["secret"], g) for g in got)
    for obj in (1, 2, 3):
        steps = [g.event["data"]["step"] for g in got if g.event["aggregate_id"] == obj]
        assert steps == [1, 2, 3]
    assert WebhookDelivery.objects.filter(state="pending").count() == 0


def test_after_three_days_of_failures_it_pauses_tells_the_owner_and_resumes(world, inbox):
    port = free_port()
    start = timezone.now()
    made = subscribe(
        world,
        f"http://127.0.0.1:{port}/hooks",
        event_types=["order.*"],
        contact_email="ops@acme.test",
    )
    happen(world, "order.changed", 1, step=1)
    happen(world, "order.changed", 1, step=2)
    moment = start
    while WebhookSubscription.objects.get(pk=made["id"]).paused_at is None:
        with clock.as_of(moment):
            work()
        moment += timedelta(minutes=30)
        assert moment < start + timedelta(days=4), "never paused"
    given_up = WebhookDelivery.objects.get(state="failed")
    first, last = given_up.log.order_by("number").first(), given_up.log.order_by("number").last()
    assert last.attempted_at - first.attempted_at >= timedelta(days=3)
    assert last.attempted_at - first.attempted_at < timedelta(days=3, hours=8)
    (mail,) = inbox.to("ops@acme.test")
    assert "paused" in mail["Subject"] and f"127.0.0.1:{port}" in mail.get_content()
    read = world.client().get(f"/webhooks/{made['id']}").json()
    assert read["paused"] and read["failed"] == 1 and read["waiting"] == 1
    with clock.as_of(moment):
        assert work() == 0  # paused: nothing is sent
    with receiving(port=port) as receiver, clock.as_of(moment):
        resumed = world.client().post(f"/webhooks/{made['id']}/resume")
        assert resumed.status_code == 200 and not resumed.json()["paused"]
        work()
        work()
    assert [e["data"]["step"] for e in receiver.events()] == [1, 2]
    again = world.client().post(f"/webhooks/{made['id']}/resume")
    assert again.status_code == 409 and again.json()["code"] == "webhook_not_paused"


def test_a_delivery_is_replayed_with_the_same_event_id(world):
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.placed"])
        happen(world, "order.placed", 5)
        work()
        (first,) = world.client().get(f"/webhooks/{made['id']}/deliveries").json()["items"]
        path = f"/webhooks/{made['id']}/deliveries/{first['id']}"
        replay = world.client().post(f"{path}/replay")
        assert replay.status_code == 201, replay.json()
        assert replay.json()["is_replay"] and replay.json()["event_id"] == first["event_id"]
        pending = world.client().post(f"{path}/replay")
        assert pending.status_code == 409 and pending.json()["code"] == "delivery_pending"
        work()
    assert [e["id"] for e in receiver.events()] == [first["event_id"]] * 2
    detail = world.client().get(path).json()
    assert detail["state"] == "delivered" and detail["log"][0]["status_code"] == 200


def test_a_range_is_replayed_from_a_cursor_or_a_time_up_to_where_the_worker_is(world, monkeypatch):
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.placed"])
        for n in range(1, 5):
            happen(world, "order.placed", n)
        work()
        fed = world.client().get("/events", type="order.placed").json()["items"]
        path = f"/webhooks/{made['id']}/replays"
        r = world.client().post(path, {"after": fed[1]["cursor"]})
        assert r.status_code == 202 and r.json() == {"deliveries": 2}
        work()
        assert sorted(e["aggregate_id"] for e in receiver.events()[4:]) == [3, 4]
        happen(world, "order.placed", 9)  # not yet a delivery: a replay does not reach it
        r = world.client().post(path, {"occurred_from": fed[0]["occurred_at"]})
        assert r.json() == {"deliveries": 4}
        work()  # the four replays go out
        monkeypatch.setattr(services, "MAX_REPLAY", 3)
        too_many = world.client().post(path, {"after": "0"})  # 1, 2, 3, 4 and 9
        assert too_many.status_code == 422 and too_many.json()["code"] == "replay_too_large"
        assert world.client().post(path, {"after": fed[1]["cursor"]}).json() == {"deliveries": 3}
    for body, code in [({}, "replay_needs_start"), ({"after": "x"}, "invalid_request")]:
        r = world.client().post(path, body)
        assert r.status_code == 422 and r.json()["code"] == code


def test_after_a_new_secret_both_sign_for_a_day(world):
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.placed"])
        rotated = world.client().post(f"/webhooks/{made['id']}/secret")
        assert rotated.status_code == 200
        new = rotated.json()["secret"]
        assert new != made["secret"]
        happen(world, "order.placed", 1)
        work()
        with clock.as_of(timezone.now() + timedelta(hours=25)):
            happen(world, "order.placed", 2)
            work()
    today, tomorrow = receiver.received
    assert verified(new, today) and verified(made["secret"], today)
    assert verified(new, tomorrow) and not verified(made["secret"], tomorrow)


def test_switched_off_it_keeps_nothing_and_on_again_it_goes_on_from_then(world):
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.placed"])
        off = world.client().send(
            "PATCH", f"/webhooks/{made['id']}", json.dumps({"is_active": False})
        )
        assert off.status_code == 200 and not off.json()["is_active"]
        happen(world, "order.placed", 1)
        work()
        world.client().send("PATCH", f"/webhooks/{made['id']}", json.dumps({"is_active": True}))
        happen(world, "order.placed", 2)
        work()
    assert [e["aggregate_id"] for e in receiver.events()] == [2]


def test_another_tenants_events_never_reach_a_subscriber(world, other_world):
    with receiving() as receiver:
        subscribe(world, receiver.url, event_types=["order.placed"])
        subscribe(other_world, receiver.url.replace("/hooks", "/other"), event_types=["x.y"])
        happen(other_world, "order.placed", 1)
        happen(world, "order.placed", 2)
        work()
    assert [(e["aggregate_id"]) for e in receiver.events()] == [2]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",  # loopback
        "https://10.1.2.3/hooks",  # private
        "https://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://100.64.0.1/hooks",  # carrier-grade NAT
        "https://0.0.0.0/hooks",
    ],
)
def test_private_addresses_are_refused_unless_the_operator_allows_them(world, settings, url):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    r = world.client().post("/webhooks", {"url": url}, key="k")
    assert r.status_code == 422 and r.json()["code"] == "webhook_url_refused"
    assert not WebhookSubscription.objects.exists()


def test_a_public_https_address_is_accepted_and_plain_http_is_not(world, settings):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    assert world.client().post("/webhooks", {"url": "https://93.184.215.14/h"}).status_code == 201
    r = world.client().post("/webhooks", {"url": "http://93.184.215.14/h"})
    assert r.status_code == 422 and r.json()["code"] == "webhook_url_refused"


@pytest.mark.parametrize(
    "url", ["http://testserver/hooks", "http://TESTSERVER:80/api/v1/events", "http://u:p@x.test/"]
)
def test_the_platform_itself_and_credentials_in_the_address_are_refused(world, url):
    r = world.client().post("/webhooks", {"url": url})
    assert r.status_code == 422 and r.json()["code"] == "webhook_url_refused"


def test_a_delivery_to_an_address_that_turned_private_is_not_made(world, settings):
    with receiving() as receiver:
        subscribe(world, receiver.url, event_types=["order.placed"])
        settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False  # as if the name now resolved inside
        happen(world, "order.placed", 1)
        work()
    assert receiver.received == []
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.error == "address refused: not a public address"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://x.test/h", "event_types": ["Order Placed"]}, "event_types[0]"),
        ({"url": "ftp://x.test/h"}, "url"),
        ({"url": "https://x.test/h", "contact_email": "nobody"}, "contact_email"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_made(world, body, field):
    r = world.client().post("/webhooks", body)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert not WebhookSubscription.objects.exists()


def test_a_stale_etag_changes_nothing(world):
    made = subscribe(world, "http://127.0.0.1:9/h")
    tag = world.client().get(f"/webhooks/{made['id']}")["ETag"]
    world.client().send("PATCH", f"/webhooks/{made['id']}", json.dumps({"description": "ERP"}))
    stale = world.client().send(
        "PATCH", f"/webhooks/{made['id']}", json.dumps({"description": "CRM"}), **{"If-Match": tag}
    )
    assert stale.status_code == 412
    assert WebhookSubscription.objects.get().description == "ERP"


def test_deleting_a_subscription_stops_sending(world):
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.placed"])
        assert world.client().send("DELETE", f"/webhooks/{made['id']}").status_code == 204
        happen(world, "order.placed", 1)
        work()
    assert receiver.received == []
    assert world.client().get(f"/webhooks/{made['id']}").status_code == 404


def test_a_name_not_in_the_dns_is_accepted_and_each_delivery_says_it_does_not_resolve(
    world, settings
):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    made = subscribe(world, "https://erp.acme.invalid/hooks", event_types=["order.placed"])
    happen(world, "order.placed", 1)
    work()
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.error == "the host name does not resolve" and attempt.status_code is None
    read = world.client().get(f"/webhooks/{made['id']}").json()
    assert read["waiting"] == 1  # tried again later


def test_localhost_by_name_is_refused(world, settings):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    r = world.client().post("/webhooks", {"url": "https://LOCALHOST./hooks"})
    assert r.status_code == 422 and r.json()["code"] == "webhook_url_refused"


def test_a_subscription_can_start_from_a_cursor_to_catch_up_on_the_past(world):
    happen(world, "order.placed", 1)
    happen(world, "order.placed", 2)
    fed = world.client().get("/events", type="order.placed").json()["items"]
    with receiving() as receiver:
        subscribe(world, receiver.url, event_types=["order.placed"], start_after=fed[0]["cursor"])
        happen(world, "order.placed", 3)
        work()
    assert sorted(e["aggregate_id"] for e in receiver.events()) == [2, 3]


def test_housekeeping_forgets_deliveries_older_than_thirty_days_but_not_waiting_ones(world):
    with receiving() as receiver:
        subscribe(world, receiver.url, event_types=["order.placed"])
        happen(world, "order.placed", 1)
        work()
    subscribe(world, f"http://127.0.0.1:{free_port()}/down", event_types=["order.placed"])
    happen(world, "order.placed", 2)
    work()  # the second subscription's delivery fails and waits
    assert WebhookDelivery.objects.count() == 3
    with clock.as_of(timezone.now() + timedelta(days=30) - timedelta(minutes=1)):
        assert delivery.forget_old_deliveries() == 0
    with clock.as_of(timezone.now() + timedelta(days=30, minutes=1)):
        assert delivery.forget_old_deliveries() == 2  # both delivered ones
    (left,) = WebhookDelivery.objects.all()
    assert left.state == "pending" and left.log.count() == 1


@pytest.mark.parametrize(
    "url",
    ["https://a b.test/h", "https://x.test:99999/h", "https://x.test:abc/h", "https://-x.test/"],
)
def test_an_address_that_cannot_be_one_is_refused(world, url):
    r = world.client().post("/webhooks", {"url": url})
    assert r.status_code == 422 and r.json()["code"] == "webhook_url_refused", r.json()


def test_an_international_host_name_is_accepted(world, settings):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    r = world.client().post("/webhooks", {"url": "https://訂貨.example/hooks"})
    assert r.status_code == 201, r.json()


def test_an_idle_round_reads_the_subscriptions_once_whatever_their_number(
    world, django_assert_num_queries
):
    for n in range(3):
        subscribe(world, f"https://93.184.215.14/h{n}", event_types=["order.placed"])
    delivery.make_deliveries()  # their own creation events move them on
    with django_assert_num_queries(1):
        assert delivery.make_deliveries() == 0
