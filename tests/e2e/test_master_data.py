"""Staff create a product with its names in three languages and a SKU in the back office,
price it, and a buyer finds it in the portal's catalogue in their language; the master-data
pages fit a phone's width."""

import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e


def _staff_sign_in(page: Page, email: str) -> None:
    # The first request of a process imports every view and builds the URLconf; made here
    # with Django's client, so that the browser's first page does not wait for it (on a busy
    # machine that took longer than the browser's timeout).
    Client().get("/staff/signin/")
    page.goto("/staff/signin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_staff_create_a_product_with_a_sku_and_a_buyer_finds_it_in_the_catalogue(
    page: Page,
) -> None:
    world = build_world()
    buyer, _ = add_buyer(world, "mei@buyer-one.example")
    buyer.user.set_password(PASSWORD)
    buyer.user.save()
    make_staff(world, "sam@seller.example")

    _staff_sign_in(page, "sam@seller.example")
    page.get_by_role("link", name="Products", exact=True).click()
    expect(page.get_by_test_id("product-P-A-1")).to_be_visible()
    page.get_by_test_id("new-product").click()
    page.get_by_label("Product code").fill("TEA")
    page.get_by_label("Category").select_option(label="Tools")
    page.get_by_label("Name (English)", exact=True).fill("Green tea")
    page.get_by_label("Name (Traditional Chinese)", exact=True).fill("綠茶")
    page.get_by_label("Name (Simplified Chinese)", exact=True).fill("绿茶")
    page.get_by_label("Description (English)", exact=True).fill("Loose leaves from Yunnan")
    shoot(page, "new-product")
    page.get_by_test_id("save-product").click()
    expect(page.get_by_role("heading", name="Green tea")).to_be_visible()

    skus = page.get_by_test_id("sku-form")
    skus.get_by_label("SKU code").fill("TEA-100")
    skus.get_by_label("Unit", exact=True).fill("tin")
    skus.get_by_label("GTIN (barcode number)").fill("4006381333932")  # wrong check digit
    skus.get_by_label("Name (English)", exact=True).fill("Tin of 100 g")
    page.get_by_test_id("save-sku").click()
    expect(page.get_by_test_id("error-sku-gtin")).to_contain_text("check digit")
    expect(page.get_by_test_id("sku-TEA-100")).to_have_count(0)
    skus.get_by_label("GTIN (barcode number)").fill("4006381333931")
    page.get_by_test_id("save-sku").click()
    expect(page.get_by_test_id("sku-TEA-100")).to_contain_text("Tin of 100 g")
    shoot(page, "product-with-sku")

    # Priced on the company's list, so that the company can order it.
    page.goto(f"/staff/prices/{world.price_list.pk}/?edit=TEA-100#ladder")
    page.get_by_label("Minimum quantity, row 1").fill("1")
    page.get_by_label("Unit price, row 1").fill("12.50")
    page.get_by_test_id("save-ladder").click()
    expect(page.locator(".messages")).to_contain_text("TEA-100")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "mei@buyer-one.example", PASSWORD)
    page.goto("/catalogue/?q=TEA")
    entry = page.get_by_test_id("entry-TEA-100")
    expect(entry).to_contain_text("$12.50")
    expect(entry).to_contain_text("Tin of 100 g")
    shoot(page, "catalogue-en")
    page.get_by_test_id("language").select_option("zh-hant")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    page.goto("/catalogue/?q=TEA")
    expect(page.get_by_test_id("entry-TEA-100")).to_contain_text("綠茶")
    shoot(page, "catalogue-zh-hant")


def test_the_master_data_pages_fit_a_phone(phone_page: Page) -> None:
    world = build_world()
    make_staff(world, "sam@seller.example")
    page = phone_page
    _staff_sign_in(page, "sam@seller.example")
    product = world.skus["A-1"].product_id
    paths = ["/staff/products/", "/staff/products/new/", f"/staff/products/{product}/",
             "/staff/categories/", "/staff/warehouses/", "/staff/companies/new/",
             f"/staff/companies/{world.company.pk}/credit/"]  # fmt: skip
    for path in paths:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} is {wide}px wider than the phone"
        shoot(page, re.sub(r"\W+", "-", path))
