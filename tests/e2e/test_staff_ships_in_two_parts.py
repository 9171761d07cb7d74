"""Staff sign in to the back office, confirm an order and ship it in two parcels with two
tracking numbers; the buyer then sees both on their order page."""

import re

import pytest
from playwright.sync_api import Page, expect

from dinghuo.orders.models import Order
from tests.backoffice.staffing import PASSWORD, make_staff, place
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e


def test_staff_ship_an_order_in_two_parts_and_the_buyer_sees_both_tracking_numbers(
    page: Page,
) -> None:
    world = build_world()
    buyer, _ = add_buyer(world, "mei@buyer-one.example")
    buyer.user.set_password(PASSWORD)
    buyer.user.save()
    make_staff(world, "sam@seller.example")
    order = place(world, ("A-1", 10), ("B-2", 12), ("C-3", 5), purchase_order_number="PO-4711")

    # Staff sign in and find the order on the desk.
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/signin/"))
    page.get_by_label("Email").fill("sam@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_test_id("count-to-confirm")).to_contain_text("1")
    shoot(page, "dashboard")

    page.get_by_test_id("count-to-confirm").get_by_role("link").click()
    row = page.get_by_test_id(f"order-{order.number}")
    expect(row).to_contain_text("PO-4711")
    shoot(page, "desk")
    row.get_by_role("link", name=order.number).click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")

    # First parcel: part of A-1 and all of C-3.
    page.get_by_test_id("go-ship").click()
    expect(page.get_by_test_id("left-A-1")).to_have_text("10")
    shoot(page, "pick-list")
    page.get_by_label("Units of A-1 to ship now").fill("4")
    page.get_by_label("Units of B-2 to ship now").fill("0")
    page.get_by_label("Carrier").fill("SF Express")
    page.get_by_label("Tracking number").fill("SF1000001")
    page.get_by_test_id("ship").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "partially_shipped")
    expect(page.get_by_test_id("left-A-1")).to_have_text("6")
    expect(page.get_by_test_id("shipment")).to_have_count(1)
    shoot(page, "first-parcel")

    # Second parcel: the rest, which the form offers by default.
    expect(page.get_by_label("Units of A-1 to ship now")).to_have_value("6")
    expect(page.get_by_label("Units of B-2 to ship now")).to_have_value("12")
    page.get_by_label("Carrier").fill("Kerry Express")
    page.get_by_label("Tracking number").fill("KE2000002")
    page.get_by_test_id("ship").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "shipped")
    expect(page.get_by_test_id("shipment")).to_have_count(2)
    shoot(page, "second-parcel")
    with page.expect_response(re.compile(r"packing-slip\.pdf$")) as slip:
        page.evaluate(
            "url => fetch(url)",
            page.get_by_test_id("packing-slip").first.get_attribute("href"),
        )
    assert slip.value.headers["content-type"] == "application/pdf"
    assert Order.objects.get(pk=order.pk).status == "shipped"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Staff sign in")).to_be_visible()

    # The buyer sees both parcels with their tracking numbers.
    sign_in(page, "mei@buyer-one.example", PASSWORD)
    page.goto(f"/orders/{order.pk}/")
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "shipped")
    shipments = page.get_by_test_id("shipment")
    expect(shipments).to_have_count(2)
    expect(shipments.nth(0)).to_contain_text("SF1000001")
    expect(shipments.nth(1)).to_contain_text("KE2000002")
    shoot(page, "buyer-sees-both-parcels")
