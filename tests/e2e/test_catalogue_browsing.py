"""The catalogue as a buyer browses it on a laptop and a phone, in English and Traditional
Chinese: pictures, the count, a sort and the in-stock filter, availability in words, adding
to the cart with the summary following, the list layout; screenshots of each."""

import pytest
from playwright.sync_api import Page, expect

from dinghuo.catalog import services as catalog
from dinghuo.demo.pictures import draw
from dinghuo.inventory.models import StockLevel
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in
from tests.portal.ordering import more_skus

pytestmark = pytest.mark.e2e

WORDS = {
    "en": ("Show", "In stock only", "products", "Add to cart", "Cart: 1 line"),
    "zh-hant": ("顯示", "只顯示有貨", "件產品", "加入購物車", "1"),
}


def _pictures(world) -> None:  # type: ignore[no-untyped-def]
    import io

    for code, letters in (("A-1", "GW"), ("B-2", "HS"), ("C-3", "LP")):
        out = io.BytesIO()
        draw("tools", letters).save(out, "PNG")
        catalog.add_product_image(
            tenant_id=world.tenant.pk,
            product_id=world.skus[code].product_id,
            content=out.getvalue(),
        )


@pytest.mark.parametrize("size", ["page", "phone_page"])
@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_a_buyer_browses_the_catalogue(
    request: pytest.FixtureRequest, transactional_db: None, size: str, language: str
) -> None:
    page: Page = request.getfixturevalue(size)
    page.set_default_timeout(30_000)
    world = build_world()
    more_skus(world, 8)
    _pictures(world)
    StockLevel.objects.filter(sku=world.skus["A-1"]).update(reserved=95)  # few left
    StockLevel.objects.filter(sku=world.skus["C-3"]).update(reserved=100)  # unavailable
    member, _ = add_buyer(world, "mei@buyer-one.example")
    member.user.set_password("correct horse battery staple")
    member.user.save()
    show, in_stock, products, add, cart = WORDS[language]
    sign_in(page, "mei@buyer-one.example", "correct horse battery staple")
    if language != "en":
        page.get_by_test_id("language").select_option(language)
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", language)

    page.goto("/catalogue/")
    expect(page.get_by_test_id("result-count")).to_contain_text(products)
    expect(page.get_by_test_id("entry-A-1").get_by_test_id("image")).to_be_visible()
    expect(page.get_by_test_id("entry-C-3").get_by_role("button", name=add)).to_have_count(0)
    shoot(page, f"catalogue-grid-{language}")

    page.get_by_test_id("entry-A-1").get_by_role("button", name=add).click()
    expect(page.get_by_test_id("cart-size")).to_contain_text(cart)
    expect(page.get_by_test_id("cart-size")).to_contain_text("10.00")

    page.locator("#catalogue-sort").select_option("price")
    page.get_by_label(in_stock).check()
    page.get_by_role("button", name=show, exact=True).click()
    expect(page.get_by_test_id("entry-C-3")).to_have_count(0)
    shoot(page, f"catalogue-sorted-{language}")

    page.goto("/catalogue/")
    page.mouse.wheel(0, 3000)  # the cart summary stays in view down the list
    expect(page.get_by_test_id("cart-size")).to_be_in_viewport()

    page.goto("/catalogue/?layout=list")
    expect(page.locator("#catalogue")).to_have_class("catalogue catalogue--list")
    shoot(page, f"catalogue-list-{language}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # type: ignore[index]
