"""Under the Content-Security-Policy the pages still work in a real browser (htmx swaps, the
dashboard's chart), so do the Django admin (its own policy) and the API docs, and the browser
reports no violation of the policy anywhere."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.backoffice.staffing import PASSWORD, make_staff, place
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e

# Every violation the page sees is kept on `window` (the init script runs before the page's
# own scripts, injected by the browser's debugging protocol, which the policy does not cover).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _watch(page: Page) -> list[str]:
    """Console messages about the Content-Security-Policy on `page` from now on."""
    said: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            said.append(message.text)

    page.on("console", listen)
    page.context.add_init_script(RECORD_VIOLATIONS)
    return said


def _no_violations(page: Page, said: list[str]) -> None:
    assert page.evaluate("window.__violations") == [], page.url
    assert said == []


def test_pages_admin_and_api_docs_work_under_the_policy_without_a_violation(page: Page) -> None:
    world = build_world()
    buyer, _ = add_buyer(world, "mei@buyer-one.example")
    buyer.user.set_password(PASSWORD)
    buyer.user.save()
    make_staff(world, "sam@seller.example")
    place(world, ("A-1", 2))
    User.objects.create_superuser("root@seller.example", "root@seller.example", PASSWORD)
    said = _watch(page)

    # The buyer's quick order: a typed row is checked by an htmx swap.
    sign_in(page, "mei@buyer-one.example", PASSWORD)
    page.goto("/quick-order/")
    page.locator("input[name=sku]").first.fill("A-1")
    page.locator("input[name=quantity]").first.fill("10")
    page.locator("input[name=quantity]").first.blur()
    expect(page.get_by_test_id("subtotal")).to_have_text("$90.00")
    page.goto("/catalogue/")
    expect(page.locator("#catalogue")).to_be_visible()
    assert page.locator("#catalogue").evaluate("e => getComputedStyle(e).listStyleType") == "none"
    _no_violations(page, said)
    page.get_by_role("button", name="Sign out").click()

    # Staff: the dashboard's chart, then the order desk filtered by an htmx swap.
    page.goto("/staff/signin/")
    page.get_by_label("Email").fill("sam@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("chart").locator("rect.chart__bar")).to_have_count(14)
    shoot(page, "dashboard")
    page.goto("/staff/orders/")
    page.get_by_label("Status").select_option("cancelled")
    expect(page).to_have_url(re.compile(r"status=cancelled"))
    expect(page.locator("#desk-rows")).not_to_contain_text("SO-")
    _no_violations(page, said)
    page.get_by_role("button", name="Sign out").click()

    # The admin (unfold, Alpine.js) under its own policy.
    page.goto("/admin/")  # to the admin's sign-in, and back
    page.get_by_label("Username").fill("root@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in|Sign in", re.I)).click()
    expect(page.get_by_role("link", name="Products").first).to_be_visible()
    page.goto("/admin/catalog/product/")
    page.goto("/admin/catalog/product/add/")
    expect(page.locator("form")).not_to_have_count(0)
    shoot(page, "admin-product")
    _no_violations(page, said)

    # The API docs: Swagger UI from our static files.
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    shoot(page, "api-docs")
    _no_violations(page, said)
