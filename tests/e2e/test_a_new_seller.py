"""A new seller's first day in a real browser, with real mail (issue 12, "What must hold").

1. An operator creates the seller; its owner opens the invitation mail, chooses a password,
   turns on two-step sign-in, signs out and in again with a code, and invites a warehouse
   clerk, who joins, signs in and ships an order without seeing a price or a credit page.
2. A company admin of that seller invites a buyer from the portal; the buyer opens the
   mail's link, chooses a password, signs in and places an order.

Each page of the way is photographed at 1280 and 375 px in English and Traditional Chinese
into /tmp/shots-story/<test>/ (`new_seller.shoot_both_ways`).
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from dinghuo.backoffice.models import StaffMember
from dinghuo.customers import services as customers
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order
from tests.accounts.support import PASSWORD
from tests.e2e.conftest import DESKTOP
from tests.e2e.helpers import sign_in
from tests.e2e.new_seller import (
    MONEY,
    OWNER,
    TEA,
    create_seller,
    first_shelf_and_customer,
    mailed_link,
    shoot_both_ways,
)
from tests.mailbox import Inbox
from tests.two_factor.support import totp

pytestmark = pytest.mark.e2e

CLERK = "wing@harbour.example"
ADMIN = "ada@kowloon-cafe.example"
BUYER = "mei@kowloon-cafe.example"


def _choose_password(page: Page) -> None:
    asked = page.get_by_label("Your name")
    if asked.count():  # the owner, invited by the command with an address only
        asked.fill("Ka Ming Lau")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_test_id("accept").click()


def _staff_password(page: Page, email: str) -> None:
    page.goto("/staff/signin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _owner_joins_and_turns_on_two_step(page: Page, inbox: Inbox) -> str:
    """From the invitation mail to signed in with a code; answers the authenticator's secret."""
    link = mailed_link(inbox, OWNER)
    assert link.startswith("/account/invitation/harbour/")
    page.goto(link)
    expect(page.get_by_test_id("invitation")).to_contain_text("Welcome to Harbour Trading")
    shoot_both_ways(page, "invitation-set-password")
    _choose_password(page)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_test_id("two-step-link").click()
    page.get_by_test_id("begin").click()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    shoot_both_ways(page, "two-step-set-up")
    secret = page.get_by_test_id("secret").inner_text()
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    page.get_by_test_id("codes-kept").click()
    page.get_by_role("button", name="Sign out").click()

    _staff_password(page, OWNER)
    expect(page).to_have_url(re.compile(r"/staff/signin/code/$"))
    shoot_both_ways(page, "sign-in-code")
    page.get_by_label("Code").fill(totp(secret, steps_ahead=1))  # the last code is spent
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return secret


def _owner_invites_the_clerk(page: Page) -> None:
    page.goto("/staff/people/")
    shoot_both_ways(page, "staff-invite-form")
    form = page.get_by_test_id("invite")
    form.get_by_label("Email").fill(CLERK)
    form.get_by_label("Name").fill("Wing Lee")
    form.get_by_label("Role").select_option(label="Warehouse")
    form.get_by_role("button", name="Send the invitation").click()
    row = page.get_by_test_id(f"staff-{CLERK}")
    # The owner may change the new clerk's role there: the row offers it, set to Warehouse.
    expect(row.get_by_test_id("role").locator("select")).to_have_value("warehouse")
    expect(row.get_by_test_id("invited")).to_be_visible()


def _money_on(page: Page) -> list[str]:
    return MONEY.findall(page.locator("main").inner_text())


