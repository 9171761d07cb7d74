"""A PunchOut round trip in a real browser: the buyer's procurement system posts a setup
request, opens the start page, the buyer fills the cart and transfers it, and a fake
procurement page on 127.0.0.1 receives the PunchOutOrderMessage, which the test reads.
Screenshots in var/screenshots/<test>/, at 1280 and 375 pixels, in English and Chinese."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from defusedxml.ElementTree import fromstring
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from dinghuo.punchout.models import Session
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import build_world
from tests.e2e.helpers import shoot
from tests.punchout.documents import connect, setup_request

pytestmark = pytest.mark.e2e


class Procurement(ThreadingHTTPServer):
    """The buyer's procurement system's return page: keeps what the browser posts."""

    received: list[bytes]


class ReturnPage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        self.server.received.append(form["cxml-urlencoded"][0].encode())  # type: ignore[attr-defined]
        body = b"<!doctype html><title>Procurement</title><h1>Cart received</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def procurement() -> Iterator[Procurement]:
    """A local procurement page on 127.0.0.1, stopped after the test (requests time out in
    10 s, so it never outlives it)."""
    server = Procurement(("127.0.0.1", 0), ReturnPage)
    server.received = []
    server.timeout = 10
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def start_url(live_server: LiveServer, body: bytes) -> str:
    answer = httpx.post(
        f"{live_server.url}/punchout/cxml/setup",
        content=body,
        headers={"Content-Type": "text/xml"},
        timeout=30,
    )
    url = fromstring(answer.content).find("Response/PunchOutSetupResponse/StartPage/URL")
    assert url is not None, answer.text
    return str(url.text)


def test_setup_shop_transfer_and_the_procurement_page_receives_the_cart(
    page: Page, phone_page: Page, live_server: LiveServer, procurement: Procurement
) -> None:
    world = build_world()
    suite = connect(world)
    return_url = f"http://127.0.0.1:{procurement.server_address[1]}/return"
    first = start_url(live_server, setup_request(suite, form_post=return_url))
    page.goto(first)
    expect(page).to_have_url(f"{live_server.url}/catalogue/")
    entry = page.get_by_test_id("entry-A-1")
    entry.get_by_label("Quantity").fill("12")
    entry.get_by_role("button", name="Add to cart").click()
    expect(entry.get_by_role("status")).to_have_text("Added to the cart")
    page.goto("/cart/")
    expect(page.get_by_test_id("checkout")).to_have_count(0)
    shoot(page, "cart-in-punchout")

    page.get_by_role("button", name="Transfer cart to your purchasing system").click()
    expect(page.get_by_role("heading", name="Cart received")).to_be_visible()
    assert len(procurement.received) == 1
    message = fromstring(procurement.received[0]).find("Message/PunchOutOrderMessage")
    assert message.find("BuyerCookie").text == "34234234ADFSDF234234"
    assert message.find("PunchOutOrderMessageHeader/Total/Money").text == "108.00"
    item = message.find("ItemIn")
    assert item.get("quantity") == "12"
    assert item.find("ItemID/SupplierPartID").text == "A-1"
    assert item.find("ItemDetail/UnitPrice/Money").text == "9.00"
    assert Session.objects.get().ended_at is not None

    # The same start page again: refused, in words.
    phone_page.goto(first)
    expect(phone_page.get_by_test_id("punchout-link-refused")).to_be_visible()
    shoot(phone_page, "link-used-phone")


def test_the_punchout_pages_in_chinese_on_a_phone_and_a_desk(
    page: Page, phone_page: Page, live_server: LiveServer, procurement: Procurement
) -> None:
    world = build_world()
    suite = connect(world)
    return_url = f"http://127.0.0.1:{procurement.server_address[1]}/return"
    body = setup_request(suite, form_post=return_url, lang="zh-TW")
    phone_page.goto(start_url(live_server, body))
    entry = phone_page.get_by_test_id("entry-C-3")
    entry.get_by_role("button", name="加入購物車").click()
    # Added (the page says so) before the cart is opened: a busy machine is slow to add.
    expect(entry.get_by_role("status")).not_to_be_empty()
    phone_page.goto("/cart/")
    button = phone_page.get_by_role("button", name="將購物車傳送到您的採購系統")
    expect(button).to_be_visible()
    shoot(phone_page, "cart-zh-hant-phone")
    with phone_page.expect_navigation():
        button.click()
    expect(phone_page.get_by_role("heading", name="Cart received")).to_be_visible()
    item = fromstring(procurement.received[0]).find("Message/PunchOutOrderMessage/ItemIn")
    assert item.find("ItemDetail/Description").text == "產品 C-3"

    # The back office's PunchOut page, in both languages and both sizes.
    staff = make_staff(world, "sam@seller.example")
    staff.user.set_password(PASSWORD)
    staff.user.save()
    for tab in (page, phone_page):
        tab.context.clear_cookies()
        tab.goto("/staff/signin/")
        tab.get_by_label("Email").fill("sam@seller.example")
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.goto("/staff/punchout/")
        expect(tab.get_by_test_id(f"connection-{suite.connection.pk}")).to_be_visible()
        shoot(tab, "back-office-en")
        tab.context.add_cookies(
            [{"name": "django_language", "value": "zh-hant", "url": live_server.url}]
        )
        tab.goto("/staff/punchout/")
        expect(tab.get_by_role("heading", name="採購系統對接", exact=True)).to_be_visible()
        shoot(tab, "back-office-zh-hant")


def test_without_javascript_the_buyer_presses_the_button(
    browser: Browser, live_server: LiveServer, procurement: Procurement
) -> None:
    world = build_world()
    suite = connect(world)
    return_url = f"http://127.0.0.1:{procurement.server_address[1]}/return"
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(start_url(live_server, setup_request(suite, form_post=return_url)))
        entry = page.get_by_test_id("entry-A-1")
        with page.expect_navigation():  # a plain form post, done before the cart is opened
            entry.get_by_role("button", name="Add to cart").click()
        page.goto("/cart/")
        page.get_by_role("button", name="Transfer cart to your purchasing system").click()
        expect(page.get_by_test_id("punchout-transfer-page")).to_be_visible()
        shoot(page, "transfer-page-without-javascript")
        assert procurement.received == []  # nothing leaves until the buyer says so
        page.get_by_role("button", name="Continue to your purchasing system").click()
        expect(page.get_by_role("heading", name="Cart received")).to_be_visible()
        item = fromstring(procurement.received[0]).find("Message/PunchOutOrderMessage/ItemIn")
        assert item.find("ItemID/SupplierPartID").text == "A-1"
    finally:
        context.close()
