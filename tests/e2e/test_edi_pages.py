"""Staff set up an EDI trading partner in the back office, map its delivery point, read an
order interchange by hand and a broken one, in English on a desktop and in Traditional
Chinese on a phone (screenshots in var/screenshots/)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dinghuo.edi.models import EdiMessage, TradingPartner
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import build_world
from tests.e2e.helpers import shoot
from tests.edi.support import BUYER_GLN, DOCK_GLN, GTINS, MESSAGES, OUR_GLN

pytestmark = pytest.mark.e2e


def _staff_signs_in(page: Page, email: str) -> None:
    page.goto("/staff/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def _with_gtins(world) -> None:
    for code, gtin in GTINS.items():
        world.skus[code].gtin = gtin
        world.skus[code].save(update_fields=["gtin"])


def test_staff_set_up_a_partner_and_read_its_orders(page: Page, tmp_path: Path) -> None:
    world = build_world()
    _with_gtins(world)
    make_staff(world, "sam@seller.example")
    _staff_signs_in(page, "sam@seller.example")

    page.get_by_role("link", name="EDI").first.click()
    expect(page.get_by_role("heading", name="EDI", exact=True)).to_be_visible()
    page.get_by_test_id("new-partner").click()
    page.get_by_label("Name").fill("Harbour Hardware")
    page.get_by_label("Partner's GLN").fill("5412345000014")  # a wrong check digit
    page.get_by_label("Our GLN").fill(OUR_GLN)
    page.get_by_test_id("save-partner").click()
    expect(page.get_by_test_id("partner-form")).to_contain_text("check digit")
    shoot(page, "partner-refused")
    page.get_by_label("Partner's GLN").fill(BUYER_GLN)
    page.get_by_test_id("save-partner").click()
    expect(page.get_by_test_id(f"delivery-point-{world.ship_to.pk}")).to_be_visible()
    page.get_by_test_id(f"delivery-point-{world.ship_to.pk}").get_by_role("textbox").fill(DOCK_GLN)
    page.get_by_test_id("save-partner").click()
    expect(page.get_by_text("Trading partner saved.")).to_be_visible()
    assert TradingPartner.objects.get().ship_tos.get().gln == DOCK_GLN
    shoot(page, "partner")

    page.get_by_role("link", name="EDI").first.click()
    page.get_by_label("EDI file").set_input_files(str(MESSAGES / "orders_basic.edi"))
    page.get_by_test_id("edi-upload-submit").click()
    expect(page.get_by_test_id("message-status")).to_have_text("Orders placed")
    expect(page.get_by_test_id("message-orders")).to_contain_text("SO-")
    shoot(page, "message-accepted")
    page.get_by_test_id("answer-link").click()
    expect(page.get_by_test_id("message-raw")).to_contain_text("BGM+231+SO-")
    shoot(page, "order-response")

    page.get_by_role("link", name="EDI").first.click()
    page.get_by_label("EDI file").set_input_files(str(MESSAGES / "orders_unknown_article.edi"))
    page.get_by_test_id("edi-upload-submit").click()
    expect(page.get_by_test_id("message-status")).to_have_text("Refused")
    expect(page.get_by_test_id("message-problems")).to_contain_text("An article is unknown.")
    shoot(page, "message-refused")
    page.get_by_role("link", name="EDI").first.click()
    expect(page.get_by_test_id("edi-messages").locator("tbody tr")).to_have_count(4)
    shoot(page, "overview")
    assert EdiMessage.objects.filter(direction="in").count() == 2


def _chinese_pages(page: Page, language: str, size: str) -> None:
    """The three EDI pages in `language` (a refused message shown): no English left."""
    from dinghuo.edi.services import inbound, partners

    world = build_world()
    _with_gtins(world)
    make_staff(world, "sam@seller.example")
    partner = partners.create_partner(
        tenant_id=world.tenant.pk,
        name="Harbour Hardware",
        gln=BUYER_GLN,
        company_id=world.company.pk,
        our_gln=OUR_GLN,
        ship_tos=[partners.ShipTo(DOCK_GLN, world.ship_to.pk)],
    )
    refused = inbound.receive_interchange(
        tenant_id=world.tenant.pk,
        text=(MESSAGES / "orders_wrong_unt.edi").read_text(),
        source="inbox: orders_wrong_unt.edi",
    ).message
    _staff_signs_in(page, "sam@seller.example")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    for path, name in [
        ("/staff/edi/", "overview"),
        (f"/staff/edi/partners/{partner.pk}/", "partner"),
        (f"/staff/edi/messages/{refused.pk}/", "message-refused"),
    ]:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", re.compile(language, re.I))
        main = page.locator("main").inner_text()
        for english in ("Trading partner", "Refused", "Delivery points", "Messages", "Why it was"):
            assert english not in main, (path, english)
        shoot(page, f"{language}-{size}-{name}")


def test_the_pages_in_traditional_chinese_on_a_phone(phone_page: Page) -> None:
    _chinese_pages(phone_page, "zh-hant", "375")
    expect(phone_page.locator("main")).to_contain_text("訊息的資料段數目有誤。")


def test_the_pages_in_traditional_chinese_on_a_desktop(page: Page) -> None:
    _chinese_pages(page, "zh-hant", "1280")
    expect(page.locator("main")).to_contain_text("貿易夥伴")


def test_the_pages_in_simplified_chinese_on_a_phone(phone_page: Page) -> None:
    _chinese_pages(phone_page, "zh-hans", "375")
    expect(phone_page.locator("main")).to_contain_text("消息的数据段数目有误。")
