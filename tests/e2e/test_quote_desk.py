"""A quote's round trip in the browser, at 1280 and 375 px, in English and Traditional
Chinese: the buyer's request waits on the seller's desk, staff answer it line by line, the
buyer counters, staff answer again, the buyer accepts and the quote links to its order."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from dinghuo.buying import services as buying
from dinghuo.orders.models import Order
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import add_buyer, build_world
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _speak(page: Page, language: str) -> None:
    if language != "en":
        page.get_by_test_id("language").select_option(language)
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("size", ["page", "phone_page"])
@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_a_quote_goes_round_and_becomes_an_order(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    size: str,
    language: str,
) -> None:
    staff: Page = request.getfixturevalue(size)
    staff.set_default_timeout(30_000)
    world = build_world()
    world.tenant.languages = "en,zh-hant"
    world.tenant.save()
    member, _ = add_buyer(world, "mei@buyer-one.example")
    member.user.set_password(PASSWORD)
    member.user.save()
    make_staff(world, "sam@seller.example")
    quote = buying.request_quote(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        lines=[buying.QuoteLineRequest("A-1", 50), buying.QuoteLineRequest("C-3", 30)],
        requested_by_id=member.pk,
        ship_to_id=world.ship_to.pk,
        note="For the new shop",
    )
    phone = size == "phone_page"
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
    )
    buyer = context.new_page()
    buyer.set_default_timeout(30_000)

    staff.goto("/staff/")
    staff.get_by_label("Email").fill("sam@seller.example")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    _speak(staff, language)
    staff.goto("/staff/quotes/")
    expect(staff.get_by_test_id("quotes-waiting")).to_have_text("1")
    row = staff.get_by_test_id(f"quote-{quote.pk}")
    expect(row).to_contain_text("$460.00")
    assert fits_the_screen(staff)
    shoot(staff, f"desk-{language}")
    row.get_by_role("link", name=quote.number).click()
    expect(staff.get_by_test_id("status")).to_have_attribute("data-status", "requested")
    expect(staff.locator("input[name=price_1]")).to_have_value("9.00")
    staff.locator("input[name=price_1]").fill("7.50")
    staff.locator("input[name=note_1]").fill("From stock")
    assert fits_the_screen(staff)
    shoot(staff, f"answer-{language}")
    staff.get_by_test_id("answer").click()
    expect(staff.get_by_test_id("status")).to_have_attribute("data-status", "answered")

    sign_in(buyer, "mei@buyer-one.example", PASSWORD)
    _speak(buyer, language)
    buyer.goto(f"/quotes/{quote.pk}/")
    expect(buyer.get_by_test_id("status")).to_have_attribute("data-status", "answered")
    expect(buyer.get_by_test_id("seller-line-note")).to_contain_text("From stock")
    buyer.locator("input[name=quantity_1]").fill("100")
    buyer.locator("input[name=price_1]").fill("7")
    buyer.locator("textarea[name=note]").last.fill("We take double")
    assert fits_the_screen(buyer)
    shoot(buyer, f"buyer-answered-{language}")
    buyer.get_by_test_id("counter").click()
    expect(buyer.get_by_test_id("status")).to_have_attribute("data-status", "countered")
    expect(buyer.get_by_test_id("round-3")).to_contain_text("We take double")
    shoot(buyer, f"buyer-countered-{language}")

    staff.goto(f"/staff/quotes/{quote.pk}/")
    expect(staff.get_by_test_id("asked").first).to_contain_text("$7.00")
    staff.locator("input[name=price_1]").fill("7.20")
    shoot(staff, f"countered-{language}")
    staff.get_by_test_id("answer").click()
    expect(staff.get_by_test_id("status")).to_have_attribute("data-status", "answered")

    buyer.goto(f"/quotes/{quote.pk}/")
    buyer.get_by_test_id("accept").click()
    expect(buyer).to_have_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    shoot(buyer, f"buyer-order-{language}")

    staff.goto(f"/staff/quotes/{quote.pk}/")
    expect(staff.get_by_test_id("quote-order")).to_have_text(order.number)
    assert fits_the_screen(staff)
    shoot(staff, f"accepted-{language}")
    context.close()
