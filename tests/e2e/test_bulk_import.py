"""Staff import a product file in the back office: the run page shows its progress, then its
problems by row and column; fixed, the file applies. In English and in Traditional Chinese,
on a desk and on a phone."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import build_world
from tests.bulk.helpers import csv_bytes
from tests.e2e.helpers import shoot

pytestmark = pytest.mark.e2e

HEAD = ["Product code", "Product name (English)", "Product name (Traditional Chinese)",
        "SKU code", "Pack size"]  # fmt: skip


def _worker() -> None:
    call_command("worker", "--once", stdout=io.StringIO())


def test_staff_import_a_file_see_its_problems_and_apply_it_fixed(page: Page) -> None:
    world = build_world()
    make_staff(world, "sam@seller.example")
    page.goto("/staff/")
    page.get_by_label("Email").fill("sam@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Imports and exports").click()
    expect(page.get_by_role("heading", name="Import a file")).to_be_visible()
    shoot(page, "imports")

    bad = csv_bytes([HEAD, ["P-TEA", "Green tea", "綠茶", "T-1", "a dozen"],
                     ["P-TEA", "Green tea", "綠茶", "T-1", "12"]])  # fmt: skip
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "tea.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("import-state")).to_have_text("Waiting")
    shoot(page, "waiting")
    _worker()
    # The page refreshes itself: no reload needed.
    expect(page.get_by_test_id("import-state")).to_have_text("Problems found", timeout=10_000)
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("Write a whole number here.")
    expect(problems).to_contain_text("This row repeats row 2; give each once.")
    shoot(page, "problems")
    page.set_viewport_size({"width": 375, "height": 812})
    shoot(page, "problems-phone")

    site = page.url.split("/staff/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hant", "url": site}])
    page.reload()
    expect(page.get_by_test_id("import-problems")).to_contain_text("請在此填寫整數。")
    shoot(page, "problems-phone-zh-hant")
    page.set_viewport_size({"width": 1280, "height": 800})
    shoot(page, "problems-zh-hant")

    page.goto("/staff/imports/")
    fixed = csv_bytes([HEAD, ["P-TEA", "Green tea", "綠茶", "T-1", "12"]])
    page.get_by_test_id("upload-form").locator("input[type=file]").set_input_files(
        {"name": "tea-fixed.csv", "mimeType": "text/csv", "buffer": fixed}
    )
    page.get_by_test_id("upload").click()
    _worker()
    expect(page.get_by_test_id("import-state")).to_have_text(re.compile("已檢查"), timeout=10_000)
    page.get_by_test_id("apply-import").click()
    _worker()
    expect(page.get_by_test_id("import-state")).to_have_text("已套用", timeout=10_000)
    shoot(page, "applied-zh-hant")
    page.goto("/staff/imports/")
    shoot(page, "imports-zh-hant")
