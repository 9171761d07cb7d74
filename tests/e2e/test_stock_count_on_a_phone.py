"""A warehouse clerk counts on a phone (375 px): scans a code, types the units, sends the
count to review; nothing on the page shows what the ledger expects."""

import re

import pytest
from playwright.sync_api import Page, expect

from dinghuo.stocktaking.models import StockCount
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import build_world
from tests.e2e.helpers import shoot

pytestmark = pytest.mark.e2e


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_clerk_counts_blind_on_a_phone(phone_page: Page) -> None:
    world = build_world()
    make_staff(world, "wes@seller.example", role="warehouse")
    page = phone_page
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/signin/"))
    page.get_by_label("Email").fill("wes@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/staff/stock-counts/")
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("count-form")).to_be_visible()
    assert _fits(page)
    shoot(page, "counting")
    for code, units in (("A-1", "97"), ("c-3", "100")):
        page.get_by_label("SKU code").fill(code)
        page.get_by_label("Units found").fill(units)
        page.get_by_test_id("save-count").click()
        expect(page.get_by_text("counted.")).to_be_visible()
    expect(page.get_by_test_id("line-A-1")).to_contain_text("97")
    assert ">100<" not in page.get_by_test_id("line-B-2").inner_html()  # blind
    assert _fits(page)
    page.get_by_test_id("submit").click()
    expect(page.get_by_text("The count waits for review.")).to_be_visible()
    assert StockCount.objects.get().status == "in_review"
    shoot(page, "sent-to-review")
