"""One order's whole story in a real browser, as the issue tells it: a buyer pastes three
rows into the quick order, checks out and sees the order; an approver approves it on a phone;
staff ship it in two parcels; the buyer sees both tracking numbers; and the same pages read
in Chinese after the language switch. Screenshots in var/screenshots/<this test>/."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from dinghuo.orders.models import Order
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e


def test_paste_check_out_approve_on_a_phone_ship_twice_and_read_it_in_chinese(
    page: Page, phone_page: Page, browser: Browser
) -> None:
    world = build_world()
    buyer, _ = add_buyer(world, "mei@buyer-one.example", spending_limit="100")
    approver, _ = add_buyer(world, "kit@buyer-one.example", role="approver")
    for member in (buyer, approver):
        member.user.set_password(PASSWORD)
        member.user.save()
    make_staff(world, "sam@seller.example")

    # The buyer pastes three rows copied from a spreadsheet (with a header line).
    sign_in(page, "mei@buyer-one.example", PASSWORD)
    page.goto("/quick-order/")
    page.get_by_label("Paste rows").fill("SKU\tQty\nA-1\t10\nB-2\t12\nC-3\t3\n")
    page.get_by_role("button", name="Check pasted rows").click()
    expect(page.get_by_test_id("subtotal")).to_have_text("$121.00")  # 90.00 + 30.00 + 1.00
    shoot(page, "quick-order-pasted")
    page.get_by_test_id("add-all").click()
    expect(page.get_by_test_id("cart-line-A-1")).to_be_visible()
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("$121.00")
    shoot(page, "cart")

    # Checkout says beforehand that the order is over the buyer's limit of 100.00.
    page.get_by_test_id("checkout").click()
    expect(page.get_by_test_id("routing")).to_have_attribute("data-status", "awaiting_approval")
    page.get_by_label("Purchase order number").fill("PO-STORY-1")
    shoot(page, "checkout")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "awaiting_approval")
    order = Order.objects.get(purchase_order_number="PO-STORY-1")
    assert (order.channel, order.placed_by_id) == ("portal", buyer.pk)
    shoot(page, "order-placed")

    # The approver approves it on a 375 × 812 phone.
    sign_in(phone_page, "kit@buyer-one.example", PASSWORD)
    phone_page.goto("/approvals/")
    item = phone_page.get_by_test_id(f"approval-{order.number}")
    expect(item).to_contain_text("$121.00")
    item.get_by_label("Comment").fill("Fine for the opening week")
    shoot(phone_page, "phone-inbox")
    item.get_by_role("button", name="Approve").click()
    expect(phone_page.get_by_test_id(f"decided-{order.number}")).to_be_visible()
    shoot(phone_page, "phone-approved")
    order.refresh_from_db()
    assert order.status == "placed"  # approved; the seller confirms (automation is off)

    # Staff confirm and ship in two parcels.
    staff = browser.new_page(viewport={"width": 1280, "height": 800}, base_url=_base(page))
    staff.goto("/staff/signin/")
    staff.get_by_label("Email").fill("sam@seller.example")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    staff.goto(f"/staff/orders/{order.pk}/")
    staff.get_by_test_id("confirm").click()
    expect(staff.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    staff.get_by_test_id("go-ship").click()
    staff.get_by_label("Units of A-1 to ship now").fill("4")
    staff.get_by_label("Units of B-2 to ship now").fill("0")
    staff.get_by_label("Carrier").fill("SF Express")
    staff.get_by_label("Tracking number").fill("SF1000001")
    staff.get_by_test_id("ship").click()
    expect(staff.get_by_test_id("status")).to_have_attribute("data-status", "partially_shipped")
    staff.get_by_label("Carrier").fill("Kerry Express")
    staff.get_by_label("Tracking number").fill("KE2000002")
    staff.get_by_test_id("ship").click()
    expect(staff.get_by_test_id("status")).to_have_attribute("data-status", "shipped")
    shoot(staff, "staff-shipped-twice")

    # The buyer sees both tracking numbers, then reads the same page in Chinese.
    page.goto(f"/orders/{order.pk}/")
    shipments = page.get_by_test_id("shipment")
    expect(shipments).to_have_count(2)
    expect(shipments.nth(0)).to_contain_text("SF1000001")
    expect(shipments.nth(1)).to_contain_text("KE2000002")
    shoot(page, "buyer-sees-both-parcels")
    page.get_by_test_id("language").select_option("zh-hant")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.get_by_role("navigation")).to_contain_text("訂單")
    expect(page.get_by_test_id("shipment").nth(1)).to_contain_text("KE2000002")
    shoot(page, "order-in-traditional-chinese")
    page.goto("/quick-order/")
    expect(page.get_by_test_id("add-all")).to_have_text("將所有有效行加入購物車")
    shoot(page, "quick-order-in-traditional-chinese")


def _base(page: Page) -> str:
    match = re.match(r"https?://[^/]+", page.url)
    assert match, page.url
    return match.group(0)
