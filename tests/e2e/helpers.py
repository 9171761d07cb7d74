"""What browser tests share: screenshots for a person to look at (var/screenshots/<test>/),
signing in as a person would."""

import os
import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"  # git-ignored (/var/)


def current_test_name() -> str:
    """The running test's name, fit for a folder (pytest sets PYTEST_CURRENT_TEST)."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown").split(" ")[0]
    name = current.rsplit("::", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save what `page` shows as var/screenshots/<test name>/<NN>-<name>.png, numbered in the
    order taken, and answer the path."""
    folder = SCREENSHOTS / current_test_name()
    folder.mkdir(parents=True, exist_ok=True)
    number = len(list(folder.glob("*.png"))) + 1
    path = folder / f"{number:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    # A long page (Swagger UI) on a machine busy with the rest of the suite can take more
    # than the default 10 s to draw; a screenshot is evidence, not a test of speed.
    page.screenshot(path=str(path), full_page=full_page, timeout=60_000)
    return path


def sign_in(page: Page, email: str, password: str, next_url: str = "") -> None:
    """Sign in through the sign-in page as a person would (English labels)."""
    page.goto("/signin/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