def test_a_new_seller_joins_by_mail_turns_on_two_step_and_its_clerk_ships_blind_to_money(
    page: Page, browser: Browser, inbox: Inbox
) -> None:
    tenant = create_seller()
    _owner_joins_and_turns_on_two_step(page, inbox)
    _owner_invites_the_clerk(page)

    clerk = browser.new_context(
        base_url=page.url.split("/staff")[0], locale="en-US", viewport=DESKTOP
    )
    clerk_page = clerk.new_page()
    clerk_page.goto(mailed_link(inbox, CLERK))
    _choose_password(clerk_page)
    expect(clerk_page.get_by_test_id("staff-who")).to_contain_text("Wing Lee")
    clerk_page.get_by_role("button", name="Sign out").click()
    _staff_password(clerk_page, CLERK)  # no code asked: the clerk has no authenticator
    expect(clerk_page.get_by_role("heading", name="Dashboard")).to_be_visible()
    member = StaffMember.objects.get(tenant=tenant, user__email=CLERK)
    assert (member.role, member.is_active) == ("warehouse", True)

    # A café's order, placed and confirmed through the services, waits to be shipped.
    company, shop = first_shelf_and_customer(tenant)
    order = orders.place_order(
        tenant_id=tenant.pk,
        company_id=company.pk,
        ship_to_id=shop.pk,
        lines=[orders.LineRequest(sku=TEA, quantity=6)],
    )
    if order.status == "placed":
        orders.confirm_order(tenant_id=tenant.pk, order_id=order.pk)
    clerk_page.goto("/staff/fulfilment/")
    expect(clerk_page.locator("main")).to_contain_text(order.number)
    assert _money_on(clerk_page) == []
    row = clerk_page.get_by_test_id(f"to-ship-{order.number}")
    expect(row.get_by_role("link", name=order.number)).to_have_count(0)  # the order: 403
    row.get_by_role("link", name="Pick and ship").click()
    expect(clerk_page.get_by_test_id(f"pick-{TEA}")).to_be_visible()
    shoot_both_ways(clerk_page, "clerk-pick-list")
    assert _money_on(clerk_page) == []
    clerk_page.get_by_label(f"Units of {TEA} to ship now").fill("6")
    clerk_page.get_by_label("Carrier").fill("SF Express")
    clerk_page.get_by_label("Tracking number").fill("SF2000001")
    clerk_page.get_by_test_id("ship").click()
    expect(clerk_page.get_by_test_id("status")).to_have_attribute("data-status", "shipped")
    assert _money_on(clerk_page) == []
    order.refresh_from_db()
    assert order.status == "shipped"

    # Prices, amounts and credit stay closed to the clerk, whatever address is typed.
    for closed in (
        f"/staff/orders/{order.pk}/",
        f"/staff/companies/{company.pk}/credit/",
        "/staff/receivables/",
        "/staff/invoices/",
        "/staff/people/",
    ):
        answer = clerk_page.goto(closed)
        assert answer is not None and answer.status == 403, closed
    clerk.close()


def test_a_company_admin_invites_a_buyer_who_joins_and_places_an_order(
    page: Page, browser: Browser, inbox: Inbox
) -> None:
    tenant = create_seller(print_link=True)  # the owner is not in this story
    company, _shop = first_shelf_and_customer(tenant)
    admin = customers.create_company_user(
        tenant_id=tenant.pk, company_id=company.pk, email=ADMIN, name="Ada Lam", role="admin"
    )
    admin.user.set_password(PASSWORD)  # she joined before this story begins
    admin.user.save()

    sign_in(page, ADMIN, PASSWORD)
    page.goto("/company/")
    page.get_by_text("Add a user").click()
    form = page.get_by_test_id("add-user")
    form.get_by_label("Email").fill(BUYER)
    form.get_by_label("Name").fill("Chan Mei")
    form.get_by_label("Role").select_option("buyer")
    form.get_by_role("button", name="Add the user").click()
    expect(page.locator("main")).to_contain_text(BUYER)

    buyer = browser.new_context(
        base_url=page.url.split("/company")[0], locale="en-US", viewport=DESKTOP
    )
    buyer_page = buyer.new_page()
    buyer_page.goto(mailed_link(inbox, BUYER))
    expect(buyer_page.get_by_test_id("invitation")).to_contain_text("Welcome to Harbour Trading")
    shoot_both_ways(buyer_page, "buyer-invitation-set-password")
    _choose_password(buyer_page)
    buyer_page.get_by_role("button", name="Sign out").click()
    sign_in(buyer_page, BUYER, PASSWORD)

    buyer_page.goto("/catalogue/")
    entry = buyer_page.get_by_test_id(f"entry-{TEA}")
    expect(entry.get_by_test_id("price")).to_contain_text("88.00")
    entry.get_by_label("Quantity").fill("3")
    entry.get_by_role("button", name="Add to cart").click()
    expect(entry.get_by_role("status")).to_have_text("Added to the cart")
    buyer_page.goto("/cart/")
    buyer_page.get_by_test_id("checkout").click()
    buyer_page.get_by_test_id("place-order").click()
    expect(buyer_page.get_by_test_id("status")).to_be_visible()
    shoot_both_ways(buyer_page, "buyer-order-placed")

    order = Order.objects.get(tenant=tenant)
    assert (order.channel, order.placed_by.user.email) == ("portal", BUYER)
    assert [(line.sku_code, line.quantity) for line in order.lines.all()] == [(TEA, 3)]
    buyer.close()
