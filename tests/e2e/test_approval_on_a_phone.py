"""An approver on a phone: an order over a buyer's spending limit waits in the inbox, is
approved with a comment, and its page shows it confirmed with the decision on the timeline."""

import pytest
from playwright.sync_api import Page, expect

from dinghuo.buying import services as buying
from dinghuo.orders import services as orders
from dinghuo.orders.states import OrderStatus
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def fits_the_screen(page: Page) -> bool:
    """Nothing on the page is wider than the phone (tables scroll inside their wrapper)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_an_approver_approves_on_a_phone_and_the_order_is_confirmed(phone_page: Page) -> None:
    world = build_world()
    # The seller confirms on its own what nothing else stops, so approval is the last step.
    orders.set_order_policy(
        tenant_id=world.tenant.pk,
        seller_slug=None,
        auto_confirm=True,
        credit_action="hold",
        overdue_grace_days=0,
        approval_expiry_hours=72,
    )
    buyer, _ = add_buyer(world, "kit@buyer-one.example", spending_limit="50")
    buyer.user.first_name, buyer.user.last_name = "Kit", "Lau"
    buyer.user.save()
    approver, _ = add_buyer(world, "mei.chan@buyer-one.example", "approver")
    approver.user.first_name, approver.user.last_name = "Mei", "Chan"
    approver.user.set_password(PASSWORD)
    approver.user.save()
    for sku, quantity in [("A-1", 10), ("C-3", 3)]:
        buying.add_to_cart(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            owner_id=buyer.pk,
            sku=sku,
            quantity=quantity,
        )
    order = buying.checkout_cart(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        owner_id=buyer.pk,
        ship_to_id=world.ship_to.pk,
        purchase_order_number="PO-PHONE-1",
        placed_by_id=buyer.pk,
    )
    assert order.status == OrderStatus.AWAITING_APPROVAL  # $91.00 is over Kit's $50 limit
    page = phone_page

    sign_in(page, "mei.chan@buyer-one.example", PASSWORD)
    shoot(page, "signed-in")
    page.get_by_role("navigation").get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", name="Orders waiting for your approval")).to_be_visible()
    item = page.get_by_test_id(f"approval-{order.number}")
    expect(item).to_contain_text("$91.00")
    expect(item).to_contain_text("Placed by Kit Lau")
    expect(item.get_by_test_id("approval-reasons")).to_contain_text(
        "$91.00 is over the buyer's spending limit of $50.00"
    )
    expect(item.get_by_test_id("approval-lines")).to_contain_text("10 × Item A-1 (A-1)")
    assert fits_the_screen(page)
    shoot(page, "inbox")

    item.get_by_label("Comment").fill("OK for the opening week")
    shoot(page, "comment-typed")
    item.get_by_role("button", name="Approve").click()
    decided = page.get_by_test_id(f"decided-{order.number}")
    expect(decided).to_contain_text(f"You approved order {order.number}.")
    expect(page.get_by_test_id(f"approval-{order.number}")).to_have_count(0)
    shoot(page, "approved")

    decided.get_by_role("link", name="See the order").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    expect(page.get_by_test_id("approval-1")).to_contain_text("Approved")
    expect(page.get_by_test_id("approval-1")).to_contain_text("OK for the opening week")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Approval requested")
    expect(timeline).to_contain_text("Approved")
    expect(timeline).to_contain_text("OK for the opening week")
    expect(timeline).to_contain_text("Confirmed")
    assert fits_the_screen(page)
    shoot(page, "order-confirmed")

    page.goto("/approvals/")
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()
    shoot(page, "inbox-empty")
