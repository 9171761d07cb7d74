"""Pages that feel finished, as a buyer and a clerk see them on a laptop and a phone, in
English and Traditional Chinese: quick order takes what is pasted, the order page says
where the goods go, units are words, and an error page leads back."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from dinghuo.catalog.models import Sku
from dinghuo.core import clock
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in
from tests.portal.ordering import SignedIn

pytestmark = pytest.mark.e2e

PASTED = "  a-1 \t10\nSKU B-2\t12\nwhat?\n貨號：c-3\t３"
WORDS = {
    "en": ("Check pasted rows", "1 line could not be read", "Delivery address", "per carton"),
    "zh-hant": ("檢查貼上的行", "有 1 行無法讀取", "送貨地址", "每箱"),
}


@pytest.mark.parametrize("size", ["page", "phone_page"])
@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_a_buyer_pastes_reads_an_order_and_meets_an_error(
    request: pytest.FixtureRequest, transactional_db: None, size: str, language: str
) -> None:
    page: Page = request.getfixturevalue(size)
    page.set_default_timeout(30_000)  # the first page of a busy machine's live server is slow
    world = build_world()
    Sku.objects.filter(tenant=world.tenant, code="A-1").update(unit="ctn")
    member, _ = add_buyer(world, "mei@buyer-one.example")
    member.user.set_password("correct horse battery staple")
    member.user.save()
    order = SignedIn(member, None).place(  # type: ignore[arg-type]
        world, ("A-1", 10), requested_delivery_date=clock.now().date() + datetime.timedelta(3)
    )
    check, unread, address, per_unit = WORDS[language]
    sign_in(page, "mei@buyer-one.example", "correct horse battery staple")
    if language != "en":
        page.get_by_test_id("language").select_option(language)
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", language)

    page.goto("/quick-order/")
    page.locator("textarea[name=rows_text]").fill(PASTED)
    page.get_by_role("button", name=check).click()
    expect(page.get_by_test_id("read-summary")).to_contain_text(unread)
    expect(page.locator("textarea[name=rows_text]")).to_have_value(PASTED)
    codes = page.locator("input[name=sku]")
    for index, code in enumerate(["A-1", "B-2", "C-3"]):
        expect(codes.nth(index)).to_have_value(code)
    expect(page.get_by_test_id("total-0")).not_to_be_empty()
    shoot(page, f"quick-order-{language}")

    page.goto(f"/orders/{order.pk}/")
    expect(page.get_by_test_id("delivery-address")).to_contain_text(address)
    expect(page.get_by_test_id("delivery-address")).to_contain_text("Dock 1")
    expect(page.get_by_test_id("requested-date")).to_be_visible()
    shoot(page, f"order-{language}")

    page.goto("/catalogue/")
    expect(page.get_by_test_id("entry-A-1")).to_contain_text(per_unit)
    shoot(page, f"catalogue-{language}", full_page=False)

    assert page.goto("/no-such-page/").status == 404  # type: ignore[union-attr]
    expect(page.get_by_test_id("error-start")).to_have_attribute("href", "/")
    shoot(page, f"not-found-{language}")
    assert page.goto("/staff/no-such-page/").status == 404  # type: ignore[union-attr]
    expect(page.get_by_test_id("error-sign-in")).to_have_attribute("href", "/staff/signin/")
    shoot(page, f"staff-not-found-{language}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # type: ignore[index]
