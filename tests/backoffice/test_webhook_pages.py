"""The back office's webhook pages: the list with each subscription's state in words, one made
(its secret shown once), changed, given a new secret, deleted, resumed after a pause; its
delivery log with each event and object in words, every attempt of a delivery, and replays of
one delivery, a period or the events after a cursor; another tenant's are not found; Chinese
pages say everything in Chinese. The worker's jobs run in the test against a real receiver."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dinghuo.integrations import cursors, delivery, events, services
from dinghuo.integrations.models import (
    DeliveryState,
    Event,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.backoffice.staffing import csrf_post, place, staff_client, texts
from tests.builders import World, build_world
from tests.integrations.receiver import free_port, receiving, verified

LIST = "/staff/webhooks/"
NEW = "/staff/webhooks/new/"


@pytest.fixture(autouse=True)
def _private_receivers(settings: Any) -> None:
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = True
    settings.DINGHUO_WEBHOOK_TIMEOUT_SECONDS = 5


def subscribe(world: World, url: str, **fields: Any) -> WebhookSubscription:
    made = services.create_subscription(
        tenant_id=world.tenant.pk,
        url=url,
        event_types=fields.pop("event_types", []),
        platform_hosts=["testserver"],
        **fields,
    )
    return made.subscription


def work() -> int:
    """One worker round: new events become deliveries, due deliveries are sent."""
    return delivery.make_deliveries() + delivery.send_due_deliveries()


def page(world_staff: Any, subscription: WebhookSubscription, query: str = "", **kw: Any) -> str:
    response = world_staff.client.get(f"{LIST}{subscription.pk}/{query}", **kw)
    assert response.status_code == 200
    return texts(response)


def marked(html: str, name: str) -> str:
    """The text inside the element marked `data-testid="name"` (up to its first tag)."""
    found = re.search(rf'data-testid="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


def test_the_list_says_each_webhooks_events_and_state_in_words(world):
    staff = staff_client(world)
    assert "No webhooks yet." in texts(staff.client.get(LIST))
    erp = subscribe(world, "http://127.0.0.1:9/erp", event_types=["order.*", "invoice.issued"])
    every = subscribe(world, "http://127.0.0.1:9/all", description="Data lake")
    off = subscribe(world, "http://127.0.0.1:9/off")
    services.update_subscription(
        tenant_id=world.tenant.pk, subscription_id=off.pk, platform_hosts=[], is_active=False
    )
    services.pause_subscription(
        tenant_id=world.tenant.pk, subscription_id=erp.pk, reason="deliveries failed for 3 days"
    )
    html = texts(staff.client.get(LIST))
    assert 'href="/staff/webhooks/new/"' in html
    rows = {s.pk: html[html.index(f'data-testid="webhook-{s.pk}"') :] for s in (erp, every, off)}
    assert marked(rows[erp.pk], "types") == "Orders and Invoice issued"
    assert marked(rows[every.pk], "types") == "All events"
    assert "Data lake" in rows[every.pk]
    assert marked(rows[erp.pk], "state") == "Paused"
    assert marked(rows[erp.pk], "paused-why").endswith("because deliveries kept failing for 3 days")
    assert marked(rows[every.pk], "state") == "Active"
    assert marked(rows[off.pk], "state") == "Switched off"
    assert "failed for 3 days" not in html  # the worker's note is not shown as it is


def test_a_webhook_is_created_and_its_secret_shown_once(world):
    staff = staff_client(world)
    response = csrf_post(
        staff.client,
        NEW,
        {
            "url": "http://127.0.0.1:9/erp",
            "families": ["orders", "billing"],
            "more_types": "sku.updated, stock.*",
            "description": "ERP",
            "contact_email": "it@acme.test",
            "is_active": "on",
        },
    )
    made = WebhookSubscription.objects.get(tenant=world.tenant)
    assert response.status_code == 302 and response["Location"] == f"{LIST}{made.pk}/"
    billing = ["invoice.*", "credit_note.*", "payment.*", "bank_statement.*", "bank_line.*"]
    assert made.event_types == sorted(["order.*", *billing, "billing.*", "sku.updated", "stock.*"])
    assert (made.description, made.contact_email, made.is_active) == ("ERP", "it@acme.test", True)
    first = page(staff, made)
    assert marked(first, "secret-value") == made.secret
    assert "Copy it now: it will not be shown again." in first
    assert "no-store" in staff.client.get(f"{LIST}{made.pk}/").headers["Cache-Control"]
    again = page(staff, made)
    assert made.secret not in again and 'data-testid="secret"' not in again
    # The form of a made webhook shows its families checked and the rest written out.
    form = texts(staff.client.get(f"{LIST}{made.pk}/edit/"))
    assert re.search(r'value="orders"[^>]*checked', form)
    assert not re.search(r'value="returns"[^>]*checked', form)
    assert re.search(r">\s*sku.updated stock.\*</textarea>", form)


def test_a_webhook_made_switched_off_sends_nothing(world):
    staff = staff_client(world)
    csrf_post(staff.client, NEW, {"url": "http://127.0.0.1:9/later"})
    made = WebhookSubscription.objects.get(tenant=world.tenant)
    assert made.is_active is False and made.event_types == []
    assert marked(page(staff, made), "state") == "Switched off"


@pytest.mark.parametrize(
    ("language", "general", "reason"),
    [
        (
            "en",
            "Webhooks go only to public https addresses, never to this platform itself.",
            "The address is private or local, not reachable from the internet.",
        ),
        ("zh-hant", "事件推送只能傳送到公開的 https 位址", "私人或本機位址"),
        ("zh-hans", "事件推送只能发送到公开的 https 地址", "私有或本机地址"),
    ],
)
def test_a_refused_address_is_said_next_to_it_and_nothing_is_made(
    world, settings, language, general, reason
):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    staff = staff_client(world)
    before = Event.objects.count()
    response = csrf_post(
        staff.client,
        NEW,
        {"url": "https://127.0.0.1/hooks", "is_active": "on"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    said = marked(texts(response), "error-url")
    assert general in said and reason in said, said
    assert not WebhookSubscription.objects.exists()
    assert Event.objects.count() == before


def test_the_platform_itself_and_plain_http_are_refused(world, settings):
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    staff = staff_client(world)
    own = texts(csrf_post(staff.client, NEW, {"url": "https://testserver/hooks"}))
    assert "That address is this platform itself." in marked(own, "error-url")
    plain = texts(csrf_post(staff.client, NEW, {"url": "http://example.com/hooks"}))
    assert "Use an address starting with https://." in marked(plain, "error-url")
    bad_type = texts(csrf_post(staff.client, NEW, {"url": "http://x.test/", "more_types": "Ord"}))
    assert not WebhookSubscription.objects.exists()
    assert 'data-testid="webhook-form"' in bad_type


def test_a_type_not_written_as_a_type_is_named_next_to_the_types(world):
    staff = staff_client(world)
    response = csrf_post(
        staff.client, NEW, {"url": "http://127.0.0.1:9/x", "more_types": "order.placed Order!"}
    )
    assert marked(texts(response), "error-more_types") == "This value is not valid. (Order!)"
    assert not WebhookSubscription.objects.exists()


def test_a_webhook_is_changed_and_refusals_keep_it_as_it_was(world):
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["order.*"])
    edit = f"{LIST}{made.pk}/edit/"
    ok = csrf_post(staff.client, edit, {"url": "http://127.0.0.1:9/b", "families": ["returns"]})
    assert ok.status_code == 302
    made.refresh_from_db()
    assert (made.url, made.event_types, made.is_active) == (
        "http://127.0.0.1:9/b",
        ["return.*"],
        False,
    )
    refused = csrf_post(staff.client, edit, {"url": "ftp://x/", "families": ["orders"]})
    assert "error-url" in texts(refused)
    made.refresh_from_db()
    assert made.url == "http://127.0.0.1:9/b" and made.event_types == ["return.*"]


def test_a_new_secret_is_shown_once_and_the_old_one_signs_a_day_more(world):
    staff = staff_client(world)
    with receiving() as receiver:
        made = subscribe(world, receiver.url, event_types=["order.*"])
        old = made.secret
        response = csrf_post(staff.client, f"{LIST}{made.pk}/secret/")
        assert response.status_code == 302
        made.refresh_from_db()
        html = page(staff, made)
        assert made.secret != old and marked(html, "secret-value") == made.secret
        assert "The old secret keeps signing beside the new one for 24 hours" in html
        assert 'data-testid="old-secret-until"' in html
        assert made.secret not in page(staff, made)
        place(world, ("A-1", 1))
        work()
    (got,) = receiver.received
    assert verified(made.secret, got) and verified(old, got)


def test_a_webhook_is_deleted_after_asking(world):
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a")
    ask = texts(staff.client.get(f"{LIST}{made.pk}/delete/"))
    assert "This cannot be undone." in ask and WebhookSubscription.objects.exists()
    response = csrf_post(staff.client, f"{LIST}{made.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_says_events_and_objects_in_words_and_replays_one(world):
    staff = staff_client(world)
    with receiving(answer=lambda got: (200, b'{"taken": true}')) as receiver:
        made = subscribe(world, receiver.url, event_types=["order.*"])
        order = place(world, ("A-1", 2))
        work()
        html = page(staff, made)
        (sent,) = WebhookDelivery.objects.filter(subscription=made)
        row = html[html.index(f'data-testid="delivery-{sent.pk}"') :]
        assert ">Order placed<" in row
        assert f'href="/staff/orders/{order.pk}/" data-testid="object-link">{order.number}<' in row
        assert marked(row, "delivery-state") == "Delivered"
        assert "Accepted (status 200)" in row
        assert "order.placed<" not in html  # the type is in a tooltip, not in the text
        one = texts(staff.client.get(f"{LIST}{made.pk}/deliveries/{sent.pk}/"))
        assert "Attempt 1" in one and "Status 200" in one
        assert marked(one, "excerpt") == "{&quot;taken&quot;: true}"
        assert marked(one, "cursor") == cursors.write(sent.event_txid, sent.event_id)
        response = csrf_post(staff.client, f"{LIST}{made.pk}/deliveries/{sent.pk}/replay/")
        assert response.status_code == 302
        replay = WebhookDelivery.objects.get(subscription=made, is_replay=True)
        assert replay.state == DeliveryState.PENDING and replay.event_id == sent.event_id
        assert "“Order placed” will be sent again." in page(staff, made)
        work()
    assert [e["id"] for e in receiver.events()] == [sent.event_id, sent.event_id]


def test_a_failed_attempt_says_why_there_was_no_answer(world):
    staff = staff_client(world)
    with receiving(answer=lambda got: (503, b"down for maintenance")) as receiver:
        made = subscribe(world, receiver.url, event_types=["order.*"])
        place(world, ("A-1", 1))
        work()
    (waiting,) = WebhookDelivery.objects.filter(subscription=made)
    html = page(staff, made, "?state=pending")
    assert marked(html, "delivery-state") == "Waiting"
    assert "The receiver answered with status 503." in html
    assert (
        'data-testid="replay-delivery-' not in html
    )  # a waiting delivery goes out without a replay
    one = texts(staff.client.get(f"{LIST}{made.pk}/deliveries/{waiting.pk}/"))
    assert marked(one, "excerpt") == "down for maintenance"
    assert 'data-testid="next-try"' in one
    assert 'data-testid="no-deliveries"' in page(staff, made, "?state=delivered")
    # the receiver moves to where nothing listens: the next attempt gets no answer at all
    services.update_subscription(
        tenant_id=world.tenant.pk,
        subscription_id=made.pk,
        platform_hosts=[],
        url=f"http://127.0.0.1:{free_port()}/hooks",
    )
    WebhookDelivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    work()
    again = texts(staff.client.get(f"{LIST}{made.pk}/deliveries/{waiting.pk}/"))
    assert marked(again, "why") == "Could not connect to the receiver."


def test_the_log_is_newest_first_in_pages(world, monkeypatch):
    from dinghuo.backoffice import views_webhooks

    monkeypatch.setattr(views_webhooks, "LOG_PAGE_SIZE", 2)
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["sku.*"])
    for n in range(3):
        events.record(events.new(world.tenant.pk, "sku.updated", "sku", n + 1, {}))
    delivery.make_deliveries()
    ids = list(WebhookDelivery.objects.order_by("-id").values_list("pk", flat=True))
    first = page(staff, made)
    assert [int(i) for i in re.findall(r'data-testid="delivery-(\d+)"', first)] == ids[:2]
    older = re.search(r'data-testid="older" href="([^"]+)"', first)
    assert older
    second = texts(staff.client.get(older.group(1).replace("&amp;", "&")))
    assert [int(i) for i in re.findall(r'data-testid="delivery-(\d+)"', second)] == ids[2:]


def test_a_paused_webhook_is_resumed_from_its_page(world):
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["sku.*"])
    events.record(events.new(world.tenant.pk, "sku.updated", "sku", 1, {}))
    delivery.make_deliveries()
    WebhookDelivery.objects.update(state=DeliveryState.FAILED, attempts=20)
    services.pause_subscription(
        tenant_id=world.tenant.pk, subscription_id=made.pk, reason="deliveries failed for 3 days"
    )
    html = page(staff, made)
    assert "because deliveries kept failing for 3 days." in html
    assert 'data-testid="resume"' in html and marked(html, "given-up") == "1"
    response = csrf_post(staff.client, f"{LIST}{made.pk}/resume/")
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.paused_at is None
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["pending"]
    after = page(staff, made)
    assert marked(after, "state") == "Active" and 'data-testid="resume"' not in after
    assert "The webhook is resumed" in after
    # resuming one that is not paused says so and changes nothing
    csrf_post(staff.client, f"{LIST}{made.pk}/resume/")
    assert "This webhook is not paused." in page(staff, made)


def test_a_period_and_the_events_after_a_cursor_are_sent_again(world):
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["sku.*"])
    for n in range(3):
        events.record(events.new(world.tenant.pk, "sku.updated", "sku", n + 1, {}))
    delivery.make_deliveries()
    WebhookDelivery.objects.update(state=DeliveryState.DELIVERED)
    now = timezone.localtime()
    period = {
        "occurred_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "occurred_until": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = csrf_post(staff.client, f"{LIST}{made.pk}/replay-period/", period)
    assert response.status_code == 302
    assert WebhookDelivery.objects.filter(is_replay=True).count() == 3
    assert "3 events will be sent again." in page(staff, made)
    WebhookDelivery.objects.update(state=DeliveryState.DELIVERED)
    second = Event.objects.filter(type="sku.updated").order_by("id")[1]
    after = cursors.write(second.txid, second.pk)
    csrf_post(staff.client, f"{LIST}{made.pk}/replay-cursor/", {"after": after})
    assert WebhookDelivery.objects.filter(is_replay=True).count() == 4
    assert "1 event will be sent again." in page(staff, made)


def test_replay_refusals_are_said_next_to_their_fields(world):
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a")
    reversed_ = csrf_post(
        staff.client,
        f"{LIST}{made.pk}/replay-period/",
        {"occurred_from": "2026-03-02T10:00", "occurred_until": "2026-03-01T10:00"},
    )
    assert marked(texts(reversed_), "error-occurred_until") == "The range must end after it starts."
    cursor = csrf_post(staff.client, f"{LIST}{made.pk}/replay-cursor/", {"after": "last week"})
    said = marked(texts(cursor), "error-after")
    assert said.startswith("This is not a cursor of the event feed")
    assert not WebhookDelivery.objects.filter(is_replay=True).exists()


def test_another_tenants_webhooks_are_not_found_and_stay_as_they_were(world):
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["sku.*"])
    events.record(events.new(world.tenant.pk, "sku.updated", "sku", 1, {}))
    delivery.make_deliveries()
    one = WebhookDelivery.objects.filter(subscription=made).first()
    assert one is not None
    other = build_world("initech")
    stranger = staff_client(other, "ivan@initech.test")
    base = f"{LIST}{made.pk}/"
    for path in (base, f"{base}edit/", f"{base}delete/", f"{base}deliveries/{one.pk}/"):
        assert stranger.client.get(path).status_code == 404, path
    for path in (
        f"{base}edit/",
        f"{base}delete/",
        f"{base}secret/",
        f"{base}resume/",
        f"{base}replay-period/",
        f"{base}replay-cursor/",
        f"{base}deliveries/{one.pk}/replay/",
    ):
        assert csrf_post(stranger.client, path, {"url": "http://127.0.0.1:9/b"}).status_code == 404
    made_after = WebhookSubscription.objects.get(pk=made.pk)
    assert (made_after.url, made_after.secret) == (made.url, made.secret)
    assert WebhookDelivery.objects.count() == 1
    assert f"webhook-{made.pk}" not in texts(stranger.client.get(LIST))


def _visible_words(html: str) -> set[str]:
    """Latin words a reader sees: text outside tags, code, addresses and answers."""
    body = html[html.index("<main") :]
    body = re.sub(r"<(pre|code|script|style|textarea)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<[^>]*class="[^"]*\burl\b[^"]*"[^>]*>[^<]*<', "<", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return set(re.findall(r"[A-Za-z]{2,}", body))


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_chinese_pages_say_the_webhook_texts_in_chinese(world, language):
    staff = staff_client(world)
    lang = {"HTTP_ACCEPT_LANGUAGE": language}
    csrf_post(
        staff.client,
        NEW,
        {"url": "http://127.0.0.1:9/erp", "families": ["orders"], "is_active": "on"},
        **lang,
    )
    made = WebhookSubscription.objects.get()
    with receiving(answer=lambda got: (500, b"no")) as receiver:
        services.update_subscription(
            tenant_id=world.tenant.pk, subscription_id=made.pk, platform_hosts=[], url=receiver.url
        )
        place(world, ("A-1", 1))
        work()
    services.pause_subscription(
        tenant_id=world.tenant.pk, subscription_id=made.pk, reason="deliveries failed for 3 days"
    )
    (sent,) = WebhookDelivery.objects.all()
    allowed = {"https", "http", "ms", "SKU", "Webhook", "Webhooks", "Sam", "Staff", "Acme"}
    allowed |= {"Wholesale", "English", "ERP"}
    # the form's examples of what a technical user types: `order.shipped`, `order.*`, a URL
    allowed |= {"order", "shipped", "URL", "POST"}
    allowed |= {"UTC", "SO"}  # the time zone; an order number
    for path in (
        LIST,
        NEW,
        f"{LIST}{made.pk}/",
        f"{LIST}{made.pk}/edit/",
        f"{LIST}{made.pk}/delete/",
        f"{LIST}{made.pk}/deliveries/{sent.pk}/",
    ):
        html = texts(staff.client.get(path, **lang))
        assert _visible_words(html) - allowed == set(), (path, _visible_words(html) - allowed)


def test_an_address_left_as_it_was_is_not_judged_again(world, settings):
    """Made on a closed network, the webhook keeps its address when staff change something
    else after private addresses are no longer allowed; a new such address is refused."""
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["order.*"])
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = False
    staff = staff_client(world)
    edit = f"{LIST}{made.pk}/edit/"
    same = {"url": made.url, "families": ["orders"], "description": "ERP", "is_active": "on"}
    assert csrf_post(staff.client, edit, same).status_code == 302
    made.refresh_from_db()
    assert made.description == "ERP"
    moved = csrf_post(staff.client, edit, {**same, "url": "http://127.0.0.1:9/b"})
    assert "error-url" in texts(moved)
    made.refresh_from_db()
    assert made.url == "http://127.0.0.1:9/a"


def _queries_of(client: Any, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as done:
        assert client.get(path).status_code == 200
    return len(done.captured_queries)


def test_the_pages_queries_do_not_grow_with_the_log(world):
    staff = staff_client(world)
    made = subscribe(world, "http://127.0.0.1:9/a", event_types=["order.*", "sku.*"])
    subscribe(world, "http://127.0.0.1:9/b")

    def log(n: int) -> None:
        for i in range(n):
            place(world, ("A-1", 1), key=f"k{n}-{i}")
            events.record(
                events.new(world.tenant.pk, "sku.updated", "sku", world.skus["B-2"].pk, {})
            )
        delivery.make_deliveries()

    log(1)
    few = (_queries_of(staff.client, LIST), _queries_of(staff.client, f"{LIST}{made.pk}/"))
    log(4)
    many = (_queries_of(staff.client, LIST), _queries_of(staff.client, f"{LIST}{made.pk}/"))
    assert few == many


def test_the_workers_notes_are_said_in_words():
    from dinghuo.backoffice.webhook_words import no_answer_words, pause_words

    assert no_answer_words("timed out") == "No answer in time: the receiver took too long."
    assert no_answer_words("could not connect: ConnectError") == (
        "Could not connect to the receiver."
    )
    assert no_answer_words("answered 418") == "The receiver answered with status 418."
    assert no_answer_words("the host name does not resolve").startswith("Not sent: the host")
    assert no_answer_words("address refused: not a public address") == (
        "Not sent: the address is not public."
    )
    assert pause_words("deliveries failed for 3 days") == "deliveries kept failing for 3 days"
