"""A clerk subscribes the company's ERP to order events in the back office, copies the secret,
watches the deliveries arrive (one refused by the ERP), opens the failed one and replays a
delivered one; the same pages on a phone and in Traditional Chinese. Screenshots of each."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dinghuo.integrations import delivery, services
from dinghuo.integrations.models import WebhookDelivery, WebhookSubscription
from tests.backoffice.staffing import PASSWORD, make_staff, place
from tests.builders import World, build_world
from tests.e2e.helpers import shoot
from tests.integrations.receiver import Received, free_port, receiving, verified

pytestmark = pytest.mark.e2e


def _sign_in(page: Page) -> None:
    page.goto("/staff/")
    page.get_by_label("Email").fill("sam@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _work() -> None:
    delivery.make_deliveries()
    delivery.send_due_deliveries()


def _a_paused_webhook(world: World) -> None:
    """A second webhook whose receiver is gone, paused by the worker's rule."""
    made = services.create_subscription(
        tenant_id=world.tenant.pk,
        url=f"http://127.0.0.1:{free_port()}/legacy",
        event_types=["invoice.*", "payment.*"],
        description="Old accounting system",
        platform_hosts=[],
    ).subscription
    services.pause_subscription(
        tenant_id=world.tenant.pk, subscription_id=made.pk, reason="deliveries failed for 3 days"
    )


def _refusing_the_second() -> Any:
    """An ERP that refuses the second request it gets (a customer it does not know yet)."""
    seen: list[Received] = []

    def answer(got: Received) -> tuple[int, bytes]:
        seen.append(got)
        if len(seen) == 2:
            return 500, b'{"error": "customer C001 is not in the ERP yet"}'
        return 200, b'{"received": true}'

    return answer


def test_a_clerk_subscribes_the_erp_and_reads_the_delivery_log(
    page: Page, phone_page: Page, settings: Any
) -> None:
    settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = True
    world = build_world()
    make_staff(world, "sam@seller.example")
    _a_paused_webhook(world)
    with receiving(answer=_refusing_the_second()) as erp:
        _sign_in(page)
        page.get_by_role("navigation").get_by_role("link", name="Webhooks").click()
        shoot(page, "list")
        page.get_by_test_id("new-webhook").click()
        page.get_by_label("Address (URL)").fill(erp.url)
        page.get_by_label("Orders").check()
        page.get_by_label("Description").fill("ERP (orders)")
        page.get_by_label("Contact e-mail").fill("it@acme.example")
        shoot(page, "new")
        page.get_by_test_id("save-webhook").click()
        made = WebhookSubscription.objects.get(url=erp.url)
        expect(page.get_by_test_id("secret-value")).to_have_text(made.secret)
        shoot(page, "secret-once")
        for key in ("a", "b", "c"):
            place(world, ("A-1", 2), key=key)
        _work()
        page.reload()
        expect(page.get_by_test_id("secret")).to_have_count(0)
        expect(page.get_by_test_id("deliveries").get_by_test_id("delivery-state")).to_have_count(3)
        shoot(page, "log")
        failed = WebhookDelivery.objects.get(last_status_code=500)
        sent = WebhookDelivery.objects.filter(state="delivered").first()
        assert sent is not None
        page.get_by_test_id(f"delivery-{failed.pk}").get_by_role("link").first.click()
        expect(page.get_by_test_id("excerpt")).to_contain_text("not in the ERP yet")
        shoot(page, "failed-delivery")
        page.goto(f"/staff/webhooks/{made.pk}/")
        page.get_by_test_id(f"replay-delivery-{sent.pk}").click()
        expect(page.get_by_role("status")).to_contain_text("will be sent again")
        shoot(page, "replayed")

        _sign_in(phone_page)
        phone_page.goto("/staff/webhooks/")
        shoot(phone_page, "phone-list")
        phone_page.goto(f"/staff/webhooks/{made.pk}/")
        shoot(phone_page, "phone-webhook")
        phone_page.goto(f"/staff/webhooks/{made.pk}/deliveries/{failed.pk}/")
        shoot(phone_page, "phone-failed-delivery")

        page.get_by_test_id("language").select_option("zh-hant")
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
        page.goto("/staff/webhooks/")
        shoot(page, "zh-hant-list")
        page.goto(f"/staff/webhooks/{made.pk}/")
        shoot(page, "zh-hant-webhook")
        page.goto(f"/staff/webhooks/{made.pk}/deliveries/{failed.pk}/")
        shoot(page, "zh-hant-failed-delivery")
        page.goto(f"/staff/webhooks/{made.pk}/edit/")
        shoot(page, "zh-hant-edit")
        phone_page.get_by_test_id("language").select_option("zh-hant")
        phone_page.get_by_role("button", name="Change").click()
        expect(phone_page.locator("html")).to_have_attribute("lang", "zh-hant")
        phone_page.goto(f"/staff/webhooks/{made.pk}/")
        shoot(phone_page, "phone-zh-hant-webhook")
    assert all(verified(made.secret, got) for got in erp.received)
