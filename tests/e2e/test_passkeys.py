"""A seller's owner adds passkeys on their two-step page and signs in with their password and
a passkey, made and used by Chromium's virtual authenticator (DevTools' WebAuthn domain). A
passkey they removed is refused by the server, even when the browser offers it.

Passkeys need a domain name (WebAuthn refuses an IP address as the relying party), so these
tabs open the live server as "localhost", which Chromium treats as a secure origin.
"""

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, CDPSession, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import build_world
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import SCREENSHOTS, current_test_name, shoot

pytestmark = pytest.mark.e2e

EMAIL = "owner@seller.example"
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


class Tab:
    """A tab on "localhost" with a virtual authenticator (a platform passkey, user verified)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.cdp: CDPSession = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        found = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        self.authenticator = found["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        found = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})
        return list(found["credentials"])

    def hold_only(self, credential: dict[str, Any]) -> None:
        """The authenticator now holds this one credential (and forgets the others)."""
        self.cdp.send("WebAuthn.clearCredentials", {"authenticatorId": self.authenticator})
        self.cdp.send(
            "WebAuthn.addCredential",
            {"authenticatorId": self.authenticator, "credential": credential},
        )


def _tab(
    browser: Browser, live_server: LiveServer, *, viewport: dict[str, int], locale: str
) -> Iterator[Tab]:
    shutil.rmtree(SCREENSHOTS / current_test_name(), ignore_errors=True)  # this run's only
    context = browser.new_context(
        base_url=live_server.url.replace("127.0.0.1", "localhost"),
        viewport=viewport,
        locale=locale,
    )
    context.set_default_timeout(15_000)
    try:
        yield Tab(context.new_page())
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    yield from _tab(browser, live_server, viewport=DESKTOP, locale="en-US")


@pytest.fixture
def phone_tab(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    yield from _tab(browser, live_server, viewport=PHONE, locale="zh-TW")


def _password(page: Page, *, email_label: str = "Email", password_label: str = "Password") -> None:
    page.goto("/staff/")
    page.get_by_label(email_label).fill(EMAIL)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_label(password_label).press("Enter")


def _add_passkey(page: Page, name: str) -> None:
    page.get_by_test_id("passkeys").get_by_role("textbox").fill(name)
    page.get_by_test_id("add-passkey").click()
    expect(page.get_by_test_id("passkey-name").filter(has_text=name)).to_be_visible()


def _without_allowed_credentials(route: Route) -> None:
    """The sign-in options as a careless or hostile browser script might use them: any
    passkey of this site may answer, not only the person's own."""
    answer = route.fetch()
    options = answer.json()
    options.pop("allowCredentials", None)
    route.fulfill(response=answer, body=json.dumps(options))


def test_the_owner_adds_passkeys_and_signs_in_with_one(tab: Tab) -> None:
    page = tab.page
    world = build_world()
    make_staff(world, EMAIL, first="Olive")
    _password(page)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_test_id("two-step-link").click()
    shoot(page, "two-step-page")

    # The first passkey turns two-step sign-in on and brings ten recovery codes.
    _add_passkey(page, "Work laptop")
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    page.get_by_test_id("codes-kept").click()
    expect(page.get_by_test_id("passkey-used")).to_contain_text("not yet")
    laptop = tab.credentials()[0]

    # A second passkey (the same authenticator, its first one forgotten: a second device).
    tab.cdp.send("WebAuthn.clearCredentials", {"authenticatorId": tab.authenticator})
    _add_passkey(page, "Phone")
    expect(page.get_by_test_id("passkey")).to_have_count(2)
    expect(page.get_by_test_id("recovery-code")).to_have_count(0)
    phone = tab.credentials()[0]
    shoot(page, "two-passkeys")

    # Removing one asks for the password; a wrong one removes nothing.
    row = page.get_by_test_id("passkey").filter(has_text="Work laptop")
    row.get_by_test_id("remove-passkey-open").click()
    row.get_by_label("Your password").fill("not the password")
    row.get_by_test_id("remove-passkey").click()
    row = page.get_by_test_id("passkey").filter(has_text="Work laptop")
    expect(row.get_by_test_id("password-error")).to_contain_text("This is not your password.")
    row.get_by_label("Your password").fill(PASSWORD)
    row.get_by_test_id("remove-passkey").click()
    expect(page.get_by_test_id("passkey")).to_have_count(1)
    expect(page.get_by_test_id("passkey-name")).to_have_text("Phone")
    page.get_by_role("button", name="Sign out").click()

    # The password alone opens nothing; the removed passkey is refused by the server even when
    # the browser is made to offer it.
    _password(page)
    expect(page).to_have_url(re.compile(r"/staff/signin/code/$"))
    expect(page.get_by_test_id("code-submit")).to_be_visible()  # the recovery codes
    shoot(page, "second-step")
    tab.hold_only(laptop)
    page.route("**/two-step/passkey/options/", _without_allowed_credentials)
    page.get_by_test_id("use-passkey").click()
    expect(page.get_by_test_id("passkey-status")).to_contain_text("This passkey was not accepted.")
    shoot(page, "removed-passkey-refused")
    page.unroute("**/two-step/passkey/options/")

    # The passkey they kept signs them in.
    tab.hold_only(phone)
    page.get_by_test_id("use-passkey").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_test_id("staff-who")).to_contain_text("Olive")
    page.get_by_test_id("two-step-link").click()
    expect(page.get_by_test_id("passkey-used")).not_to_contain_text("not yet")


def test_passkeys_on_a_phone_in_traditional_chinese(phone_tab: Tab) -> None:
    page = phone_tab.page
    world = build_world()
    make_staff(world, EMAIL, first="Olive")
    _password(page, email_label="電郵", password_label="密碼")
    page.goto("/staff/account/two-step/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    shoot(page, "two-step-zh-hant")
    _add_passkey(page, "手機")
    page.get_by_test_id("codes-kept").click()
    shoot(page, "passkey-added-zh-hant")
    page.locator("form.sign-out button").click()
    _password(page, email_label="電郵", password_label="密碼")
    expect(page).to_have_url(re.compile(r"/staff/signin/code/$"))
    shoot(page, "second-step-zh-hant")
    page.get_by_test_id("use-passkey").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
