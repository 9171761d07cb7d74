"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Never downloads a browser: /usr/bin/chromium is launched, and the tests are skipped with a
clear reason where it is missing (scripts/test.sh says so loudly). Each test gets its own
Playwright and browser (under a second to start): Playwright's sync API runs an event loop on
the test's thread, which Django takes for an async context, so the loop must not outlive the
test — other tests in the same worker then see no loop at all.
"""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.catalogs import use_compiled_catalogs
from tests.e2e.helpers import SCREENSHOTS, current_test_name, shoot

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
_STARTED: set[str] = set()  # tests whose screenshot folder was emptied in this run


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    # Keep each phase's outcome on the test so that the page fixture can photograph a failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """The Chinese pages need the compiled catalogs; build them if missing or stale and make
    Django read them afresh."""
    use_compiled_catalogs()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server, on the loopback address (127.0.0.1) and a free port."""
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Debian's Chromium, headless, for this test only."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    # The test body may use the ORM (arrange data, check results) while Playwright's loop is
    # marked running on this thread; nothing here is async, so Django's guard is lifted for
    # this test only (the variable is read at each call and restored after the test).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


def _page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, **options: object
) -> Iterator[Page]:
    name = current_test_name()
    if name not in _STARTED:  # a rerun replaces the pictures of the last run
        _STARTED.add(name)
        shutil.rmtree(SCREENSHOTS / name, ignore_errors=True)
    context: BrowserContext = browser.new_context(
        base_url=live_server.url, locale="en-US", **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        shoot(page, "failure")
    context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A desktop-sized tab (1280×800) whose relative URLs go to the live server."""
    yield from _page(request, browser, live_server, viewport=DESKTOP)


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A phone-sized tab (375×812, touch) whose relative URLs go to the live server."""
    yield from _page(request, browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """`shoot` as a fixture: screenshot(page, "cart") → var/screenshots/<test>/NN-cart.png."""
    return shoot
