"""A seller's owner turns on two-step sign-in in the back office, keeps the recovery codes,
signs out and signs in again with the password and a code from the app (computed here)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import build_world
from tests.e2e.helpers import shoot
from tests.two_factor.support import totp

pytestmark = pytest.mark.e2e


def _password(page: Page) -> None:
    page.goto("/staff/")
    page.get_by_label("Email").fill("owner@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_owner_turns_on_two_step_sign_in_and_signs_in_with_a_code(page: Page) -> None:
    world = build_world()
    make_staff(world, "owner@seller.example", first="Olive")
    _password(page)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_test_id("two-step-link").click()
    page.get_by_test_id("begin").click()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("secret").inner_text()
    shoot(page, "set-up")
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    shoot(page, "recovery-codes")
    with page.expect_download() as download:
        page.get_by_test_id("download-codes").click()
    assert download.value.suggested_filename == "recovery-codes.txt"
    page.get_by_test_id("codes-kept").click()
    expect(page.get_by_test_id("codes-left")).to_have_text("10")
    page.get_by_role("button", name="Sign out").click()

    # Again: the password alone opens nothing, the code does.
    _password(page)
    expect(page).to_have_url(re.compile(r"/staff/signin/code/$"))
    page.goto("/staff/orders/")
    expect(page).to_have_url(re.compile(r"/staff/signin/\?next=/staff/orders/"))
    _password(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("code-error")).to_contain_text("This code is not right.")
    page.get_by_label("Code").fill(totp(secret, steps_ahead=1))
    shoot(page, "code")
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_test_id("staff-who")).to_contain_text("Olive")
