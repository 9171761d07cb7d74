"""A buyer signs in and reads the same pages in English, Traditional and Simplified Chinese."""

import pytest
from playwright.sync_api import Page, expect

from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e


def test_a_buyer_signs_in_and_switches_language_which_is_remembered(phone_page: Page) -> None:
    world = build_world()
    member, _ = add_buyer(world, "mei.chan@buyer-one.example")
    member.user.first_name, member.user.last_name = "Mei", "Chan"
    member.user.set_password("correct horse battery staple")
    member.user.save()
    page = phone_page

    sign_in(page, "Mei.Chan@buyer-one.example", "correct horse battery staple")

    who = page.get_by_test_id("who")
    expect(who).to_contain_text("Mei Chan")
    expect(who).to_contain_text("Buyer One")
    nav = page.get_by_role("navigation")
    for label in ("Catalogue", "Quick order", "Cart", "Orders"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shoot(page, "signed-in-en")

    page.get_by_test_id("language").select_option("zh-hant")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    for label in ("產品目錄", "快速下單", "購物車", "訂單"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("button", name="登出")).to_be_visible()
    shoot(page, "zh-hant")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(nav.get_by_role("link", name="產品目錄")).to_be_visible()

    page.get_by_test_id("language").select_option("zh-hans")
    page.get_by_role("button", name="切換").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    for label in ("产品目录", "快速下单", "购物车", "订单"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    shoot(page, "zh-hans")

    # Signed out and back in: the language cookie still speaks Simplified Chinese.
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shoot(page, "signed-out-zh-hans")


def test_htmx_requests_pass_the_csrf_check(page: Page) -> None:
    world = build_world()
    member, _ = add_buyer(world, "kit@buyer-one.example")
    member.user.set_password("correct horse battery staple")
    member.user.save()
    sign_in(page, "kit@buyer-one.example", "correct horse battery staple")
    assert page.evaluate("typeof window.htmx") == "object"

    # A POST made by HTMX (not a form submit) carries the token from the layout's hx-headers.
    status = page.evaluate(
        """() => new Promise((done) => {
            document.body.addEventListener("htmx:afterRequest",
                (event) => done(event.detail.xhr.status), {once: true});
            htmx.ajax("POST", "/i18n/language/",
                {values: {language: "zh-hans", next: "/signin/"}, swap: "none"});
        })"""
    )
    assert status == 200  # the redirect to /signin/ was followed; a CSRF failure is 403
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
